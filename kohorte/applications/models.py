import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kohorte.core.dates import end_of_minute


def _private_upload_path(instance, filename):
    # The stored name says nothing about the person; the original name is a field.
    return f"documents/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


def _template_upload_path(instance, filename):
    return f"templates/{uuid.uuid4().hex}"


class Call(models.Model):
    """A call for applications of a programme, with its deadline and places."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CLOSED = "closed", _("Closed")

    # Allowed transitions, used by the services and shown in docs/states.md.
    TRANSITIONS = {
        State.DRAFT: {State.PUBLISHED},
        State.PUBLISHED: {State.CLOSED},
        State.CLOSED: set(),
    }

    programme = models.ForeignKey(
        "programmes.Programme", verbose_name=_("programme"), on_delete=models.PROTECT,
        related_name="calls",
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("address"), max_length=80, unique=True)
    summary = models.CharField(_("summary"), max_length=300)
    description = models.TextField(_("description (Markdown)"))
    eligibility_criteria = models.TextField(_("eligibility criteria (Markdown)"))
    selection_criteria = models.TextField(_("selection criteria (Markdown)"))
    privacy_notice = models.TextField(_("privacy notice (Markdown)"))
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(
        _("closes at"),
        help_text=_("Submissions are accepted until the end of this minute (Europe/Berlin)."),
    )
    places = models.PositiveIntegerField(_("number of places"), validators=[MinValueValidator(1)])
    funding_year = models.PositiveSmallIntegerField(
        _("funding year"),
        help_text=_("Sites funded by the programme in this year count as tier 1."),
    )
    min_weekly_hours = models.DecimalField(
        _("minimum weekly hours"), max_digits=4, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("60"))],
    )
    release_due_date = models.DateField(
        _("employer release due by"), null=True, blank=True,
        help_text=_("Applicants may hand in the employer's release letter until this day."),
    )
    release_template = models.FileField(
        _("employer release template"), upload_to=_template_upload_path, blank=True,
    )
    release_template_name = models.CharField(max_length=200, blank=True)
    reference_prefix = models.CharField(_("reference prefix"), max_length=10, default="APP")
    waiting_list_closes_on = models.DateField(
        _("waiting list closes on"), null=True, blank=True,
        help_text=_("Deletion of waiting-list applications is counted from this day."),
    )
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("call for applications")
        verbose_name_plural = _("calls for applications")
        ordering = ["-closes_at"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")),
                                   name="call_closes_after_opening"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("applications:call_detail", args=[self.slug])

    @property
    def deadline(self):
        """The last instant a submission counts: the end of the closing minute."""
        return end_of_minute(self.closes_at)

    def is_open(self, now=None):
        now = now or timezone.now()
        return self.state == self.State.PUBLISHED and self.opens_at <= now <= self.deadline


class CallModule(models.Model):
    """A module date of the course; applicants commit to attend all of them."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="modules")
    position = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    place = models.CharField(_("place"), max_length=200)

    class Meta:
        verbose_name = _("module date")
        verbose_name_plural = _("module dates")
        ordering = ["call", "position"]
        constraints = [
            models.UniqueConstraint(fields=["call", "position"], name="call_module_position"),
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")),
                                   name="call_module_dates_ordered"),
        ]

    def __str__(self):
        return f"{self.position}. {self.title}"


class ReferenceCounter(models.Model):
    """The next number of the references with one prefix and year (``GWA-2026-0042``).

    Calls that share a prefix and a year (the default prefix, two calls in one year)
    share the counter, so a reference is unique by how it is made; the unique index on
    ``Application.reference`` still guards it. On SQLite the counter counts up in the
    submit's transaction: a number is only used by a submit that commits, so there are
    no gaps. On PostgreSQL a sequence per prefix and year counts instead (no submitter
    waits for another); the row then only says where the sequence starts when it is
    made (``services/references.py``).
    """

    prefix = models.CharField(max_length=10)
    year = models.PositiveSmallIntegerField()
    next_number = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"],
                                               name="reference_counter_prefix_year")]

    def __str__(self):
        return f"{self.prefix}-{self.year}: {self.next_number}"


