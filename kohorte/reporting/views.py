from django.shortcuts import render

from kohorte.applications.models import Call
from kohorte.applications.selectors import application_counts
from kohorte.core.access import programmes_where, staff_required


@staff_required
def home(request):
    """The staff start page: the calls of the programmes the person has a role in."""
    programmes = programmes_where(request.user, "call", "view")
    calls = list(Call.objects.filter(programme__in=programmes).select_related("programme"))
    for call in calls:
        call.counts = application_counts(call=call)
    return render(request, "reporting/home.html", {"calls": calls})
