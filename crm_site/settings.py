"""Settings for the loyalty CRM, read from environment variables (see docs/configuration.md)."""

from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv

from crm_site.env import envbool, envint, envlist, envstr

BASE_DIR = Path(__file__).resolve().parent.parent

# `make` writes local.env (git-ignored) on a development machine: DEBUG on and a generated
# SECRET_KEY, so that `.venv/bin/python manage.py …` works as the README says. Variables
# already in the environment win. A production host has no such file (or sets
# LOCAL_ENV_FILE empty), so it still refuses to start without a real SECRET_KEY.
LOCAL_ENV_FILE = os.environ.get("LOCAL_ENV_FILE", str(BASE_DIR / "local.env"))
if LOCAL_ENV_FILE:
    load_dotenv(LOCAL_ENV_FILE, override=False)

VAR_DIR = Path(envstr("CRM_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = envbool("DEBUG", False)
# With DEBUG on, a missing page still shows the product's 404 page unless this is on too.
DEBUG_PAGES = envbool("DEBUG_PAGES", False)

SECRET_KEY = envstr("SECRET_KEY")
if SECRET_KEY is None:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (production). "
            "For development run with DEBUG=1, e.g. via `make run`."
        )
    SECRET_KEY = "development-only-secret-key-not-for-production"  # noqa: S105

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_tables2",
    "django_filters",
    "django_celery_beat",
    "simple_history",
    "csp",
    "axes",
    "apps.core",
    "apps.accounts",
    "apps.catalog",
    "apps.members",
    "apps.baskets",
    "apps.agreements",
    "apps.jobs",
    "apps.segments",
    "apps.campaigns",
    "apps.rewards",
    "apps.rights",
    "apps.lists",
    "apps.checkout",
    "apps.reports",
    "apps.portal",
    "apps.desk",
    "apps.demo",
    "apps.ops",
    "apps.audit",
    "apps.cluster",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "apps.core.csp.CSPMiddleware",  # django-csp's, its policy built once (docstring)
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Django's LocaleMiddleware, after authentication so that a signed-in user's own choice
    # wins over the browser's; it reads the user only when a session cookie came (tills: never).
    "apps.accounts.middleware.UserLocaleMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "apps.audit.middleware.ExportAuditMiddleware",
    "apps.accounts.middleware.ProductNotFoundMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "crm_site.urls"
WSGI_APPLICATION = "crm_site.wsgi.application"
ASGI_APPLICATION = "crm_site.asgi.application"

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
                "apps.accounts.context_processors.navigation",
            ],
        },
    }
]

# Database: DATABASE_URL, else an embedded PostgreSQL under var/ (see crm_site/embedded_pg.py).
DATABASE_URL = envstr("DATABASE_URL")
if DATABASE_URL is None:
    from crm_site.embedded_pg import embedded_database_url

    DATABASE_URL = embedded_database_url(VAR_DIR)
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=envint("CONN_MAX_AGE", 60))
}
if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL (postgres://…)")
# Django's PostgreSQL backend with the schema changes a Citus coordinator needs as well.
DATABASES["default"]["ENGINE"] = "apps.core.postgres"
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Parameters bound by PostgreSQL, not quoted into the SQL text by psycopg, and a statement
# a connection runs a second time prepared (planned once per connection, then reused): the
# till's and the cashier's statements are the same on every request (docs/performance.md).
# Off (DB_PREPARED_STATEMENTS=0) behind a pooler in transaction mode that cannot keep a
# connection's prepared statements (pgbouncer before 1.21, or without max_prepared_statements).
if envbool("DB_PREPARED_STATEMENTS", True):
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=2
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# django-axes first: it refuses a locked-out sign-in before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's, the user of each request read with written-out SQL. Sessions signed in
    # under Django's own path (before 2026-12-07) sign in again once.
    "apps.accounts.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# English and Simplified Chinese (docs/i18n.md). Each staff user may choose one (User.language);
# otherwise the browser's Accept-Language decides (apps.accounts.middleware.UserLocaleMiddleware).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Naive timestamps in imported files are store-local time in this zone.
TIME_ZONE = envstr("TIME_ZONE", "America/Chicago")
USE_I18N = True
USE_TZ = True
# One way to write dates on every page: "4 Dec 2026", "4 Dec 2026 15:08" (local time, 24 h,
# the day first so that no reader mistakes 12/04 for April 12). Templates use |date with no
# format or a named one ("DATETIME_FORMAT"), django-tables2's DateColumn and DateTimeColumn
# read the SHORT_ ones; CSV exports and date inputs keep ISO (machines read them). Django
# prefers a locale's formats to these settings, so crm_site/formats/en hands these back.
DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = DATE_FORMAT
DATETIME_FORMAT = "j M Y H:i"
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
MONTH_DAY_FORMAT = "j M"
YEAR_MONTH_FORMAT = "M Y"
TIME_FORMAT = "H:i"
FORMAT_MODULE_PATH = ["crm_site.formats"]

STATIC_URL = "static/"
# plotly.js is served from the plotly package itself, so its version always matches.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("plotly", Path(__import__("plotly").__file__).parent / "package_data"),
]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_MANIFEST = envbool("STATIC_MANIFEST", not DEBUG)
# Without collected files, whitenoise serves straight from the source folders.
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed names need `collectstatic` first; tests and development serve files as they are.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Celery: CELERY_BROKER_URL, else kombu's filesystem transport under var/ (needs no server).
CELERY_BROKER_URL = envstr("CELERY_BROKER_URL")
if CELERY_BROKER_URL is None:
    _queue_dir = VAR_DIR / "celery-queue"
    _processed_dir = VAR_DIR / "celery-processed"
    _control_dir = VAR_DIR / "celery-control"
    for _folder in (_queue_dir, _processed_dir, _control_dir):
        _folder.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(_processed_dir),
        "control_folder": str(_control_dir),
        "store_processed": False,
    }
