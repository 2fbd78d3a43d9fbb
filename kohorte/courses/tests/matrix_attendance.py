"""The attendance rows of the permission matrix (merged by matrix_requests.py)."""

from django.urls import reverse

from .matrix_requests import course


def _list(c, w):
    course(w)
    return c.get(reverse("courses:session_attendance", args=[w.course_session.pk]))


def _makeup(c, w):
    course(w)
    return c.post(reverse("courses:attendance_makeup",
                          args=[w.course_session.pk, w.course_participant.pk]),
                  {"text": "Schriftliche Ausarbeitung zum Thema des Bausteins"})


REQUESTS = {
    ("attendance", "record"): _list,
    ("attendance", "makeup"): _makeup,
}
