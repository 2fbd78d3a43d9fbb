from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Attendance(models.Model):
    """Whether a participant attended a session.

    The lecturer's list is authoritative; a self check-in by the rotating QR code records
    ``present`` with source ``qr`` and may be corrected. An excused absence counts as
    absent for completion unless a make-up (Ersatzleistung) is recorded.
    """

    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        EXCUSED = "excused", _("Excused")
        ABSENT = "absent", _("Absent")

    class Source(models.TextChoices):
        LIST = "list", _("Lecturer's list")
        QR = "qr", _("Self check-in")

    session = models.ForeignKey("courses.Session", on_delete=models.CASCADE,
                                related_name="attendances")
    participant = models.ForeignKey("courses.Participant", on_delete=models.CASCADE,
                                    related_name="attendances")
    status = models.CharField(_("attendance"), max_length=10, choices=Status.choices)
    excuse_reason = models.CharField(_("reason for the absence"), max_length=300, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.LIST)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    makeup = models.TextField(_("make-up (Ersatzleistung)"), blank=True)
    makeup_recorded_at = models.DateTimeField(null=True, blank=True)
    makeup_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                           on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["session", "participant"],
                                    name="attendance_once_per_session"),
            models.CheckConstraint(condition=Q(status="excused") | Q(excuse_reason=""),
                                   name="attendance_reason_only_when_excused"),
        ]

    def __str__(self):
        return f"{self.participant} – {self.session}: {self.get_status_display()}"

    @property
    def counts(self) -> bool:
        """Whether the session's hours count towards completion."""
        return self.status == self.Status.PRESENT or bool(self.makeup)
