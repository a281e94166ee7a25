"""Settings shared by every environment.

Every difference between environments comes from an environment variable (see README, "Configuration").
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# The embedded default is a SQLite file under var/ so that `make run` needs nothing but Python.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DJANGO_CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite takes its write lock lazily: two transactions that both read and then write deadlock, and SQLite
    # answers one of them "database is locked" at once (four finance users deciding at the same moment).
    # IMMEDIATE takes the write lock at BEGIN, so transactions queue up instead, each waiting up to `timeout`
    # seconds. PostgreSQL has row locks and needs neither.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # its widget templates, for the site form renderer (config/forms.py)
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "pgtrigger",
    "csp",
    "departments",
    "outcomes",
    "procurement",
    "finance",
    "notifications",
    "accounts",
    "multilingual",  # city content in the city's languages (CITY_LANGUAGES); checks that setting at startup
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions, before common: the language of a request (URL prefix, cookie, Accept-Language), and
    # after authentication the signed-in person's own choice (config/i18n.py).
    "config.i18n.RequestLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.i18n.ProfileLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
# One rendering of every form: error summary with links, errors next to fields (config/forms.py).
FORM_RENDERER = "config.forms.SiteFormRenderer"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.site",
            ],
            # money / percent / measure filters on every template (config/numbers.py)
            "builtins": ["config.numbers"],
            # hreflang links of the pages that exist in every language (config/i18n.py)
            "libraries": {"languages": "config.templatetags.languages"},
        },
    }
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
# The interface languages. English is the source language of every string; French and Dutch are translated in
# locale/ (one catalogue per language for the whole project, so that one word is translated one way everywhere).
LANGUAGES = [("en", "English"), ("fr", "Français"), ("nl", "Nederlands")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates per language: English keeps ISO dates (config/formats/en); French and Dutch use Django's.
FORMAT_MODULE_PATH = ["config.formats"]

# The header's language switcher remembers the choice in this cookie for everybody (and in the profile for
# signed-in people); see config/i18n.py for which wins.
LANGUAGE_COOKIE_NAME = "opp_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = env("DJANGO_TIME_ZONE", default="Europe/Brussels")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Uploaded files are never served by URL (no route for MEDIA_URL in any mode; config/uploads.py serves them
# through permission-checked views), so they must not sit where static files are served from either.
if any(
    MEDIA_ROOT.resolve().is_relative_to(Path(folder).resolve()) for folder in [STATIC_ROOT, *STATICFILES_DIRS]
):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"DJANGO_MEDIA_ROOT ({MEDIA_ROOT}) must not be inside a static files folder.")

# Uploads: Django refuses request bodies above this; each import/upload checks its own stricter limit.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 20_000

# --- The city ---------------------------------------------------------------------------------------------
CITY_NAME = env("CITY_NAME", default="Demo City")
# Where the site is reached, for links in emails (pages use relative links).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# Notification emails: Django's email backend from EMAIL_URL (smtp://user:password@host:587, with +tls, or
# consolemail:// which prints them, the default so that `make run` needs no mail server).
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="procurement@example.org")
CITY_CURRENCY = env("CITY_CURRENCY", default="EUR")
# The languages the city publishes its content in (tender title and description, outcome and indicator names),
# comma-separated codes of LANGUAGES. The first is the city's main language: the language of the base fields
# (Tender.title, ...) and of OCDS releases (`language`); the others are variants entered next to them and
# published as `title_fr`, `description_nl`, ... Checked at startup (multilingual/apps.py).
CITY_LANGUAGES = env.list("CITY_LANGUAGES", default=["en", "fr", "nl"])
# OCDS: a registered prefix (ocds-xxxxxx) plus our tender id makes the ocid.
OCDS_OCID_PREFIX = env("OCDS_OCID_PREFIX", default="ocds-demo01")
DEMO_MODE = env.bool("DEMO_MODE", default=False)

# --- Celery -----------------------------------------------------------------------------------------------
# With no REDIS_URL (the embedded default) tasks run inline, in the request that enqueues them.
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
# The broker redelivers an unacknowledged message after this many seconds; every task time limit must stay
# below it, otherwise a long task would be delivered twice while still running.
CELERY_BROKER_VISIBILITY_TIMEOUT = env.int("CELERY_BROKER_VISIBILITY_TIMEOUT", default=3600)
# Scenario runs that lose their job are sent again by the reaper (finance.services.scenarios, celery beat), in
# seconds: a computing worker writes a heartbeat every HEARTBEAT_SECONDS; a running run silent for
# HEARTBEAT_TIMEOUT is re-queued. The reaper runs every SCENARIO_REAPER_PERIOD, so a whole worker killed
# mid-run is computed again within TIMEOUT + PERIOD (75 s) plus the queue's delay.
SCENARIO_RUN_HEARTBEAT_SECONDS = 5
SCENARIO_RUN_HEARTBEAT_TIMEOUT = 45
SCENARIO_REAPER_PERIOD = 30
# A queued run never handed to the broker (it was unreachable) is sent after this grace (covers the moment
# between commit and sending); one handed over is sent again if still queued after QUEUED_DEADLINE.
SCENARIO_RUN_ENQUEUE_GRACE = 30
SCENARIO_RUN_QUEUED_DEADLINE = 600
CELERY_BEAT_SCHEDULE = {
    "requeue-stuck-scenario-runs": {
        "task": "finance.tasks.requeue_stuck_scenario_runs",
        "schedule": float(SCENARIO_REAPER_PERIOD),
    },
    # Proposal price jobs stuck in queued/running past their deadline (procurement/proposals).
    "requeue-stuck-price-jobs": {
        "task": "procurement.proposals.tasks.requeue_stuck_price_jobs",
        "schedule": 300.0,
    },
    # Mails whose on-commit enqueue failed (broker down) go out on the next sweep (notifications/).
    "send-pending-notification-emails": {
        "task": "notifications.tasks.send_pending_notification_emails",
        "schedule": 300.0,
    },
    # Contracts (DESIGN §13): open ended periods for reporting, mark overdue reports and certify them.
    "contracts-open-periods-and-mark-overdue": {
        "task": "procurement.contracts.tasks.open_periods_and_mark_overdue",
        "schedule": 3600.0,
    },
}

# --- Cache ------------------------------------------------------------------------------------------------
# Throttle counters and the API's cached list pages: shared by every web process (Redis) when REDIS_URL is
# set, otherwise this process's memory (the embedded default runs one process). See config/cache.py.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if REDIS_URL:
    CACHES["default"] = {
        # Django's Redis backend, tolerating a Redis that cannot be reached (config/cache.py).
        "BACKEND": "config.cache.ResilientRedisCache",
        "LOCATION": REDIS_URL,
        # The broker shares the database: our keys keep to their own prefix.
        "KEY_PREFIX": "opp-cache",
        # A Redis that does not answer must not hold a request for long.
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }

# --- REST framework ---------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Partners authenticate with their organisation's token; everyone else reads anonymously.
    "DEFAULT_AUTHENTICATION_CLASSES": ["procurement.api.authentication.PartnerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_THROTTLE_CLASSES": [
        "procurement.api.throttles.AnonymousThrottle",
        "procurement.api.throttles.PartnerThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anonymous": env("API_THROTTLE_ANONYMOUS", default="60/min"),
        "partner": env("API_THROTTLE_PARTNER", default="600/min"),
    },
    "COERCE_DECIMAL_TO_STRING": True,
    # How many reverse proxies in front of the application append to X-Forwarded-For. Throttles count per
    # client address; with 0 the header is ignored (anyone can write it) and the peer address is used.
    "NUM_PROXIES": env.int("API_NUM_PROXIES", default=0),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Outcome Procurement Planner API",
    "DESCRIPTION": "Published integrated tenders as OCDS 1.1.5 releases, for partners and the public.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}
# The OCDS 1.1.5 schema, codelists and extensions used to validate every release offline. The product ships its
# own copy as package data (procurement/publication/schema/ocds-1.1.5, with licences and provenance), so a clone
# on its own runs and tests; OCDS_SCHEMA_DIR only overrides it (e.g. to try a newer patch release).
OCDS_SCHEMA_DIR = Path(
    env("OCDS_SCHEMA_DIR", default=str(BASE_DIR / "procurement" / "publication" / "schema" / "ocds-1.1.5"))
)
# Validate each release against that schema before it is stored (publishing fails on an invalid release).
OCDS_VALIDATE_ON_PUBLISH = env.bool("OCDS_VALIDATE_ON_PUBLISH", default=True)

# --- Proposals (DESIGN §12) ----------------------------------------------------------------------------------
# Fernet keys sealing proposal content at rest, comma-separated; the first seals, all open (rotation). Without
# keys, a local key file under var/ is created on first use (local and test settings only; production refuses).
PROPOSAL_SEALING_KEYS = env.list("PROPOSAL_SEALING_KEYS", default=[])
PROPOSAL_SEALING_LOCAL_KEY_FILE = VAR_DIR / "proposal-sealing.key"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
}
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_BROKER_VISIBILITY_TIMEOUT}
FINANCE_TWO_APPROVER_THRESHOLD = env("FINANCE_TWO_APPROVER_THRESHOLD", default="100000.00")  # EUR

# --- Content-Security-Policy (django-csp 4) ----------------------------------------------------------------
# Everything from our own origin, nothing inline: scripts only from our static files (no inline <script>, no
# on*= attributes; htmx runs with eval and script tags off), styles only from our stylesheets (no style=
# attributes; SVG charts use presentation attributes, which CSP does not govern). The API docs page adds
# what Swagger UI needs on that page only (procurement/api/root_urls.py). File downloads carry their own,
# stricter policy (config/uploads.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
