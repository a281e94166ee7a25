"""Settings load in every mode, production refuses to start without a secret key, check --deploy passes."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_django(settings_module: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment["DJANGO_SETTINGS_MODULE"] = settings_module
    for name, value in env.items():
        # An empty value means "not set at all", as on a fresh machine.
        if value:
            environment[name] = value
        else:
            environment.pop(name, None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_local_settings_load_with_sqlite_and_inline_tasks():
    result = run_django(
        "config.settings.local",
        "shell",
        "-c",
        "from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER)",
        DATABASE_URL="",
        REDIS_URL="",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == ["django.db.backends.sqlite3", "True"]


def test_test_settings_load():
    result = run_django("config.settings.test", "check")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_redis_url_makes_celery_use_the_real_broker():
    result = run_django(
        "config.settings.local",
        "shell",
        "-c",
        "from config.celery_app import app; print(app.conf.broker_url, app.conf.task_always_eager)",
        REDIS_URL="redis://127.0.0.1:6379/9",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == ["redis://127.0.0.1:6379/9", "False"]


def test_production_without_secret_key_refuses_to_start_with_a_clear_message():
    result = run_django("config.settings.production", "check", DJANGO_SECRET_KEY="")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_production_settings_pass_check_deploy():
    result = run_django(
        "config.settings.production",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SECRET_KEY="a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
        DJANGO_ALLOWED_HOSTS="procurement.city.example",
        PROPOSAL_SEALING_KEYS="dGVzdC1vbmx5LXNlYWxpbmcta2V5LW5vdC1zZWNyZXQ=",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_celery_has_reliability_defaults():
    from django.conf import settings

    from config.celery_app import app

    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_ignore_result is True
    assert app.conf.task_time_limit < settings.CELERY_BROKER_VISIBILITY_TIMEOUT
    assert (
        app.conf.broker_transport_options["visibility_timeout"] == settings.CELERY_BROKER_VISIBILITY_TIMEOUT
    )


def test_production_reuses_database_connections_only_after_a_health_check():
    result = run_django(
        "config.settings.production",
        "shell",
        "-c",
        "from django.conf import settings as s; d = s.DATABASES['default']; "
        "print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])",
        DJANGO_SECRET_KEY="a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
        DATABASE_URL="postgres://opp@127.0.0.1:5432/opp",
        PROPOSAL_SEALING_KEYS="dGVzdC1vbmx5LXNlYWxpbmcta2V5LW5vdC1zZWNyZXQ=",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == ["60", "True"]
