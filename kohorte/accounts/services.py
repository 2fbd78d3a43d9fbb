"""Signing in: one-time links for applicants (no password)."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kohorte.core.audit import audit_record
from kohorte.notifications.services import mail_enqueue

from .models import LoginToken, User


class RateLimited(ValidationError):
    pass


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def login_link_request(*, email: str, next_url: str = "", now=None) -> LoginToken | None:
    """Mail a one-time sign-in link to ``email``.

    At most LOGIN_LINK_RATE_PER_HOUR links per address an hour. Staff accounts never
    sign in by link (they need their second factor): for them nothing is sent, and
    the page says the same as for everyone, so it reveals no accounts.
    """
    now = now or timezone.now()
    email = email.strip().lower()
    recent = LoginToken.objects.filter(email=email, created_at__gte=now - timedelta(hours=1))
    if recent.count() >= settings.LOGIN_LINK_RATE_PER_HOUR:
        raise RateLimited(_("Too many sign-in links were requested for this address. Please try again in an hour."))
    user = User.objects.with_email(email).first()
    if user is not None and (user.is_staff or not user.is_active):
        return None
    token = secrets.token_urlsafe(32)
    login = LoginToken.objects.create(
        email=email, token_hash=_hash(token), created_at=now,
        expires_at=now + timedelta(seconds=settings.LOGIN_LINK_MAX_AGE_SECONDS),
        next_url=next_url[:300],
    )
    mail_enqueue(to=email, template="login_link",
                 context={"token": token, "minutes": settings.LOGIN_LINK_MAX_AGE_SECONDS // 60})
    return login


def login_token_peek(*, token: str, now=None) -> LoginToken | None:
    """The token if it is still usable (the page with the button shows this)."""
    now = now or timezone.now()
    login = LoginToken.objects.filter(token_hash=_hash(token)).first()
    if login is None or login.used_at is not None or login.expires_at < now:
        return None
    return login


@transaction.atomic
def login_token_redeem(*, token: str, now=None) -> tuple[User, str]:
    """Use the token once (on the button's POST); returns the user and the next page.

    The first use creates the applicant's account: an account without password.
    """
    now = now or timezone.now()
    updated = LoginToken.objects.filter(
        token_hash=_hash(token), used_at__isnull=True, expires_at__gte=now
    ).update(used_at=now)
    if not updated:
        raise ValidationError(_("This sign-in link has expired or was already used. Please request a new one."))
    login = LoginToken.objects.get(token_hash=_hash(token))
    user = User.objects.with_email(login.email).first()
    if user is None:
        user = User.objects.create_user(login.email)
        audit_record(actor=user, action="user.create", obj=user)
    elif user.is_staff or not user.is_active:
        raise ValidationError(_("This sign-in link has expired or was already used. Please request a new one."))
    audit_record(actor=user, action="user.login_link", obj=user)
    return user, login.next_url
