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
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "departments",
    "outcomes",
    "procurement",
    "finance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
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
                "config.context_processors.site",
            ],
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
TIME_ZONE = env("DJANGO_TIME_ZONE", default="Europe/Brussels")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media")))

# Uploads: Django refuses request bodies above this; each import/upload checks its own stricter limit.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 20_000

# --- The city ---------------------------------------------------------------------------------------------
CITY_NAME = env("CITY_NAME", default="Demo City")
CITY_CURRENCY = env("CITY_CURRENCY", default="EUR")
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
# The OCDS 1.1.5 schema, codelists and extensions used to validate every release offline. CI and developers
# have shared/ beside the repository; a deployment sets OCDS_SCHEMA_DIR to where it keeps the files.
OCDS_SCHEMA_DIR = Path(env("OCDS_SCHEMA_DIR", default=str(BASE_DIR.parent / "shared" / "ocds" / "1.1.5")))
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
