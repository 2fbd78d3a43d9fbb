"""Starting, filling in, submitting and withdrawing an application."""

import copy

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from kohorte.core.audit import audit_entry, audit_record, audit_record_all
from kohorte.core.prepared import Prepared, PreparedUpdate
from kohorte.notifications.services import mail_enqueue
from kohorte.programmes.models import Programme

from ..models import Application, Call, Document
from . import eligibility

# The steps of the form, in order; each names the fields it fills.
STEPS = {
    "contact": ["first_name", "last_name", "phone"],
    "employment": ["organisation", "organisation_other", "site", "site_other", "region",
                   "job_title", "weekly_hours", "employment_kind", "employed_since"],
    "qualification": ["qualification", "qualification_detail"],
    "motivation": ["motivation"],
    "commitment": ["commits_to_all_modules"],
    "release": ["release_later"],
    "accessibility": ["accessibility_needs"],
    "privacy": [],
}


class ApplicationClosed(ValidationError):
    """The call's deadline has passed or the application can no longer change."""


def ensure_editable(application: Application, *, now):
    call = application.call
    if application.state == Application.State.WITHDRAWN:
        raise ApplicationClosed(_("This application was withdrawn and can no longer be changed."))
    if not call.is_open(now):
        raise ApplicationClosed(
            _("The deadline has passed (%(deadline)s). Answers can no longer be changed.") % {
                "deadline": timezone.localtime(call.closes_at).strftime("%d.%m.%Y %H:%M")})


def application_start(*, call: Call, applicant, now=None) -> Application:
    """Open (or reopen) the one application of a person for a call.

    The unique constraint (call, applicant) guarantees one per person, even when two
    requests race: the loser of the race gets the winner's row.
    """
    now = now or timezone.now()
    existing = Application.objects.filter(call=call, applicant=applicant).first()
    if existing:
        return existing
    if not call.is_open(now):
        raise ApplicationClosed(_("This call is not open for applications."))
    try:
        with transaction.atomic():
            application = Application.objects.create(call=call, applicant=applicant,
                                                     email=applicant.email)
            audit_record(actor=applicant, action="application.start", obj=application)
            return application
    except IntegrityError:
        return Application.objects.get(call=call, applicant=applicant)


@transaction.atomic
def application_save_step(*, application: Application, step: str, data: dict, actor, now=None):
    """Save one step's answers (a draft is saved per step; edits allowed until the deadline)."""
    now = now or timezone.now()
    application = Application.objects.select_for_update(of=("self",)).select_related("call").get(pk=application.pk)
    ensure_editable(application, now=now)
    if step not in STEPS:
        raise ValidationError(_("Unknown step."))
    fields = [name for name in STEPS[step] if name in data]
    changed = {}
    for name in fields:
        if getattr(application, name) != data[name]:
            changed[name] = True
        setattr(application, name, data[name])
    if step == "accessibility":
        consent = data.get("accessibility_consent", False)
        if application.accessibility_needs and not consent:
            raise ValidationError(_("Please consent to the use of this information or leave the field empty."))
        application.accessibility_consent_at = now if application.accessibility_needs else None
        fields.append("accessibility_consent_at")
    if step == "privacy":
        application.privacy_acknowledged_at = now
        fields.append("privacy_acknowledged_at")
    if step not in application.steps_done:
        application.steps_done = [*application.steps_done, step]
        fields.append("steps_done")
    application.save(update_fields=[*fields, "updated_at"])
    if application.state == Application.State.SUBMITTED:
        eligibility.eligibility_assess(application=application, now=now)
        if changed:
            # Only the field names: the audit log must not copy the answers.
            audit_record(actor=actor, action="application.edit", obj=application,
                         data={"step": step, "fields": sorted(changed)})
    return application


def missing_steps(application: Application, *, has_release=None) -> list[str]:
    """The steps whose required answers are still missing, in form order."""
    a = application
    if has_release is None:
        has_release = a.documents.filter(kind=Document.Kind.EMPLOYER_RELEASE).exists()
    complete = {
        "contact": bool(a.first_name and a.last_name),
        "employment": bool((a.organisation_id or a.organisation_other)
                           and (a.site_id or (a.site_other and a.region_id))
                           and a.job_title and a.weekly_hours and a.employment_kind
                           and a.employed_since),
        "qualification": bool(a.qualification),
        "motivation": bool(a.motivation.strip()),
        "commitment": "commitment" in a.steps_done,
        "release": has_release or a.release_later,
        "accessibility": "accessibility" in a.steps_done,
        "privacy": a.privacy_acknowledged_at is not None,
    }
    return [step for step in STEPS if not complete[step]]


