"""A forged `cursor` is a 400 with a plain message on both paginated feeds, never a server error."""

import base64
from urllib.parse import quote, urlencode

import pytest

from tests.procurement.publication.factories import published_tender

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

FEEDS = ["/api/v1/tenders/", "/api/v1/releases/"]


def forge(**tokens) -> str:
    return base64.b64encode(urlencode(tokens).encode()).decode()


FORGED = {
    "position not a date": forge(p="garbage"),
    "position with a NUL byte": forge(p="2026-01-01T00:00:00\x00"),
    "position out of range in UTC": forge(p="0001-01-01T00:00:00+01:00"),
    "position of 10,000 characters": forge(p="9" * 10_000),
    "offset not a number": forge(o="abc", p="2026-01-01T00:00:00+00:00"),
    "reverse not a number": forge(r="x"),
    "not base64": "%%%not-base64",
    "not ascii": "é",
    "a NUL byte": "\x00",
}


@pytest.fixture
def two_pages(transport):
    for _ in range(3):
        published_tender(lead=transport, assets_per_department=1)


@pytest.mark.parametrize("feed", FEEDS)
@pytest.mark.parametrize("cursor", FORGED.values(), ids=FORGED.keys())
def test_a_forged_cursor_is_a_400_naming_the_cursor(api, two_pages, feed, cursor):
    response = api.get(f"{feed}?cursor={quote(cursor)}")
    assert response.status_code == 400
    assert response.json() == {"cursor": ["Invalid cursor: use the next/previous links as given."]}


@pytest.mark.parametrize("feed", FEEDS)
def test_the_links_the_api_gives_still_work(api, two_pages, feed):
    first = api.get(feed, {"page_size": 1}).json()
    second = api.get(first["next"])
    assert second.status_code == 200
    previous = api.get(second.json()["previous"])
    assert previous.status_code == 200
    assert previous.json()["results"] == first["results"]


@pytest.mark.parametrize("feed", FEEDS)
def test_a_position_with_an_offset_postgresql_refuses_is_read_in_utc(api, two_pages, feed):
    # Python accepts offsets up to ±23:59, PostgreSQL only ±15:59: the position is sent in UTC.
    assert api.get(f"{feed}?cursor={quote(forge(p='2026-01-01T00:00:00+20:00'))}").status_code == 200
