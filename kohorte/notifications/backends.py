from django.core.mail.backends.base import BaseEmailBackend


class RecordingBackend(BaseEmailBackend):
    """The embedded default: nothing leaves the machine.

    Delivery succeeds and the outbox row, marked delivered, is what coordinators read on
    the "Postausgang" page.
    """

    def send_messages(self, email_messages):
        return len(email_messages)
