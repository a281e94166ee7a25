import pytest
from rest_framework.test import APIClient

from procurement.publication.tokens import token_create


@pytest.fixture(autouse=True)
def _fresh_throttles():
    # Throttle counters and cached list pages live in the cache: start every test with none.
    from django.core.cache import cache

    from procurement.publication.selectors import forget_published_version

    cache.clear()
    forget_published_version()
    yield
    cache.clear()


@pytest.fixture
def api(db):
    """An anonymous API client."""
    return APIClient()


@pytest.fixture
def partner_key(partner):
    _, key = token_create(organisation=partner, name="bids")
    return key


@pytest.fixture
def partner_api(partner_key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {partner_key}")
    return client
