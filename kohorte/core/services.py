from django.db import transaction

from .audit import audit_record
from .models import AccessibilityFeedback


@transaction.atomic
def accessibility_feedback_submit(*, page, message, email):
    """Keep a reported barrier; the statement promises an answer within six weeks."""
    feedback = AccessibilityFeedback.objects.create(page=page, message=message, email=email)
    audit_record(actor=None, action="accessibility_feedback.receive", obj=feedback)
    return feedback
