"""The partner API of proposals: scopes, receipts, versions, 409 after the deadline, own proposals only."""

import base64

import pytest
from rest_framework.test import APIClient

from procurement.proposals.models import ProposalVersion
from tests.procurement.proposals.conftest import MARKER, pass_deadline

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_throttle_leftovers():
    from django.core.cache import cache

    cache.clear()


def client_with(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def url(tender, pk=None):
    base = f"/api/v1/tenders/{tender.reference}/proposals/"
    return base if pk is None else f"{base}{pk}/"


def test_a_propose_token_submits_and_gets_a_receipt(open_tender, propose_key, offer):
    response = client_with(propose_key).post(url(open_tender), offer(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert len(body["sha256"]) == 64 and body["received_at"] and body["version"] == 1


def test_a_token_without_the_propose_scope_is_refused(open_tender, read_key, offer):
    response = client_with(read_key).post(url(open_tender), offer(), format="json")
    assert response.status_code == 403
    assert "needs 'propose'" in response.json()["detail"]
    assert not ProposalVersion.objects.exists()
    # but it reads
    assert client_with(read_key).get(url(open_tender)).status_code == 200


def test_anonymous_is_refused(open_tender, offer):
    assert APIClient().post(url(open_tender), offer(), format="json").status_code in (401, 403)


def test_every_validation_error_is_returned_at_once(open_tender, propose_key, offer):
    response = client_with(propose_key).post(
        url(open_tender), offer("capex", phi="0.05", committed="99", purchase_price="-1"), format="json"
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {"at_risk_share", "targets", "figures.purchase_price"} <= set(errors)


def test_replace_withdraw_and_versions(open_tender, propose_key, offer):
    client = client_with(propose_key)
    pk = client.post(url(open_tender), offer(), format="json").json()["proposal"]
    assert client.post(url(open_tender), offer(), format="json").status_code == 409  # duplicate
    replaced = client.put(url(open_tender, pk), offer(financing_charge="850.00"), format="json")
    assert replaced.status_code == 200 and replaced.json()["version"] == 2
    detail = client.get(url(open_tender, pk)).json()
    assert detail["content"]["figures"]["financing_charge"] == "850.00"
    assert [r["kind"] for r in detail["receipts"]] == ["submit", "replace"]
    assert client.delete(url(open_tender, pk)).json()["kind"] == "withdraw"


def test_after_the_deadline_409_with_a_clear_message(open_tender, propose_key, offer):
    pass_deadline(open_tender)
    response = client_with(propose_key).post(url(open_tender), offer(), format="json")
    assert response.status_code == 409
    assert "Nothing is accepted after the deadline" in response.json()["errors"]["__all__"][0]


def test_a_partner_cannot_read_or_change_another_organisations_proposal(
    open_tender, propose_key, rival, offer
):
    from procurement.models import ApiToken
    from procurement.publication.tokens import token_create

    pk = client_with(propose_key).post(url(open_tender), offer(), format="json").json()["proposal"]
    _, rival_key = token_create(organisation=rival, name="r", scope=ApiToken.Scope.PROPOSE)
    rival_client = client_with(rival_key)
    assert rival_client.get(url(open_tender, pk)).status_code == 404
    assert rival_client.put(url(open_tender, pk), offer(), format="json").status_code == 404
    assert rival_client.delete(url(open_tender, pk)).status_code == 404
    listing = rival_client.get(url(open_tender)).json()
    assert listing["results"] == [] and MARKER not in str(listing)


def test_documents_travel_as_base64_and_are_checked(open_tender, propose_key, offer):
    data = offer() | {
        "documents": [{"filename": "plan.pdf", "content_base64": base64.b64encode(b"not a pdf").decode()}]
    }
    response = client_with(propose_key).post(url(open_tender), data, format="json")
    assert response.status_code == 400
    assert "not a valid .pdf" in response.json()["errors"]["documents"][0]


def test_scores_are_not_shown_before_the_award(open_tender, propose_key):
    body = client_with(propose_key).get(f"/api/v1/tenders/{open_tender.reference}/evaluation/").json()
    assert body["own"] is None