else:
    # Redis redelivers a message not acknowledged within this time (acks_late tasks). A
    # worker looks for such messages every 10 s; kombu 5.7 otherwise scans on every 10th
    # look only (100 s), which left a killed worker's chunk waiting that long.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", 3600),
        "unacked_restore_interval": 10,
        "unacked_restore_throttle": 1,
    }
CELERY_RESULT_BACKEND = None  # job progress and results live in apps.jobs records
CELERY_TASK_DEFAULT_QUEUE = envstr("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# Security (docs/security.md). Development (DEBUG) runs over plain HTTP; anything else is
# assumed to be served over HTTPS, and `manage.py check --deploy` passes with the defaults.
# Django's database sessions, read with a written-out query (apps/accounts/sessions.py).
SESSION_ENGINE = "apps.accounts.sessions"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = envbool("SECURE_COOKIES", not DEBUG)
# A shared till-side PC should not stay signed in for days.
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 12 * 3600)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", not DEBUG)
# Only behind a TLS-terminating proxy that sets this header (e.g. HTTP_X_FORWARDED_PROTO);
# trusting it without such a proxy would let a client claim HTTPS.
_proxy_header = envstr("SECURE_PROXY_SSL_HEADER")
SECURE_PROXY_SSL_HEADER = (_proxy_header, "https") if _proxy_header else None
# An operator who turns HSTS preload or subdomains off on purpose is not warned about it.
SILENCED_SYSTEM_CHECKS = [
    *(["security.W021"] if not SECURE_HSTS_PRELOAD and SECURE_HSTS_SECONDS else []),
    *(["security.W005"] if not SECURE_HSTS_INCLUDE_SUBDOMAINS and SECURE_HSTS_SECONDS else []),
]

# Content-Security-Policy (django-csp): scripts only from our own origin, never inline.
# Styles need 'unsafe-inline': plotly.js injects <style> elements and templates set widths
# with style attributes (docs/security.md, "CSP").
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Failed sign-ins (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords for one user name,
# that user name is refused (even with the right password) for LOGIN_COOLOFF_MINUTES.
# Locking by user name, not by address: the cashiers of a store share one address, and one
# mistyping cashier must not lock the store out. LOGIN_LOCKOUT_ALSO_BY_IP adds a lock on an
# address with too many failures (against password spraying) where users have their own.
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = _dt.timedelta(minutes=envint("LOGIN_COOLOFF_MINUTES", 15))
if envbool("LOGIN_LOCKOUT_ALSO_BY_IP", False):
    AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
else:
    AXES_LOCKOUT_PARAMETERS = ["username"]
    # axes.W006 asks for the address as a key; a lock by user name is not bypassed by
    # changing address, user agent or cookies, which is what the warning is about.
    SILENCED_SYSTEM_CHECKS.append("axes.W006")
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_DISABLE_ACCESS_LOG = True  # apps.audit records sign-ins and sign-outs

# Cashier lookups (docs/security.md, "Lookup limits"): django-ratelimit rates per user, each
# "count/period" (s, m, h, d). Name lookups show up to 20 members each, so they are held
# tighter than scans (card, list barcode, phone), which a till makes all day.
LOOKUP_NAME_RATES = envlist("LOOKUP_NAME_RATES", ["30/m", "200/h"])
LOOKUP_SCAN_RATES = envlist("LOOKUP_SCAN_RATES", ["120/m", "1200/h"])
LOOKUP_NAME_MIN_LETTERS = envint("LOOKUP_NAME_MIN_LETTERS", 3)
# The counters live in PostgreSQL, which every web process and machine shares in every mode,
# one atomic statement per step (apps/desk/counters.py; docs/decisions.md, "Lookup
# limits"). The default cache stays per process: nothing else relies on a shared one.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "ratelimit": {
        "BACKEND": "apps.desk.counters.CounterCache",
        "LOCATION": "ratelimit_counter",  # apps/members/migrations/0002
    },
}
RATELIMIT_USE_CACHE = "ratelimit"

# The database-outage page (apps.accounts.errors): seconds a client should wait.
DATABASE_OUTAGE_RETRY_AFTER = envint("DATABASE_OUTAGE_RETRY_AFTER", 30)