# Counts a call's counter up and returns the new value in one statement (PostgreSQL
# and SQLite 3.35+ return rows from an UPDATE; Django 5.2's update() cannot).
TAKE_NUMBER_SQL = ('UPDATE "applications_call" SET "next_number" = "next_number" + 1 '
                   'WHERE "id" = %s RETURNING "next_number"')


def _take_number(call: Call) -> int:
    """Count the call's counter up; the number taken.

    The row update serialises concurrent submitters on the call's counter.
    """
    if not connection.features.can_return_columns_from_insert:  # no RETURNING
        Call.objects.filter(pk=call.pk).update(next_number=F("next_number") + 1)
        return Call.objects.values_list("next_number", flat=True).get(pk=call.pk) - 1
    with connection.cursor() as cursor:
        cursor.execute(TAKE_NUMBER_SQL, [call.pk])
        return cursor.fetchone()[0] - 1


def _next_reference(call: Call) -> str:
    """The call's next free number.

    References are unique across calls, and calls may share a prefix and a year (the
    default prefix, or two calls in one year): numbers another call took are skipped.
    """
    year = timezone.localtime(call.closes_at).year
    while True:
        reference = f"{call.reference_prefix}-{year}-{_take_number(call):04d}"
        if not _REFERENCE_TAKEN.exists(reference=reference):
            return reference


# The submit's reads are built once per process (core.prepared: building a query costs
# the ORM more than running it): whether a reference is taken, whether the employer's
# release is uploaded, and the answers and deadline under the row lock.
_REFERENCE_TAKEN = Prepared(
    lambda reference: Application.objects.filter(reference=reference).values_list("pk")[:1],
    reference=str)
_HAS_RELEASE = Prepared(
    lambda pk: Document.objects.filter(application_id=pk, kind=Document.Kind.EMPLOYER_RELEASE)
    .values_list("pk")[:1],
    pk=int)


# What the submit reads of the application: the completeness check, the pre-check,
# the e-mail and the answer to a retry.
SUBMIT_FIELDS = [
    "state", "reference", "submitted_at", "updated_at", "email", "first_name", "last_name",
    "organisation_id", "organisation_other", "site_id", "site_other", "region_id",
    "job_title", "weekly_hours", "employment_kind", "employed_since", "qualification",
    "motivation", "commits_to_all_modules", "release_later", "privacy_acknowledged_at",
    "steps_done",
]
# What decides whether the call still takes submissions.
DEADLINE_FIELDS = ["state", "opens_at", "closes_at"]


def _read_under_lock(application: Application):
    """Lock the row and bring the caller's copy up to date with what the submit reads.

    One narrow query instead of the whole row with its call: the columns are most of
    a query's cost. The call's other settings are taken as the caller read them.
    """
    (row,) = _LOCKED_READ.rows(pk=application.pk)
    for name, value in zip(SUBMIT_FIELDS, row[:len(SUBMIT_FIELDS)], strict=True):
        setattr(application, name, value)
    for name, value in zip(DEADLINE_FIELDS, row[len(SUBMIT_FIELDS):], strict=True):
        setattr(application.call, name, value)


_SUBMITTED = PreparedUpdate(Application, ["reference", "state", "submitted_at", "updated_at"])
_LOCKED_READ = Prepared(
    lambda pk: Application.objects.select_for_update(of=("self",)).filter(pk=pk)
    .values_list(*SUBMIT_FIELDS, *(f"call__{name}" for name in DEADLINE_FIELDS)),
    pk=int)


