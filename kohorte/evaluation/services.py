"""What happens in the evaluation: pseudonyms issued, answers stored, the key destroyed.

The link between a person and their answers exists only in ``PseudonymKey``. Answering
goes through the person's invitation (found by the hash of the personal link's token),
then the key, to the pseudonym; the invitation itself only learns *that* the person
answered. Destroying a cohort's keys is final and audited.
"""

import base64
import hashlib
import secrets
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from kohorte.core.audit import audit_record

from .models import Invitation, Item, Pseudonym, PseudonymKey, Response, Survey


class SurveyClosed(ValidationError):
    """The survey is not open (not yet, or no more)."""


class AlreadyAnswered(ValidationError):
    """This person has answered this survey already: nobody answers twice."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def pseudonyms_issue(*, cohort, actor) -> int:
    """Give every participant of ``cohort`` who has none a pseudonym and its key.

    Returns how many were issued. Safe to call again (new participants get theirs).
    """
    issued = 0
    for participant in cohort.participants.filter(pseudonym_key__isnull=True):
        pseudonym = Pseudonym.objects.create(cohort=cohort)
        PseudonymKey.objects.create(pseudonym=pseudonym, participant=participant)
        issued += 1
    if issued:
        audit_record(actor=actor, action="pseudonyms.issue", obj=cohort, data={"count": issued})
    return issued


@transaction.atomic
def pseudonym_keys_destroy(*, cohort, actor, reason: str) -> int:
    """Delete the link between people and their answers for the whole cohort, for good.

    Open invitations go too (they would lead back to a person); the answers stay under
    their pseudonyms. The reason is required.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Please give the reason.")}, code="required")
    deleted, _details = PseudonymKey.objects.filter(pseudonym__cohort=cohort).delete()
    Invitation.objects.filter(survey__cohort=cohort).delete()
    audit_record(actor=actor, action="pseudonym_keys.destroy", obj=cohort, reason=reason,
                 data={"keys": deleted})
    return deleted


def invitation_token(invitation: Invitation) -> str:
    """The token of the personal link, derived from the invitation and the site's secret.

    Only its hash is stored: the database alone gives away no link, and the invitation
    mail, its reminder and the participant's course page all carry the same link.
    """
    digest = salted_hmac("kohorte.evaluation.invitation", str(invitation.pk),
                         algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest[:24]).decode().rstrip("=")


