"""The evaluation rows of the permission matrix, each mapped to one request.

``kohorte/core/tests/test_permission_matrix.py`` merges ``REQUESTS`` into its own; each
area keeps its rows in ``matrix_<area>.py``. ``evaluation_world(w)`` gives a cohort in the
personas' programme (``w.eval_cohort``; the personas' lecturer teaches module 1).
"""

from kohorte.core.tests import factories as f
from kohorte.courses.tests.world import make_cohort


def evaluation_world(w):
    if not hasattr(w, "eval_cohort"):
        w.eval_cohort = make_cohort(f.make_call(w.programme), others=5, lecturer=w.lecturer)
        w.eval_module = w.eval_cohort.modules.get(position=1)
    return w.eval_cohort


def _area_requests():
    requests = {}
    for area in ("surveys", "report"):
        try:
            module = __import__(f"kohorte.evaluation.tests.matrix_{area}", fromlist=["REQUESTS"])
        except ModuleNotFoundError as missing:
            if missing.name != f"kohorte.evaluation.tests.matrix_{area}":
                raise
            continue
        requests.update(module.REQUESTS)
    return requests


REQUESTS = _area_requests()
