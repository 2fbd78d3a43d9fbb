"""The audit log in the back office: who did what, when and why, per programme."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from kohorte.programmes.models import Programme

from . import selectors
from .access import programmes_where, require, staff_required
from .forms_staff import AuditFilterForm

PAGE_SIZE = 50


@staff_required
@require_GET
def audit_index(request):
    """The programmes whose log the person may read; with one, straight to it."""
    programmes = list(programmes_where(request.user, "audit", "view").order_by("name"))
    if not programmes:
        raise PermissionDenied
    if len(programmes) == 1:
        return redirect("audit:log", slug=programmes[0].slug)
    return render(request, "core/staff/audit_index.html", {"programmes": programmes})


@staff_required
@require_GET
def audit_log(request, slug):
    programme = get_object_or_404(Programme, slug=slug)
    require(request.user, programme, "audit", "view")
    form = AuditFilterForm(request.GET,
                           actions=selectors.audit_actions_for_programme(programme=programme))
    valid = form.is_valid()
    entries = selectors.audit_entries_for_programme(programme=programme, **form.filters())
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "core/staff/audit_log.html",
                  {"programme": programme, "form": form, "page": page},
                  status=200 if valid else 400)