class Application(models.Model):
    """One person's application to one call (unique), from draft to submission."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    TRANSITIONS = {
        State.DRAFT: {State.SUBMITTED, State.WITHDRAWN},
        State.SUBMITTED: {State.WITHDRAWN},
        State.WITHDRAWN: set(),
    }

    class EmploymentKind(models.TextChoices):
        PAID = "paid", _("Paid staff (hauptamtlich)")
        VOLUNTEER = "volunteer", _("Volunteer (ehrenamtlich)")

    class Qualification(models.TextChoices):
        SOCIAL_WORK = "social_work", _("Degree in social work / social pedagogy")
        OTHER_DEGREE = "other_degree", _("Other university degree")
        VOCATIONAL = "vocational", _("Vocational training")
        OTHER = "other", _("Other qualification")

    # No index of its own: (call, state) and (call, applicant) begin with it.
    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="applications",
                             db_index=False)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications"
    )
    reference = models.CharField(_("reference number"), max_length=32, null=True, blank=True,
                                 unique=True)
    state = models.CharField(_("state"), max_length=12, choices=State.choices,
                             default=State.DRAFT)
    # Contact
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail address"), max_length=254)
    phone = models.CharField(_("telephone"), max_length=40, blank=True)
    # Employment
    organisation = models.ForeignKey(
        "programmes.Organisation", verbose_name=_("organisation (Träger)"), null=True,
        blank=True, on_delete=models.PROTECT, related_name="applications",
    )
    organisation_other = models.CharField(_("other organisation"), max_length=200, blank=True)
    site = models.ForeignKey(
        "programmes.Site", verbose_name=_("site (Quartier)"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="applications",
    )
    site_other = models.CharField(_("other place of work"), max_length=200, blank=True)
    region = models.ForeignKey(
        "programmes.Region", verbose_name=_("Kreis"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="applications",
    )
    job_title = models.CharField(_("role"), max_length=150, blank=True)
    weekly_hours = models.DecimalField(
        _("hours per week"), max_digits=4, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("60"))],
    )
    employment_kind = models.CharField(_("employment"), max_length=12,
                                       choices=EmploymentKind.choices, blank=True)
    employed_since = models.DateField(_("employed since"), null=True, blank=True)
    # Qualification and motivation
    qualification = models.CharField(_("qualification"), max_length=20,
                                     choices=Qualification.choices, blank=True)
    qualification_detail = models.CharField(_("qualification in detail"), max_length=300,
                                            blank=True)
    motivation = models.TextField(_("motivation"), max_length=3000, blank=True)
    # Commitment and release
    commits_to_all_modules = models.BooleanField(_("commits to attend all modules"),
                                                 default=False)
    release_later = models.BooleanField(_("employer release handed in later"), default=False)
    # Accessibility needs are health data (Art. 9 GDPR): explicit consent, coordinators
    # only, deleted after the course.
    accessibility_needs = models.TextField(_("accessibility needs"), max_length=1000,
                                           blank=True)
    accessibility_consent_at = models.DateTimeField(null=True, blank=True)
    privacy_acknowledged_at = models.DateTimeField(null=True, blank=True)
    # Progress
    steps_done = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    erasure_requested_at = models.DateTimeField(null=True, blank=True)
    erasure_refused_at = models.DateTimeField(null=True, blank=True)
    erasure_refusal_reason = models.TextField(_("why erasure is not yet possible"), blank=True)
    # Set by a later stage through ``application_schedule_erasure`` (e.g. six months
    # after a rejection letter); the retention job erases the application then.
    erase_after = models.DateTimeField(_("to be erased after"), null=True, blank=True,
                                       db_index=True)
    erase_after_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["reference", "id"]
        constraints = [
            models.UniqueConstraint(fields=["call", "applicant"],
                                    name="application_one_per_person_and_call"),
            models.CheckConstraint(
                condition=~Q(state="submitted") | Q(reference__isnull=False, submitted_at__isnull=False),
                name="application_submitted_has_reference",
            ),
        ]
        # Declared here rather than with db_index: on PostgreSQL db_index also builds a
        # second index for LIKE on a text column, which no query asks for and every
        # write of the row must keep up to date (bench/README.md).
        indexes = [models.Index(fields=["call", "state"]),
                   models.Index(fields=["state"], name="application_state_idx")]

    def __str__(self):
        return self.reference or _("Draft %(id)s") % {"id": self.pk}

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def organisation_name(self):
        return self.organisation.name if self.organisation_id else self.organisation_other

    @property
    def site_name(self):
        return str(self.site) if self.site_id else self.site_other


class Document(models.Model):
    """An uploaded file of an application, stored privately and served by access check."""

    class Kind(models.TextChoices):
        EMPLOYER_RELEASE = "employer_release", _("Employer release (Freistellung)")

    application = models.ForeignKey(Application, on_delete=models.CASCADE,
                                    related_name="documents")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    file = models.FileField(upload_to=_private_upload_path)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-uploaded_at"]

    def __str__(self):
        return self.original_name


class Eligibility(models.Model):
    """The automatic eligibility pre-check with reasons, and a coordinator's override."""

    class Tier(models.TextChoices):
        TIER_1 = "tier1", _("Tier 1")
        TIER_2 = "tier2", _("Tier 2")
        INELIGIBLE = "ineligible", _("Ineligible")

    application = models.OneToOneField(Application, on_delete=models.CASCADE,
                                       related_name="eligibility")
    computed_tier = models.CharField(_("pre-check"), max_length=12, choices=Tier.choices)
    reasons = models.JSONField(_("reasons"), default=list)
    computed_at = models.DateTimeField(default=timezone.now)
    override_tier = models.CharField(_("override"), max_length=12, choices=Tier.choices,
                                     blank=True)
    override_reason = models.TextField(_("reason for override"), blank=True)
    override_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    override_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("eligibility")
        verbose_name_plural = _("eligibility checks")
        constraints = [
            models.CheckConstraint(
                condition=Q(override_tier="") | ~Q(override_reason=""),
                name="eligibility_override_needs_reason",
            ),
        ]

    def __str__(self):
        return f"{self.application}: {self.get_tier_display()}"

    @property
    def tier(self):
        return self.override_tier or self.computed_tier

    def get_tier_display(self):
        return self.Tier(self.tier).label


class CallSnapshot(models.Model):
    """Anonymous aggregate figures of a call, kept when applications are deleted.

    Taken once after the call closes, before the first deletion, so reports keep
    their counts (by tier, Regierungsbezirk and Kreis) without the persons.
    """

    call = models.OneToOneField(Call, on_delete=models.CASCADE, related_name="snapshot")
    taken_at = models.DateTimeField(default=timezone.now)
    data = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("anonymous snapshot")
        verbose_name_plural = _("anonymous snapshots")

    def __str__(self):
        return f"{self.call} {self.taken_at:%Y-%m-%d}"
