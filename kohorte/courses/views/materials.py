"""Materials of a module: adding and removing them (coordinators for every module,
lecturers for their own), and downloads through an access check, never from a public
URL (files live in private storage like the application documents).

Who may download: the module's cohort's active participants, the module's lecturers
and the programme's coordinators.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kohorte.core.access import require_found, staff_required

from ..forms_schedule import MaterialForm
from ..selectors import schedule as selectors
from ..services import materials as services
from .schedule import module_for_viewer


def _module_for_materials(request, pk):
    module = require_found(selectors.module_by_pk(pk=pk), request.user, "material", "manage",
                           programme=lambda m: m.cohort.call.programme)
    if not selectors.may_manage_materials(request.user, module):
        raise PermissionDenied
    return module


def _material_for_manager(request, pk):
    material = require_found(selectors.material_by_pk(pk=pk), request.user, "material",
                             "manage", programme=lambda m: m.module.cohort.call.programme)
    if not selectors.may_manage_materials(request.user, material.module):
        raise PermissionDenied
    return material


def _file_response(material):
    if not material.file:
        return redirect(material.url)
    response = FileResponse(material.file.open("rb"), as_attachment=True,
                            filename=material.original_name,
                            content_type=material.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@staff_required
@require_http_methods(["GET", "POST"])
def material_add(request, pk):
    module = _module_for_materials(request, pk)
    form = MaterialForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["file"]:
                    services.material_add_file(module=module, title=data["title"],
                                               uploaded_file=data["file"], actor=request.user)
                else:
                    services.material_add_link(module=module, title=data["title"],
                                               url=data["url"], actor=request.user)
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.error_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, exc)
                status = 400
            else:
                messages.success(request, _("The material is added."))
                return redirect("courses:module_detail", pk=module.pk)
        else:
            status = 400
    return render(request, "courses/schedule/material_form.html",
                  {"module": module, "cohort": module.cohort, "form": form}, status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def material_remove(request, pk):
    """A confirmation page; the material is removed on its button."""
    material = _material_for_manager(request, pk)
    module = material.module
    if request.method == "POST":
        services.material_remove(material=material, actor=request.user)
        messages.success(request, _("The material is removed."))
        return redirect("courses:module_detail", pk=module.pk)
    return render(request, "courses/schedule/material_remove.html",
                  {"material": material, "module": module, "cohort": module.cohort})


@staff_required
@require_GET
def material_download_staff(request, pk):
    """For the module's lecturers and the coordinators."""
    material = selectors.material_by_pk(pk=pk)
    if material is None:
        raise Http404
    module_for_viewer(request, material.module_id)
    return _file_response(material)


@login_required(login_url="accounts:login")
@require_GET
def material_download(request, participant_pk, pk):
    """For the cohort's active participants, through their own participation."""
    participant = selectors.participation_for_user(user=request.user, pk=participant_pk)
    material = selectors.material_by_pk(pk=pk)
    if (participant is None or material is None
            or material.module.cohort_id != participant.cohort_id
            or not selectors.materials_visible_to(participant)):
        raise Http404
    return _file_response(material)
