"""Settings for the test suite. DATABASE_URL / REDIS_URL choose real services (CI sets both)."""

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = env("DJANGO_SECRET_KEY", default="test-only-not-secret")
DEBUG = False
DEMO_MODE = True
# Fast hashing: tests create many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Ordinary tests run tasks inline; job tests switch the Celery app to the real broker and a real worker.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
# Serve static files straight from the finders (no collectstatic in tests).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Mails stay in memory (django.core.mail.outbox) in the test process.
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Short heartbeats, so that a test can kill a worker and see its run recovered within seconds.
SCENARIO_RUN_HEARTBEAT_SECONDS = 0.5
SCENARIO_RUN_HEARTBEAT_TIMEOUT = 5
# Each test process keeps its own memory cache, whatever REDIS_URL says: tests clear the cache, which on Redis
# would flush the broker's database too. The Redis cache itself is tested explicitly (tests/config).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# A fixed sealing key (tests must not depend on a file under var/); PROPOSAL_SEALING_KEYS still wins if set.
PROPOSAL_SEALING_KEYS = env.list(
    "PROPOSAL_SEALING_KEYS", default=["dGVzdC1vbmx5LXNlYWxpbmcta2V5LW5vdC1zZWNyZXQ="]
)
