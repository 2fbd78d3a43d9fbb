"""Starting, filling in, submitting and withdrawing an application."""

import copy
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from kohorte.core.audit import audit_entry, audit_record, audit_record_all
from kohorte.core.prepared import Batch, Prepared, PreparedUpdate, instance
from kohorte.notifications.services import mail_enqueue
from kohorte.programmes.models import Institution, Programme, SiteFunding

from ..models import Application, Call, Document
from ..selectors import application_locked
from . import eligibility
from .references import (
    SequenceMissing,
    reference_move_past_taken,
    reference_sequence_make,
    reference_take,
)

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
    application = application_locked(pk=application.pk)
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
    _step_update([*fields, "updated_at"]).update(application)
    if application.state == Application.State.SUBMITTED:
        eligibility.eligibility_assess(application=application, now=now)
        if changed:
            # Only the field names: the audit log must not copy the answers.
            audit_record(actor=actor, action="application.edit", obj=application,
                         data={"step": step, "fields": sorted(changed)})
    return application


_STEP_UPDATES = {}


def _step_update(fields: list[str]) -> PreparedUpdate:
    """A step's save, built once per set of fields (each step saves the same few)."""
    key = tuple(fields)
    update = _STEP_UPDATES.get(key)
    if update is None:
        update = _STEP_UPDATES[key] = PreparedUpdate(Application, fields)
    return update


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


def _has_release():
    return Exists(Document.objects.filter(application_id=OuterRef("pk"),
                                          kind=Document.Kind.EMPLOYER_RELEASE))


def _read_under_lock(application: Application):
    """Lock the row and bring the caller's copy up to date with what the submit reads:
    ``(has_release, row)``, whether the employer's release is uploaded and the row read.

    One narrow query instead of the whole row with its call: the columns are most of
    a query's cost. The call's other settings are taken as the caller read them.
    """
    (row,) = _LOCKED_READ.rows(pk=application.pk)
    for name, value in zip(SUBMIT_FIELDS, row[:len(SUBMIT_FIELDS)], strict=True):
        setattr(application, name, value)
    for name, value in zip(DEADLINE_FIELDS, row[len(SUBMIT_FIELDS):-1], strict=True):
        setattr(application.call, name, value)
    return row[-1], row


_SUBMITTED = PreparedUpdate(Application, ["reference", "state", "submitted_at", "updated_at"])
# The submit's reads are built once per process (core.prepared: building a query costs
# the ORM more than running it): the answers, the deadline and whether the employer's
# release is uploaded, in one query under the row lock.
_LOCKED_READ = Prepared(
    lambda pk: Application.objects.select_for_update(of=("self",)).filter(pk=pk)
    .annotate(has_release=_has_release())
    .values_list(*SUBMIT_FIELDS, *(f"call__{name}" for name in DEADLINE_FIELDS),
                 "has_release"),
    pk=int)

# The form's submit reads, besides the answers, the owner and the call's settings the
# submit uses: the deadline, the pre-check's, the reference's, the e-mail's.
OWN_APPLICATION_FIELDS = ["id", "call_id", "applicant_id", *SUBMIT_FIELDS]
OWN_CALL_FIELDS = ["id", "title", "state", "opens_at", "closes_at", "release_due_date",
                   "programme_id", "funding_year", "min_weekly_hours", "reference_prefix"]


def _own_locked_query(pk, user_id):
    funded = SiteFunding.objects.filter(site_id=OuterRef("site_id"),
                                        programme_id=OuterRef("call__programme_id"),
                                        year=OuterRef("call__funding_year"))
    return (Application.objects.select_for_update(of=("self",))
            .filter(applicant_id=user_id, pk=pk)
            .annotate(site_funded=Exists(funded), has_release=_has_release())
            .values_list(*OWN_APPLICATION_FIELDS, *(f"call__{name}" for name in OWN_CALL_FIELDS),
                         "call__programme__lead_institution_id",
                         "call__programme__lead_institution__name", "site_funded", "has_release")
            .order_by())


_OWN_LOCKED_READ = Prepared(_own_locked_query, pk=int, user_id=int)


