"""The "Postausgang": the mails written and delivered (the embedded default sends none)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kohorte.core.access import can, programmes_where, require, staff_required

from . import selectors
from .forms import OutboxFilterForm, OutboxRetryForm
from .models import OutboxMail
from .services import outbox_retry

PAGE_SIZE = 50


def _mail(request, pk, action):
    """The mail if the person may ``action`` it; 404 for one outside every programme."""
    mail = get_object_or_404(OutboxMail, pk=pk)
    programme = selectors.mail_programme(mail)
    if programme is not None:
        require(request.user, programme, "outbox", action)
    elif mail.about_type:
        # About an object no programme holds any more (erased): nothing to show.
        raise Http404
    elif not programmes_where(request.user, "outbox", action).exists():
        raise PermissionDenied
    return mail


def _may_retry(user, mail):
    programme = selectors.mail_programme(mail)
    if programme is None:
        return programmes_where(user, "outbox", "retry").exists()
    return can(user, programme, "outbox", "retry")


@staff_required
@require_GET
def outbox(request):
    if not programmes_where(request.user, "outbox", "view").exists():
        raise PermissionDenied
    form = OutboxFilterForm(request.GET)
    valid = form.is_valid()
    state = form.cleaned_data.get("state", "") if valid else ""
    scoped = selectors.outbox_for_staff(user=request.user)
    mails = selectors.outbox_for_staff(user=request.user, state=state)
    page = Paginator(mails, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/outbox.html", {
        "page": page, "form": form, "counts": selectors.outbox_counts(scoped),
    }, status=200 if valid else 400)


def _render_mail(request, mail, *, retry_form=None, status=200):
    return render(request, "notifications/mail_detail.html", {
        "mail": mail, "body_visible": selectors.mail_body_visible(mail),
        "may_retry": _may_retry(request.user, mail),
        "retry_form": retry_form or OutboxRetryForm(mail=mail),
    }, status=status)


@staff_required
@require_GET
def mail_detail(request, pk):
    return _render_mail(request, _mail(request, pk, "view"))


@staff_required
@require_POST
def mail_retry(request, pk):
    mail = _mail(request, pk, "retry")
    form = OutboxRetryForm(request.POST, mail=mail)
    if not form.is_valid():
        return _render_mail(request, mail, retry_form=form, status=409)
    outbox_retry(mail=mail, actor=request.user)
    messages.success(request, _("The e-mail is queued again and will be sent shortly."))
    return redirect("notifications:mail_detail", pk=mail.pk)
