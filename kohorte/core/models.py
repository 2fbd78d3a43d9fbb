from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """One meaningful state change: who did what to which object, when and why.

    Entries are written by services in the same transaction as the change. The
    retention job may blank the personal parts (``object_repr``, ``data``, ``reason``)
    of entries about erased applications; the fact of the change stays.
    """

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    actor_label = models.CharField(_("actor"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=80)
    object_type = models.CharField(_("object type"), max_length=80)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    erased = models.BooleanField(_("personal data erased"), default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        # Plain indexes, not db_index: on PostgreSQL that adds one for LIKE on each
        # text column, which no query asks for and every entry written must update.
        indexes = [models.Index(fields=["object_type", "object_id"]),
                   models.Index(fields=["action"], name="auditentry_action_idx"),
                   models.Index(fields=["object_id"], name="auditentry_object_id_idx")]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"


class SiteText(models.Model):
    """Texts that belong to the installation, not the code: imprint, privacy, etc."""

    class Key(models.TextChoices):
        IMPRINT = "imprint", _("Imprint")
        PRIVACY = "privacy", _("Privacy")
        ACCESSIBILITY = "accessibility", _("Accessibility statement")
        EASY_LANGUAGE = "easy_language", _("Easy language")

    key = models.CharField(_("text"), max_length=20, choices=Key.choices, unique=True)
    body_de = models.TextField(_("text in German (Markdown)"))
    body_en = models.TextField(_("text in English (Markdown)"), blank=True)
    sign_language_video = models.URLField(
        _("sign-language video (address on this site)"), blank=True,
        help_text=_("A DGS video served from this site, e.g. /static/video/dgs.mp4."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("site text")
        verbose_name_plural = _("site texts")

    def __str__(self):
        return self.get_key_display()

    def body_for(self, language):
        return self.body_en if language == "en" and self.body_en else self.body_de


class AccessibilityFeedback(models.Model):
    """A barrier reported through the feedback form of the accessibility statement.

    The statement promises an answer within six weeks; ``answer_due`` makes that visible.
    """

    created_at = models.DateTimeField(_("received"), auto_now_add=True)
    page = models.CharField(_("page"), max_length=300, blank=True)
    message = models.TextField(_("message"), max_length=5000)
    email = models.EmailField(_("e-mail address for the answer"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("accessibility feedback")
        verbose_name_plural = _("accessibility feedback")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d} {self.page}"


class RateCount(models.Model):
    """Requests counted per key and time window (``core.ratelimit``): in the database,
    so that every worker process counts together and a restart forgets nothing. The
    key holds no address in clear (the callers hash it); a row is deleted once its
    window has ended (``core.jobs.rate_counts_expire``)."""

    key = models.CharField(max_length=200, unique=True)
    window_ends = models.DateTimeField(db_index=True)
    count = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.key}: {self.count}"


class Session(AbstractBaseSession):
    """A session (``core.sessions``), with the signed-in person's key as a column of its
    own: every page of a signed-in person reads the session and the person together in
    one query, and a person's sessions can be found (and ended) without decoding any.

    No foreign key constraint: a session may outlive its person by moments (erasure ends
    them, the hourly job deletes expired ones), and a missing person reads as signed out.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.DO_NOTHING, db_constraint=False,
                             related_name="+")

    class Meta(AbstractBaseSession.Meta):
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    @classmethod
    def get_session_store_class(cls):
        from .sessions import SessionStore

        return SessionStore
