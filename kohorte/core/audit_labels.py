"""Words for the audit log's action codes, so that staff read sentences, not codes.

An action without an entry here is shown by its code; add a line when a service
writes a new one.
"""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "accessibility_feedback.receive": _("Accessibility feedback received"),
    "application.start": _("Application started"),
    "application.edit": _("Answers changed"),
    "application.submit": _("Application submitted"),
    "application.withdraw": _("Application withdrawn"),
    "application.erasure_request": _("Erasure requested"),
    "application.erasure_refuse": _("Erasure refused for now"),
    "application.erase": _("Application erased"),
    "application.export": _("Application list exported"),
    "call.publish": _("Call published"),
    "call.close": _("Call closed"),
    "call.edit": _("Call changed"),
    "document.upload": _("Document uploaded"),
    "eligibility.assess": _("Eligibility pre-checked"),
    "eligibility.override": _("Eligibility set by hand"),
    "mail.retry": _("E-mail queued again"),
    "user.create": _("Account created"),
    "user.login_link": _("Signed in by link"),
    "user.totp_confirm": _("Authenticator app set up"),
    "user.recovery_codes_regenerate": _("New recovery codes issued"),
    "user.password_change": _("Password changed"),
    "application.schedule_erasure": _("Erasure scheduled"),
    "candidate.pin": _("Candidate pinned"),
    "candidate.exclude": _("Candidate taken out"),
    "candidate.clear": _("Pin or exclusion lifted"),
    "candidate.priority": _("Priority set or lifted"),
    "conflict.declare": _("Conflict of interest declared"),
    "letter.edit": _("Letter template changed"),
    "priority_claim.consent": _("Consent to be remembered for priority given"),
    "priority_claim.withdraw": _("Consent to be remembered for priority withdrawn"),
    "priority_claim.use": _("Priority from an earlier call used"),
    "offer.make": _("Place offered"),
    "offer.remind": _("Reminder about an offer sent"),
    "offer.accept": _("Offer accepted"),
    "offer.decline": _("Offer declined"),
    "offer.expire": _("Offer expired"),
    "offer.withdraw": _("Offer withdrawn"),
    "review.assign": _("Review assigned"),
    "review.unassign": _("Review assignment removed"),
    "review.save": _("Review saved as draft"),
    "review.submit": _("Review submitted"),
    "review.reopen": _("Review reopened"),
    "review.export": _("Reviews exported"),
    "review_criterion.add": _("Review criterion added"),
    "review_criterion.edit": _("Review criterion changed"),
    "review_criterion.move": _("Review criteria reordered"),
    "review_criterion.remove": _("Review criterion removed"),
    "selection.group_message": _("Message sent to a group"),
    "selection_policy.save": _("Selection rules saved (new version)"),
    "selection_run.prepare": _("Candidate list published"),
    "selection_run.draw": _("Seed entered and rule applied"),
    "selection_run.rerun": _("Rule applied again"),
    "selection_run.confirm": _("Selection confirmed"),
    "selection_run.discard": _("Selection discarded"),
    "selection_run.refill": _("Place refilled from the waiting list"),
    "selection_run.refill_skipped": _("No one to refill the place"),
}


def action_label(code: str) -> str:
    return str(ACTION_LABELS.get(code, code))
