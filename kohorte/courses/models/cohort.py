import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .common import new_secret, private_upload_path


class Cohort(models.Model):
    """The group of people who take the course of one call, and its completion rule."""

    call = models.OneToOneField("applications.Call", verbose_name=_("call"),
                                on_delete=models.PROTECT, related_name="cohort")
    title = models.CharField(_("title"), max_length=200)
    # The completion rule (DOMAIN §1: default ≥ 80 % of hours and the project accepted).
    min_attendance_percent = models.PositiveSmallIntegerField(
        _("minimum attendance (% of hours)"), default=80,
        validators=[MinValueValidator(0), MaxValueValidator(100)])
    requires_project = models.BooleanField(_("practice project must be accepted"), default=True)
    project_plan_due = models.DateField(_("project plan due"), null=True, blank=True)
    project_report_due = models.DateField(_("project report due"), null=True, blank=True)
    # Printed on the certificate.
    certificate_place = models.CharField(_("place on the certificate"), max_length=100,
                                         blank=True)
    certificate_text = models.TextField(_("text on the certificate"), blank=True)
    # The private calendar feed of the whole cohort (lecturers, coordinators).
    feed_token = models.CharField(max_length=64, unique=True, default=new_secret,
                                  editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        constraints = [
            models.CheckConstraint(condition=Q(min_attendance_percent__lte=100),
                                   name="cohort_attendance_percent_max_100"),
        ]

    def __str__(self):
        return self.title

    @property
    def programme(self):
        return self.call.programme


class Participant(models.Model):
    """A person with an accepted place in a cohort. Leaving is recorded, never deleted."""

    class State(models.TextChoices):
        ACTIVE = "active", _("Taking part")
        LEFT = "left", _("Left the course")

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="participants")
    application = models.OneToOneField("applications.Application", on_delete=models.PROTECT,
                                       related_name="participant")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="participations")
    # Copied from the application when the place is taken; corrected here (Art. 16 GDPR),
    # printed on the certificate.
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("e-mail address"), max_length=254)
    state = models.CharField(_("state"), max_length=10, choices=State.choices,
                             default=State.ACTIVE)
    joined_on = models.DateField(_("joined on"), default=timezone.localdate)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    left_reason = models.TextField(_("why they left"), blank=True)
    feed_token = models.CharField(max_length=64, unique=True, default=new_secret,
                                  editable=False)
    completion_confirmed_at = models.DateTimeField(_("completion confirmed"), null=True,
                                                   blank=True)
    completion_confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                                blank=True, on_delete=models.SET_NULL,
                                                related_name="+")

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["last_name", "first_name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="active", left_on__isnull=True)
                | Q(state="left", left_on__isnull=False),
                name="participant_left_has_date"),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}".strip()


class Module(models.Model):
    """A Baustein of the course: its aims, lecturers and half-day sessions."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="modules")
    position = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    aims = models.TextField(_("aims (Markdown)"), blank=True)
    lecturers = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("lecturers"),
                                       blank=True, related_name="taught_modules")

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        ordering = ["cohort", "position"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "position"], name="module_position"),
        ]

    def __str__(self):
        return f"{self.position}. {self.title}"


class Session(models.Model):
    """A half-day of a module: the unit of attendance."""

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    hours = models.DecimalField(_("hours counted"), max_digits=4, decimal_places=2,
                                default=Decimal("4"),
                                validators=[MinValueValidator(Decimal("0.25"))])
    place = models.CharField(_("place"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    room = models.CharField(_("room"), max_length=100, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    # Calendar: UID stays, SEQUENCE grows each time the session moves (RFC 5545).
    uid = models.UUIDField(unique=True, editable=False, default=uuid.uuid4)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    # Signs the rotating check-in codes of this session.
    checkin_secret = models.CharField(max_length=64, default=new_secret, editable=False)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")),
                                   name="session_ends_after_start"),
            models.CheckConstraint(condition=Q(hours__gt=0), name="session_hours_positive"),
        ]

    def __str__(self):
        local = timezone.localtime(self.starts_at)
        return f"{self.module.title}, {local:%d.%m.%Y %H:%M}"


class Material(models.Model):
    """A file or a link for a module, for its cohort's participants and lecturers."""

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(upload_to=private_upload_path, blank=True)
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    url = models.URLField(_("link"), blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["module", "uploaded_at", "id"]
        constraints = [
            # Exactly one of file and link.
            models.CheckConstraint(condition=(Q(file="") & ~Q(url=""))
                                   | (~Q(file="") & Q(url="")),
                                   name="material_file_or_link"),
        ]

    def __str__(self):
        return self.title
