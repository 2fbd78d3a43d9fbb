"""Offers: the applicant's page with its buttons, the applicant's standing in the
selection, and the coordinator's list of offers and the waiting list.

An applicant sees only their own offer and application (404 for any other). Links in
e-mails only open these pages; accepting and declining happen on their buttons (POST).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kohorte.applications import selectors as application_selectors
from kohorte.applications import selectors_staff
from kohorte.core.access import can, require, staff_required

from ..forms_selection import ReasonForm
from ..models import Offer
from ..selectors import selection as selectors
from ..services import offers as services
from ..services import priority as priority_services

# --- The applicant ------------------------------------------------------------------------


def _own_offer(request, pk) -> Offer:
    offer = selectors.offer_for_applicant(user=request.user, pk=pk)
    if offer is None:
        raise Http404
    return offer


def _render_offer(request, offer, status=200):
    now = timezone.now()
    return render(request, "selection/offers/offer.html", {
        "offer": offer, "application": offer.application, "call": offer.call,
        "answerable": offer.state == Offer.State.OPEN and now <= offer.deadline,
    }, status=status)


@login_required(login_url="accounts:login")
@require_GET
def offer_detail(request, pk):
    return _render_offer(request, _own_offer(request, pk))


@login_required(login_url="accounts:login")
@require_POST
def offer_accept(request, pk):
    offer = _own_offer(request, pk)
    try:
        offer = services.offer_accept(offer=offer, actor=request.user)
    except ValidationError as exc:
        # Refused rather than redirected, so that no client takes it for a success.
        messages.error(request, exc.messages[0])
        offer.refresh_from_db()
        return _render_offer(request, offer, status=409)
    messages.success(request, _("You have accepted the place. A confirmation is on its way by "
                                "e-mail."))
    return redirect("selection:offer_detail", pk=offer.pk)


@login_required(login_url="accounts:login")
@require_http_methods(["GET", "POST"])
def offer_decline(request, pk):
    """A confirmation page: declining cannot be undone; it happens on its button."""
    offer = _own_offer(request, pk)
    if request.method == "POST":
        try:
            offer = services.offer_decline(offer=offer, actor=request.user)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
            offer.refresh_from_db()
            return _render_offer(request, offer, status=409)
        messages.success(request, _("You have declined the place. Thank you for letting us "
                                    "know."))
        return redirect("selection:offer_detail", pk=offer.pk)
    if offer.state != Offer.State.OPEN:
        return redirect("selection:offer_detail", pk=offer.pk)
    return render(request, "selection/offers/decline_confirm.html",
                  {"offer": offer, "call": offer.call})


@login_required(login_url="accounts:login")
@require_GET
def application_status(request, pk):
    """Where the person's own application stands: offer, waiting-list position or the
    decision with its reasons, and what makes the draw verifiable."""
    return _render_status(request, _own_application(request, pk))


def _own_application(request, pk):
    application = application_selectors.application_for_applicant(user=request.user, pk=pk)
    if application is None:
        raise Http404
    return application


def _render_status(request, application, status=200):
    standing = selectors.application_standing(application=application)
    return render(request, "selection/offers/status.html", {
        "application": application, "call": application.call, "standing": standing,
        "hash_groups": selectors.grouped_hash(standing.run.candidate_hash) if standing.run else "",
        "priority_claim": selectors.open_priority_claim(
            user=request.user, programme_id=application.call.programme_id),
        "priority_possible": priority_services.priority_consent_possible(standing),
    }, status=status)


@login_required(login_url="accounts:login")
@require_POST
def priority_consent(request, pk):
    """The person asks, on their own unsuccessful application, to be remembered."""
    application = _own_application(request, pk)
    try:
        priority_services.priority_claim_consent(application=application, actor=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return _render_status(request, application, status=409)
    messages.success(request, _("We will remember you for the next call of this programme."))
    return redirect("selection:application_status", pk=application.pk)


@login_required(login_url="accounts:login")
@require_POST
def priority_withdraw(request, pk):
    application = _own_application(request, pk)
    priority_services.priority_claim_withdraw(application=application, actor=request.user)
    messages.success(request, _("Your consent is withdrawn. We no longer remember you for "
                                "priority."))
    return redirect("selection:application_status", pk=application.pk)


# --- The coordinator ---------------------------------------------------------------------

@staff_required
@require_GET
def call_offers(request, pk):
    call = selectors_staff.call_for_staff(pk=pk)
    if call is None:
        raise Http404
    require(request.user, call.programme, "offer", "view")
    offers = selectors.offers_of_call(call=call)
    return render(request, "selection/offers/call_offers.html", {
        "call": call, "offers": offers, "counts": selectors.offer_counts(offers),
        "waiting": selectors.waiting_list(call=call),
        "may_manage": can(request.user, call.programme, "offer", "manage"),
    })


WITHDRAW_HINT = _("Kept in the audit log. The place goes to the next person on the waiting list.")


@staff_required
@require_http_methods(["GET", "POST"])
def offer_withdraw(request, pk):
    offer = (Offer.objects.filter(pk=pk).select_related("application", "call", "call__programme")
             .first())
    if offer is None:
        raise Http404
    require(request.user, offer.call.programme, "offer", "manage")
    form = ReasonForm(request.POST or None, help_text=WITHDRAW_HINT)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.offer_withdraw(offer=offer, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
                status = 409
            else:
                messages.success(request, _("The offer is withdrawn."))
                return redirect("selection:call_offers", pk=offer.call_id)
        else:
            status = 400
    return render(request, "selection/offers/withdraw_confirm.html",
                  {"offer": offer, "call": offer.call, "form": form}, status=status)
