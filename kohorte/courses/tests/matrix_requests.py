"""The course rows of the permission matrix, each mapped to one request.

``kohorte/core/tests/test_permission_matrix.py`` merges ``REQUESTS`` into its own. Each
area keeps its rows in its own module (``matrix_<area>.py``); a request makes what it
needs through ``course(w)``, a cohort in the personas' programme whose module 1 the
personas' lecturer teaches.
"""

from kohorte.core.tests import factories as f

from .world import make_cohort


def course(w):
    """The world's cohort, made on first use (its own call: the personas' applicant
    already applied to the personas' call)."""
    if not hasattr(w, "course_cohort"):
        call = f.make_call(w.programme)
        w.course_cohort = make_cohort(call, others=3, lecturer=w.lecturer)
        w.course_module = w.course_cohort.modules.get(position=1)
        w.course_session = w.course_module.sessions.order_by("starts_at").first()
        w.course_participant = w.course_cohort.participants.order_by("pk").first()
    return w.course_cohort


def _area_requests():
    requests = {}
    for area in ("schedule", "attendance", "projects", "certificates"):
        try:
            module = __import__(f"kohorte.courses.tests.matrix_{area}", fromlist=["REQUESTS"])
        except ModuleNotFoundError as missing:
            if missing.name != f"kohorte.courses.tests.matrix_{area}":
                raise
            continue
        requests.update(module.REQUESTS)
    return requests


REQUESTS = _area_requests()
