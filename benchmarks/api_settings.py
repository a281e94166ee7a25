"""Settings of benchmarks/api.py: production-like (DEBUG off, persistent connections), throttles lifted, and one
trivial JSON view routed only here (benchmarks/api_urls.py) as the baseline."""

import os

from config.settings.base import *  # noqa: F403
from config.settings.base import REST_FRAMEWORK

SECRET_KEY = "benchmark-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
ROOT_URLCONF = "benchmarks.api_urls"
DATABASES["default"]["CONN_MAX_AGE"] = 60  # noqa: F405  (as in production)
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"anonymous": "100000000/min", "partner": "100000000/min"},
}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}

# benchmarks/pages.py measures the public pages once more without any cache, as the same-run baseline.
if os.environ.get("BENCH_NO_CACHE"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
