"""A NUL byte in a tender reference is a 404 on every route that takes one, never a database error (500).

PostgreSQL refuses NUL characters in text parameters, so a reference with one must never reach a query.
"""

import pytest

from tests.procurement.publication.factories import published_tender

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

ROUTES = [
    "/tenders/public/{ref}/",
    "/tenders/public/{ref}/amend/",
    "/tenders/public/{ref}/documents/1/",
    "/tenders/{ref}/",
    "/tenders/{ref}/documents/",
    "/finance/tenders/{ref}/budget/",
    "/finance/tenders/{ref}/need/",
    "/finance/tenders/{ref}/override/",
    "/finance/tenders/{ref}/scenarios/",
    "/finance/tenders/{ref}/scenarios/run/",
    "/finance/tenders/{ref}/scenarios/compare/",
    "/api/v1/tenders/{ref}/",
    "/api/v1/tenders/{ref}/releases/",
]


@pytest.fixture
def tender(transport):
    return published_tender(lead=transport)


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("forged", ["{ref}\x00", "\x00", "{ref}%00", "T-2027-\x000001"])
def test_a_nul_byte_in_a_reference_is_404_for_everyone(client, finance_officer, tender, route, forged):
    path = route.format(ref=forged.format(ref=tender.reference))
    assert client.get(path).status_code == 404
    client.force_login(finance_officer)
    assert client.get(path).status_code == 404
    assert client.post(path).status_code in (404, 405)


def test_the_real_reference_still_works(client, tender):
    assert client.get(f"/tenders/public/{tender.reference}/").status_code == 200
