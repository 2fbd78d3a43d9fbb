from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils import timezone

from .. import selectors


def call_list(request):
    return render(request, "applications/call_list.html",
                  {"calls": selectors.call_list_public(now=timezone.now())})


def call_detail(request, slug):
    call = selectors.call_public(slug=slug)
    if call is None:
        raise Http404
    application = None
    if request.user.is_authenticated:
        application = call.applications.filter(applicant=request.user).first()
    return render(request, "applications/call_detail.html", {
        "call": call, "is_open": call.is_open(), "application": application,
    })


def call_release_template(request, slug):
    """The employer-release template is public: it is part of the call."""
    call = selectors.call_public(slug=slug)
    if call is None or not call.release_template:
        raise Http404
    return FileResponse(call.release_template.open("rb"), as_attachment=True,
                        filename=call.release_template_name or "freistellung.pdf")
