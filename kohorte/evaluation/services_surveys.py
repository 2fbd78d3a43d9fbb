"""Building instruments and running a cohort's surveys.

The builder copies a template (or an instrument) into a programme and edits it while it
is not frozen. Opening a survey freezes its instrument (its item order is the order of
every stored answer list), issues pseudonyms and mails each person their personal link;
reminders go to those who have not answered, the follow-up only to those who agreed.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kohorte.core.audit import audit_record
from kohorte.courses.models import Participant
from kohorte.notifications.services import mail_enqueue

from .instruments import TEMPLATES, instrument_from_template, template_data
from .models import Instrument, Invitation, Item, ItemGroup, Survey
from .services import invitation_create, keys_destroyed, pseudonyms_issue

# The automatic reminder goes this many days before a survey closes, once per person.
REMIND_DAYS_BEFORE = 3
# Positions are renumbered in two steps (unique per instrument): first out of the way.
_PARKED = 10000


class InstrumentFrozen(ValidationError):
    """The instrument is in use by a survey that has opened: changes make a new version."""


def template_names() -> list[str]:
    """The instrument templates shipped as data (``data/*.json``)."""
    return sorted(path.stem for path in TEMPLATES.glob("*.json"))


# --- Instruments ----------------------------------------------------------------------

def instrument_ensure_editable(instrument: Instrument) -> None:
    if instrument.frozen_at is not None:
        raise InstrumentFrozen(
            _("This instrument is in use by a survey that has opened, so it cannot be "
              "changed any more. Make a new version to change it."), code="frozen")


def _next_version(programme, key) -> int:
    highest = Instrument.objects.filter(programme=programme, key=key).aggregate(
        top=Max("version"))["top"]
    return (highest or 0) + 1


def instrument_as_data(instrument: Instrument) -> dict:
    """The instrument in the template format (``instruments.instrument_from_template``)."""
    groups = []
    for group in instrument.groups.order_by("position").prefetch_related("items"):
        groups.append({"key": group.key, "de": group.title_de, "en": group.title_en,
                       "items": [{"key": item.key, "kind": item.kind, "de": item.text_de,
                                  "en": item.text_en, "required": item.required,
                                  "options": item.options,
                                  "min_value": item.min_value, "max_value": item.max_value}
                                 for item in sorted(group.items.all(),
                                                    key=lambda i: i.position)]})
    return {"key": instrument.key, "version": instrument.version,
            "purpose": instrument.purpose, "draft": instrument.is_draft,
            "title_de": instrument.title_de, "title_en": instrument.title_en,
            "intro_de": instrument.intro_de, "intro_en": instrument.intro_en,
            "groups": groups}


@transaction.atomic
def instrument_copy(*, programme, actor, template: str | None = None,
                    source: Instrument | None = None) -> Instrument:
    """Copy a shipped template (by name) or an instrument into ``programme`` as the next
    version of its key; the copy is not frozen and may be edited."""
    if template is not None:
        if template not in template_names():
            raise ValidationError({"template": _("Please choose one of the templates.")})
        data = template_data(template)
    else:
        data = instrument_as_data(source)
    data["version"] = _next_version(programme, data["key"])
    instrument = instrument_from_template(data, programme=programme)
    # min/max of number items are not part of the template loader.
    for group in data["groups"]:
        for item_data in group["items"]:
            if item_data.get("min_value") is not None or item_data.get("max_value") is not None:
                Item.objects.filter(instrument=instrument, key=item_data["key"]).update(
                    min_value=item_data.get("min_value"), max_value=item_data.get("max_value"))
    audit_record(actor=actor, action="instrument.copy", obj=instrument,
                 data={"template": template or "", "source": source.pk if source else None,
                       "version": instrument.version})
    return instrument


def instrument_new_version(*, instrument: Instrument, actor) -> Instrument:
    """A frozen instrument's successor: the same items, editable, version + 1."""
    return instrument_copy(programme=instrument.programme, source=instrument, actor=actor)


@transaction.atomic
def instrument_update(*, instrument: Instrument, actor, title_de: str, title_en: str,
                      intro_de: str, intro_en: str) -> Instrument:
    instrument_ensure_editable(instrument)
    instrument.title_de, instrument.title_en = title_de, title_en
    instrument.intro_de, instrument.intro_en = intro_de, intro_en
    instrument.save(update_fields=["title_de", "title_en", "intro_de", "intro_en"])
    audit_record(actor=actor, action="instrument.edit", obj=instrument)
    return instrument


def instrument_renumber(instrument: Instrument) -> None:
    """Number the groups 1…n and the items 1…n in group order; numeric items get
    consecutive columns in that order (the order of every stored answer list)."""
    groups = list(instrument.groups.order_by("position", "pk"))
    items = sorted(instrument.items.select_related("group"),
                   key=lambda i: (i.group.position if i.group else 0, i.position, i.pk))
    # Out of the way first: positions and columns are unique per instrument.
    ItemGroup.objects.filter(instrument=instrument).update(position=F("position") + _PARKED)
    Item.objects.filter(instrument=instrument).update(position=F("position") + _PARKED,
                                                      column=None)
    for number, group in enumerate(groups, start=1):
        group.position = number
    ItemGroup.objects.bulk_update(groups, ["position"])
    column = 0
    for number, item in enumerate(items, start=1):
        item.position = number
        if item.kind in Item.NUMERIC:
            item.column, column = column, column + 1
        else:
            item.column = None
    Item.objects.bulk_update(items, ["position", "column"])


def _unique_key(model, instrument, text, *, exclude=None) -> str:
    base = slugify(text)[:50] or model._meta.model_name
    taken = set(model.objects.filter(instrument=instrument).exclude(pk=exclude)
                .values_list("key", flat=True))
    key, number = base, 2
    while key in taken:
        key, number = f"{base}-{number}", number + 1
    return key


@transaction.atomic
def group_save(*, instrument: Instrument, actor, title_de: str, title_en: str = "",
               group: ItemGroup | None = None) -> ItemGroup:
    """Add a dimension at the end, or rename one."""
    instrument_ensure_editable(instrument)
    if group is None:
        last = instrument.groups.aggregate(top=Max("position"))["top"] or 0
        group = ItemGroup.objects.create(
            instrument=instrument, position=last + 1, title_de=title_de, title_en=title_en,
            key=_unique_key(ItemGroup, instrument, title_de))
    else:
        group.title_de, group.title_en = title_de, title_en
        group.save(update_fields=["title_de", "title_en"])
    audit_record(actor=actor, action="instrument.group_save", obj=instrument,
                 data={"group": group.key})
    return group


def _neighbour(queryset, current, direction):
    if direction == "up":
        return queryset.filter(position__lt=current.position).order_by("-position").first()
    return queryset.filter(position__gt=current.position).order_by("position").first()


@transaction.atomic
def group_move(*, group: ItemGroup, direction: str, actor) -> None:
    """Move a dimension one place up or down (with its items)."""
    instrument = group.instrument
    instrument_ensure_editable(instrument)
    other = _neighbour(instrument.groups.all(), group, direction)
    if other is None:
        return
    mine, theirs = group.position, other.position
    ItemGroup.objects.filter(pk=group.pk).update(position=_PARKED + mine)
    ItemGroup.objects.filter(pk=other.pk).update(position=mine)
    ItemGroup.objects.filter(pk=group.pk).update(position=theirs)
    instrument_renumber(instrument)
    audit_record(actor=actor, action="instrument.group_move", obj=instrument,
                 data={"group": group.key, "direction": direction})


@transaction.atomic
def group_remove(*, group: ItemGroup, actor) -> None:
    """Remove a dimension and its items."""
    instrument = group.instrument
    instrument_ensure_editable(instrument)
    key = group.key
    group.delete()
    instrument_renumber(instrument)
    audit_record(actor=actor, action="instrument.group_remove", obj=instrument,
                 data={"group": key})


def _clean_item(kind, options, min_value, max_value):
    problems = {}
    if kind == Item.Kind.LIKERT and len(options) != 5:
        problems["options"] = _("A five-point scale needs exactly five labels, one a line.")
    if kind in (Item.Kind.SINGLE, Item.Kind.MULTIPLE) and len(options) < 2:
        problems["options"] = _("Please give at least two answers, one a line.")
    if (kind == Item.Kind.NUMBER and min_value is not None and max_value is not None
            and min_value > max_value):
        problems["max_value"] = _("The highest number must not be below the lowest.")
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def item_save(*, instrument: Instrument, actor, group: ItemGroup, kind: str, text_de: str,
              text_en: str = "", required: bool = False, options: list | None = None,
              min_value=None, max_value=None, item: Item | None = None) -> Item:
    """Add a question at the end of its dimension, or change one.

    ``options``: for a scale its five labels, for choices the answers, each
    ``{"de", "en"}``; choices get the values 1…n.
    """
    instrument_ensure_editable(instrument)
    if group.instrument_id != instrument.pk:
        raise ValidationError({"group": _("Please choose one of the dimensions.")})
    options = options or []
    _clean_item(kind, options, min_value, max_value)
    if kind in (Item.Kind.SINGLE, Item.Kind.MULTIPLE):
        options = [{"value": str(n), **option} for n, option in enumerate(options, start=1)]
    elif kind != Item.Kind.LIKERT:
        options = []
    if kind != Item.Kind.NUMBER:
        min_value = max_value = None
    fields = {"group": group, "kind": kind, "text_de": text_de, "text_en": text_en,
              "required": required, "options": options, "min_value": min_value,
              "max_value": max_value}
    if item is None:
        last = instrument.items.aggregate(top=Max("position"))["top"] or 0
        item = Item.objects.create(instrument=instrument, position=last + 1,
                                   key=_unique_key(Item, instrument, f"{group.key}-{text_de[:30]}"),
                                   **fields)
    else:
        for name, value in fields.items():
            setattr(item, name, value)
        item.save(update_fields=list(fields))
    instrument_renumber(instrument)
    audit_record(actor=actor, action="instrument.item_save", obj=instrument,
                 data={"item": item.key})
    return item


@transaction.atomic
def item_move(*, item: Item, direction: str, actor) -> None:
    """Move a question one place up or down within its dimension."""
    instrument = item.instrument
    instrument_ensure_editable(instrument)
    other = _neighbour(instrument.items.filter(group=item.group), item, direction)
    if other is None:
        return
    mine, theirs = item.position, other.position
    Item.objects.filter(pk=item.pk).update(position=_PARKED + mine)
    Item.objects.filter(pk=other.pk).update(position=mine)
    Item.objects.filter(pk=item.pk).update(position=theirs)
    instrument_renumber(instrument)
    audit_record(actor=actor, action="instrument.item_move", obj=instrument,
                 data={"item": item.key, "direction": direction})


@transaction.atomic
def item_remove(*, item: Item, actor) -> None:
    instrument = item.instrument
    instrument_ensure_editable(instrument)
    key = item.key
    item.delete()
    instrument_renumber(instrument)
    audit_record(actor=actor, action="instrument.item_remove", obj=instrument,
                 data={"item": key})


# --- Surveys --------------------------------------------------------------------------

# Which purpose of instrument each kind of survey asks.
KIND_PURPOSES = {
    Survey.Kind.PRE: {Instrument.Purpose.COMPETENCE},
    Survey.Kind.POST: {Instrument.Purpose.COMPETENCE},
    Survey.Kind.FEEDBACK: {Instrument.Purpose.FEEDBACK, Instrument.Purpose.OTHER},
    Survey.Kind.FOLLOW_UP: {Instrument.Purpose.COMPETENCE, Instrument.Purpose.OTHER},
}


@transaction.atomic
def survey_create(*, cohort, instrument: Instrument, kind: str, opens_at, closes_at, actor,
                  module=None) -> Survey:
    """A draft survey of ``cohort``: module feedback names its module, the others none;
    pre, post and follow-up ask a competence instrument (post with the look back)."""
    problems = {}
    if instrument.programme_id != cohort.programme.pk:
        problems["instrument"] = _("Please choose an instrument of this programme.")
    elif instrument.purpose not in KIND_PURPOSES[kind]:
        problems["instrument"] = _("This instrument does not fit this kind of survey: "
                                   "before, after and follow-up ask the competence "
                                   "self-assessment, module feedback a feedback form.")
    if kind == Survey.Kind.FEEDBACK and module is None:
        problems["module"] = _("Please choose the module the feedback is about.")
    if kind != Survey.Kind.FEEDBACK and module is not None:
        problems["module"] = _("Only module feedback is about one module.")
    if module is not None and module.cohort_id != cohort.pk:
        problems["module"] = _("Please choose a module of this cohort.")
    if closes_at <= opens_at:
        problems["closes_on"] = _("The survey must close after it opens.")
    if problems:
        raise ValidationError(problems)
    survey = Survey.objects.create(cohort=cohort, instrument=instrument, kind=kind,
                                   module=module, opens_at=opens_at, closes_at=closes_at)
    audit_record(actor=actor, action="survey.create", obj=survey,
                 data={"kind": kind, "instrument": instrument.pk})
    return survey


def survey_recipients(survey: Survey):
    """Who is invited: the participants taking part; the follow-up only those of them
    who agreed to it."""
    people = Participant.objects.filter(cohort=survey.cohort, state=Participant.State.ACTIVE)
    if survey.kind == Survey.Kind.FOLLOW_UP:
        people = people.filter(pseudonym_key__pseudonym__follow_up_consent=True)
    return people.order_by("pk")


def _mail(invitation, token, template, *, idempotency_key):
    participant = invitation.participant
    survey = invitation.survey
    mail_enqueue(to=participant.email, template=template,
                 context={"participant": participant, "survey": survey, "token": token,
                          "cohort": survey.cohort, "instrument": survey.instrument},
                 about=survey, idempotency_key=idempotency_key,
                 # The link is the person's credential: not kept once delivered.
                 erase_after_delivery=True)


@transaction.atomic
def survey_open(*, survey: Survey, actor, now=None) -> int:
    """Open a draft survey: freeze its instrument, issue pseudonyms to those who have
    none, invite the recipients and mail them their personal link. Returns how many were
    invited.

    A survey opened before its opening time is released, not yet sent: its invitations
    go out when it opens (``survey_invite_due``, by the job ``surveys_invite_due``), so
    that nobody gets a link that does not work yet."""
    now = now or timezone.now()
    survey = Survey.objects.select_for_update(of=("self",)).select_related("instrument", "cohort").get(
        pk=survey.pk)
    if survey.state != Survey.State.DRAFT:
        raise ValidationError(_("Only a draft survey can be opened."), code="state")
    if survey.closes_at <= now:
        raise ValidationError(_("The closing time has passed: please change it first."),
                              code="past")
    if keys_destroyed(survey.cohort):
        raise ValidationError(_("The pseudonym key of this cohort has been destroyed: no "
                                "more surveys can be linked to it."), code="destroyed")
    instrument = survey.instrument
    if not instrument.items.exists():
        raise ValidationError(_("The instrument has no questions yet."), code="empty")
    if instrument.frozen_at is None:
        instrument_renumber(instrument)
        instrument.frozen_at = now
        instrument.save(update_fields=["frozen_at"])
    pseudonyms_issue(cohort=survey.cohort, actor=actor)
    survey.state = Survey.State.OPEN
    survey.save(update_fields=["state"])
    if survey.opens_at > now:
        audit_record(actor=actor, action="survey.open", obj=survey,
                     data={"invited": 0, "invitations_at": survey.opens_at.isoformat()})
        return 0
    invited = _invite(survey, now)
    audit_record(actor=actor, action="survey.open", obj=survey, data={"invited": invited})
    return invited


def _invite(survey, now) -> int:
    """Invite every recipient not invited yet and mail them their link; how many."""
    invited = 0
    for participant in survey_recipients(survey):
        invitation, token = invitation_create(survey=survey, participant=participant)
        if invitation.sent_at is not None:
            continue
        invitation.sent_at = now
        invitation.save(update_fields=["sent_at"])
        _mail(invitation, token, "evaluation_survey_invitation",
              idempotency_key=f"evaluation-invitation:{invitation.pk}")
        invited += 1
    return invited


@transaction.atomic
def survey_invite_due(*, survey: Survey, now=None) -> int:
    """Send the invitations of a survey released ahead of its opening time, once that
    time has come (the scheduled job); nothing before it, after it closed, or when they
    went out already. Returns how many were invited."""
    now = now or timezone.now()
    survey = Survey.objects.select_for_update(of=("self",)).select_related(
        "instrument", "cohort").get(pk=survey.pk)
    if survey.state != Survey.State.OPEN or not survey.opens_at <= now < survey.closes_at:
        return 0
    if Invitation.objects.filter(survey=survey, sent_at__isnull=False).exists():
        return 0
    pseudonyms_issue(cohort=survey.cohort, actor=None)
    invited = _invite(survey, now)
    if invited:
        audit_record(actor=None, action="survey.invite", obj=survey, data={"invited": invited})
    return invited


@transaction.atomic
def survey_times_change(*, survey: Survey, opens_at, closes_at, actor, now=None) -> Survey:
    """Move a survey's opening and closing time. A draft's both; an open survey's opening
    time only while nobody is invited yet (released ahead of it), its closing time as long
    as it is open (to a time still to come); a closed survey's none."""
    now = now or timezone.now()
    survey = Survey.objects.select_for_update(of=("self",)).get(pk=survey.pk)
    problems = {}
    if survey.state == Survey.State.CLOSED:
        raise ValidationError(_("A closed survey keeps its times."), code="state")
    invited = Invitation.objects.filter(survey=survey, sent_at__isnull=False).exists()
    if opens_at != survey.opens_at and survey.state == Survey.State.OPEN and invited:
        problems["opens_on"] = _("The invitations went out already: the opening time "
                                 "stays as it is.")
    if closes_at <= opens_at:
        problems["closes_on"] = _("The survey must close after it opens.")
    elif survey.state == Survey.State.OPEN and closes_at <= now:
        problems["closes_on"] = _("An open survey must close at a time still to come; "
                                  "to end it now, close it.")
    if problems:
        raise ValidationError(problems)
    before = {"opens_at": survey.opens_at.isoformat(), "closes_at": survey.closes_at.isoformat()}
    survey.opens_at, survey.closes_at = opens_at, closes_at
    survey.save(update_fields=["opens_at", "closes_at"])
    audit_record(actor=actor, action="survey.times", obj=survey,
                 data={"from": before, "to": {"opens_at": opens_at.isoformat(),
                                              "closes_at": closes_at.isoformat()}})
    return survey


@transaction.atomic
def survey_close(*, survey: Survey, actor) -> None:
    """Close an open survey: no more answers are taken."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.state != Survey.State.OPEN:
        raise ValidationError(_("Only an open survey can be closed."), code="state")
    survey.state = Survey.State.CLOSED
    survey.save(update_fields=["state"])
    audit_record(actor=actor, action="survey.close", obj=survey)


@transaction.atomic
def survey_remind(*, survey: Survey, actor, now=None, only_unreminded: bool = False) -> int:
    """Remind everyone invited who has not answered (with the same personal link).

    The button reminds all of them (at most once a day); the scheduled job
    (``only_unreminded``) each person once."""
    now = now or timezone.now()
    if survey.state != Survey.State.OPEN or survey.closes_at <= now:
        raise ValidationError(_("Only an open survey sends reminders."), code="state")
    waiting = (Invitation.objects.filter(survey=survey, answered=False,
                                         participant__state=Participant.State.ACTIVE)
               .select_related("participant", "survey__cohort", "survey__instrument"))
    if only_unreminded:
        waiting = waiting.filter(reminded_at__isnull=True)
    day = timezone.localdate(now).isoformat()
    reminded = 0
    for invitation in waiting.order_by("pk"):
        token = invitation_create(survey=survey, participant=invitation.participant)[1]
        _mail(invitation, token, "evaluation_survey_reminder",
              idempotency_key=f"evaluation-reminder:{invitation.pk}:{day}")
        invitation.reminded_at = now
        invitation.save(update_fields=["reminded_at"])
        reminded += 1
    audit_record(actor=actor, action="survey.remind", obj=survey,
                 data={"reminded": reminded, "automatic": only_unreminded})
    return reminded