def _read_own_under_lock(*, pk: int, user_id: int, plan=None):
    """The person's own application under its row lock, with its call, the lead
    institution's name (the e-mail's signature), whether the site is funded and
    whether the release is uploaded: ``(application, has_release, site_funded, row)``
    (``row``: what was read, to compare), or ``(None, False, False, None)`` when the
    person has no application with that key. When the row is the one ``plan`` was
    worked out for, the plan's objects are given back instead of new ones."""
    rows = _OWN_LOCKED_READ.rows(pk=pk, user_id=user_id)
    if not rows:
        return None, False, False, None
    row, count, calls = rows[0], len(OWN_APPLICATION_FIELDS), len(OWN_CALL_FIELDS)
    if plan is not None and plan.row == row:
        return plan.application, plan.has_release, plan.site_funded, row
    application = instance(Application, dict(zip(OWN_APPLICATION_FIELDS, row[:count], strict=True)))
    call = instance(Call, dict(zip(OWN_CALL_FIELDS, row[count:count + calls], strict=True)))
    lead_id, lead_name, site_funded, has_release = row[count + calls:]
    programme = instance(Programme, {"id": call.programme_id, "lead_institution_id": lead_id})
    programme.lead_institution = instance(Institution, {"id": lead_id, "name": lead_name})
    call.programme = programme
    application.call = call
    return application, has_release, bool(site_funded), row


def application_submit_own(*, pk, user, now=None) -> Application | None:
    """The form's final submit: the signed-in person's own application, or None when
    they have none with that key (the view answers 404). As ``application_submit``,
    but the owner check and everything the submit reads go into its one query under
    the row lock: on the deadline's hot path one statement less.
    """
    now = now or timezone.now()
    return _submit_once_more_past_taken(
        lambda plan=None: _read_own_under_lock(pk=int(pk), user_id=user.pk, plan=plan),
        actor=user, now=now)


