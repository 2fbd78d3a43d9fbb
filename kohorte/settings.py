"""Kohorte's one settings module, driven by the environment.

SQLite under var/ is the embedded default; DATABASE_URL switches to PostgreSQL.
In production (KOHORTE_ENV=production) every secret must come from the environment
(or a *_FILE); a missing one stops the start instead of falling back to a default.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("KOHORTE_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
env.smart_cast = False

KOHORTE_ENV = env.str("KOHORTE_ENV", default="development")
PRODUCTION = KOHORTE_ENV == "production"
TESTING = env.bool("KOHORTE_TESTING", default=False)


def _secret(name, *, dev_default):
    """A secret from NAME or the file named by NAME_FILE; required in production."""
    file_name = env.str(f"{name}_FILE", default="")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    value = env.str(name, default="")
    if value:
        return value
    if PRODUCTION:
        raise ImproperlyConfigured(f"{name} (or {name}_FILE) must be set in production.")
    return dev_default


SECRET_KEY = _secret("SECRET_KEY", dev_default="kohorte-development-key-not-for-production")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production.")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The absolute address used in e-mails (links to pages, never to actions).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # The Django admin behind the staff sign-in (kohorte/core/admin_site.py).
    "kohorte.core.admin_site.KohorteAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "django_htmx",
    "kohorte.core",
    "kohorte.accounts",
    "kohorte.programmes",
    "kohorte.applications",
    "kohorte.selection",
    "kohorte.courses",
    "kohorte.evaluation",
    "kohorte.budget",
    "kohorte.notifications",
    "kohorte.reporting",
    # Only management commands: the demo programme, refused in production.
    "kohorte.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kohorte.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kohorte.urls"
WSGI_APPLICATION = "kohorte.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "kohorte" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # {% url %} and {% static %} with their answers remembered (per process).
            "builtins": ["kohorte.core.templatetags.kohorte_links"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kohorte.core.context_processors.site",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------
# SQLite: WAL, a busy timeout and IMMEDIATE write transactions, so that several
# app-server workers can write at once without "database is locked"; writers queue on
# an operating-system lock instead of polling (kohorte/core/sqlite_backend). Serve it
# with single-threaded workers (gunicorn's default): a thread that holds the write lock
# must not wait for its process's GIL.
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": env.db(
        "DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'kohorte.sqlite3'}"
    )
}
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": (
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=NORMAL;"
        "PRAGMA foreign_keys=ON;"
    ),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["ENGINE"] = "kohorte.core.sqlite_backend"
    DATABASES["default"]["OPTIONS"] = dict(SQLITE_OPTIONS)
    # Tests use an in-memory database unless a file is named (e.g. for a live server).
    # ":memory:" rather than None: pytest-xdist's workers (via pytest-django) would
    # otherwise make a test name out of the file's path.
    DATABASES["default"]["TEST"] = {"NAME": env.str("KOHORTE_TEST_DB", default="") or ":memory:"}
else:
    # Separate names let several test runs share one PostgreSQL server.
    DATABASES["default"]["TEST"] = {"NAME": env.str("KOHORTE_TEST_DB", default="test_kohorte")}
    # Prepared statements: psycopg binds the parameters on the server and prepares a
    # statement the fifth time a connection runs it, so PostgreSQL parses and plans the
    # same few statements of a page once per connection instead of on every request
    # (bench/README.md: its CPU per journey fell by about a sixth). Behind a pooler
    # in transaction mode that cannot keep them (PgBouncer before 1.21), set
    # DATABASE_PREPARE_THRESHOLD=0 to turn them off.
    _threshold = env.int("DATABASE_PREPARE_THRESHOLD", default=5)
    if _threshold > 0:
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            {"server_side_binding": True, "prepare_threshold": _threshold})
# Persistent connections, on SQLite too: opening one per request (with its PRAGMAs and
# functions) cost 0.7 ms of CPU, a tenth of a typical request (bench/README.md).
DATABASES["default"].setdefault("CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "kohorte.accounts.backends.UserBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:staff_login"
LOGIN_REDIRECT_URL = "backoffice:home"

# Failed staff logins are throttled per user and address.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# authenticate(username=...) reports failures under "username"; axes would otherwise look
# for the user model's field name ("email"), record failures without a name and never
# lock the real account.
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
# Only failures are kept (for the throttle, until the cool-off ends): a log of every
# successful sign-in with address and browser would be personal data nobody needs
# (docs/personal-data.md), written by every applicant's sign-in.
AXES_DISABLE_ACCESS_LOG = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# Its work after a sign-in and sign-out, for staff only: applicants have no passwords.
AXES_HANDLER = "kohorte.accounts.throttle.StaffSignInHandler"
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)

# --- Internationalisation -----------------------------------------------------
LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "kohorte" / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns when it is missing (tests, first start)
STATICFILES_DIRS = [BASE_DIR / "kohorte" / "static"]
STORAGES = {
    # Uploaded documents are private: they live outside the web root and are served
    # only through access-checked views; there is deliberately no MEDIA_URL route.
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "private"), "base_url": "/no-public-media/"},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if TESTING else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        ),
    },
}
WHITENOISE_USE_FINDERS = TESTING
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
KOHORTE_MAX_UPLOAD_BYTES = 10 * 1024 * 1024

# --- E-mail: written to the outbox, delivered by the worker --------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="smtp://localhost:25")
vars().update(EMAIL_CONFIG)
if not env.str("EMAIL_URL", default=""):
    # Embedded default: nothing leaves the machine; delivered mails are shown on the
    # coordinators' "Postausgang" page.
    EMAIL_BACKEND = "kohorte.notifications.backends.RecordingBackend"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Kohorte <kohorte@localhost>")
OUTBOX_MAX_ATTEMPTS = 8

# --- Sessions and security headers ---------------------------------------------
SESSION_ENGINE = "kohorte.core.sessions"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = PRODUCTION and env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
SECURE_HSTS_SECONDS = 31536000 if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "media-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    },
}

# --- Kohorte -------------------------------------------------------------------
# Applicants' one-time sign-in links.
LOGIN_LINK_MAX_AGE_SECONDS = 60 * 30
LOGIN_LINK_RATE_PER_HOUR = env.int("LOGIN_LINK_RATE_PER_HOUR", default=5)
# Load the demo programme only outside production, whatever is asked.
DEMO_DATA_ALLOWED = not PRODUCTION
# bench/intake.py's floor probe (kohorte/core/views_bench.py); never in production.
KOHORTE_BENCH = env.bool("KOHORTE_BENCH", default=False)
if PRODUCTION and KOHORTE_BENCH:
    raise ImproperlyConfigured("KOHORTE_BENCH must not be set in production.")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

# Scheduled jobs the worker runs: (dotted path of a function taking now=, seconds).
KOHORTE_SCHEDULED_JOBS = [
    ("kohorte.applications.retention.retention_run", 3600),
    ("kohorte.applications.jobs.eligibility_recheck_due", 3600),
    ("kohorte.selection.jobs.offers_expire_due", 300),
    ("kohorte.selection.jobs.offers_remind_due", 3600),
    ("kohorte.selection.jobs.waiting_list_close_due", 3600),
    ("kohorte.courses.jobs.projects_remind_due", 3600),
    ("kohorte.courses.services.certificates.certificate_batches_run", 10),
    ("kohorte.budget.jobs.booking_imports_purge_due", 3600),
    ("kohorte.evaluation.jobs.surveys_invite_due", 300),
    ("kohorte.evaluation.jobs.surveys_remind_due", 3600),
    ("kohorte.evaluation.jobs.surveys_close_due", 300),
    ("kohorte.reporting.jobs.proof_deadlines_remind_due", 3600),
    ("kohorte.core.jobs.rate_counts_expire_due", 3600),
    ("kohorte.core.jobs.sessions_expire_due", 3600),
    ("kohorte.accounts.jobs.failed_sign_ins_expire_due", 900),
]

# Called at the start of an application's withdrawal, inside its transaction, with
# application=, actor=, now= (the earlier stage knows no later one: it only calls these).
# Links later stages add to earlier stages' pages (kohorte/core/extensions.py).
KOHORTE_CALL_PAGE_LINKS = ["kohorte.selection.links.call_page_links",
                           "kohorte.courses.links.call_page_links"]
# Links later stages add to the course's cohort page (user=, cohort=).
KOHORTE_COHORT_PAGE_LINKS = ["kohorte.evaluation.links.cohort_links"]
KOHORTE_MODULE_PAGE_LINKS = ["kohorte.evaluation.links.module_links"]
# Sections later stages add to the participant's course page (templates; ``participant``).
KOHORTE_PARTICIPANT_SECTIONS = ["evaluation/participant/_surveys.html"]
KOHORTE_APPLICANT_LINKS = ["kohorte.selection.links.applicant_links",
                           "kohorte.courses.links.applicant_links"]
# Reasons to keep an applicant's account after their last application is erased.
KOHORTE_ACCOUNT_KEEP_HOOKS = ["kohorte.selection.services.priority.account_has_open_claim"]
# The later stages' parts of "Your data" (Art. 15 GDPR), see applications/personal_data.py.
KOHORTE_PERSONAL_DATA_HOOKS = [
    "kohorte.selection.personal_data.selection_data",
    "kohorte.courses.personal_data.participation_data",
    "kohorte.evaluation.personal_data.evaluation_data",
]
KOHORTE_APPLICATION_WITHDRAW_HOOKS = [
    "kohorte.selection.services.offers.offers_release_on_withdrawal",
]
# A selection proposal is confirmed by a coordinator other than the one who made it.
KOHORTE_SELECTION_FOUR_EYES = env.bool("KOHORTE_SELECTION_FOUR_EYES", default=True)

# E-mail addresses are unique regardless of case through a database constraint
# (accounts.User Meta), which this check cannot see.
SILENCED_SYSTEM_CHECKS = ["auth.W004"]
