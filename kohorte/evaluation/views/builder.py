"""The survey builder (``survey manage``): a programme's instruments under
/verwaltung/evaluation/<programme>/instrumente/, one instrument's dimensions and
questions under /verwaltung/evaluation/instrumente/<pk>/.

A template is copied into the programme, then edited while no survey using it has
opened; a frozen instrument refuses every change with a clear message and offers
"make a new version".
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kohorte.core.access import require_found, staff_required
from kohorte.programmes.models import Programme

from .. import selectors_surveys as selectors
from .. import services_surveys as services
from ..forms_surveys import GroupForm, InstrumentForm, ItemForm, TemplateCopyForm
from ..instruments import template_data


def _programme(request, slug):
    return require_found(Programme.objects.filter(slug=slug).first(), request.user, "survey",
                         "manage", programme=lambda programme: programme)


def _instrument(request, pk):
    return require_found(selectors.instrument_for_staff(pk=pk), request.user, "survey",
                         "manage", programme=lambda instrument: instrument.programme)


def instrument_url(instrument):
    return reverse("evaluation:instrument_detail", args=[instrument.pk])


def _template_choices():
    choices = []
    for name in services.template_names():
        data = template_data(name)
        choices.append((name, data["title_de"]))
    return choices


@staff_required
@require_http_methods(["GET", "POST"])
def instrument_list(request, slug):
    """The programme's instruments; a template is copied in with one button."""
    programme = _programme(request, slug)
    form = TemplateCopyForm(request.POST or None, templates=_template_choices())
    status = 200
    if request.method == "POST":
        if form.is_valid():
            instrument = services.instrument_copy(
                programme=programme, template=form.cleaned_data["template"], actor=request.user)
            messages.success(request, _("The template is copied. You can now adapt it."))
            return redirect("evaluation:instrument_detail", pk=instrument.pk)
        status = 400
    return render(request, "evaluation/builder/instrument_list.html", {
        "programme": programme, "instruments": selectors.instruments_of(programme),
        "form": form}, status=status)


def _render_detail(request, instrument, *, form=None, group_form=None, status=200):
    return render(request, "evaluation/builder/instrument_detail.html", {
        "instrument": instrument, "programme": instrument.programme,
        "groups": selectors.instrument_structure(instrument),
        "editable": instrument.frozen_at is None,
        "form": form or InstrumentForm(initial={
            "title_de": instrument.title_de, "title_en": instrument.title_en,
            "intro_de": instrument.intro_de, "intro_en": instrument.intro_en}),
        "group_form": group_form or GroupForm(prefix="group"),
    }, status=status)


def _refused(request, instrument, error):
    messages.error(request, error.messages[0])
    return redirect("evaluation:instrument_detail", pk=instrument.pk)


@staff_required
@require_http_methods(["GET", "POST"])
def instrument_detail(request, pk):
    """The instrument with its dimensions and questions; its title and introduction."""
    instrument = _instrument(request, pk)
    if request.method == "POST":
        form = InstrumentForm(request.POST)
        if form.is_valid():
            try:
                services.instrument_update(instrument=instrument, actor=request.user,
                                           **form.cleaned_data)
            except ValidationError as error:
                return _refused(request, instrument, error)
            messages.success(request, _("Title and introduction are saved."))
            return redirect("evaluation:instrument_detail", pk=instrument.pk)
        return _render_detail(request, instrument, form=form, status=400)
    return _render_detail(request, instrument)


@staff_required
@require_POST
def instrument_new_version(request, pk):
    instrument = _instrument(request, pk)
    copy = services.instrument_new_version(instrument=instrument, actor=request.user)
    messages.success(request, _("Version %(version)s is made. Change it here; surveys "
                                "that have opened keep the old version.")
                     % {"version": copy.version})
    return redirect("evaluation:instrument_detail", pk=copy.pk)


@staff_required
@require_POST
def group_add(request, pk):
    instrument = _instrument(request, pk)
    form = GroupForm(request.POST, prefix="group")
    if not form.is_valid():
        return _render_detail(request, instrument, group_form=form, status=400)
    try:
        services.group_save(instrument=instrument, actor=request.user, **form.cleaned_data)
    except ValidationError as error:
        return _refused(request, instrument, error)
    messages.success(request, _("The dimension is added."))
    return redirect("evaluation:instrument_detail", pk=instrument.pk)


def _group(instrument, group_pk):
    group = selectors.group_of(instrument, group_pk)
    if group is None:
        raise Http404
    return group


