"""The staff member's own sign-in settings: authenticator app, recovery codes, password."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from kohorte.core.access import staff_required

from . import two_factor
from .forms_staff import StaffPasswordChangeForm, TotpConfirmForm

PENDING_KEY = "kohorte_totp_pending"


@staff_required
@require_GET
def security(request):
    return render(request, "accounts/staff/security.html", {
        "has_app": TOTPDevice.objects.filter(user=request.user, confirmed=True).exists(),
        "codes_left": two_factor.recovery_codes_left(user=request.user),
    })


@staff_required
@require_http_methods(["GET", "POST"])
@never_cache
def totp_setup(request):
    """Show a new secret (QR code and text); a code from the app makes it the factor."""
    key = request.session.get(PENDING_KEY)
    posted = request.method == "POST"
    if key is None:
        key = request.session[PENDING_KEY] = two_factor.totp_secret_new()
        if posted:
            messages.error(request, _("The setup had expired. Please scan the new code."))
            posted = False
    form = TotpConfirmForm(request.POST if posted else None)
    if posted and form.is_valid():
        try:
            device = two_factor.totp_device_confirm(user=request.user, key_hex=key,
                                                    token=form.cleaned_data["token"],
                                                    actor=request.user)
        except ValidationError as exc:
            form.add_error("token", exc)
        else:
            del request.session[PENDING_KEY]
            # The old device is gone; this session continues on the new one.
            otp_login(request, device)
            messages.success(request, _("Your authenticator app is set up. From now on, sign in with its codes."))
            return redirect("accounts:staff_security")
    status = 400 if request.method == "POST" else 200
    uri = two_factor.totp_uri(user=request.user, key_hex=key)
    qr = two_factor.totp_qr_svg(uri, title=_("QR code for your authenticator app"))
    return render(request, "accounts/staff/totp_setup.html", {
        "form": form, "qr_svg": mark_safe(qr),  # noqa: S308 - built by segno from our own data
        "secret": two_factor.totp_secret_text(key),
    }, status=status)


@staff_required
@require_http_methods(["GET", "POST"])
@never_cache
def recovery_codes(request):
    """How many codes are left; new ones are shown once, right after the button."""
    codes = None
    if request.method == "POST":
        codes = two_factor.recovery_codes_regenerate(user=request.user, actor=request.user)
    return render(request, "accounts/staff/recovery_codes.html", {
        "codes": codes, "codes_left": two_factor.recovery_codes_left(user=request.user),
    })


@staff_required
@require_http_methods(["GET", "POST"])
def password_change(request):
    form = StaffPasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            two_factor.staff_password_change(user=request.user, actor=request.user,
                                             new_password=form.cleaned_data["new_password1"])
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password has been changed."))
            return redirect("accounts:staff_security")
        status = 400
    else:
        status = 200
    return render(request, "accounts/staff/password_change.html", {"form": form}, status=status)