def application_submit(*, application: Application, actor, now=None,
                       site_funded: bool | None = None) -> Application:
    """Submit the application; judged by the time the request reaches the server.

    Accepted up to and including the last second of the closing minute. Idempotent:
    a double click or a retry returns the already submitted application and writes
    no second confirmation.

    ``application`` comes with its call as the caller read it (the view, in the same
    request); under the row lock the answers, the state and the call's deadline are
    read again. The programme's settings (is the site funded that year, who signs
    the e-mail) are read before the write transaction, unlocked as ever, so that it
    holds SQLite's write lock for less time. A caller that read them already (the
    view: ``selectors.application_to_submit``) passes the call with its programme and
    ``site_funded``.
    """
    now = now or timezone.now()
    application = copy.copy(application)  # the caller's object stays as it was
    application.call = copy.copy(application.call)
    if not Call.programme.is_cached(application.call):
        # The e-mail is signed with the lead institution's name: that is all it reads.
        application.call.programme = (
            Programme.objects.select_related("lead_institution").only("lead_institution__name")
            .get(pk=application.call.programme_id))
    site_id = application.site_id
    if site_funded is None:
        site_funded = eligibility.site_funded(application)
    with transaction.atomic():
        _read_under_lock(application)
        if application.site_id != site_id:
            site_funded = eligibility.site_funded(application)
        if application.state == Application.State.SUBMITTED:
            return application
        ensure_editable(application, now=now)
        # Asked once: the completeness check, the pre-check and the e-mail all need it.
        has_release = _HAS_RELEASE.exists(pk=application.pk)
        missing = missing_steps(application, has_release=has_release)
        if missing:
            raise ValidationError(_("Some answers are still missing."), code="incomplete",
                                  params={"steps": missing})
        application.state = Application.State.SUBMITTED
        application.submitted_at = now
        for attempt in range(1, 6):
            application.reference = _next_reference(application.call)
            try:
                with transaction.atomic():
                    _SUBMITTED.update(application)
                break
            except IntegrityError:
                # A submitter to another call with the same prefix took this number meanwhile.
                if attempt == 5:
                    raise

        # The pre-check is first computed here: a draft has none (check=None). Its
        # audit entry and the submit's go into one insert.
        entries = []
        eligibility.eligibility_assess(application=application, now=now,
                                       has_release=has_release, site_funded=site_funded,
                                       check=None, audit_entries=entries)
        entries.append(audit_entry(actor=actor, action="application.submit", obj=application,
                                   data={"from": "draft", "to": "submitted"}))
        audit_record_all(entries)
        mail_enqueue(to=application.email, template="application_submitted",
                     context={"application": application, "call": application.call,
                              "has_release": has_release},
                     about=application, idempotency_key=f"application-submitted-{application.pk}")
    return application


@transaction.atomic
def application_withdraw(*, application: Application, actor, reason="", now=None) -> Application:
    """Withdraw at any time; the deletion clock starts now (DOMAIN.md §5).

    Later stages react through ``settings.KOHORTE_APPLICATION_WITHDRAW_HOOKS`` (the
    selection frees a place the person held). They run first, inside this transaction,
    so that they can take their own locks before this application's row is locked.
    """
    now = now or timezone.now()
    for hook in settings.KOHORTE_APPLICATION_WITHDRAW_HOOKS:
        import_string(hook)(application=application, actor=actor, now=now)
    application = Application.objects.select_for_update(of=("self",)).select_related("call").get(pk=application.pk)
    if application.state == Application.State.WITHDRAWN:
        return application
    old = application.state
    application.state = Application.State.WITHDRAWN
    application.withdrawn_at = now
    application.save(update_fields=["state", "withdrawn_at", "updated_at"])
    audit_record(actor=actor, action="application.withdraw", obj=application, reason=reason,
                 data={"from": old, "to": "withdrawn"})
    if old == Application.State.SUBMITTED:
        mail_enqueue(to=application.email, template="application_withdrawn",
                     context={"application": application, "call": application.call},
                     about=application, idempotency_key=f"application-withdrawn-{application.pk}")
    return application


@transaction.atomic
def application_erasure_request(*, application: Application, actor, now=None) -> Application:
    """Record a request for erasure (Art. 17 GDPR); coordinators handle it within a month."""
    now = now or timezone.now()
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.erasure_requested_at is None:
        application.erasure_requested_at = now
        application.save(update_fields=["erasure_requested_at", "updated_at"])
        audit_record(actor=actor, action="application.erasure_request", obj=application)
    return application
