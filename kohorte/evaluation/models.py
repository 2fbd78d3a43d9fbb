"""Surveys of the evaluation, stored for pseudonymous pre/post linking.

Answers belong to a ``Pseudonym`` (a system-issued token per cohort), never to a person.
Who is behind a token is in ``PseudonymKey``, a table of its own that only the
evaluation role reads; deleting a cohort's keys leaves the answers pseudonymised for
good (docs/evaluation.md says why not "anonymous").

A response is one row per person, survey and measurement: the numeric answers (Likert
and number items) as one list in the order of the instrument's items, the rest (choices,
free text) as a mapping. The report reads a cohort's ~60 rows, or 30,000 when 10,000
people are pooled, in one query and turns them into respondents × items arrays.
"""

import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def new_token() -> str:
    return secrets.token_urlsafe(18)



def in_page_language(de: str, en: str) -> str:
    """The English text on English pages when there is one, else the German."""
    return en if en and (get_language() or "de").startswith("en") else de

class Instrument(models.Model):
    """A questionnaire: item groups (dimensions) with items, in German and English.

    Once a survey that uses it has opened, it is frozen: the order of its items is the
    order of every stored answer list. Changes make a copy (a new version).
    """

    class Purpose(models.TextChoices):
        COMPETENCE = "competence", _("Competence self-assessment")
        FEEDBACK = "feedback", _("Module feedback")
        OTHER = "other", _("Other")

    programme = models.ForeignKey("programmes.Programme", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="instruments",
                                  help_text=_("Empty for a template every programme may copy."))
    key = models.SlugField(_("key"), max_length=60)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    purpose = models.CharField(_("purpose"), max_length=12, choices=Purpose.choices)
    title_de = models.CharField(_("title (German)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    intro_de = models.TextField(_("introduction (German)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    is_draft = models.BooleanField(
        _("draft, to be validated"), default=True,
        help_text=_("Shown in reports: the items have not yet been validated."))
    frozen_at = models.DateTimeField(_("frozen at"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")
        constraints = [
            models.UniqueConstraint(fields=["programme", "key", "version"],
                                    name="instrument_key_version"),
            models.UniqueConstraint(fields=["key", "version"],
                                    condition=Q(programme__isnull=True),
                                    name="template_key_version"),
        ]

    def __str__(self):
        return f"{self.title_de} (v{self.version})"

    @property
    def title(self) -> str:
        """The title in the page's language (English only where there is one)."""
        return in_page_language(self.title_de, self.title_en)


class ItemGroup(models.Model):
    """A dimension of an instrument; its scale mean is reported."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="groups")
    position = models.PositiveSmallIntegerField(_("number"))
    key = models.SlugField(_("key"), max_length=60)
    title_de = models.CharField(_("title (German)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("dimension")
        verbose_name_plural = _("dimensions")
        ordering = ["instrument", "position"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "position"], name="group_position"),
            models.UniqueConstraint(fields=["instrument", "key"], name="group_key"),
        ]

    def __str__(self):
        return self.title_de


class Item(models.Model):
    """A question. ``position`` orders all items of the instrument; numeric items
    (Likert, number) are stored by their ``column`` in the answer list."""

    class Kind(models.TextChoices):
        LIKERT = "likert", _("Five-point scale")
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        NUMBER = "number", _("Number")
        TEXT = "text", _("Free text")

    NUMERIC = (Kind.LIKERT, Kind.NUMBER)

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="items")
    group = models.ForeignKey(ItemGroup, null=True, blank=True, on_delete=models.CASCADE,
                              related_name="items")
    position = models.PositiveSmallIntegerField(_("number"))
    column = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    key = models.SlugField(_("key"), max_length=60)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    text_de = models.TextField(_("wording (German)"))
    text_en = models.TextField(_("wording (English)"), blank=True)
    required = models.BooleanField(_("required"), default=False)
    # Likert: five labels [{"de": …, "en": …}] from 1 to 5; choices: [{"value", "de", "en"}].
    options = models.JSONField(_("answer options"), default=list, blank=True)
    min_value = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    max_value = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["instrument", "position"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "position"], name="item_position"),
            models.UniqueConstraint(fields=["instrument", "key"], name="item_key"),
            models.UniqueConstraint(fields=["instrument", "column"], name="item_column"),
        ]

    def __str__(self):
        return self.key

    @property
    def wording(self) -> str:
        """The wording in the page's language (English only where there is one)."""
        return in_page_language(self.text_de, self.text_en)


class Survey(models.Model):
    """An instrument given to a cohort at one point of the course."""

    class Kind(models.TextChoices):
        PRE = "pre", _("Before the course (module 1)")
        POST = "post", _("After the course, with the look back (last module)")
        FEEDBACK = "feedback", _("Module feedback")
        FOLLOW_UP = "follow_up", _("Follow-up (3–6 months after the end)")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    cohort = models.ForeignKey("courses.Cohort", on_delete=models.PROTECT, related_name="surveys")
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="surveys")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    module = models.ForeignKey("courses.Module", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="surveys")
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    state = models.CharField(_("state"), max_length=8, choices=State.choices,
                             default=State.DRAFT)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["cohort", "opens_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")),
                                   name="survey_closes_after_opening"),
            models.CheckConstraint(condition=Q(kind="feedback") | Q(module__isnull=True),
                                   name="survey_module_only_for_feedback"),
        ]

    def __str__(self):
        return f"{self.cohort}: {self.get_kind_display()}"


