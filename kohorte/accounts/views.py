from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from . import services
from .backends import USER_BACKEND
from .forms import LoginLinkForm, StaffLoginForm


def _safe_next(request, url, default):
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, require_https=request.is_secure()):
        return url
    return default


@require_http_methods(["GET", "POST"])
def login_request(request):
    """Ask for a one-time sign-in link."""
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next", ""), "")
    form = LoginLinkForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.login_link_request(email=form.cleaned_data["email"], next_url=next_url)
        except services.RateLimited as exc:
            form.add_error("email", exc)
        else:
            request.session["login_link_email"] = form.cleaned_data["email"]
            return redirect("accounts:login_sent")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/login.html", {"form": form, "next": next_url}, status=status)


def login_sent(request):
    return render(request, "accounts/login_sent.html",
                  {"email": request.session.get("login_link_email", "")})


@require_http_methods(["GET", "POST"])
def login_confirm(request, token):
    """The link from the e-mail only opens this page; the button signs in (POST)."""
    if request.method == "POST":
        try:
            user, next_url = services.login_token_redeem(token=token)
        except ValidationError as exc:
            return render(request, "accounts/login_invalid.html", {"error": exc.messages[0]},
                          status=400)
        login(request, user, backend=USER_BACKEND)
        messages.success(request, _("You are signed in."))
        return redirect(_safe_next(request, next_url, "applications:my_applications"))
    if services.login_token_peek(token=token) is None:
        return render(request, "accounts/login_invalid.html",
                      {"error": _("This sign-in link has expired or was already used. Please request a new one.")},
                      status=410)
    return render(request, "accounts/login_confirm.html")


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, _("You are signed out."))
    return redirect("core:home")


@require_http_methods(["GET", "POST"])
def staff_login(request):
    """Staff sign in with password and second factor; failures are throttled (axes)."""
    form = StaffLoginForm(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        login(request, form.user, backend=USER_BACKEND)
        otp_login(request, form.device)
        return redirect(_safe_next(request, request.GET.get("next", ""), "backoffice:home"))
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/staff_login.html", {"form": form}, status=status)