# Manufacturer portal (docs/portal.md): a figure whose noisy count of members is below this
# is withheld. Never below 5: the portal's system check refuses a smaller value.
REPORT_MIN_MEMBERS = envint("REPORT_MIN_MEMBERS", 10)
# Its differential privacy: ε per figure (noise ±1/ε members a count), a member's money
# counted up to the cap per figure, at most this many categories a member counts in, and
# the ε budgets of an agreement and of a manufacturer (decimals as text; checked at start).
PORTAL_DP_EPSILON_PER_FIGURE = envstr("PORTAL_DP_EPSILON_PER_FIGURE", "0.1")
PORTAL_DP_MONEY_CAP = envstr("PORTAL_DP_MONEY_CAP", "50.00")
PORTAL_DP_MAX_CATEGORIES = envint("PORTAL_DP_MAX_CATEGORIES", 6)
PORTAL_DP_AGREEMENT_BUDGET = envstr("PORTAL_DP_AGREEMENT_BUDGET", "170")
PORTAL_DP_MANUFACTURER_BUDGET = envstr("PORTAL_DP_MANUFACTURER_BUDGET", "340")

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table table-sm table-striped table-hover"}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"client_errors": {"()": "crm_site.log_filters.ClientErrorsOnOneLine"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["client_errors"]},
    },
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own console handler (DEBUG only) printed every record a second time
        # through the root's: Django's records go to the root handler alone.
        "django": {"handlers": [], "level": "INFO"},
        "pgserver": {"level": "WARNING"},
        # django-axes logs every sign-in at INFO; apps.audit keeps the record.
        "axes": {"level": "WARNING"},
    },
}

# Offer allocation (apps.campaigns.allocation): offers per list, and the most of them that
# may be discovery offers (categories the member did not buy in 52 weeks).
CRM_LIST_OFFER_SLOTS = envint("CRM_LIST_OFFER_SLOTS", 12)
CRM_DISCOVERY_SHARE = envstr("CRM_DISCOVERY_SHARE", "0.20")

# Member rewards (apps.rewards): points expire this many months after the day they were
# earned (each lot its own day).
CRM_POINTS_EXPIRY_MONTHS = envint("CRM_POINTS_EXPIRY_MONTHS", 12)
# What a point is worth when spent, in cents (1: 100 points = $1).
CRM_POINT_VALUE_CENTS = envint("CRM_POINT_VALUE_CENTS", 1)
# Lots expire after CRM_POINTS_EXPIRY_MONTHS ("months") or at the end of the programme year
# they were earned in ("year_end"). The programme year ends on this month-day.
CRM_POINTS_EXPIRE_AT = envstr("CRM_POINTS_EXPIRE_AT", "months")
CRM_PROGRAMME_YEAR_END = envstr("CRM_PROGRAMME_YEAR_END", "12-31")
# The year-end rebate: whole certificates of this many points, each worth this much at the
# till for CRM_REBATE_VALID_DAYS; the points left over are carried over ("carry") or expire.
CRM_REBATE_POINTS_PER_CERTIFICATE = envint("CRM_REBATE_POINTS_PER_CERTIFICATE", 500)
CRM_REBATE_CERTIFICATE_VALUE = envstr("CRM_REBATE_CERTIFICATE_VALUE", "5.00")
CRM_REBATE_REMAINDER = envstr("CRM_REBATE_REMAINDER", "carry")
CRM_REBATE_VALID_DAYS = envint("CRM_REBATE_VALID_DAYS", 90)
# The conversion runs in member chunks on this many database connections at once (threads of
# the process that runs it: the work is in PostgreSQL). 1 inside a transaction.
CRM_REBATE_WORKERS = envint("CRM_REBATE_WORKERS", 2)
# The birthday gift: bonus points on the list of the period holding the member's birthday.
CRM_BIRTHDAY_POINTS = envint("CRM_BIRTHDAY_POINTS", 200)
# A new member's consent, per channel, when members.csv leaves it empty or has no such column
# (docs/import.md). Off: opt-in, no consent until the member gives it; a chain whose sign-up
# form asks for consent on every channel may turn it on.
CRM_IMPORT_CONSENT_DEFAULT = envbool("CRM_IMPORT_CONSENT_DEFAULT", False)

# Retention (apps.rights.retention, docs/privacy.md#retention), run nightly: baskets and
# their lines older than CRM_RETENTION_BASKET_YEARS are detached from their member (kept as
# anonymous sales); members with no activity for CRM_RETENTION_INACTIVE_YEARS are erased.
# 0 turns either off; a negative number is refused.
CRM_RETENTION_BASKET_YEARS = envint("CRM_RETENTION_BASKET_YEARS", 3)
CRM_RETENTION_INACTIVE_YEARS = envint("CRM_RETENTION_INACTIVE_YEARS", 3)
for _name in ("CRM_RETENTION_BASKET_YEARS", "CRM_RETENTION_INACTIVE_YEARS"):
    if globals()[_name] < 0:
        raise ImproperlyConfigured(f"{_name} must be 0 (off) or a number of years")
