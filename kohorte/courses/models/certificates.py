import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .common import private_upload_path

# 20 characters of an alphabet without look-alikes (0/O, 1/I/L): ~100 bits.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 20


def new_certificate_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class CertificateSignatory(models.Model):
    """A person who signs the cohort's certificates for a partner institution."""

    cohort = models.ForeignKey("courses.Cohort", on_delete=models.CASCADE,
                               related_name="signatories")
    institution = models.ForeignKey("programmes.Institution", on_delete=models.PROTECT,
                                    related_name="+")
    name = models.CharField(_("name"), max_length=150)
    function = models.CharField(_("function"), max_length=150, blank=True)
    signature = models.FileField(_("signature (image)"), upload_to=private_upload_path,
                                 blank=True)
    position = models.PositiveSmallIntegerField(default=1)

    class Meta:
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")
        ordering = ["cohort", "position", "id"]

    def __str__(self):
        return f"{self.name} ({self.institution})"


class Certificate(models.Model):
    """An issued certificate. What it says is frozen at issue; a revoked one stays."""

    participant = models.ForeignKey("courses.Participant", on_delete=models.PROTECT,
                                    related_name="certificates")
    code = models.CharField(_("verification code"), max_length=32, unique=True,
                            default=new_certificate_code, editable=False)
    # Frozen content (what the verification page and the PDF show).
    holder_name = models.CharField(_("name"), max_length=210)
    programme_title = models.CharField(_("programme"), max_length=300)
    total_hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=2)
    content = models.JSONField(default=dict)
    pdf = models.FileField(upload_to=private_upload_path, blank=True)
    issued_on = models.DateField(_("issued on"), default=timezone.localdate)
    issued_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    revoked_reason = models.TextField(_("why it was revoked"), blank=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at", "-id"]
        constraints = [
            # At most one valid certificate per participant; revoked ones stay beside it.
            models.UniqueConstraint(fields=["participant"], condition=Q(revoked_at__isnull=True),
                                    name="one_valid_certificate_per_participant"),
        ]

    def __str__(self):
        return f"{self.holder_name} ({self.code})"

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None


class CertificateBatch(models.Model):
    """Bulk issue for a cohort, done by the worker; the browser polls its progress."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    cohort = models.ForeignKey("courses.Cohort", on_delete=models.CASCADE,
                               related_name="certificate_batches")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    zip_file = models.FileField(upload_to=private_upload_path, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("certificate batch")
        verbose_name_plural = _("certificate batches")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.cohort}: {self.done}/{self.total}"
