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
}


def action_label(code: str) -> str:
    return str(ACTION_LABELS.get(code, code))
