"""Reads of the outbox for the "Postausgang" page, scoped to the person's programmes."""

from django.conf import settings
from django.db.models import Count, Q

from kohorte.core.access import programmes_where
from kohorte.core.scope import in_programmes, programme_of

from .models import OutboxMail

RECORDING_BACKEND = "kohorte.notifications.backends.RecordingBackend"
# Mails whose text lets the reader act as the recipient (a sign-in link).
SECRET_TEMPLATES = {"login_link"}


def outbox_for_staff(*, user, state=""):
    """Mails about objects of the person's programmes, and those about no object.

    Mails about no object (sign-in links) belong to the installation, not to a
    programme: everyone who may read an outbox sees them.
    """
    programmes = programmes_where(user, "outbox", "view")
    mails = OutboxMail.objects.filter(
        Q(about_type="")
        | in_programmes(programmes, type_field="about_type", id_field="about_id", indirect=False)
    )
    if state:
        mails = mails.filter(state=state)
    return mails.defer("body")


def outbox_counts(mails) -> list[tuple[str, str, int]]:
    by_state = dict(mails.order_by().values_list("state").annotate(n=Count("id"))
                    .values_list("state", "n"))
    return [(value, label, by_state.get(value, 0)) for value, label in OutboxMail.State.choices]


def mail_programme(mail: OutboxMail):
    """The programme a mail belongs to; None for one about no object."""
    return programme_of(mail.about_type, mail.about_id)


def mail_body_visible(mail: OutboxMail) -> bool:
    """A sign-in link's text is shown only while no mail leaves the machine.

    Then this page is the only way to read it (the embedded demo); once real mail is
    sent, showing it would let staff sign in as the applicant.
    """
    return mail.template not in SECRET_TEMPLATES or settings.EMAIL_BACKEND == RECORDING_BACKEND
