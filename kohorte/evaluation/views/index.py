"""The evaluation's start page for staff: the cohorts of every programme in which the
person may run surveys, read the report or hold the key, with what they may open."""

from django.shortcuts import render

from kohorte.core.access import programmes_where, staff_required
from kohorte.courses.models import Cohort

from ..links import cohort_links

ABILITIES = [("survey", "responses"), ("survey", "manage"), ("pseudonym_key", "manage"),
             ("evaluation_report", "view")]


@staff_required
def evaluation_index(request):
    programmes = set()
    for obj, action in ABILITIES:
        programmes |= set(programmes_where(request.user, obj, action).values_list("pk", flat=True))
    cohorts = (Cohort.objects.filter(call__programme__in=programmes)
               .select_related("call__programme").order_by("-call__closes_at", "-pk"))
    rows = [(cohort, cohort_links(user=request.user, cohort=cohort)) for cohort in cohorts]
    return render(request, "evaluation/index.html", {"rows": rows})