def invitation_create(*, survey, participant) -> tuple[Invitation, str]:
    """A personal invitation; returns it and the token for the link (not stored)."""
    invitation, created = Invitation.objects.get_or_create(
        survey=survey, participant=participant,
        # A placeholder until the row has its number, from which the token is derived.
        defaults={"token_hash": token_hash(secrets.token_urlsafe(24))})
    token = invitation_token(invitation)
    if invitation.token_hash != token_hash(token):
        invitation.token_hash = token_hash(token)
        invitation.save(update_fields=["token_hash"])
    return invitation, token


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation of a personal link, or None (an unknown or destroyed link)."""
    if not token or len(token) > 100:
        return None
    return (Invitation.objects.select_related("survey__instrument", "survey__cohort",
                                              "survey__module")
            .filter(token_hash=token_hash(token)).first())


def _own_pseudonym(participant, *, actor) -> Pseudonym:
    """The participant's pseudonym, issued now if the cohort has issued none to them.

    Refused once the cohort's keys are destroyed: a new pseudonym would split the person.
    """
    key = PseudonymKey.objects.select_related("pseudonym").filter(participant=participant).first()
    if key is not None:
        return key.pseudonym
    if keys_destroyed(participant.cohort):
        raise ValidationError(_("The evaluation of this course is finished."), code="destroyed")
    pseudonyms_issue(cohort=participant.cohort, actor=actor)
    return PseudonymKey.objects.select_related("pseudonym").get(participant=participant).pseudonym


def keys_destroyed(cohort) -> bool:
    """True once ``pseudonym_keys_destroy`` ran for the cohort (pseudonyms without keys)."""
    return Pseudonym.objects.filter(cohort=cohort, key__isnull=True).exists()


@transaction.atomic
def follow_up_consent_set(*, participant, consent: bool, actor) -> None:
    """Record whether the person agrees to be invited to the follow-up survey (optional,
    may be withdrawn at any time before it starts). Audited on the participant only:
    an entry naming the pseudonym would tie the person to their answers for good."""
    pseudonym = _own_pseudonym(participant, actor=actor)
    if pseudonym.follow_up_consent == consent:
        return
    pseudonym.follow_up_consent = consent
    pseudonym.save(update_fields=["follow_up_consent"])
    audit_record(actor=actor, action="follow_up_consent.set", obj=participant,
                 data={"consent": consent})


def _number(item: Item, raw) -> float | None:
    if raw in (None, ""):
        if item.required:
            raise ValidationError({item.key: _("Please answer this question.")}, code="required")
        return None
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        raise ValidationError({item.key: _("Please enter a number.")}, code="invalid") from None
    if item.kind == Item.Kind.LIKERT:
        if value not in {Decimal(n) for n in range(1, 6)}:
            raise ValidationError({item.key: _("Please choose one of the five answers.")},
                                  code="invalid")
        return int(value)
    if (item.min_value is not None and value < item.min_value) or (
            item.max_value is not None and value > item.max_value):
        raise ValidationError({item.key: _("Please enter a number between %(low)s and "
                                           "%(high)s.")}, code="range",
                              params={"low": item.min_value, "high": item.max_value})
    return float(value)


def answers_clean(*, instrument, answers: dict, numeric_only: bool = False,
                  items=None) -> tuple[list, dict]:
    """Check ``answers`` ({item key: value}) against the instrument; returns the numeric
    answer list in column order and the other answers. Every problem at once.

    ``numeric_only``: the look back ("then") asks the scale and number items only.
    """
    numbers: list = []
    other: dict = {}
    problems: dict = {}
    items = items if items is not None else instrument.items.order_by("position")
    for item in items:
        if numeric_only and item.kind not in Item.NUMERIC:
            continue
        raw = answers.get(item.key)
        try:
            if item.kind in Item.NUMERIC:
                numbers.append(_number(item, raw))
            elif item.kind == Item.Kind.TEXT:
                text = (raw or "").strip()
                if item.required and not text:
                    raise ValidationError({item.key: _("Please answer this question.")})
                if len(text) > 3000:
                    raise ValidationError({item.key: _("Please keep to 3,000 characters.")})
                if text:
                    other[item.key] = text
            else:
                allowed = {str(option["value"]) for option in item.options}
                chosen = raw if isinstance(raw, list) else ([raw] if raw else [])
                chosen = [str(value) for value in chosen]
                if item.kind == Item.Kind.SINGLE and len(chosen) > 1 or set(chosen) - allowed:
                    raise ValidationError({item.key: _("Please choose from the answers given.")})
                if item.required and not chosen:
                    raise ValidationError({item.key: _("Please answer this question.")})
                if chosen:
                    other[item.key] = chosen if item.kind == Item.Kind.MULTIPLE else chosen[0]
        except ValidationError as error:
            problems.update(error.message_dict)
    if problems:
        raise ValidationError(problems)
    return numbers, other


@transaction.atomic
def response_submit(*, token: str, answers: dict, then_answers: dict | None = None,
                    follow_up_consent: bool | None = None, now=None) -> Response:
    """Store a person's answers under their pseudonym, once.

    ``then_answers`` (the look back, "before the course") belong to the post survey.
    Refused outside the survey's opening times, for an unknown or used link, and for a
    second answer (the unique constraint also holds against a double click).
    ``follow_up_consent`` (if given) records the consent to the follow-up survey.
    """
    now = now or timezone.now()
    invitation = (Invitation.objects.select_for_update(of=("self",))
                  .select_related("survey__instrument", "participant__pseudonym_key__pseudonym")
                  .filter(token_hash=token_hash(token)).first())
    if invitation is None:
        raise ValidationError(_("This survey link is not valid."), code="unknown")
    survey = invitation.survey
    if survey.state != Survey.State.OPEN or not survey.opens_at <= now <= survey.closes_at:
        raise SurveyClosed(_("This survey is not open."), code="closed")
    if invitation.answered:
        raise AlreadyAnswered(_("You have already answered this survey. Thank you!"),
                              code="answered")
    key = getattr(invitation.participant, "pseudonym_key", None)
    if key is None:
        raise ValidationError(_("This survey link is not valid."), code="unknown")
    measurement = {Survey.Kind.PRE: Response.Measurement.PRE,
                   Survey.Kind.POST: Response.Measurement.POST,
                   Survey.Kind.FEEDBACK: Response.Measurement.FEEDBACK,
                   Survey.Kind.FOLLOW_UP: Response.Measurement.FOLLOW_UP}[survey.kind]
    numbers, other = answers_clean(instrument=survey.instrument, answers=answers)
    rows = [(measurement, numbers, other)]
    if survey.kind == Survey.Kind.POST and then_answers is not None:
        then_numbers, then_other = answers_clean(instrument=survey.instrument,
                                                 answers=then_answers, numeric_only=True)
        rows.append((Response.Measurement.THEN, then_numbers, then_other))
    try:
        with transaction.atomic():
            created = [Response.objects.create(
                survey=survey, pseudonym=key.pseudonym, measurement=m, numbers=n, other=o,
                submitted_on=timezone.localdate(now)) for m, n, o in rows]
    except IntegrityError:
        raise AlreadyAnswered(_("You have already answered this survey. Thank you!"),
                              code="answered") from None
    invitation.answered = True
    invitation.save(update_fields=["answered"])
    if follow_up_consent is not None and key.pseudonym.follow_up_consent != follow_up_consent:
        key.pseudonym.follow_up_consent = follow_up_consent
        key.pseudonym.save(update_fields=["follow_up_consent"])
    return created[0]
