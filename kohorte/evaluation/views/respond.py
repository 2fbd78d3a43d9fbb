"""The survey page for participants: /befragung/<token>/.

The personal link is the credential: nobody signs in, only the hash of its token is
stored, and the page shows nothing about the person (no name, no e-mail address), only
the course, the questions and who sees what. Answering is a POST; a link answers once.
Signed-in participants also set their consent to the follow-up survey on their course
page (``follow_up_consent``).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from kohorte.courses.models import Participant

from .. import services
from ..forms_surveys import ConsentForm, ResponseForm, in_language
from ..models import Survey


def _private(response):
    # The address holds the credential: no referrer to other sites, no caches.
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def _state_of(invitation, now) -> str:
    survey = invitation.survey
    if invitation.answered:
        return "answered"
    if survey.state == Survey.State.DRAFT or (survey.state == Survey.State.OPEN
                                              and now < survey.opens_at):
        return "not_yet"
    if survey.state == Survey.State.CLOSED or now > survey.closes_at:
        return "closed"
    return "open"


def _groups(survey):
    """[(group, items)] of the instrument, and all items in order."""
    groups = list(survey.instrument.groups.order_by("position").prefetch_related("items"))
    structure, items = [], []
    for group in groups:
        group_items = sorted(group.items.all(), key=lambda item: item.position)
        structure.append((group, group_items))
        items.extend(group_items)
    loose = list(survey.instrument.items.filter(group__isnull=True).order_by("position"))
    if loose:
        structure.append((None, loose))
        items.extend(loose)
    return structure, items


def _asks_consent(survey) -> bool:
    return survey.kind in (Survey.Kind.PRE, Survey.Kind.POST)


# No CSRF check here: under ``Referrer-Policy: no-referrer`` browsers send
# ``Origin: null`` with the form's POST, which Django's CSRF check refuses (every answer
# from a real browser failed with 403). Nor is one needed: the secret token in the
# address is the credential, which another site cannot know, and the view reads no
# session or cookie to decide whose answer it is.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def survey_page(request, token):
    now = timezone.now()
    invitation = services.invitation_for_token(token)
    if invitation is None:
        return _private(render(request, "evaluation/respond/unknown.html", status=404))
    survey = invitation.survey
    state = _state_of(invitation, now)
    context = {"survey": survey, "cohort": survey.cohort, "instrument": survey.instrument,
               "title": in_language(survey.instrument.title_de, survey.instrument.title_en),
               "intro": in_language(survey.instrument.intro_de, survey.instrument.intro_en),
               "state": state}
    if state != "open":
        return _private(render(request, "evaluation/respond/unavailable.html", context,
                               status=409 if request.method == "POST" else 200))
    structure, items = _groups(survey)
    form = ResponseForm(request.POST or None, survey=survey, items=items,
                        ask_consent=_asks_consent(survey))
    status = 200
    # The page's button asks for the check page ("check"); there "change" goes back to
    # the questions as filled in, "send" (or a POST without a step) stores the answers.
    step = request.POST.get("step", "send") if request.method == "POST" else None
    if step == "change":  # the questions again, as filled in
        return _private(render(request, "evaluation/respond/survey.html",
                               _form_context(context, form, structure, items)))
    if request.method == "POST":
        if form.is_valid() and step == "check":
            return _private(render(request, "evaluation/respond/check.html", {
                **context, "summary": _summary(form, structure),
                "consent": _consent_text(form),
                "posted": _posted(request, form)}))
        if form.is_valid():
            try:
                services.response_submit(token=token, answers=form.answers,
                                         then_answers=form.then_answers,
                                         follow_up_consent=form.consent_answer, now=now)
            except services.AlreadyAnswered:
                context["state"] = "answered"
                return _private(render(request, "evaluation/respond/unavailable.html",
                                       context, status=409))
            except services.SurveyClosed:
                context["state"] = "closed"
                return _private(render(request, "evaluation/respond/unavailable.html",
                                       context, status=409))
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for key, problems in error.message_dict.items():
                        for problem in problems:
                            name = f"a-{key}"
                            form.add_error(name if name in form.fields else None, problem)
                else:
                    form.add_error(None, error.messages[0])
            else:
                messages.success(request, _("Thank you! Your answers are saved."))
                return redirect("evaluation:survey_page", token=token)
        status = 400
    return _private(render(request, "evaluation/respond/survey.html",
                           _form_context(context, form, structure, items), status=status))


def _sections(form, structure):
    """[(heading, [bound field])] for today and, for a post survey, the look back."""
    structure = [(in_language(group.title_de, group.title_en) if group else None, group_items)
                 for group, group_items in structure]
    sections = [(heading, [form[f"a-{item.key}"] for item in group_items])
                for heading, group_items in structure]
    then_sections = []
    if form.with_then:
        then_sections = [(heading, [form[f"t-{item.key}"] for item in group_items
                                    if f"t-{item.key}" in form.fields])
                         for heading, group_items in structure]
        then_sections = [(heading, fields) for heading, fields in then_sections if fields]
    return sections, then_sections


def _form_context(context, form, structure, items):
    sections, then_sections = _sections(form, structure)
    return {**context, "form": form, "sections": sections, "then_sections": then_sections,
            "has_required": any(item.required for item in items)}


def _shown(field):
    """What the person entered in ``field``, as text for the check page ('' for nothing)."""
    value = field.form.cleaned_data.get(field.name)
    choices = dict((str(key), label) for key, label in getattr(field.field, "choices", []))
    if isinstance(value, list):
        return ", ".join(str(choices.get(str(v), v)) for v in value)
    if value in (None, ""):
        return ""
    return str(choices.get(str(value), value)) if choices else str(value)


def _summary(form, structure):
    """[(part heading or None, [(section heading, [(question, answer)])])] of the answers."""
    sections, then_sections = _sections(form, structure)
    parts = [(_("Part 1: today") if then_sections else None, sections)]
    if then_sections:
        parts.append((_("Part 2: looking back, before the course"), then_sections))
    return [(part, [(heading, [(field.label, _shown(field)) for field in fields])
                    for heading, fields in part_sections])
            for part, part_sections in parts]


def _consent_text(form):
    if "follow_up_consent" not in form.fields:
        return None
    return _shown(form["follow_up_consent"]) or None


def _posted(request, form):
    """The answers as posted, to send again from the check page: (name, value) pairs of
    the form's fields only."""
    return [(name, value) for name in request.POST if name in form.fields
            for value in request.POST.getlist(name)]


@login_required(login_url="accounts:login")
@require_POST
def follow_up_consent(request, pk):
    """The signed-in participant agrees to, or declines, the follow-up survey."""
    participant = Participant.objects.filter(pk=pk, user=request.user).select_related(
        "cohort").first()
    if participant is None:
        raise Http404
    form = ConsentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please choose yes or no for the follow-up survey."))
    else:
        try:
            services.follow_up_consent_set(participant=participant, actor=request.user,
                                           consent=form.cleaned_data["consent"])
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, _("Thank you, we will invite you to the follow-up "
                                        "survey.") if form.cleaned_data["consent"] else
                             _("Thank you, we will not invite you to the follow-up survey."))
    return redirect(_participant_page(participant))


def _participant_page(participant):
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("courses:participation_detail", args=[participant.pk]) + "#befragungen"
    except NoReverseMatch:
        return "/"
