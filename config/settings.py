"""The one settings module, configured by environment variables (see README).

Helpers fail loudly on values they cannot read, so a typo in a deployment stops the
app at start-up instead of quietly running with a default.
"""

import importlib.util
import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"  # git-ignored: SQLite files, generated PDFs

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no or on/off, not {raw!r}."
    )


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY to a long random string (for example "
            "the output of `python -c 'import secrets; print(secrets.token_urlsafe(50))'`), "
            "or set DEBUG=1 for local development only."
        )
    SECRET_KEY = "insecure-development-only-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_forms_gds",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "csp",
    "common",
    "partnerships",
    "assessments",
    "notifications",
    "identity",
    "coordination",
    "ops",
    # After our apps, so our templates for its pages are found first.
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.mfa",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A 503 with Retry-After, not a 500, while the database cannot be reached (for any
    # page or template that meets the outage; see the module).
    "common.middleware.DatabaseUnavailableMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Gives allauth the current request (its MFA forms and our security log read it).
    "allauth.account.middleware.AccountMiddleware",
    # Administrators and executives who signed in with a password set up a second factor
    # before anything else.
    "identity.middleware.TwoFactorSetUpMiddleware",
    "common.middleware.NoStoreWhenSignedInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so it sees the outcome of authentication (django-axes docs).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "partnerships.access.navigation",
            ],
        },
    },
]

# Database: DATABASE_URL set means that database (postgres://... for PostgreSQL);
# unset means a SQLite file in the git-ignored var/ folder. CONN_HEALTH_CHECKS: a
# persistent connection is checked before each request reuses it, so one broken by a
# database restart is replaced at once instead of failing that request.
_database_url = os.environ.get("DATABASE_URL", "").strip()
if _database_url:
    try:
        DATABASES = {
            "default": dj_database_url.parse(
                _database_url, conn_max_age=60, conn_health_checks=True
            )
        }
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL could not be read: {exc}") from None
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Give up connecting after 5 seconds (unless the URL says ?connect_timeout=N):
        # an unreachable host would otherwise hold every request for the system's TCP
        # timeout (minutes) before the "unavailable" page.
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
else:
    VAR_DIR.mkdir(exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            "CONN_HEALTH_CHECKS": True,
            # A file, not memory, for tests too: the concurrency and database-outage
            # tests need real connections that can be closed and reopened. One file per
            # process, so two test runs on one machine never share a database.
            "TEST": {"NAME": VAR_DIR / f"test-{os.getpid()}.sqlite3"},
            "OPTIONS": {
                # Take the write lock at BEGIN so concurrent writers queue instead of
                # failing with "database is locked" on lock upgrade.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache (report data and renderings, assessments/reporting/cache.py). Local memory
# by default: each process keeps its own. With several processes or machines, CACHE_URL
# gives them one shared cache: db:// (a table in the database, made by `migrate`) or
# redis://host:6379/0 (rediss:// for TLS; needs `pip install redis`).
DATABASE_CACHE_TABLE = "readiness_cache"


def cache_from_url(url: str) -> dict:
    """CACHES["default"] for a CACHE_URL; empty means local memory."""
    scheme = urlsplit(url).scheme.lower() if url else "locmem"
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if scheme == "db":
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": DATABASE_CACHE_TABLE,
        }
    if scheme in ("redis", "rediss"):
        if importlib.util.find_spec("redis") is None:
            raise ImproperlyConfigured(
                "CACHE_URL is a Redis address, but the redis package is not installed. "
                "Install it with `pip install redis`, or use CACHE_URL=db://."
            )
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    # Only the scheme is shown: the rest of the address may hold a password.
    given = f"it starts with {url.split('://')[0]}://" if "://" in url else "it has no scheme"
    raise ImproperlyConfigured(
        "CACHE_URL must start with locmem://, db://, redis:// or rediss:// "
        f"(for example redis://cache.internal:6379/0), but {given}."
    )


CACHES = {"default": cache_from_url(os.environ.get("CACHE_URL", "").strip())}

AUTH_USER_MODEL = "partnerships.User"
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out account or address is refused before the password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "partnerships.passwords.PredictablePasswordValidator"},
]
# Invitation and reset links work for 3 days.
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "assessments:dashboard"
LOGOUT_REDIRECT_URL = "login"

# Failed sign-ins, each count kept until 5 minutes pass without a new failure in it.
# Limits: 10 for one account from one address, 30 for one address across accounts, and
# 100 for one account across addresses. An attacker's guesses pause their own address,
# never the owner signing in from elsewhere; the account-wide cap stops guessing from
# many addresses at once, and needs 10 addresses' worth of guesses to reach, so it is
# no easy lock-out tool. Attempts refused during a pause are not counted, so hammering
# from one address never adds up to the account-wide cap.
SIGN_IN_FAILURE_LIMITS = [
    (["username", "ip_address"], 10),
    ("ip_address", 30),
    ("username", 100),
]
AXES_HANDLER = "partnerships.throttling.PerParameterLimitsHandler"  # reads the limits above
AXES_LOCKOUT_PARAMETERS = [parameters for parameters, _limit in SIGN_IN_FAILURE_LIMITS]
AXES_FAILURE_LIMIT = 10  # the handler scales each count to this
AXES_COOLOFF_TIME = timedelta(minutes=5)
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# On success, the handler forgets only that account's failures from that address.
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = env_int("AXES_PROXY_COUNT", 0)

