"""The permission-matrix rows of the practice project and the completion."""

from django.urls import reverse

from .matrix_requests import course


def _submitted_plan(w):
    """The course participant's plan, submitted and waiting for feedback (made once)."""
    from ..models import PracticeProject
    from ..services.projects import project_save_draft, project_submit

    participant = course(w) and w.course_participant
    if not PracticeProject.objects.filter(participant=participant,
                                          state=PracticeProject.State.PLAN_SUBMITTED).exists():
        project_save_draft(participant=participant, stage="plan", title="Nachbarschaftscafé",
                           text="Ein Café im Quartier.", actor=participant.user)
        project_submit(participant=participant, stage="plan", actor=participant.user)
    return participant


REQUESTS = {
    ("project", "review"): lambda c, w: c.post(
        reverse("courses:project_feedback", args=[course(w).pk, _submitted_plan(w).pk]),
        {"verdict": "accepted", "text": "Ein klarer Plan."}),
    ("completion", "confirm"): lambda c, w: c.post(
        reverse("courses:completion_confirm", args=[course(w).pk, w.course_participant.pk]),
        {"override_reason": "Ersatzleistung außerhalb von Kohorte vereinbart"}),
}
