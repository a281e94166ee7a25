"""Shared fixtures: the fixed cast of people and departments, real services, a Celery worker, a browser.

The cast (DESIGN §10) — permission tests read like sentences with them:
- transport_official: an official of Transport (lead department of most tenders)
- lighting_official: an official of Street lighting (a second participating department)
- parks_official: an official of an unrelated department (Parks)
- transport_viewer: a viewer of Transport
- finance_officer, second_finance_officer: finance staff of the central finance office
- transport_finance: finance staff of Transport
- partner: a partner organisation (supplier)
- anonymous: a visitor who is not signed in (an unauthenticated test client)
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests import services

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run beside it unless
# told that this is safe (it is: each test drives one browser page sequentially).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[1]


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres"):
        services.require(services.has_postgres(), "needs PostgreSQL: set DATABASE_URL=postgres://…")
    if item.get_closest_marker("redis"):
        services.require(services.has_redis(), "needs Redis and a Celery worker: set REDIS_URL=redis://…")
    if item.get_closest_marker("browser"):
        services.require(
            services.has_chromium(), f"needs Chromium at {services.CHROMIUM_PATH} and playwright"
        )


# --- The cast ------------------------------------------------------------------------------------------------


@pytest.fixture
def transport(db):
    from tests.factories import DepartmentFactory

    return DepartmentFactory(code="transport", name="Transport")


@pytest.fixture
def lighting(db):
    from tests.factories import DepartmentFactory

    return DepartmentFactory(code="lighting", name="Street lighting")


@pytest.fixture
def safety(db):
    from tests.factories import DepartmentFactory

    return DepartmentFactory(code="safety", name="Public safety")


@pytest.fixture
def parks(db):
    from tests.factories import DepartmentFactory

    return DepartmentFactory(code="parks", name="Parks")


@pytest.fixture
def central_finance(db):
    from departments.models import Department
    from tests.factories import DepartmentFactory

    return DepartmentFactory(
        code="finance", name="Central finance office", kind=Department.Kind.CENTRAL_FINANCE
    )


def _member(username, first, last, department, role):
    from tests.factories import MembershipFactory, UserFactory

    user = UserFactory(username=username, first_name=first, last_name=last)
    MembershipFactory(user=user, department=department, role=role)
    return user


@pytest.fixture
def transport_official(transport):
    return _member("tina", "Tina", "Transport", transport, "official")


@pytest.fixture
def lighting_official(lighting):
    return _member("luc", "Luc", "Lighting", lighting, "official")


@pytest.fixture
def parks_official(parks):
    return _member("paula", "Paula", "Parks", parks, "official")


@pytest.fixture
def transport_viewer(transport):
    return _member("victor", "Victor", "Viewer", transport, "viewer")


@pytest.fixture
def finance_officer(central_finance):
    return _member("fiona", "Fiona", "Finance", central_finance, "finance")


@pytest.fixture
def second_finance_officer(central_finance):
    return _member("frank", "Frank", "Finance", central_finance, "finance")


@pytest.fixture
def transport_finance(transport):
    return _member("theo", "Theo", "Transport Finance", transport, "finance")


@pytest.fixture
def partner(db):
    from tests.factories import PartnerOrganisationFactory

    return PartnerOrganisationFactory(name="Bright Streets Ltd")


@pytest.fixture
def anonymous(client):
    """A visitor who is not signed in."""
    return client


@pytest.fixture
def client_for(client):
    """client_for(user) -> a test client signed in as that user."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture(autouse=True)
def _own_page_cache(monkeypatch):
    """Cached public pages of one test are never read by another (rolled-back databases repeat ids)."""
    import uuid

    from config import pagecache

    monkeypatch.setattr(pagecache, "KEY_SALT", uuid.uuid4().hex)
    # Likewise the tender page's cached bundles (procurement/selectors/bundle.py).
    from procurement.selectors import bundle

    monkeypatch.setattr(bundle, "KEY_SALT", uuid.uuid4().hex)
    # Likewise the partner API's published version, remembered for a second, and its copies of list pages.
    from procurement.publication.selectors import forget_published_version

    forget_published_version()