# Single sign-on and a second factor (the identity app; see the README).
# Who must use a code from an authenticator app after their password: any of
# "administrator", "executive", "ict_manager". People who sign in through their
# organisation's identity provider rely on that provider's own MFA.
MFA_REQUIRED_FOR = env_list("MFA_REQUIRED_FOR", ["administrator", "executive"])
if unknown := set(MFA_REQUIRED_FOR) - {"administrator", "executive", "ict_manager"}:
    raise ImproperlyConfigured(
        "MFA_REQUIRED_FOR lists roles from administrator, executive and ict_manager, "
        f"separated by commas, but it has {', '.join(sorted(unknown))}."
    )
# Security events (sign-ins, MFA, role changes, downloads) are kept this many days;
# `manage.py prune_security_events` deletes older ones (run it daily from cron).
SECURITY_EVENTS_KEEP_DAYS = env_int("SECURITY_EVENTS_KEEP_DAYS", 400)
# Identity providers must use HTTPS; plain HTTP on loopback is allowed only for local
# trials and the tests (the local test provider).
IDENTITY_PROVIDERS_ALLOW_LOOPBACK_HTTP = env_bool("IDENTITY_PROVIDERS_ALLOW_LOOPBACK_HTTP", DEBUG)
# allauth: no self-registration and no allauth pages of its own; our adapters decide who
# may sign in, and our pages drive its MFA forms.
ACCOUNT_ADAPTER = "identity.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "identity.adapters.SocialAccountAdapter"
MFA_ADAPTER = "identity.adapters.MFAAdapter"
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGIN_METHODS = {"username"}
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = 10
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_PROVIDERS = {"organisation_oidc": {"OAUTH_PKCE_ENABLED": True}}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# Our pages ask for a current code before removing an authenticator instead.
MFA_REAUTHENTICATION_REQUIRED = False
MFA_TOTP_ISSUER = "Partnership Readiness"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Serve straight from the finders when no collectstatic has run (tests, demo).
# In production run collectstatic and set STATIC_MANIFEST=1 for hashed,
# long-cached file names.
WHITENOISE_USE_FINDERS = True

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

# Email: the console by default, so invitations show in the server log; SMTP when
# EMAIL_HOST is set.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "partnership-readiness@localhost")
# The address people reach the service at, for links in emails sent from the command
# line (no request to take it from).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# A run that claimed a notification and died before recording the result gives it up
# after this long; the next run sends it.
NOTIFICATION_CLAIM_SECONDS = env_int("NOTIFICATION_CLAIM_SECONDS", 600)

# HTTPS protections: on by default whenever DEBUG is off. Behind a proxy that
# terminates TLS, set SECURE_SSL_REDIRECT=0 and SECURE_PROXY_SSL_HEADER=1.
_https = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _https)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if _https else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", _https)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", _https)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", _https)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", _https)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# /healthz answers load balancers over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 8)

# Content-Security-Policy: no inline script or style anywhere; GOV.UK Frontend's
# body-class snippet lives in static/js/body-class.js.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "ERROR"},
        # Axes logs every sign-in at INFO; failures still show at WARNING.
        "axes": {"level": "WARNING"},
    },
}

# Generated PDFs, cached under a fingerprint of their content (safe to delete).
PDF_CACHE_DIR = Path(os.environ.get("PDF_CACHE_DIR", str(VAR_DIR / "pdf-cache")))

# Rendered PDFs are kept through Django's storage API, so several web machines can serve
# what any worker rendered: the local folder above by default, written atomically;
# S3-compatible object storage (django-storages, `pip install -e ".[s3]"`) when
# PDF_STORAGE_BUCKET is set.
if os.environ.get("PDF_STORAGE_BUCKET"):
    STORAGES["pdfs"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["PDF_STORAGE_BUCKET"],
            "endpoint_url": os.environ.get("PDF_STORAGE_ENDPOINT_URL") or None,
            "location": os.environ.get("PDF_STORAGE_PREFIX", "pdfs"),
            "default_acl": None,
            "querystring_auth": True,
        },
    }
else:
    STORAGES["pdfs"] = {"BACKEND": "assessments.reporting.pdf_store.AtomicFileSystemStorage"}
# Superseded PDFs are deleted after this many days by `manage.py prune_pdfs`, and the
# oldest beyond the size cap.
PDF_PRUNE_AFTER_DAYS = env_int("PDF_PRUNE_AFTER_DAYS", 7)
PDF_STORE_MAX_MB = env_int("PDF_STORE_MAX_MB", 2048)

# Django's task framework (django-tasks, the backport of the API Django 6.0 ships), with
# its database backend: the same code on SQLite and PostgreSQL, where several workers on
# several machines claim tasks with SKIP LOCKED. PDF_WORKERS=1 says `manage.py
# db_worker` is running: PDFs are then rendered ahead, by the worker, and a download of
# one not ready yet shows "being prepared". Without a worker (the embedded default, as
# in `make demo`) PDFs render in the request, at most PDF_RENDERS_PER_PROCESS at a time
# in each process, so renders can never take every web worker.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
PDF_WORKERS = env_bool("PDF_WORKERS", False)
PDF_RENDERS_PER_PROCESS = env_int("PDF_RENDERS_PER_PROCESS", 1)
PDF_RENDER_ATTEMPTS = 3
