"""The coordinator's pages of the selection: the run (hash, seed, proposal, confirmation),
pins and exclusions, the letters and messages to a group.

Each view loads its object, checks the permission matrix on the call's programme
(``require``: 403, a missing object 404) and hands the work to one service.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kohorte.applications import selectors_staff
from kohorte.core.access import abilities, require, require_found, staff_required

from ..forms_selection import (
    GROUP_LABELS,
    CandidateForm,
    GroupMessageForm,
    LetterForm,
    PriorityForm,
    ReasonForm,
    SeedForm,
)
from ..models import MessageTemplate, SelectionRun
from ..selectors import selection as selectors
from ..services import letters
from ..services import selection as services

DISCARD_HINT = _("Kept in the audit log. A new run needs a new hash and a new public draw.")


def _abilities(user, programme):
    pairs = [("selection_run", "view"), ("selection_run", "prepare"), ("selection_run", "confirm"),
             ("candidate", "pin_exclude"), ("offer", "view"), ("offer", "manage"),
             ("letters", "edit"), ("group_message", "send")]
    return abilities(user, programme, pairs)


def _call(request, pk, obj, action):
    return require_found(selectors_staff.call_for_staff(pk=pk), request.user, obj, action,
                         programme=lambda call: call.programme)


def _run(request, pk, obj="selection_run", action="view"):
    run = selectors.run_for_staff(pk=pk)
    if run is None:
        raise Http404
    require(request.user, run.call.programme, obj, action)
    return run


# --- The call's selection -----------------------------------------------------------------

def _render_call(request, call, status=200):
    return render(request, "selection/selection/call.html", {
        "call": call, "policy": selectors.current_policy(call=call),
        "runs": selectors.runs_of_call(call=call), "live": selectors.live_run(call=call),
        "confirmed": selectors.latest_confirmed_run(call=call),
        "may": _abilities(request.user, call.programme),
    }, status=status)


@staff_required
@require_GET
def call_selection(request, pk):
    return _render_call(request, _call(request, pk, "selection_run", "view"))


@staff_required
@require_POST
def run_prepare(request, pk):
    call = _call(request, pk, "selection_run", "prepare")
    try:
        run = services.selection_run_prepare(call=call, actor=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return _render_call(request, call, status=409)
    messages.success(request, _("The candidate list is frozen. Publish its hash now, before "
                                "the seed is drawn."))
    return redirect("selection:run_detail", pk=run.pk)


# --- One run --------------------------------------------------------------------------

def _render_run(request, run, *, seed_form=None, discard_form=None, status=200):
    call = run.call
    may = _abilities(request.user, call.programme)
    return render(request, "selection/selection/run.html", {
        "run": run, "call": call, "may": may, "rows": selectors.proposal_rows(run=run),
        "counts": selectors.run_counts(run),
        "hash_groups": selectors.grouped_hash(run.candidate_hash),
        "unlisted": selectors.eligible_not_listed(call=call, run=run)
        if run.state in services.LIVE_STATES else [],
        "seed_form": seed_form or SeedForm(),
        "discard_form": discard_form or ReasonForm(help_text=DISCARD_HINT),
        "four_eyes": services.four_eyes_required(),
        "made_by_me": services.proposal_author_id(run) == request.user.pk
        if run.state == SelectionRun.State.PROPOSED else False,
    }, status=status)


@staff_required
@require_GET
def run_detail(request, pk):
    return _render_run(request, _run(request, pk))


DOWNLOADS = {"kandidatenliste": "candidate_list", "eingabe": "instance", "ergebnis": "result"}


@staff_required
@require_GET
@never_cache
def run_download(request, pk, name):
    """The published candidate list (the exact bytes hashed), the engine's input and result:
    with them anyone can recompute the hash and repeat the run (docs/selection.md)."""
    if name not in DOWNLOADS:
        raise Http404
    run = _run(request, pk)
    if DOWNLOADS[name] == "candidate_list":
        content = run.candidate_list.encode("utf-8")
    else:
        content = selectors.pretty_json(getattr(run, DOWNLOADS[name])).encode("utf-8")
    response = HttpResponse(content, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="lauf-{run.pk}-{name}.json"'
    return response


@staff_required
@require_POST
def run_draw(request, pk):
    run = _run(request, pk, action="prepare")
    form = SeedForm(request.POST)
    if form.is_valid():
        try:
            services.selection_run_draw(run=run, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
            return _render_run(request, run, seed_form=form, status=409)
        messages.success(request, _("The seed is entered. Check the proposal and its reasons."))
        return redirect("selection:run_detail", pk=run.pk)
    return _render_run(request, run, seed_form=form, status=400)


@staff_required
@require_POST
def run_confirm(request, pk):
    run = _run(request, pk, action="confirm")
    try:
        services.selection_run_confirm(run=run, actor=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return _render_run(request, run, status=409)
    messages.success(request, _("The selection is confirmed. The offers and letters are in the "
                                "outbox."))
    return redirect("selection:call_offers", pk=run.call_id)


@staff_required
@require_POST
def run_discard(request, pk):
    run = _run(request, pk, action="prepare")
    form = ReasonForm(request.POST, help_text=DISCARD_HINT)
    if form.is_valid():
        try:
            services.selection_run_discard(run=run, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
            return _render_run(request, run, status=409)
        messages.success(request, _("The run is discarded."))
        return redirect("selection:call_selection", pk=run.call_id)
    return _render_run(request, run, discard_form=form, status=400)


# --- Pins and exclusions -----------------------------------------------------------------

@staff_required
@require_http_methods(["GET", "POST"])
def candidate_edit(request, pk):
    application = selectors_staff.application_for_staff(pk=pk)
    if application is None:
        raise Http404
    call = application.call
    require(request.user, call.programme, "candidate", "pin_exclude")
    candidate = getattr(application, "candidate", None)
    current = ("pin" if candidate and candidate.pinned else
               "exclude" if candidate and candidate.excluded else "clear")
    form = CandidateForm(request.POST or None,
                         initial={"action": current, "reason": candidate.reason if candidate else ""})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.candidate_set(application=application, actor=request.user,
                                       **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
                status = 409
            else:
                live = selectors.live_run(call=call)
                if live is not None and live.state == SelectionRun.State.PROPOSED:
                    messages.success(request, _("Saved. The proposal has been worked out again "
                                                "with the same seed."))
                else:
                    messages.success(request, _("Saved. It counts at the draw."))
                if live is not None:
                    return redirect("selection:run_detail", pk=live.pk)
                return redirect("selection:call_selection", pk=call.pk)
        else:
            status = 400
    return _render_candidate(request, application, form=form, status=status)


def _render_candidate(request, application, *, form=None, priority_form=None, status=200):
    candidate = getattr(application, "candidate", None)
    if form is None:
        current = ("pin" if candidate and candidate.pinned else
                   "exclude" if candidate and candidate.excluded else "clear")
        form = CandidateForm(initial={"action": current,
                                      "reason": candidate.reason if candidate else ""})
    if priority_form is None:
        priority_form = PriorityForm(initial={"priority": bool(candidate and candidate.priority)})
    call = application.call
    return render(request, "selection/selection/candidate.html", {
        "application": application, "call": call, "form": form, "candidate": candidate,
        "priority_form": priority_form, "live": selectors.live_run(call=call)}, status=status)


@staff_required
@require_POST
def candidate_priority(request, pk):
    """Priority by hand, with a reason; on the candidate page beside pins and exclusions."""
    application = selectors_staff.application_for_staff(pk=pk)
    if application is None:
        raise Http404
    require(request.user, application.call.programme, "candidate", "pin_exclude")
    form = PriorityForm(request.POST)
    if not form.is_valid():
        return _render_candidate(request, application, priority_form=form, status=400)
    try:
        services.candidate_priority_set(application=application, actor=request.user,
                                        **form.cleaned_data)
    except ValidationError as exc:
        form.add_error(None, exc)
        return _render_candidate(request, application, priority_form=form, status=409)
    messages.success(request, _("Priority saved. It counts when the candidate list is "
                                "prepared."))
    return redirect("selection:candidate_edit", pk=application.pk)


# --- Letters ----------------------------------------------------------------------------

@staff_required
@require_GET
def letter_list(request, pk):
    call = _call(request, pk, "letters", "edit")
    return render(request, "selection/selection/letters.html", {
        "call": call, "templates": letters.message_templates_for_call(call=call).values()})


@staff_required
@require_http_methods(["GET", "POST"])
def letter_edit(request, pk, key):
    call = _call(request, pk, "letters", "edit")
    if key not in MessageTemplate.Key.values:
        raise Http404
    template = letters.message_template_for(call=call, key=key)
    form = LetterForm(request.POST or None,
                      initial={"subject": template.subject, "body": template.body})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                letters.message_template_update(template=template, actor=request.user,
                                                **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The letter is saved."))
                return redirect("selection:letter_list", pk=call.pk)
        status = 400
    return render(request, "selection/selection/letter_edit.html",
                  {"call": call, "template": template, "form": form}, status=status)


# --- A message to a group ---------------------------------------------------------------

def _member_values(application, extra):
    offer = extra.get("offer")
    values = {"position": extra.get("position")}
    if offer is not None:
        values.update(deadline=letters.format_deadline(offer.deadline),
                      link=services.offer_link(offer))
    return letters.values_for(application, **values)


@staff_required
@require_http_methods(["GET", "POST"])
def group_message(request, pk):
    """Write, preview (with the number of recipients), then send; the send button carries
    the preview's token, so a second click sends nothing twice."""
    call = _call(request, pk, "group_message", "send")
    if request.method == "GET":
        form = GroupMessageForm(initial={"token": letters.new_group_token(), "group": "waiting"})
        return render(request, "selection/selection/group_message.html",
                      {"call": call, "form": form})
    form = GroupMessageForm(request.POST)
    if not form.is_valid():
        return render(request, "selection/selection/group_message.html",
                      {"call": call, "form": form}, status=400)
    data = form.cleaned_data
    if "edit" in request.POST:
        return render(request, "selection/selection/group_message.html",
                      {"call": call, "form": form})
    members = selectors.group_members(call=call, group=data["group"])
    if "send" not in request.POST:
        sample = None
        if members:
            values = _member_values(*members[0])
            sample = {"subject": letters.render_text(data["subject"], values),
                      "body": letters.render_text(data["body"], values)}
        return render(request, "selection/selection/group_message.html", {
            "call": call, "form": form, "preview": True, "count": len(members),
            "sample": sample, "group_label": GROUP_LABELS[data["group"]]})
    recipients = [(application, _member_values(application, extra))
                  for application, extra in members]
    try:
        count = letters.group_message_send(
            call=call, group=data["group"], label=GROUP_LABELS[data["group"]],
            recipients=recipients, subject=data["subject"], body=data["body"],
            token=data["token"], actor=request.user)
    except ValidationError as exc:
        form.add_error(None, exc)
        return render(request, "selection/selection/group_message.html",
                      {"call": call, "form": form}, status=400)
    messages.success(request, _("%(count)d messages are in the outbox.") % {"count": count})
    return redirect("selection:call_selection", pk=call.pk)
