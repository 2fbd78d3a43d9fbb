"""The ways people get in (the applicant's e-mail link, the staff form with its second
factor), and the German texts the pages show."""

import re

from django.utils import translation
from django_otp.oath import totp

from kohorte.core.tests import factories as f
from kohorte.notifications.models import OutboxMail

from .keyboard import follow, type_into


def t(message: str) -> str:
    """The German text of a UI message, as the app shows it (German first)."""
    with translation.override("de"):
        return translation.gettext(message)


def latest_mail(*, to: str, template: str) -> OutboxMail:
    mail = OutboxMail.objects.filter(to=to, template=template).order_by("-created_at", "-id").first()
    assert mail is not None, f"no {template!r} e-mail to {to} in the outbox"
    return mail


def sign_in_link(email: str) -> str:
    body = latest_mail(to=email, template="login_link").body
    match = re.search(r"https?://\S+/konto/anmelden/link/\S+/", body)
    assert match, f"no sign-in link in the e-mail:\n{body}"
    return match.group(0)


def sign_in_applicant(page, email: str):
    """Ask for a link by e-mail, open it from the outbox, press the button."""
    page.goto("/konto/anmelden/")
    type_into(page, page.get_by_label(t("Your e-mail address")), email)
    follow(page, page.get_by_role("button", name=t("Send sign-in link")))
    page.goto(sign_in_link(email))
    follow(page, page.get_by_role("button", name=t("Sign in now")))


def current_totp(user) -> str:
    device = user.totpdevice_set.get(confirmed=True)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


def sign_in_staff(page, user):
    """The staff form: e-mail, password and the current code of the authenticator app."""
    page.goto("/konto/mitarbeitende/anmelden/")
    type_into(page, page.get_by_label(t("E-mail address")), user.email)
    type_into(page, page.get_by_label(t("Password")), f.PASSWORD)
    type_into(page, page.get_by_label(t("Security code")), current_totp(user))
    follow(page, page.get_by_role("button", name=t("Sign in"), exact=True))
    assert "/verwaltung/" in page.url, f"staff sign-in failed, still on {page.url}"
