"""Reviews, the selection policy and its runs, offers and the waiting list.

The selection stage knows the applications stage (it imports it); applications knows
nothing of selection. The pure engine lives in the ``engine`` package (no Django).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReviewCriterion(models.Model):
    """A criterion reviewers score on 0–5 (e.g. Praxisbezug), with its weight."""

    call = models.ForeignKey("applications.Call", on_delete=models.CASCADE,
                             related_name="review_criteria")
    position = models.PositiveSmallIntegerField(_("order"), default=1)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("what reviewers look for"), blank=True)
    weight = models.DecimalField(_("weight"), max_digits=4, decimal_places=2, default=Decimal("1"),
                                 validators=[MinValueValidator(Decimal("0.01"))])

    class Meta:
        verbose_name = _("review criterion")
        verbose_name_plural = _("review criteria")
        ordering = ["call", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["call", "name"], name="criterion_name_per_call"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="criterion_weight_positive"),
        ]

    def __str__(self):
        return self.name


class SelectionPolicy(models.Model):
    """The rules of a call's selection; a new version for every change, never edited.

    ``region_bounds`` maps a Regierungsbezirk to {"min": n, "max": m} (both optional).
    """

    call = models.ForeignKey("applications.Call", on_delete=models.CASCADE,
                             related_name="selection_policies")
    version = models.PositiveIntegerField(_("version"))
    reviewers_per_application = models.PositiveSmallIntegerField(
        _("reviewers per application"), default=2,
        validators=[MinValueValidator(1), MaxValueValidator(5)])
    one_reviewer_per_institution = models.BooleanField(
        _("one reviewer from each partner institution"), default=False)
    disagreement_threshold = models.DecimalField(
        _("flag disagreement above a spread of"), max_digits=3, decimal_places=2,
        default=Decimal("1.50"))
    use_priority = models.BooleanField(_("earlier unsuccessful applicants first"), default=False)
    max_per_organisation = models.PositiveSmallIntegerField(_("at most per Träger"), null=True,
                                                            blank=True)
    max_per_site = models.PositiveSmallIntegerField(_("at most per site"), null=True, blank=True)
    region_bounds = models.JSONField(_("minimum and maximum per Regierungsbezirk"), default=dict,
                                     blank=True)
    offer_days = models.PositiveSmallIntegerField(_("days to answer an offer"), default=14,
                                                  validators=[MinValueValidator(1)])
    offer_latest_days_before_start = models.PositiveSmallIntegerField(
        _("answers due at the latest this many days before the course starts"), default=7)
    reminder_days_before_deadline = models.PositiveSmallIntegerField(
        _("reminder this many days before the answer is due"), default=3)
    legal_remedies_notice = models.TextField(
        _("notice of legal remedies for rejection letters"), blank=True,
        help_text=_("Leave empty if the call is not an administrative act."))
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("selection policy")
        verbose_name_plural = _("selection policies")
        ordering = ["call", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["call", "version"], name="policy_version_per_call"),
        ]

    def __str__(self):
        return f"{self.call} v{self.version}"


class ConflictOfInterest(models.Model):
    """A reviewer must not review applications of this Träger or of this person."""

    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                 related_name="conflicts")
    call = models.ForeignKey("applications.Call", on_delete=models.CASCADE,
                             related_name="conflicts")
    organisation = models.ForeignKey("programmes.Organisation", null=True, blank=True,
                                     on_delete=models.CASCADE, related_name="+")
    application = models.ForeignKey("applications.Application", null=True, blank=True,
                                    on_delete=models.CASCADE, related_name="conflicts")
    note = models.CharField(_("note"), max_length=300, blank=True)
    declared_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | Q(application__isnull=False),
                name="conflict_names_organisation_or_person"),
        ]

    def __str__(self):
        return f"{self.reviewer}: {self.organisation or self.application}"


class ReviewAssignment(models.Model):
    """An application given to a reviewer; the review belongs to it."""

    application = models.ForeignKey("applications.Application", on_delete=models.CASCADE,
                                    related_name="review_assignments")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="review_assignments")
    assigned_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(_("review submitted"), null=True, blank=True)
    overall_comment = models.TextField(_("overall comment"), max_length=3000, blank=True)
    score = models.DecimalField(_("score"), max_digits=4, decimal_places=2, null=True, blank=True,
                                help_text=_("Weighted mean of the criteria scored, two decimals."))

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.UniqueConstraint(fields=["application", "reviewer"],
                                    name="one_review_per_reviewer_and_application"),
        ]

    def __str__(self):
        return f"{self.application} – {self.reviewer}"


class CriterionScore(models.Model):
    """A reviewer's score on one criterion: 0–5, or empty for "not applicable"."""

    assignment = models.ForeignKey(ReviewAssignment, on_delete=models.CASCADE,
                                   related_name="scores")
    criterion = models.ForeignKey(ReviewCriterion, on_delete=models.PROTECT, related_name="+")
    value = models.PositiveSmallIntegerField(
        _("score"), null=True, blank=True, validators=[MaxValueValidator(5)],
        help_text=_("Empty means not applicable; it is left out of the mean, never counted as 0."))
    comment = models.TextField(_("comment"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("criterion score")
        verbose_name_plural = _("criterion scores")
        constraints = [
            models.UniqueConstraint(fields=["assignment", "criterion"], name="one_score_per_criterion"),
            models.CheckConstraint(condition=Q(value__isnull=True) | Q(value__lte=5),
                                   name="score_between_0_and_5"),
        ]

    def __str__(self):
        return f"{self.criterion}: {self.value}"


class Candidate(models.Model):
    """What the selection needs to know about an application beyond its answers."""

    application = models.OneToOneField("applications.Application", on_delete=models.CASCADE,
                                       related_name="candidate")
    priority = models.BooleanField(
        _("priority (unsuccessful in an earlier cohort, with consent)"), default=False)
    pinned = models.BooleanField(_("pinned by the coordinator"), default=False)
    excluded = models.BooleanField(_("taken out by the coordinator"), default=False)
    reason = models.TextField(_("reason for pinning or taking out"), blank=True)

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        constraints = [
            models.CheckConstraint(condition=~(Q(pinned=True) & Q(excluded=True)),
                                   name="candidate_not_pinned_and_excluded"),
            models.CheckConstraint(condition=(Q(pinned=False) & Q(excluded=False)) | ~Q(reason=""),
                                   name="candidate_pin_or_exclusion_needs_reason"),
        ]

    def __str__(self):
        return str(self.application)


class PriorityClaim(models.Model):
    """A person's consent, given at a rejection, to be remembered for priority in a later
    call of the same programme (DOMAIN.md §5: opt-in at the rejection).

    It holds only the account link, so erasing the unsuccessful application leaves it;
    it is kept until it gives priority (``used_in_call``) or is withdrawn.
    """

    programme = models.ForeignKey("programmes.Programme", on_delete=models.CASCADE,
                                  related_name="priority_claims")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="priority_claims")
    from_call = models.ForeignKey("applications.Call", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+",
                                  verbose_name=_("call in which the person was unsuccessful"))
    consented_at = models.DateTimeField(_("consent given"), default=timezone.now)
    used_in_call = models.ForeignKey("applications.Call", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("call in which it gave priority"))
    withdrawn_at = models.DateTimeField(_("consent withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("priority claim")
        verbose_name_plural = _("priority claims")
        ordering = ["-consented_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "user"],
                condition=Q(used_in_call__isnull=True, withdrawn_at__isnull=True),
                name="one_open_priority_claim_per_programme_and_person"),
        ]

    def __str__(self):
        # No e-mail address: the string goes into the audit log's object label.
        return f"{self.programme_id}/{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.used_in_call_id is None and self.withdrawn_at is None


class SelectionRun(models.Model):
    """One application of the rule: its inputs, the published hash, the seed and result.

    Stored whole, so anyone can re-run the engine on ``instance`` and get ``result``.
    """

    class Kind(models.TextChoices):
        INITIAL = "initial", _("Selection")
        REFILL = "refill", _("Refill from the waiting list")

    class State(models.TextChoices):
        HASH_PUBLISHED = "hash_published", _("Candidate list published, waiting for the seed")
        PROPOSED = "proposed", _("Proposed")
        CONFIRMED = "confirmed", _("Confirmed")
        DISCARDED = "discarded", _("Discarded")

    call = models.ForeignKey("applications.Call", on_delete=models.PROTECT,
                             related_name="selection_runs")
    policy = models.ForeignKey(SelectionPolicy, on_delete=models.PROTECT, related_name="runs")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.INITIAL)
    state = models.CharField(max_length=20, choices=State.choices, default=State.HASH_PUBLISHED)
    criteria_snapshot = models.JSONField(_("criteria and weights used"), default=list)
    candidate_list = models.TextField(_("candidate list (canonical JSON)"))
    candidate_hash = models.CharField(_("SHA-256 of the candidate list"), max_length=64)
    hash_published_at = models.DateTimeField(default=timezone.now)
    seed = models.CharField(_("seed"), max_length=300, blank=True)
    seed_source = models.CharField(_("where the seed comes from"), max_length=300, blank=True)
    instance = models.JSONField(_("engine input"), default=dict)
    result = models.JSONField(_("engine result"), default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("selection run")
        verbose_name_plural = _("selection runs")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.call} {self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"


class Offer(models.Model):
    """A place offered to an applicant, to accept or decline by its deadline."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    TRANSITIONS = {
        State.OPEN: {State.ACCEPTED, State.DECLINED, State.EXPIRED, State.WITHDRAWN},
        State.ACCEPTED: {State.WITHDRAWN},
        State.DECLINED: set(),
        State.EXPIRED: set(),
        State.WITHDRAWN: set(),
    }
    HOLDS_PLACE = (State.OPEN, State.ACCEPTED)

    # Erasing an unsuccessful application (a decline, an expiry) erases its offers; the
    # selection runs keep the reference numbers and the results.
    application = models.ForeignKey("applications.Application", on_delete=models.CASCADE,
                                    related_name="offers")
    call = models.ForeignKey("applications.Call", on_delete=models.PROTECT, related_name="offers")
    run = models.ForeignKey(SelectionRun, on_delete=models.PROTECT, related_name="offers")
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    skip_reason = models.TextField(_("why the order was skipped"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    deadline = models.DateTimeField(_("answer by"))
    reminded_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["-created_at", "-id"]
        constraints = [
            # A person holds at most one open or accepted offer per call.
            models.UniqueConstraint(fields=["application"], condition=Q(state__in=["open", "accepted"]),
                                    name="one_live_offer_per_application"),
        ]

    def __str__(self):
        return f"{self.application}: {self.get_state_display()}"


class MessageTemplate(models.Model):
    """An editable letter (offer, reminder, rejection, waiting list …) of a call."""

    class Key(models.TextChoices):
        OFFER = "offer", _("Offer of a place")
        REMINDER = "offer_reminder", _("Reminder before the offer expires")
        ACCEPTED = "offer_accepted", _("Confirmation of acceptance")
        DECLINED = "offer_declined", _("Confirmation of a decline")
        EXPIRED = "offer_expired", _("Offer expired")
        WAITING = "waiting_list", _("Place on the waiting list")
        REJECTION = "rejection", _("Rejection with reasons")

    call = models.ForeignKey("applications.Call", on_delete=models.CASCADE,
                             related_name="message_templates")
    key = models.CharField(_("letter"), max_length=20, choices=Key.choices)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"), help_text=_(
        "Placeholders: {name}, {reference}, {call}, {deadline}, {position}, {reason}, {link}."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("letter template")
        verbose_name_plural = _("letter templates")
        constraints = [
            models.UniqueConstraint(fields=["call", "key"], name="one_template_per_letter_and_call"),
        ]

    def __str__(self):
        return f"{self.call}: {self.get_key_display()}"
