from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils import timezone

from .. import selectors


def call_list(request):
    return render(request, "applications/call_list.html",
                  {"calls": selectors.call_list_public(now=timezone.now())})


def call_detail(request, slug):
    page = selectors.call_page(slug=slug)
    if page is None:
        raise Http404
    application_key = None
    if request.user.is_authenticated:
        application_key = selectors.own_application_key(call=page.call, user=request.user)
    return render(request, "applications/call_detail.html", {
        "call": page.call, "modules": page.modules, "partners": page.partners,
        "is_open": page.call.is_open(), "application_key": application_key,
    })


def call_release_template(request, slug):
    """The employer-release template is public: it is part of the call."""
    call = selectors.call_public(slug=slug)
    if call is None or not call.release_template:
        raise Http404
    return FileResponse(call.release_template.open("rb"), as_attachment=True,
                        filename=call.release_template_name or "freistellung.pdf")
