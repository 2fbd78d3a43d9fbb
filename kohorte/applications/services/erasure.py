"""Answering a person's request for erasure (Art. 17 GDPR) within a month."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kohorte.core.audit import audit_record
from kohorte.notifications.services import mail_enqueue

from ..models import Application
from ..retention import application_erase


@transaction.atomic
def erasure_request_decide(*, application: Application, actor, erase: bool, reason: str = "",
                           now=None):
    """Erase the application now, or refuse for now with the retention duty that blocks it.

    Either way the person gets an answer by e-mail. A refusal needs its reason, since
    the person may take it to the supervisory authority.
    """
    now = now or timezone.now()
    application = Application.objects.select_for_update(of=("self",)).select_related("call").get(pk=application.pk)
    if application.erasure_requested_at is None:
        raise ValidationError(_("There is no request for erasure for this application."))
    context = {"call": application.call, "reference": application.reference or "",
               "reason": reason.strip()}
    if erase:
        # The answer is about the call, so erasing the application's mails leaves it to
        # be delivered; the outbox blanks it once it is sent.
        mail_enqueue(to=application.email, template="erasure_done", context=context,
                     about=application.call, erase_after_delivery=True)
        application_erase(application=application, actor=actor,
                          reason="erasure requested by the person (Art. 17 GDPR)")
        return None
    if not reason.strip():
        raise ValidationError(_("Please name the retention duty that blocks the erasure."))
    application.erasure_refused_at = now
    application.erasure_refusal_reason = reason.strip()
    application.save(update_fields=["erasure_refused_at", "erasure_refusal_reason", "updated_at"])
    audit_record(actor=actor, action="application.erasure_refuse", obj=application,
                 reason=reason.strip())
    mail_enqueue(to=application.email, template="erasure_refused", context=context,
                 about=application)
    return application
