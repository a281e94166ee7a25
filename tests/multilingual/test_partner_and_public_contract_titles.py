"""Partners and the public read a tender's title in their own language wherever they meet it: the partner
portal's tender page, the partner's contracts, and the public contract page."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from procurement.contracts.models import Contract

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_contract():
    call_command("load_demo_city", stdout=StringIO())
    return Contract.objects.select_related("tender").get()


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_a_partner_reads_the_tender_title_in_their_language(demo_contract, language):
    tender = demo_contract.tender
    partner = Client()
    partner.force_login(get_user_model().objects.get(username="pat"))
    pages = [reverse("partner:tender", args=[tender.reference]), reverse("partner_contracts:list")]
    for url in pages:
        html = partner.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert tender.translations[language]["title"] in html, url
        assert tender.title not in html, url


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_the_public_contract_page_carries_the_title_in_the_readers_language(demo_contract, language):
    tender = demo_contract.tender
    html = (
        Client().get(f"/{language}" + reverse("contracts:public", args=[tender.reference])).content.decode()
    )
    assert tender.translations[language]["title"] in html
    assert tender.title not in html