@pytest.fixture(autouse=True)
def _english_between_tests():
    """Every test starts in English and leaves English behind, whatever language its requests or its
    translation.override chose (random test order must never make another test read French)."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


# --- Append-only history: emptying the database between transactional tests ---------------------------------


@pytest.fixture(scope="session", autouse=True)
def flush_lifts_append_only_truncate_triggers():
    """pytest-django empties the database after each transactional test with one TRUNCATE, which the history
    tables refuse (config/append_only.py). The test database's owner lifts their TRUNCATE triggers for that
    statement only, inside the flush's transaction: exactly what the application's role cannot do.
    """
    import pgtrigger
    from django.db.backends.postgresql.operations import DatabaseOperations

    from config.append_only import AppendOnly

    original = DatabaseOperations.sql_flush
    truncate_triggers = {
        model._meta.db_table: trigger.get_pgid(model)
        for model, trigger in pgtrigger.registered()
        if isinstance(trigger, AppendOnly) and trigger.level == pgtrigger.Statement
    }

    def sql_flush(self, style, tables, **kwargs):
        statements = original(self, style, tables, **kwargs)
        lifted = [(table, truncate_triggers[table]) for table in tables if table in truncate_triggers]
        if not statements or not lifted:
            return statements
        alter = "ALTER TABLE {} {} TRIGGER {};"
        disable = [alter.format(self.quote_name(t), "DISABLE", self.quote_name(p)) for t, p in lifted]
        enable = [alter.format(self.quote_name(t), "ENABLE", self.quote_name(p)) for t, p in lifted]
        return [*disable, *statements, *enable]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "sql_flush", sql_flush)
        yield


# --- Celery: a real worker on Redis ----------------------------------------------------------------------------


def _database_url_for_worker() -> str:
    from django.db import connection

    s = connection.settings_dict
    user = s.get("USER") or ""
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"


def _start_worker(*, name: str, database_url: str, log_path: Path) -> subprocess.Popen:
    """Start a real `celery worker` (prefork, concurrency 1) in its own process group and wait for its pong.

    `name` is the node name without host; the worker consumes the `default` and `scenarios` queues.
    """
    from config.celery_app import app

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    log = open(log_path, "w")  # noqa: SIM115 — the worker writes it; closed by _stop_worker
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config.celery_app",
            "worker",
            "-Q",
            "default,scenarios",
            "--concurrency",
            "1",
            "--pool",
            "prefork",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"{name}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    proc.log = log
    proc.node_name = f"{name}@{socket.gethostname()}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"celery worker exited with {proc.returncode}; see {log_path}")
        if app.control.ping(destination=[proc.node_name], timeout=0.5):
            break
    else:
        _stop_worker(proc)
        raise RuntimeError(f"celery worker did not answer a ping within 60 s; see {log_path}")
    return proc


def _stop_worker(proc: subprocess.Popen) -> None:
    """Stop a worker's whole process group (warm shutdown, then SIGKILL after 20 s); a dead one is reaped."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    proc.log.close()


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker):
    """A real `celery worker` process (prefork, concurrency 1) consuming from Redis against the test database.

    Tests using it must use `transactional_db` so that the worker sees committed rows.
    """
    if not (services.has_redis()):
        services.require(False, "needs Redis: set REDIS_URL=redis://…")
    with django_db_blocker.unblock():
        from django.db import connection

        services.require(
            connection.vendor == "postgresql", "the worker needs a shared PostgreSQL test database"
        )
        database_url = _database_url_for_worker()

    from config.celery_app import app

    app.control.purge()
    proc = _start_worker(
        name=f"test-worker-{os.getpid()}",
        database_url=database_url,
        log_path=ROOT / "var" / "test-worker.log",
    )
    yield proc
    _stop_worker(proc)


@pytest.fixture
def start_separate_worker(transactional_db):
    """Start workers of this test's own (each in a new process group, so a test may kill one whole), sending
    tasks to them instead of running them inline.

    The session's worker, if one is running, stops consuming the `scenarios` queue meanwhile, so that a
    scenario run goes to a worker of this test. At the end every worker started here is stopped and the
    messages a killed worker left unacknowledged in Redis are dropped: they would be redelivered to a later
    session an hour later (the visibility timeout), for rows that no longer exist.
    """
    from django.db import connection

    from config.celery_app import app

    services.require(connection.vendor == "postgresql", "the worker needs a shared PostgreSQL test database")
    database_url = _database_url_for_worker()
    prefix = f"separate-worker-{os.getpid()}"
    others = [n for reply in app.control.ping(timeout=0.5) for n in reply if not n.startswith(prefix)]
    if others:
        app.control.cancel_consumer("scenarios", destination=others, reply=True)
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    started: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        number = len(started) + 1
        log_path = ROOT / "var" / f"test-separate-worker-{number}.log"
        started.append(_start_worker(name=f"{prefix}-{number}", database_url=database_url, log_path=log_path))
        return started[-1]

    yield start
    app.conf.task_always_eager = previous
    for proc in started:
        _stop_worker(proc)
    _drop_unacknowledged_messages()
    if others:
        app.control.add_consumer("scenarios", destination=others, reply=True)


def _drop_unacknowledged_messages() -> None:
    """Forget the messages that killed workers held (kombu's Redis transport keeps them in `unacked`)."""
    import redis

    from config.celery_app import app

    redis.Redis.from_url(app.conf.broker_url).delete("unacked", "unacked_index")


@pytest.fixture
def celery_worker(celery_worker_process, transactional_db):
    """Send tasks to the real worker instead of running them inline, for the duration of one test."""
    from config.celery_app import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield celery_worker_process
    app.conf.task_always_eager = previous


# --- Browser: headless Chromium driven by Playwright --------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    services.require(services.has_chromium(), f"needs Chromium at {services.CHROMIUM_PATH} and playwright")
    from playwright.sync_api import expect, sync_playwright

    # Browser assertions are made with expect(), which retries until the page shows what is asserted: a click
    # that submits a form returns before the next page has loaded, so an immediate reading can see the old one.
    expect.set_options(timeout=15_000)

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=services.CHROMIUM_PATH,
            headless=True,
            # Chromium runs as root here (needs --no-sandbox); the machine has no GPU and no outside network.
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-quic",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def login_as(page):
    """login_as(user): sign in through the real login form, and wait until the signed-in page has loaded."""
    from tests.signing_in import sign_in

    def _login(user):
        return sign_in(page, user.username)

    return _login