@staff_required
@require_http_methods(["GET", "POST"])
def group_edit(request, pk, group_pk):
    instrument = _instrument(request, pk)
    group = _group(instrument, group_pk)
    form = GroupForm(request.POST or None,
                     initial={"title_de": group.title_de, "title_en": group.title_en})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.group_save(instrument=instrument, group=group, actor=request.user,
                                    **form.cleaned_data)
            except ValidationError as error:
                return _refused(request, instrument, error)
            messages.success(request, _("The dimension is saved."))
            return redirect("evaluation:instrument_detail", pk=instrument.pk)
        status = 400
    return render(request, "evaluation/builder/group_form.html",
                  {"instrument": instrument, "group": group, "form": form}, status=status)


@staff_required
@require_POST
def group_move(request, pk, group_pk):
    instrument = _instrument(request, pk)
    group = _group(instrument, group_pk)
    direction = "up" if request.POST.get("direction") == "up" else "down"
    try:
        services.group_move(group=group, direction=direction, actor=request.user)
    except ValidationError as error:
        return _refused(request, instrument, error)
    return redirect(f"{instrument_url(instrument)}#dimension-{group.pk}")


@staff_required
@require_http_methods(["GET", "POST"])
def group_remove(request, pk, group_pk):
    """Removing a dimension removes its questions: asked on a page of its own."""
    instrument = _instrument(request, pk)
    group = _group(instrument, group_pk)
    if request.method == "POST":
        try:
            services.group_remove(group=group, actor=request.user)
        except ValidationError as error:
            return _refused(request, instrument, error)
        messages.success(request, _("The dimension and its questions are removed."))
        return redirect("evaluation:instrument_detail", pk=instrument.pk)
    return render(request, "evaluation/builder/group_remove.html",
                  {"instrument": instrument, "group": group,
                   "item_count": group.items.count()})


@staff_required
@require_http_methods(["GET", "POST"])
def item_edit(request, pk, item_pk=None):
    """Add a question (``item_pk`` None) or change one."""
    instrument = _instrument(request, pk)
    item = None
    if item_pk is not None:
        item = selectors.item_of(instrument, item_pk)
        if item is None:
            raise Http404
    groups = list(instrument.groups.order_by("position"))
    if not groups:
        messages.info(request, _("Please add a dimension first: every question belongs to one."))
        return redirect("evaluation:instrument_detail", pk=instrument.pk)
    if item is not None:
        initial = {"group": item.group_id, "kind": item.kind, "text_de": item.text_de,
                   "text_en": item.text_en, "required": item.required,
                   "options": ItemForm.options_text(item), "min_value": item.min_value,
                   "max_value": item.max_value}
    else:
        likert = instrument.items.filter(kind="likert").exclude(options=[]).first()
        initial = {"group": request.GET.get("dimension"), "kind": "likert",
                   "options": ItemForm.options_text(likert) if likert else ""}
    form = ItemForm(request.POST or None, groups=groups, initial=initial)
    status = 200
    if request.method == "POST":
        if instrument.frozen_at is not None:
            return _refused(request, instrument, services.InstrumentFrozen(
                _("This instrument is in use by a survey that has opened, so it cannot be "
                  "changed any more. Make a new version to change it.")))
        if form.is_valid():
            group = next(g for g in groups if g.pk == form.cleaned_data["group"])
            try:
                saved = services.item_save(instrument=instrument, item=item, group=group,
                                           actor=request.user, **form.item_fields())
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    for problem in problems:
                        form.add_error(field if field in form.fields else None, problem)
            else:
                messages.success(request, _("The question is saved."))
                return redirect(f"{instrument_url(instrument)}#frage-{saved.pk}")
        status = 400
    return render(request, "evaluation/builder/item_form.html",
                  {"instrument": instrument, "item": item, "form": form}, status=status)


def _item(instrument, item_pk):
    item = selectors.item_of(instrument, item_pk)
    if item is None:
        raise Http404
    return item


@staff_required
@require_POST
def item_move(request, pk, item_pk):
    instrument = _instrument(request, pk)
    item = _item(instrument, item_pk)
    direction = "up" if request.POST.get("direction") == "up" else "down"
    try:
        services.item_move(item=item, direction=direction, actor=request.user)
    except ValidationError as error:
        return _refused(request, instrument, error)
    return redirect(f"{instrument_url(instrument)}#frage-{item.pk}")


@staff_required
@require_POST
def item_remove(request, pk, item_pk):
    instrument = _instrument(request, pk)
    item = _item(instrument, item_pk)
    try:
        services.item_remove(item=item, actor=request.user)
    except ValidationError as error:
        return _refused(request, instrument, error)
    messages.success(request, _("The question is removed."))
    return redirect("evaluation:instrument_detail", pk=instrument.pk)
