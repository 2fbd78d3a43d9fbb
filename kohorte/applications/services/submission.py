"""Starting, filling in, submitting and withdrawing an application."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from kohorte.core.audit import audit_record
from kohorte.notifications.services import mail_enqueue

from ..models import Application, Call, Document

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
        from .eligibility import eligibility_assess

        eligibility_assess(application=application, now=now)
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


def _next_reference(call: Call) -> str:
    """The call's next free number.

    References are unique across calls, and calls may share a prefix and a year (the
    default prefix, or two calls in one year): numbers another call took are skipped.
    """
    year = timezone.localtime(call.closes_at).year
    while True:
        # A row update serialises concurrent submitters on the call's counter.
        Call.objects.filter(pk=call.pk).update(next_number=F("next_number") + 1)
        number = Call.objects.values_list("next_number", flat=True).get(pk=call.pk) - 1
        reference = f"{call.reference_prefix}-{year}-{number:04d}"
        if not Application.objects.filter(reference=reference).exists():
            return reference


@transaction.atomic
def application_submit(*, application: Application, actor, now=None) -> Application:
    """Submit the application; judged by the time the request reaches the server.

    Accepted up to and including the last second of the closing minute. Idempotent:
    a double click or a retry returns the already submitted application and writes
    no second confirmation.
    """
    now = now or timezone.now()
    # The confirmation e-mail and the eligibility check read the programme and the site.
    application = (Application.objects.select_for_update(of=("self",))
                   .select_related("call__programme__lead_institution", "site")
                   .get(pk=application.pk))
    if application.state == Application.State.SUBMITTED:
        return application
    ensure_editable(application, now=now)
    # Asked once: the completeness check, the pre-check and the e-mail all need it.
    has_release = application.documents.filter(kind=Document.Kind.EMPLOYER_RELEASE).exists()
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
                application.save(update_fields=["reference", "state", "submitted_at", "updated_at"])
            break
        except IntegrityError:
            # A submitter to another call with the same prefix took this number meanwhile.
            if attempt == 5:
                raise
    from .eligibility import eligibility_assess

    eligibility_assess(application=application, now=now, has_release=has_release)
    audit_record(actor=actor, action="application.submit", obj=application,
                 data={"from": "draft", "to": "submitted"})
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
