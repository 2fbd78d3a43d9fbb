"""Staff's sign-in factors: the authenticator app (TOTP), recovery codes, the password.

Staff sign in with password and a code from their authenticator app; a recovery code
(django-otp static token, valid once) stands in when the phone is lost. These services
change those factors; each change is audited. The new app's secret is kept in the
session until a code from the app proves it was set up, so that a half-finished setup
never replaces the working one.
"""

from base64 import b32encode
from binascii import unhexlify
from urllib.parse import quote, urlencode

import segno
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from kohorte.core.audit import audit_record

ISSUER = "Kohorte"
RECOVERY_CODE_COUNT = 10
RECOVERY_DEVICE_NAME = "Wiederherstellungscodes"
TOTP_STEP, TOTP_DIGITS = 30, 6


def totp_secret_new() -> str:
    """A fresh 160-bit secret, hex-encoded as django-otp stores it."""
    return random_hex(20)


def totp_secret_text(key_hex: str) -> str:
    """The secret as apps ask for it when typed in: base32, in groups of four."""
    secret = b32encode(unhexlify(key_hex)).decode().rstrip("=")
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def totp_uri(*, user, key_hex: str) -> str:
    """The otpauth:// address the QR code carries (Key Uri Format)."""
    secret = b32encode(unhexlify(key_hex)).decode().rstrip("=")
    label = quote(f"{ISSUER}:{user.email}")
    query = urlencode({"secret": secret, "issuer": ISSUER, "algorithm": "SHA1",
                       "digits": TOTP_DIGITS, "period": TOTP_STEP})
    return f"otpauth://totp/{label}?{query}"


def totp_qr_svg(uri: str, *, title: str) -> str:
    """The QR code as inline SVG markup (no image file, no inline style: CSP allows it)."""
    svg = segno.make(uri, error="m").svg_inline(scale=4, border=4, dark="#000", light="#fff",
                                                title=title)
    return svg.replace("<svg ", '<svg role="img" focusable="false" ', 1)


def _totp_matches(key_hex: str, token: str, now) -> TOTP | None:
    totp = TOTP(unhexlify(key_hex), step=TOTP_STEP, t0=0, digits=TOTP_DIGITS)
    totp.time = now.timestamp()
    # One step either way allows for a phone clock a little off.
    return totp if token.isdigit() and totp.verify(int(token), tolerance=1) else None


@transaction.atomic
def totp_device_confirm(*, user, key_hex: str, token: str, actor, now=None) -> TOTPDevice:
    """Make the new app the staff member's second factor once it shows a valid code.

    The previous app stops working at the same moment. The code just used counts as
    spent, so it cannot also sign someone in.
    """
    now = now or timezone.now()
    totp = _totp_matches(key_hex, token.replace(" ", ""), now)
    if totp is None:
        raise ValidationError(_("This code does not match. Check the time on your phone and enter the current code."),
                              code="totp")
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(user=user, name="App", key=key_hex, step=TOTP_STEP,
                                       digits=TOTP_DIGITS, confirmed=True, last_t=totp.t())
    audit_record(actor=actor, action="user.totp_confirm", obj=user)
    return device


def recovery_codes_left(*, user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def recovery_codes_regenerate(*, user, actor) -> list[str]:
    """Issue a new set of recovery codes; every earlier code stops working.

    The codes are returned once, to be shown once: they are stored as django-otp
    keeps them and never shown again. An administrator issues them for a new staff
    member (who signs in with one and then sets up the app) or for one who lost both
    phone and codes.
    """
    StaticToken.objects.filter(device__user=user).delete()
    device = StaticDevice.objects.filter(user=user).order_by("pk").first()
    if device is None:
        device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = []
    while len(codes) < RECOVERY_CODE_COUNT:
        code = StaticToken.random_token()
        if code not in codes:
            codes.append(code)
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    audit_record(actor=actor, action="user.recovery_codes_regenerate", obj=user,
                 data={"count": len(codes)})
    return codes


@transaction.atomic
def staff_password_change(*, user, new_password: str, actor):
    """Set a new password (already validated against the password rules by the form)."""
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit_record(actor=actor, action="user.password_change", obj=user)
    return user
