"""A persistent database connection killed by the server (pg_terminate_backend, a restart) costs no request
when connection health checks are on, as in production (config/settings/production.py)."""

import psycopg
import pytest
from django.db import close_old_connections, connection

from config.health import check_database

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def terminate_the_server_side_of_our_connection() -> None:
    pid = connection.connection.info.backend_pid
    s = connection.settings_dict
    with psycopg.connect(
        host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, user=s["USER"], password=s["PASSWORD"] or None,
        dbname=s["NAME"], autocommit=True,
    ) as admin:  # fmt: skip
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])


def persistent_connection(monkeypatch, *, health_checks: bool) -> None:
    """Connect anew as a web worker would with these settings (they are read when connecting)."""
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)
    monkeypatch.setitem(connection.settings_dict, "CONN_HEALTH_CHECKS", health_checks)
    connection.close()
    assert check_database()["ok"]  # a first request opens the connection
    close_old_connections()  # what Django does when that request finishes: kept (max age 60 s)
    assert connection.connection is not None


def test_with_health_checks_the_next_request_reconnects(monkeypatch):
    persistent_connection(monkeypatch, health_checks=True)
    terminate_the_server_side_of_our_connection()
    close_old_connections()  # the next request starts
    assert check_database() == {"ok": True, "vendor": "postgresql"}


def test_without_health_checks_the_next_request_fails(monkeypatch):
    persistent_connection(monkeypatch, health_checks=False)
    terminate_the_server_side_of_our_connection()
    close_old_connections()
    assert check_database()["ok"] is False  # this is the 500 each web worker used to give once
    close_old_connections()  # the failure marked the connection unusable: the request after it reconnects
    assert check_database()["ok"] is True
