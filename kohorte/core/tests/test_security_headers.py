"""Security headers on every page, safe cookies, and production settings that refuse to start
without their secrets."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from kohorte.accounts import services
from kohorte.core.tests import factories as f
from kohorte.notifications.models import OutboxMail

pytestmark = pytest.mark.django_db

BASE_DIR = Path(settings.BASE_DIR)


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings):
    # The staff personas get passwords; the production hasher would dominate the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _public_pages(personas):
    return [
        reverse("core:home"),
        reverse("core:imprint"),
        reverse("core:privacy"),
        reverse("core:accessibility"),
        reverse("applications:call_list"),
        personas.call.get_absolute_url(),
        reverse("accounts:login"),
        reverse("accounts:staff_login"),
    ]


def _applicant_pages(personas):
    application = f.make_application(personas.call, personas.applicant)
    return [
        reverse("applications:my_applications"),
        reverse("applications:application_detail", args=[application.pk]),
        reverse("applications:apply_step", args=[application.pk, "contact"]),
        reverse("applications:apply_step", args=[application.pk, "release"]),
        reverse("applications:apply_check", args=[application.pk]),
        reverse("applications:my_data"),
    ]


def _csp(response):
    header = response.get("Content-Security-Policy")
    assert header, "no Content-Security-Policy header"
    return dict((part.split(" ", 1) + [""])[:2] for part in
                (p.strip() for p in header.split(";")) if part)


def _check_headers(response):
    assert response.status_code == 200
    csp = _csp(response)
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert csp["script-src"] == "'self'" and csp["style-src"] == "'self'"
    assert csp["default-src"] == "'self'" and csp["object-src"] == "'none'"
    assert csp["frame-ancestors"] == "'none'" and csp["base-uri"] == "'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def _check_no_inline_code(html):
    # The policy would block these; a page that needs them is broken without notice.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
    assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler"
    assert not re.search(r"\sstyle\s*=", html), "inline style attribute"
    assert "<style" not in html, "inline style element"


def test_public_pages_send_the_security_headers_and_need_no_inline_code(personas):
    client = Client()
    for url in _public_pages(personas):
        response = client.get(url)
        _check_headers(response)
        _check_no_inline_code(response.content.decode())


def test_applicant_pages_send_the_security_headers_and_need_no_inline_code(personas):
    client = Client()
    client.force_login(personas.applicant)
    for url in _applicant_pages(personas):
        response = client.get(url)
        _check_headers(response)
        _check_no_inline_code(response.content.decode())


def test_error_pages_send_the_headers_too(personas):
    response = Client().get("/gibt-es-nicht/")
    assert response.status_code == 404
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_downloaded_document_is_an_attachment_that_is_not_sniffed(personas):
    application = f.make_application(personas.call, personas.applicant)
    client = Client()
    client.force_login(personas.applicant)
    response = client.get(reverse("applications:document_download",
                                  args=[application.pk, application.documents.get().pk]))
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")


def test_the_session_and_csrf_cookies_are_http_only_and_same_site(db):
    client = Client()
    client.get(reverse("accounts:login"))
    csrf = client.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["httponly"] and csrf["samesite"] == "Lax"
    # The session cookie as it is set when an applicant signs in by link.
    services.login_link_request(email="neu@example.org")
    body = OutboxMail.objects.get(template="login_link").body
    path = re.search(r"/konto/anmelden/link/[^/\s]+/", body).group(0)
    signed_in = client.post(path)
    cookie = signed_in.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie.value
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


def test_outside_production_cookies_work_over_plain_http():
    assert settings.PRODUCTION is False
    assert settings.SESSION_COOKIE_SECURE is False and settings.SECURE_HSTS_SECONDS == 0


# --- Production settings, imported in a fresh interpreter -----------------------------

def _settings_in_production(tmp_path, **env):
    """Import kohorte.settings with KOHORTE_ENV=production; return (returncode, values, stderr)."""
    code = (
        "import json, kohorte.settings as s; "
        "print(json.dumps({k: getattr(s, k) for k in ["
        "'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SESSION_COOKIE_SECURE', "
        "'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', 'CSRF_COOKIE_HTTPONLY', "
        "'SECURE_SSL_REDIRECT', 'SECURE_CONTENT_TYPE_NOSNIFF', 'X_FRAME_OPTIONS', "
        "'DEBUG', 'ALLOWED_HOSTS', 'DEMO_DATA_ALLOWED']} | {'SECRET_KEY': s.SECRET_KEY}))"
    )
    clean = {key: value for key, value in os.environ.items()
             if not key.startswith(("SECRET_KEY", "ALLOWED_HOSTS", "KOHORTE_", "DEBUG",
                                    "DATABASE_URL", "EMAIL_URL"))}
    clean.update({"KOHORTE_ENV": "production", "KOHORTE_VAR_DIR": str(tmp_path)}, **env)
    result = subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR, env=clean,  # noqa: S603
                            capture_output=True, text=True, timeout=120, check=False)
    values = json.loads(result.stdout) if result.returncode == 0 else None
    return result.returncode, values, result.stderr


def test_production_turns_on_hsts_and_secure_cookies(tmp_path):
    code, values, stderr = _settings_in_production(
        tmp_path, SECRET_KEY="ein-langes-zufaelliges-geheimnis-" + "x" * 30,
        ALLOWED_HOSTS="kohorte.example")
    assert code == 0, stderr
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SESSION_COOKIE_SECURE"] is True and values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True and values["CSRF_COOKIE_HTTPONLY"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["DEBUG"] is False and values["DEMO_DATA_ALLOWED"] is False
    assert values["ALLOWED_HOSTS"] == ["kohorte.example"]


def test_production_without_secret_key_does_not_start(tmp_path):
    code, _values, stderr = _settings_in_production(tmp_path, ALLOWED_HOSTS="kohorte.example")
    assert code != 0
    assert "ImproperlyConfigured" in stderr and "SECRET_KEY" in stderr


def test_production_without_allowed_hosts_does_not_start(tmp_path):
    code, _values, stderr = _settings_in_production(tmp_path, SECRET_KEY="s" * 50)
    assert code != 0
    assert "ImproperlyConfigured" in stderr and "ALLOWED_HOSTS" in stderr


def test_production_reads_the_secret_from_a_file(tmp_path):
    secret = tmp_path / "secret_key"
    secret.write_text("aus-der-datei-" + "y" * 40 + "\n", encoding="utf-8")
    code, values, stderr = _settings_in_production(tmp_path, SECRET_KEY_FILE=str(secret),
                                                   ALLOWED_HOSTS="kohorte.example")
    assert code == 0, stderr
    assert values["SECRET_KEY"] == "aus-der-datei-" + "y" * 40


def test_with_the_production_values_a_secure_response_carries_hsts(personas):
    with override_settings(SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True):
        response = Client().get(reverse("core:home"), secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
