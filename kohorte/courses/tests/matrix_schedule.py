"""The schedule area's rows of the permission matrix (merged by matrix_requests)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from .matrix_requests import course


def _move(c, w):
    session = course(w) and w.course_session
    start = timezone.localtime(session.starts_at + timedelta(days=1))
    return c.post(reverse("courses:session_edit", args=[session.pk]), {
        "day": start.date().isoformat(), "start": "10:00", "end": "12:00", "hours": "2",
        "place": "Fulda", "address": "", "room": "", "online_url": ""})


REQUESTS = {
    ("cohort", "view"): lambda c, w: c.get(
        reverse("courses:cohort_detail", args=[course(w).pk])),
    ("cohort", "manage"): lambda c, w: c.post(
        reverse("courses:cohort_add_accepted", args=[course(w).pk])),
    ("schedule", "edit"): _move,
    ("material", "manage"): lambda c, w: course(w) and c.post(
        reverse("courses:material_add", args=[w.course_module.pk]),
        {"title": "Leitfaden", "url": "https://example.org/leitfaden"}),
}
