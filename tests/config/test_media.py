"""Nothing under /media/ is served by URL, in any mode: uploads go out only through permission-checked views."""

import importlib

import pytest
from django.urls import clear_url_caches

from tests.config.test_settings import run_django

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def urls_as_in_debug_mode(settings, media):
    """The URL configuration as `make run` builds it (DEBUG on, uploads in `media`), rebuilt back afterwards."""
    import config.urls

    settings.DEBUG = True
    importlib.reload(config.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(config.urls)
    clear_url_caches()


@pytest.mark.parametrize(
    "path", ["imports/assets/2026/11/assets.csv", "tenders/documents/2026/spec.pdf", "x"]
)
def test_anonymous_get_under_media_is_404_in_debug_mode(anonymous, media, urls_as_in_debug_mode, path):
    stored = media / path
    stored.parent.mkdir(parents=True, exist_ok=True)
    stored.write_bytes(b"department,category\n")
    assert anonymous.get(f"/media/{path}").status_code == 404


def test_a_signed_in_user_gets_404_under_media_too(
    client_for, transport_official, media, urls_as_in_debug_mode
):
    (media / "secret.csv").write_text("a,b\n")
    assert client_for(transport_official).get("/media/secret.csv").status_code == 404


def test_the_make_run_settings_route_nothing_under_media():
    result = run_django(
        "config.settings.local",
        "shell",
        "-c",
        "from django.conf import settings as s\n"
        "from django.urls import Resolver404, resolve\n"
        "try:\n    resolve(s.MEDIA_URL + 'imports/assets/a.csv'); print('routed', s.DEBUG)\n"
        "except Resolver404:\n    print('not-routed', s.DEBUG)",
        DATABASE_URL="",
        REDIS_URL="",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "not-routed True"


def test_media_inside_a_static_folder_is_refused_at_start():
    result = run_django("config.settings.local", "check", DJANGO_MEDIA_ROOT="static/uploads")
    assert result.returncode != 0
    assert "must not be inside a static files folder" in result.stderr
