"""Links the selection stage adds to the call page and the applicant's page."""

from django.urls import reverse
from django.utils.translation import gettext as _

from kohorte.core.access import can
from kohorte.core.extensions import Link

from .models import Offer, SelectionRun


def call_page_links(*, user, call) -> list[Link]:
    """For the back-office call page: reviews and selection, by permission."""
    found = []
    if can(user, call.programme, "review", "view_all"):
        found.append(Link(_("Reviews"), reverse("reviews:overview", args=[call.pk])))
    if can(user, call.programme, "selection_run", "view"):
        found.append(Link(_("Selection and waiting list"),
                          reverse("selection:call_selection", args=[call.pk])))
    if can(user, call.programme, "offer", "view"):
        found.append(Link(_("Offers"), reverse("selection:call_offers", args=[call.pk])))
    return found


def applicant_links(*, application) -> list[Link]:
    """For the applicant's own page: the decision, once there is one."""
    decided = (Offer.objects.filter(application=application).exists()
               or SelectionRun.objects.filter(call_id=application.call_id,
                                              state=SelectionRun.State.CONFIRMED).exists())
    if not decided or application.reference is None:
        return []
    return [Link(_("Your place: offer, waiting list or decision"),
                 reverse("selection:application_status", args=[application.pk]), primary=True)]
