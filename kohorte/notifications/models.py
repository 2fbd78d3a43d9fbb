from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxMail(models.Model):
    """An e-mail written in the same transaction as the change that caused it.

    The worker delivers it with retries and backoff, so a crash loses neither the
    change nor the mail. ``subject_key`` names the object the mail is about, so that
    erasure can blank the personal parts later.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENT = "sent", _("Delivered")
        FAILED = "failed", _("Failed")

    to = models.EmailField(_("to"), max_length=254)
    subject = models.CharField(_("subject"), max_length=250)
    body = models.TextField(_("text"))
    template = models.CharField(_("template"), max_length=100)
    about_type = models.CharField(max_length=80, blank=True)
    about_id = models.CharField(max_length=64, blank=True)
    idempotency_key = models.CharField(max_length=120, null=True, blank=True, unique=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices,
                             default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("written at"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    erased = models.BooleanField(default=False)
    # For a mail whose address must not outlive its delivery (the answer to an
    # erasure request): blanked as soon as it is sent.
    erase_after_delivery = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("e-mail")
        verbose_name_plural = _("outbox")
        ordering = ["-created_at", "-id"]
        # about_id: a plain index, not db_index (on PostgreSQL that adds one for LIKE,
        # which no query asks for and every mail written must update).
        indexes = [models.Index(fields=["state", "next_attempt_at"]),
                   models.Index(fields=["about_id"], name="outboxmail_about_id_idx")]

    def __str__(self):
        return f"{self.to}: {self.subject}"
