from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .common import private_upload_path


class PracticeProject(models.Model):
    """A participant's practice project in their own Quartier: a plan, later a report."""

    class State(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        PLAN_SUBMITTED = "plan_submitted", _("Plan submitted")
        PLAN_REVISION = "plan_revision", _("Plan needs revision")
        PLAN_ACCEPTED = "plan_accepted", _("Plan accepted")
        REPORT_SUBMITTED = "report_submitted", _("Report submitted")
        REPORT_REVISION = "report_revision", _("Report needs revision")
        ACCEPTED = "accepted", _("Accepted")

    # The plan first, then the report; each is either accepted or sent back for
    # revision and submitted again (docs/course.md, "Practice project and completion").
    TRANSITIONS = {
        State.NOT_STARTED: {State.PLAN_SUBMITTED},
        State.PLAN_SUBMITTED: {State.PLAN_REVISION, State.PLAN_ACCEPTED},
        State.PLAN_REVISION: {State.PLAN_SUBMITTED},
        State.PLAN_ACCEPTED: {State.REPORT_SUBMITTED},
        State.REPORT_SUBMITTED: {State.REPORT_REVISION, State.ACCEPTED},
        State.REPORT_REVISION: {State.REPORT_SUBMITTED},
        State.ACCEPTED: set(),
    }
    # Which part the participant may write in a state, and which part awaits feedback.
    EDITABLE = {
        State.NOT_STARTED: "plan",
        State.PLAN_REVISION: "plan",
        State.PLAN_ACCEPTED: "report",
        State.REPORT_REVISION: "report",
    }
    AWAITING_FEEDBACK = {
        State.PLAN_SUBMITTED: "plan",
        State.REPORT_SUBMITTED: "report",
    }

    participant = models.OneToOneField("courses.Participant", on_delete=models.CASCADE,
                                       related_name="project")
    title = models.CharField(_("title"), max_length=200, blank=True)
    plan = models.TextField(_("plan"), max_length=10000, blank=True)
    plan_file = models.FileField(upload_to=private_upload_path, blank=True)
    plan_file_name = models.CharField(max_length=200, blank=True)
    plan_submitted_at = models.DateTimeField(null=True, blank=True)
    report = models.TextField(_("report"), max_length=20000, blank=True)
    report_file = models.FileField(upload_to=private_upload_path, blank=True)
    report_file_name = models.CharField(max_length=200, blank=True)
    report_submitted_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices,
                             default=State.NOT_STARTED)
    accepted_at = models.DateTimeField(null=True, blank=True)
    reminded_plan_at = models.DateTimeField(null=True, blank=True)
    reminded_report_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("practice project")
        verbose_name_plural = _("practice projects")

    def __str__(self):
        return self.title or str(self.participant)

    def can_move_to(self, state) -> bool:
        return state in self.TRANSITIONS[self.State(self.state)]

    @property
    def editable_stage(self) -> str | None:
        """"plan" or "report" while the participant may write that part, else None."""
        return self.EDITABLE.get(self.state)

    @property
    def awaiting_feedback(self) -> str | None:
        """"plan" or "report" while a submitted part waits for a lecturer's verdict."""
        return self.AWAITING_FEEDBACK.get(self.state)


class ProjectVersion(models.Model):
    """A plan or report as it was handed in. A revision is written on the project's
    draft and handed in as the next version: what the lecturer gave feedback on stays as
    it was, and so does its file (the draft's file is deleted when replaced only if no
    version holds it)."""

    class Stage(models.TextChoices):
        PLAN = "plan", _("Plan")
        REPORT = "report", _("Report")

    project = models.ForeignKey(PracticeProject, on_delete=models.CASCADE,
                                related_name="versions")
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices)
    number = models.PositiveSmallIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    text = models.TextField(_("text"), max_length=20000, blank=True)
    file = models.FileField(upload_to=private_upload_path, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"))

    class Meta:
        verbose_name = _("submitted version")
        verbose_name_plural = _("submitted versions")
        ordering = ["submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "stage", "number"],
                                    name="project_version_number"),
        ]

    def __str__(self):
        return f"{self.project}: {self.get_stage_display()} {self.number}"


class ProjectFeedback(models.Model):
    """A lecturer's written feedback on a plan or report, with the verdict. Never edited."""

    Stage = ProjectVersion.Stage

    class Verdict(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        REVISION = "revision", _("Needs revision")

    project = models.ForeignKey(PracticeProject, on_delete=models.CASCADE,
                                related_name="feedback")
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices)
    verdict = models.CharField(_("verdict"), max_length=10, choices=Verdict.choices)
    text = models.TextField(_("feedback"), max_length=10000)
    # The version it is about (empty only for feedback from before the versions).
    version = models.ForeignKey(ProjectVersion, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="feedback")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                               related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.project}: {self.get_verdict_display()}"