class Pseudonym(models.Model):
    """The system-issued token under which a person's answers in a cohort are stored."""

    cohort = models.ForeignKey("courses.Cohort", on_delete=models.PROTECT,
                               related_name="pseudonyms")
    token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    follow_up_consent = models.BooleanField(_("agreed to the follow-up survey"), default=False)

    class Meta:
        verbose_name = _("pseudonym")
        verbose_name_plural = _("pseudonyms")

    def __str__(self):
        return self.token


class PseudonymKey(models.Model):
    """Who is behind a pseudonym. Readable by the evaluation role only; deleting the rows
    of a cohort cuts the link for good."""

    pseudonym = models.OneToOneField(Pseudonym, on_delete=models.CASCADE, related_name="key")
    participant = models.OneToOneField("courses.Participant", on_delete=models.CASCADE,
                                       related_name="pseudonym_key")

    class Meta:
        verbose_name = _("pseudonym key")
        verbose_name_plural = _("pseudonym keys")

    def __str__(self):
        return f"{self.pseudonym_id} ↔ {self.participant_id}"


class Invitation(models.Model):
    """A person's invitation to a survey, with its personal link (only the hash is kept).

    Coordinators see whether someone has answered, never what: the answer is stored
    under the pseudonym, which this row does not name.
    """

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    participant = models.ForeignKey("courses.Participant", on_delete=models.CASCADE,
                                    related_name="survey_invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    answered = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(fields=["survey", "participant"],
                                    name="one_invitation_per_person"),
        ]

    def __str__(self):
        return f"{self.survey}: {self.participant_id}"


class Response(models.Model):
    """One person's answers to one survey at one measurement (``then`` is the look back
    answered together with ``post``)."""

    class Measurement(models.TextChoices):
        PRE = "pre", _("before")
        POST = "post", _("after")
        THEN = "then", _("looking back")
        FEEDBACK = "feedback", _("feedback")
        FOLLOW_UP = "follow_up", _("follow-up")

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    pseudonym = models.ForeignKey(Pseudonym, on_delete=models.PROTECT, related_name="responses")
    measurement = models.CharField(max_length=10, choices=Measurement.choices)
    # The day only: exact times would help to re-identify people.
    submitted_on = models.DateField(default=timezone.localdate)
    numbers = models.JSONField(default=list)
    other = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.UniqueConstraint(fields=["survey", "pseudonym", "measurement"],
                                    name="one_response_per_measurement"),
        ]

    def __str__(self):
        return f"{self.survey_id}/{self.pseudonym_id}/{self.measurement}"


__all__ = ["Instrument", "Invitation", "Item", "ItemGroup", "Pseudonym", "PseudonymKey",
           "Response", "Survey"]
