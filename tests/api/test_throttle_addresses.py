"""Throttles count per client address, and X-Forwarded-For is believed only from the configured proxies.

Rates per day: the fixed window cannot roll over in the middle of a test.
"""

import pytest

LIST = "/api/v1/tenders/"


@pytest.fixture
def three_a_day(settings):
    def configure(**extra):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"anonymous": "3/day", "partner": "5/day"},
            **extra,
        }

    configure()
    return configure


def test_by_default_no_proxy_is_trusted():
    from django.conf import settings

    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == 0


def test_a_forged_forwarded_address_does_not_reset_the_anonymous_limit(api, three_a_day, transport):
    codes = [
        api.get(LIST, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code  # a new "address" every time
        for n in range(5)
    ]
    assert codes == [200, 200, 200, 429, 429]


def test_behind_one_proxy_the_address_it_appends_is_counted_not_what_the_client_wrote(
    api, three_a_day, transport
):
    three_a_day(NUM_PROXIES=1)
    # The proxy appends the address it saw (198.51.100.7); whatever the client put before it is ignored.
    codes = [api.get(LIST, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 198.51.100.7").status_code for n in range(4)]
    assert codes == [200, 200, 200, 429]
    # Another client behind the same proxy has its own count.
    assert api.get(LIST, HTTP_X_FORWARDED_FOR="198.51.100.8").status_code == 200
