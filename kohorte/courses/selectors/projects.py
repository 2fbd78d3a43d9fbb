"""Reading practice projects: who may review them, the cohort's overview, one project,
and the due dates said in words."""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kohorte.core.access import can, matrix, roles_of

from ..models import Cohort, Participant, PracticeProject, ProjectFeedback, ProjectVersion


def cohort_for_staff(*, pk) -> Cohort | None:
    return Cohort.objects.select_related("call__programme").filter(pk=pk).first()


def may_review_projects(user, cohort) -> bool:
    """``project review``: coordinators for every cohort of their programme, lecturers
    only for the cohorts in which they teach at least one module."""
    programme = cohort.programme
    if not can(user, programme, "project", "review"):
        return False
    allowed = roles_of(user, programme) & matrix()[("project", "review")]
    if allowed - {"lecturer"}:
        return True
    return cohort.modules.filter(lecturers=user).exists()


def participant_for_self(*, user, pk) -> Participant | None:
    """The signed-in person's own place, while they take part (None otherwise: 404)."""
    if not user.is_authenticated:
        return None
    return (Participant.objects.select_related("cohort__call__programme__lead_institution")
            .filter(pk=pk, user=user, state=Participant.State.ACTIVE).first())


def participant_in_cohort(*, cohort, pk) -> Participant | None:
    return Participant.objects.select_related("cohort").filter(cohort=cohort, pk=pk).first()


def project_of(participant) -> PracticeProject:
    """The participant's project; an unsaved one in "not started" before the first draft."""
    try:
        return participant.project
    except PracticeProject.DoesNotExist:
        return PracticeProject(participant=participant)


def feedback_history(project) -> list[ProjectFeedback]:
    """The feedback, oldest first, each with the version it is about."""
    if project.pk is None:
        return []
    return list(project.feedback.select_related("author", "version").order_by("created_at", "id"))


def version_of(*, participant, pk) -> ProjectVersion | None:
    """A handed-in version of the participant's project, None if it is not theirs."""
    return ProjectVersion.objects.filter(pk=pk, project__participant=participant).first()


def due_in_words(due: date | None, *, today: date) -> str:
    """"due today", "due in 5 days", "3 days overdue" (for a part not yet handed in)."""
    if due is None:
        return ""
    days = (due - today).days
    if days == 0:
        return _("due today")
    if days > 0:
        return ngettext("due in %(count)d day", "due in %(count)d days", days) % {"count": days}
    return ngettext("%(count)d day overdue", "%(count)d days overdue", -days) % {"count": -days}


@dataclass(frozen=True)
class ProjectStatus:
    """Where a participant's project stands and what comes next."""

    project: PracticeProject
    stage: str | None  # the part due next: "plan", "report" or None when accepted
    due: date | None
    due_words: str
    overdue: bool
    waiting_for_feedback: bool

    @property
    def state(self):
        return self.project.state

    @property
    def state_display(self):
        return self.project.get_state_display()


def _stage(project) -> str | None:
    if project.state == PracticeProject.State.ACCEPTED:
        return None
    if project.state in (PracticeProject.State.NOT_STARTED, PracticeProject.State.PLAN_SUBMITTED,
                         PracticeProject.State.PLAN_REVISION):
        return "plan"
    return "report"


def project_status(project, cohort, *, today: date) -> ProjectStatus:
    stage = _stage(project)
    due = getattr(cohort, f"project_{stage}_due") if stage else None
    # Overdue only while it is the participant's turn; a part waiting for feedback is not.
    their_turn = project.editable_stage is not None
    overdue = bool(due and their_turn and today > due)
    return ProjectStatus(project=project, stage=stage, due=due,
                         due_words=due_in_words(due, today=today) if their_turn else "",
                         overdue=overdue, waiting_for_feedback=project.awaiting_feedback is not None)


def project_overview(*, cohort, now=None) -> list[tuple[Participant, ProjectStatus]]:
    """Every participant of the cohort (those who left last) with their project's status."""
    today = timezone.localdate(now or timezone.now())
    participants = (cohort.participants.select_related("project")
                    .order_by("state", "last_name", "first_name", "pk"))
    return [(participant, project_status(project_of(participant), cohort, today=today))
            for participant in participants]


def waiting_for_feedback_count(*, cohort) -> int:
    return PracticeProject.objects.filter(
        participant__cohort=cohort, participant__state=Participant.State.ACTIVE,
        state__in=list(PracticeProject.AWAITING_FEEDBACK)).count()
