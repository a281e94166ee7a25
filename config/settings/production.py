"""Production: PostgreSQL, Redis, gunicorn + whitenoise. Refuses to start without a secret key."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is not set. Production refuses to start without a secret key: "
        "generate one (python -c 'import secrets; print(secrets.token_urlsafe(50))') and export it."
    )
# Proposals are sealed with keys from the environment only: a key file on the server's disk would sit beside
# the database it protects.
PROPOSAL_SEALING_KEYS = env.list("PROPOSAL_SEALING_KEYS", default=[])
PROPOSAL_SEALING_LOCAL_KEY_FILE = None
if not PROPOSAL_SEALING_KEYS:
    raise ImproperlyConfigured(
        "PROPOSAL_SEALING_KEYS is not set. Production refuses to start without the keys that seal proposals: "
        "generate one (python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())') "
        "and export it (comma-separated; the first key seals, all keys open)."
    )
for _key in PROPOSAL_SEALING_KEYS:
    try:
        from cryptography.fernet import Fernet

        Fernet(_key.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise ImproperlyConfigured(
            "PROPOSAL_SEALING_KEYS holds a value that is not a Fernet key (32 url-safe base64-encoded bytes)."
        ) from None
DEBUG = env.bool("DJANGO_DEBUG", default=False)
DEMO_MODE = env.bool("DEMO_MODE", default=False)

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)  # noqa: F405
# A persistent connection may have died meanwhile (database restarted, pg_terminate_backend, a proxy's idle
# timeout): check it before each request reuses it, instead of answering that request with a 500.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
