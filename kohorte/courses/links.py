"""Links the course adds to the call page and the applicant's page
(registered in settings KOHORTE_CALL_PAGE_LINKS / KOHORTE_APPLICANT_LINKS)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from kohorte.applications.models import Call
from kohorte.core.access import can
from kohorte.core.extensions import Link

from .models import Cohort, Participant
from .selectors.schedule import may_view_cohort


def call_page_links(*, user, call) -> list[Link]:
    """The cohort of the call, or the button to form it once the call is closed."""
    try:
        cohort = call.cohort  # list pages load it with the call (select_related)
    except Cohort.DoesNotExist:
        cohort = None
    if cohort is not None:
        if may_view_cohort(user, cohort):
            return [Link(_("Cohort and schedule"),
                         reverse("courses:cohort_detail", args=[cohort.pk]), primary=True)]
        return []
    if call.state == Call.State.CLOSED and can(user, call.programme, "cohort", "manage"):
        return [Link(_("Form the cohort"), reverse("courses:cohort_create", args=[call.pk]),
                     primary=True)]
    return []


def applicant_links(*, application) -> list[Link]:
    """For the person's own application page: their course, once they have a place."""
    participant = Participant.objects.filter(application=application).first()
    if participant is None:
        return []
    return [Link(_("Your course: schedule and materials"),
                 reverse("courses:participation_detail", args=[participant.pk]),
                 primary=True)]
