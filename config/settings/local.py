"""The embedded default used by `make run`: SQLite, tasks inline, debug on, demo users."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-development-only-not-secret")
DEMO_MODE = env.bool("DEMO_MODE", default=True)
# Serve static files straight from the finders (no collectstatic for `make run`).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
