"""The budget: funding periods, versioned financing plans, bookings and funder consents.

A plan version is never changed (a change is a new version with a reason); an approved
booking is never changed or deleted (a correction is a reversal booking). Bookings and
consents refer to plan lines by their key, which stays the same across versions.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

LINE_KEY_VALIDATOR = RegexValidator(
    r"^[a-z][a-z0-9_]{0,39}$",
    _("Use lower-case letters, digits and underscores, starting with a letter."),
)


def receipt_upload_path(instance, filename):
    # The stored name says nothing about payee or content; the original name is a field.
    return f"budget/receipts/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


def import_upload_path(instance, filename):
    return f"budget/imports/{uuid.uuid4().hex}"


class FundingPeriod(models.Model):
    """A programme's funding period (usually a year) with its kind and overrun rule."""

    class Kind(models.TextChoices):
        GRANT = "grant", _("Grant (Zuwendung)")
        COMMISSION = "commission", _("Commission (Auftrag)")

    programme = models.ForeignKey("programmes.Programme", verbose_name=_("programme"),
                                  on_delete=models.PROTECT, related_name="funding_periods")
    title = models.CharField(_("title"), max_length=100)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    kind = models.CharField(_("kind of funding"), max_length=20, choices=Kind.choices,
                            default=Kind.GRANT)
    overrun_percent = models.DecimalField(
        _("allowed overrun of a line (%)"), max_digits=5, decimal_places=2,
        default=Decimal("20"), validators=[MinValueValidator(Decimal("0"))])
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("funding period")
        verbose_name_plural = _("funding periods")
        ordering = ["programme", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(start__lte=F("end")),
                                   name="budget_period_start_before_end"),
            models.CheckConstraint(condition=Q(overrun_percent__gte=0),
                                   name="budget_period_overrun_nonnegative"),
        ]

    def __str__(self):
        return f"{self.programme}: {self.title}"

    def contains(self, day) -> bool:
        return self.start <= day <= self.end


class PlanVersion(models.Model):
    """One version of a period's financing plan; never changed once saved."""

    period = models.ForeignKey(FundingPeriod, verbose_name=_("funding period"),
                               on_delete=models.PROTECT, related_name="plan_versions")
    number = models.PositiveIntegerField(_("version"))
    reason = models.TextField(_("reason for the change"))
    created_at = models.DateTimeField(_("saved at"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("financing plan version")
        verbose_name_plural = _("financing plan versions")
        ordering = ["period", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["period", "number"], name="budget_plan_version_unique"),
        ]

    def __str__(self):
        return f"{self.period.title}, {_('version')} {self.number}"


class PlanLine(models.Model):
    """A line of a plan version: income or expense, with its planned amount."""

    class Kind(models.TextChoices):
        INCOME = "income", _("Income")
        EXPENSE = "expense", _("Expenditure")

    version = models.ForeignKey(PlanVersion, verbose_name=_("plan version"),
                                on_delete=models.CASCADE, related_name="lines")
    key = models.CharField(_("key"), max_length=40, validators=[LINE_KEY_VALIDATOR])
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    amount = models.DecimalField(_("amount (EUR)"), max_digits=12, decimal_places=2)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("plan line")
        verbose_name_plural = _("plan lines")
        ordering = ["version", "kind", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="budget_plan_line_key_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_plan_line_nonnegative"),
        ]

    def __str__(self):
        return self.title


class Booking(models.Model):
    """A payment (or income) booked against a plan line, approved by a second person.

    A reversal is a booking that references the original and carries its negated
    amount; it needs approval like any other.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        DISCARDED = "discarded", _("Discarded")

    period = models.ForeignKey(FundingPeriod, verbose_name=_("funding period"),
                               on_delete=models.PROTECT, related_name="bookings")
    line_key = models.CharField(_("budget line"), max_length=40)
    booking_date = models.DateField(_("date"))
    payee = models.CharField(_("payee"), max_length=200)
    purpose = models.CharField(_("purpose"), max_length=500)
    amount = models.DecimalField(_("amount (EUR)"), max_digits=12, decimal_places=2)
    state = models.CharField(_("state"), max_length=10, choices=State.choices,
                             default=State.PENDING)
    reverses = models.ForeignKey("self", verbose_name=_("reverses"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="reversals")
    reason = models.TextField(_("reason"), blank=True)
    external_reference = models.CharField(_("reference in the finance system"), max_length=100,
                                          blank=True)
    receipt = models.FileField(_("receipt"), upload_to=receipt_upload_path, blank=True)
    receipt_name = models.CharField(max_length=200, blank=True)
    receipt_type = models.CharField(max_length=50, blank=True)
    receipt_size = models.PositiveIntegerField(default=0)
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("entered by"),
                                   on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"),
                                    null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["period", "booking_date", "pk"]
        constraints = [
            # No negative amounts except reversals, which are never positive.
            models.CheckConstraint(
                condition=(Q(reverses__isnull=True, amount__gt=0)
                           | Q(reverses__isnull=False, amount__lt=0)),
                name="budget_booking_amount_sign"),
            # Four eyes: whoever entered a booking never approves it.
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("entered_by")),
                name="budget_booking_four_eyes"),
            models.CheckConstraint(
                condition=~Q(state="approved") | Q(approved_by__isnull=False,
                                                   approved_at__isnull=False),
                name="budget_booking_approved_has_approver"),
            # A booking is reversed at most once (discarded attempts do not count).
            models.UniqueConstraint(fields=["reverses"], condition=~Q(state="discarded"),
                                    name="budget_booking_reversed_once"),
        ]
        indexes = [models.Index(fields=["period", "state", "line_key"])]

    def __str__(self):
        return f"{self.booking_date:%d.%m.%Y} {self.payee}: {self.amount}"

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None


class FunderConsent(models.Model):
    """The funder's consent to exceed a line by more than the allowed overrun."""

    period = models.ForeignKey(FundingPeriod, verbose_name=_("funding period"),
                               on_delete=models.PROTECT, related_name="consents")
    line_key = models.CharField(_("budget line"), max_length=40)
    consent_date = models.DateField(_("date of the consent"))
    reference = models.CharField(_("reference"), max_length=200)
    up_to_amount = models.DecimalField(
        _("line may reach (EUR)"), max_digits=12, decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))])
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("funder's consent")
        verbose_name_plural = _("funder's consents")
        ordering = ["period", "line_key", "-consent_date", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(up_to_amount__gte=0),
                                   name="budget_consent_nonnegative"),
        ]

    def __str__(self):
        return f"{self.line_key}: {self.reference}"


class BookingImport(models.Model):
    """An uploaded finance-system export, kept only until it is imported or a day old."""

    period = models.ForeignKey(FundingPeriod, verbose_name=_("funding period"),
                               on_delete=models.CASCADE, related_name="imports")
    file = models.FileField(upload_to=import_upload_path)
    original_name = models.CharField(max_length=200)
    file_format = models.CharField(max_length=10)  # "csv" or "xlsx"
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                    related_name="+")

    class Meta:
        verbose_name = _("booking import")
        verbose_name_plural = _("booking imports")

    def __str__(self):
        return self.original_name