def application_submit(*, application: Application, actor, now=None,
                       site_funded: bool | None = None) -> Application:
    """Submit the application; judged by the time the request reaches the server.

    Accepted up to and including the last second of the closing minute. Idempotent:
    a double click or a retry returns the already submitted application and writes
    no second confirmation.

    ``application`` comes with its call as the caller read it; under the row lock the
    answers, the state and the call's deadline are read again. The programme's
    settings (is the site funded that year, who signs the e-mail) are read before the
    write transaction, unlocked as ever, unless the caller passes the call with its
    programme and ``site_funded``. (The form's submit: ``application_submit_own``.)
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

    def read(plan=None):  # the caller's object is brought up to date: nothing to reuse
        has_release, row = _read_under_lock(application)
        funded = (site_funded if application.site_id == site_id
                  else eligibility.site_funded(application))
        return application, has_release, funded, (row, funded)

    return _submit_once_more_past_taken(read, actor=actor, now=now)


def _submit_once_more_past_taken(read, *, actor, now):
    """Submit; once more when the count of references had to be put right first.

    Two cases undo the submit's transaction and let it run again: the reference was
    given already (written other than by the count: the count moves past it), and on
    PostgreSQL the first submit of a prefix and year, whose sequence is made then.
    """
    read_last = []

    def reading(plan=None):
        result = read(plan=plan)
        read_last[:] = result[:1]
        return result

    for attempt in range(3):
        try:
            plan = _plan_ahead(read, actor=actor, now=now) if attempt == 0 else None
            return _submit(reading, actor=actor, now=now, plan=plan)
        except SequenceMissing:
            if attempt == 2:
                raise
            reference_sequence_make(read_last[0].call)
        except IntegrityError:
            application = read_last[0] if read_last else None
            if attempt == 2 or application is None or application.reference is None or \
                    not Application.objects.filter(reference=application.reference).exclude(
                        pk=application.pk).exists():
                raise
            reference_move_past_taken(application.call)


class _Plan:
    """The submit's writes made ready before its transaction (SQLite, below): for the
    row as read then, with ``marker`` standing for the reference."""

    def __init__(self, read, writes, marker):
        self.application, self.has_release, self.site_funded, self.row = read
        self.writes, self.marker = writes, marker


def _plan_ahead(read, *, actor, now):
    """On SQLite, everything a submit writes, worked out before its transaction.

    SQLite has one write lock, and a write transaction holds it from BEGIN: every
    submit's work inside the transaction is work all other writers wait for. So the
    application is read first without the lock and the submit's writes are prepared
    from that read (the pre-check, the audit entries, the e-mail rendered), with a
    random marker standing for the reference, which can only be taken under the lock.
    Under the lock ``_submit`` reads the same row again and uses the plan only when
    the row is unchanged (else it works everything out anew, as on PostgreSQL, whose
    row locks let other applicants' submits run meanwhile). Returns None where there
    is nothing to gain: other databases, a caller's open transaction, a submit that
    will not write (none to submit, already submitted, refused).
    """
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return None
    result = read()
    application, has_release, site_funded, _row = result
    if application is None or application.state == Application.State.SUBMITTED:
        return None
    marker = f"REFERENCE{secrets.token_hex(12)}"
    try:
        writes = _submit_writes(application, has_release, site_funded, actor=actor, now=now,
                                reference=lambda: marker)
    except ValidationError:
        return None
    return _Plan(result, writes, marker)


@transaction.atomic
def _submit(read, *, actor, now, plan=None):
    """``read(plan=)`` locks the application's row: ``(application, has_release,
    site_funded, row)``, application None when there is none to submit; it may give
    back the plan's objects when ``row`` is the plan's. ``plan``: the writes prepared
    for ``plan.row`` before the transaction (``_plan_ahead``)."""
    application, has_release, site_funded, row = read(plan=plan)
    if application is None:
        return None
    if plan is not None and plan.row == row:
        # The plan's application is made submitted already (its reference: the marker).
        application.state = Application.State.SUBMITTED
        application.submitted_at = now
        application.reference = reference_take(application.call)
        plan.writes.replace(plan.marker, application.reference)
        plan.writes.run()
        return application
    if application.state == Application.State.SUBMITTED:
        return application
    writes = _submit_writes(application, has_release, site_funded, actor=actor, now=now,
                            reference=lambda: reference_take(application.call))
    writes.run()
    return application


def _submit_writes(application, has_release, site_funded, *, actor, now, reference):
    """Check the application and make it submitted: its writes, in a batch not yet
    run. ``reference()`` gives the reference number."""
    ensure_editable(application, now=now)
    missing = missing_steps(application, has_release=has_release)
    if missing:
        raise ValidationError(_("Some answers are still missing."), code="incomplete",
                              params={"steps": missing})
    application.state = Application.State.SUBMITTED
    application.submitted_at = now
    # The writes after the locked read need no result: they go as one batch (on
    # PostgreSQL one statement) after the number is taken. The pre-check is first
    # computed here: a draft has none (check=None). Its audit entry and the submit's
    # go into one insert.
    writes, entries = Batch(), []
    eligibility.eligibility_assess(application=application, now=now, has_release=has_release,
                                   site_funded=site_funded, check=None, audit_entries=entries,
                                   batch=writes)
    # The number is taken last (references.py): on SQLite other writers wait for the
    # counter's row from here to the commit (they wait for the one write lock anyway);
    # PostgreSQL's sequence lets nobody wait.
    application.reference = reference()
    _SUBMITTED.update(application, batch=writes)
    for entry in entries:  # made before the application had its reference
        entry.object_repr = str(application)[:200]
    entries.append(audit_entry(actor=actor, action="application.submit", obj=application,
                               data={"from": "draft", "to": "submitted"}))
    audit_record_all(entries, batch=writes)
    # Under the row lock a draft has no confirmation yet: the outbox's unique key
    # refuses a second one, no look-up needed.
    mail_enqueue(to=application.email, template="application_submitted",
                 context={"application": application, "call": application.call,
                          "has_release": has_release},
                 about=application, idempotency_key=f"application-submitted-{application.pk}",
                 key_is_new=True, batch=writes)
    return writes


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
