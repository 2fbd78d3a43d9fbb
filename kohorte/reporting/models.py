"""The proof of use (Verwendungsnachweis) of a funding period, or an interim report for
one calendar year of it.

A draft is regenerated from the live data whenever it is shown; its texts are edited.
At submission everything it shows is frozen into ``snapshot`` (canonical JSON, hashed
with SHA-256) together with the PDF and the XLSX (hashed too). A submitted proof is
never changed or deleted: ``save`` and ``delete`` refuse, so no code path can.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def proof_upload_path(instance, filename):
    # The stored name says nothing; the download name is built from the period.
    return f"reporting/proofs/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class SubmittedProofError(RuntimeError):
    """Raised when anything tries to change or delete a submitted proof of use."""


class ProofOfUse(models.Model):
    class Kind(models.TextChoices):
        INTERIM = "interim", _("Interim report for a year")
        FINAL = "final", _("Final proof of use for the period")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    period = models.ForeignKey("budget.FundingPeriod", verbose_name=_("funding period"),
                               on_delete=models.PROTECT, related_name="proofs_of_use")
    kind = models.CharField(_("kind of report"), max_length=10, choices=Kind.choices)
    # The calendar year an interim report covers; empty for the final proof.
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices,
                             default=State.DRAFT)
    # The template (data/proof-templates/<key>.json) it was created with.
    template_key = models.CharField(max_length=40)
    texts = models.JSONField(_("texts"), default=dict, blank=True)
    due_on = models.DateField(_("due on"))
    snapshot = models.JSONField(null=True, blank=True)
    snapshot_sha256 = models.CharField(max_length=64, blank=True)
    pdf = models.FileField(upload_to=proof_upload_path, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    xlsx = models.FileField(upload_to=proof_upload_path, blank=True)
    xlsx_sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("submitted by"),
                                     null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")

    class Meta:
        verbose_name = _("proof of use")
        verbose_name_plural = _("proofs of use")
        ordering = ["period", "kind", "year"]
        constraints = [
            models.UniqueConstraint(fields=["period"], condition=Q(kind="final"),
                                    name="reporting_one_final_proof_per_period"),
            models.UniqueConstraint(fields=["period", "year"], condition=Q(kind="interim"),
                                    name="reporting_one_interim_proof_per_year"),
            models.CheckConstraint(
                condition=Q(kind="final", year__isnull=True)
                | Q(kind="interim", year__isnull=False),
                name="reporting_interim_has_year"),
            models.CheckConstraint(
                condition=Q(state="draft")
                | Q(state="submitted", submitted_at__isnull=False, snapshot__isnull=False)
                & ~Q(snapshot_sha256=""),
                name="reporting_submitted_is_frozen"),
        ]

    def __str__(self):
        if self.kind == self.Kind.INTERIM:
            return f"{self.period.title}: {_('interim report')} {self.year}"
        return f"{self.period.title}: {_('proof of use')}"

    def save(self, *args, **kwargs):
        if self.pk and ProofOfUse.objects.filter(pk=self.pk, state=self.State.SUBMITTED).exists():
            raise SubmittedProofError("A submitted proof of use is never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if ProofOfUse.objects.filter(pk=self.pk, state=self.State.SUBMITTED).exists():
            raise SubmittedProofError("A submitted proof of use is never deleted.")
        return super().delete(*args, **kwargs)

    @property
    def is_submitted(self) -> bool:
        return self.state == self.State.SUBMITTED
