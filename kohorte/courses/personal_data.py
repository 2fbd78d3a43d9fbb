"""What the course holds about a person (Art. 15 GDPR): a part of "Your data".

Registered in ``settings.KOHORTE_PERSONAL_DATA_HOOKS``; applications' export adds it
under the key ``courses`` and its page renders it with ``TEMPLATE``.
"""

from django.db.models import Prefetch

from .models import (
    Attendance,
    Certificate,
    Participant,
    PracticeProject,
    ProjectFeedback,
    ProjectVersion,
)

TEMPLATE = "courses/participant/_my_data.html"


def _attendance(participant) -> list[dict]:
    return [{
        "session_starts_at": a.session.starts_at,
        "session_ends_at": a.session.ends_at,
        "module": str(a.session.module),
        "status": a.get_status_display(),
        "excuse_reason": a.excuse_reason,
        "self_check_in": a.source == Attendance.Source.QR,
        "checked_in_at": a.checked_in_at,
        "makeup": a.makeup,
        "recorded_at": a.recorded_at,
    } for a in participant.attendances.all()]


def _project(participant) -> dict | None:
    try:
        project = participant.project
    except PracticeProject.DoesNotExist:
        return None
    return {
        "title": project.title,
        "state": project.get_state_display(),
        "plan": project.plan,
        "plan_file": project.plan_file_name,
        "plan_submitted_at": project.plan_submitted_at,
        "report": project.report,
        "report_file": project.report_file_name,
        "report_submitted_at": project.report_submitted_at,
        "accepted_at": project.accepted_at,
        "versions": [{
            "stage": version.get_stage_display(),
            "number": version.number,
            "title": version.title,
            "text": version.text,
            "file": version.file_name,
            "handed_in_at": version.submitted_at,
        } for version in project.versions.all()],
        "feedback": [{
            "stage": item.get_stage_display(),
            "verdict": item.get_verdict_display(),
            "text": item.text,
            "given_at": item.created_at,
            "by": str(item.author) if item.author else "",
        } for item in project.feedback.all()],
    }


def _certificates(participant) -> list[dict]:
    return [{
        "code": c.code,
        "name": c.holder_name,
        "programme": c.programme_title,
        "hours": str(c.total_hours),
        "issued_on": c.issued_on,
        "revoked_at": c.revoked_at,
        "revoked_reason": c.revoked_reason,
    } for c in participant.certificates.all()]


def participation_data(*, user) -> dict | None:
    """The person's places in courses: the details as corrected there, attendance,
    practice project with its feedback, certificates; None if they have none."""
    participants = (
        Participant.objects.filter(user=user).select_related("cohort", "project")
        .prefetch_related(
            Prefetch("attendances", Attendance.objects.select_related("session__module")
                     .order_by("session__starts_at", "id")),
            Prefetch("project__feedback", ProjectFeedback.objects.select_related("author")
                     .order_by("created_at", "id")),
            Prefetch("project__versions", ProjectVersion.objects.order_by("submitted_at", "id")),
            Prefetch("certificates", Certificate.objects.order_by("issued_at", "id")))
        .order_by("joined_on", "id"))
    places = [{
        "course": p.cohort.title,
        "state": p.get_state_display(),
        "first_name": p.first_name,
        "last_name": p.last_name,
        "email": p.email,
        "joined_on": p.joined_on,
        "left_on": p.left_on,
        "left_reason": p.left_reason,
        "completion_confirmed_at": p.completion_confirmed_at,
        "attendance": _attendance(p),
        "practice_project": _project(p),
        "certificates": _certificates(p),
    } for p in participants]
    if not places:
        return None
    return {"key": "courses", "template": TEMPLATE, "data": places}
