"""On the embedded SQLite database (`make run`), simultaneous decisions queue up instead of failing with
"database is locked" (issue 12 §6): immediate transactions and a busy timeout.

The real check runs in a separate process on a SQLite *file* (tests/config/sqlite_decisions.py): the suite's
own database is PostgreSQL or an in-memory SQLite, and threads of pytest-django's test transaction cannot
compete for a file lock.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.config.test_settings import run_django

ROOT = Path(__file__).resolve().parents[2]


def test_sqlite_settings_take_the_write_lock_at_begin_and_wait_for_it():
    result = run_django(
        "config.settings.local",
        "shell",
        "-c",
        "from django.conf import settings as s; o = s.DATABASES['default']['OPTIONS'];"
        " print(o['transaction_mode'], o['timeout'])",
        DATABASE_URL="",
        REDIS_URL="",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == ["IMMEDIATE", "20"]


def test_postgresql_settings_get_no_sqlite_options():
    result = run_django(
        "config.settings.local",
        "shell",
        "-c",
        "from django.conf import settings as s; print(sorted(s.DATABASES['default'].get('OPTIONS', {})))",
        DATABASE_URL="postgres://nobody@127.0.0.1:1/none",
        REDIS_URL="",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_four_simultaneous_approvals_on_a_sqlite_file_never_answer_database_is_locked(tmp_path):
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    environment.pop("REDIS_URL", None)
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "tests" / "config" / "sqlite_decisions.py"),
            str(tmp_path / "db.sqlite3"),
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    outcomes = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcomes["different"] == ["approved"] * 4, outcomes
    assert sorted(outcomes["same"]) == ["InvalidContributionTransition"] * 3 + ["approved"], outcomes
