"""The participant's pages, and the private calendar feeds.

Participants sign in with the same one-time link as applicants. A person may take part
in several cohorts over the years: ``/kurs/`` lists their places, ``/kurs/<pk>/`` is
one place's page (404 for anyone else's).

The feeds are reached without signing in (calendar apps cannot sign in), by an
unguessable address that its owner can renew. A participant's feed is empty from the
day they left the course on: calendar apps then remove the events, which they would not
do on an error.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ..calendar import calendar_feed
from ..selectors import schedule as selectors
from ..services import schedule as services
from .schedule import feed_url


def _own(request, pk):
    participant = selectors.participation_for_user(user=request.user, pk=pk)
    if participant is None:
        raise Http404
    return participant


@login_required(login_url="accounts:login")
@require_GET
def participation_list(request):
    return render(request, "courses/participant/list.html",
                  {"participations": selectors.participations_of(user=request.user)})


@login_required(login_url="accounts:login")
@require_GET
def participation_detail(request, pk):
    participant = _own(request, pk)
    cohort = participant.cohort
    now = timezone.now()
    materials = selectors.materials_visible_to(participant)
    return render(request, "courses/participant/page.html", {
        "participant": participant, "cohort": cohort, "call": cohort.call,
        "next_session": selectors.next_session_of(participant, now=now),
        "modules": selectors.schedule(cohort=cohort),
        "show_materials": materials,
        "feed": feed_url(request, "participant_feed", participant.feed_token),
        "now": now,
        # Sections later stages add (templates taking ``participant``), e.g. surveys.
        "stage_sections": settings.KOHORTE_PARTICIPANT_SECTIONS,
    })


@login_required(login_url="accounts:login")
@require_POST
def participant_feed_renew(request, pk):
    participant = _own(request, pk)
    services.participant_feed_renew(participant=participant, actor=request.user)
    messages.success(request, _("Your calendar has a new address; the old one no longer "
                                "works. Subscribe to the new one in your calendar app."))
    return redirect("courses:participation_detail", pk=participant.pk)


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-cache"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def participant_feed(request, token):
    participant = selectors.participant_by_feed_token(token=token)
    if participant is None:
        raise Http404
    sessions = selectors.sessions_for_participant(participant)
    return _ics(calendar_feed(sessions, name=participant.cohort.title), "kurs.ics")


@require_GET
def cohort_feed(request, token):
    cohort = selectors.cohort_by_feed_token(token=token)
    if cohort is None:
        raise Http404
    return _ics(calendar_feed(selectors.cohort_sessions(cohort=cohort), name=cohort.title),
                "kohorte.ics")
