"""Scheduled jobs of the course (named in settings.KOHORTE_SCHEDULED_JOBS).

Each takes ``now=`` and handles every due row in its own transaction, so one failure
leaves the others done; running a job twice does nothing the second time.
"""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from .models import Cohort, Participant
from .services.projects import REMIND_DAYS_BEFORE, REMIND_STATES, STAGES, project_remind


def projects_remind_due(*, now=None) -> dict:
    """E-mail the participants whose project plan or report is due within a week and
    who have not handed it in yet: once per stage and due date."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    reminded = {}
    for stage in STAGES:
        # Due today or within the reminder's week.
        cohorts = Cohort.objects.filter(**{
            f"project_{stage}_due__gte": today,
            f"project_{stage}_due__lte": today + timedelta(days=REMIND_DAYS_BEFORE)})
        waiting = (Participant.objects.filter(cohort__in=cohorts, state=Participant.State.ACTIVE)
                   .filter(Q(project__isnull=True)
                           | Q(**{f"project__reminded_{stage}_at__isnull": True,
                                  "project__state__in": REMIND_STATES[stage]}))
                   .order_by("cohort_id", "pk"))
        reminded[stage] = sum(project_remind(participant=participant, stage=stage, now=now)
                              for participant in waiting)
    return {"reminded_plan": reminded["plan"], "reminded_report": reminded["report"]}
