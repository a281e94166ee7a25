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


def test_tokens_read_by_default_and_the_admin_creates_propose_tokens(client_for, partner):
    from procurement.models import ApiToken
    from procurement.publication.tokens import token_create

    token, _ = token_create(organisation=partner, name="old machine")
    assert token.scope == ApiToken.Scope.READ
    admin = __import__("tests.factories", fromlist=["UserFactory"]).UserFactory(
        username="root", is_staff=True, is_superuser=True
    )
    response = client_for(admin).post(
        "/admin/procurement/partnerorganisation/",
        {"action": "create_propose_token", "_selected_action": [partner.pk]},
    )
    assert response.status_code == 200
    assert ApiToken.objects.filter(organisation=partner, scope=ApiToken.Scope.PROPOSE).count() == 1


def test_after_the_award_the_api_shows_own_scores_and_the_winners(
    open_tender,
    partner,
    rival,
    offer,
    transport_official,
    finance_officer,
    django_capture_on_commit_callbacks,
):
    from procurement.models import ApiToken
    from procurement.proposals.award import award_approve, award_recommend
    from procurement.proposals.evaluation import evaluation_finalise, evaluation_start
    from procurement.proposals.models import QualityCriterion
    from procurement.proposals.services import proposal_submit, proposals_open
    from procurement.publication.tokens import token_create

    QualityCriterion.objects.filter(
        tender=open_tender
    ).delete()  # price and outcome only: no evaluators needed
    open_tender.requirements.outcome_weight = 50
    open_tender.requirements.save()
    proposal_submit(tender=open_tender, organisation=partner, content=offer(financing_charge="700.00"))
    proposal_submit(tender=open_tender, organisation=rival, content=offer(financing_charge="990.00"))
    pass_deadline(open_tender)
    proposals_open(tender=open_tender, actor=transport_official)
    proposals_open(tender=open_tender, actor=finance_officer)
    with django_capture_on_commit_callbacks(execute=True):
        evaluation = evaluation_start(tender=open_tender, actor=transport_official)
    evaluation.refresh_from_db()
    evaluation_finalise(evaluation=evaluation, actor=transport_official)
    award_recommend(tender=open_tender, actor=transport_official)
    award_approve(tender=open_tender, actor=finance_officer, override_reason="Next plan covers it")
    _, rival_key = token_create(organisation=rival, name="r")
    body = client_with(rival_key).get(f"/api/v1/tenders/{open_tender.reference}/evaluation/").json()
    assert body["own"]["organisation"] == "Lumen Services"
    assert body["winner"]["organisation"] == "Bright Streets Ltd"
    assert body["is_winner"] is False and body["own"]["rank"] == 2
    assert ApiToken.Scope.READ == "read"
