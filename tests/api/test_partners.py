import datetime
import logging
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from procurement.models import ApiToken, ClarificationQuestion
from procurement.publication.tokens import token_create, token_revoke
from tests.procurement.publication.factories import approved_tender, published_tender

pytestmark = pytest.mark.django_db

LIST = "/api/v1/tenders/"


def tampered(key: str) -> str:
    """The same key with its last character changed (same prefix, wrong secret)."""
    return key[:-1] + ("A" if key[-1] != "A" else "B")


def client_with(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_token_is_never_stored_in_clear(partner):
    token, key = token_create(organisation=partner, name="bids")
    assert key.startswith(token.prefix)
    assert token.key_hash != key and len(token.key_hash) == 64
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM procurement_apitoken")
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert key not in stored
    assert key[len(token.prefix) :] not in stored


def test_partner_downloads_the_asset_inventory_as_csv(partner_api, transport, lighting):
    tender = published_tender(lead=transport, partners=[lighting])
    response = partner_api.get(f"{LIST}{tender.reference}/assets/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0].startswith("department,external_ref,name,category,action")
    assert len(lines) == 1 + 4


def test_anonymous_visitor_cannot_download_shared_data(api, transport):
    tender = published_tender(lead=transport)
    for suffix in ("assets/", "scenario/"):
        response = api.get(f"{LIST}{tender.reference}/{suffix}")
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"


def test_partner_reads_scenario_assumptions_and_chosen_summary(partner_api, transport, transport_official):
    from finance.models import FinancingChoice, ScenarioAssumptions, ScenarioRun, ScenarioSummary

    tender = published_tender(lead=transport)
    ScenarioAssumptions.objects.create(tender=tender, start_year=2027)
    run = ScenarioRun.objects.create(tender=tender, input_hash="x" * 64, inputs={}, status="succeeded")
    ScenarioSummary.objects.create(
        run=run,
        scenario="opex_service",
        npv=Decimal("1000000.00"),
        whole_life_cost=Decimal("1500000.00"),
        savings_vs_status_quo=Decimal("250000.00"),
        year0_capex=Decimal("0.00"),
        peak_yearly_cost=Decimal("90000.00"),
    )
    FinancingChoice.objects.create(
        tender=tender, run=run, scenario="opex_service", chosen_by=transport_official
    )
    body = partner_api.get(f"{LIST}{tender.reference}/scenario/").json()
    assert body["chosen_scenario"] == "opex_service"
    assert body["summary"]["npv"] == "1000000.00"
    assert body["assumptions"]["discount_rate"] == "0.0350"


def test_scenario_without_a_choice_is_empty_not_an_error(partner_api, transport):
    tender = published_tender(lead=transport)
    body = partner_api.get(f"{LIST}{tender.reference}/scenario/").json()
    assert body == {"assumptions": None, "chosen_scenario": None, "summary": None}


@pytest.mark.parametrize(
    "make_key",
    [
        lambda partner: "opp_unknown-key-that-was-never-issued",
        lambda partner: token_create(
            organisation=partner, name="old", expires_at=timezone.now() - datetime.timedelta(days=1)
        )[1],
        lambda partner: (
            token_revoke(token=(pair := token_create(organisation=partner, name="x"))[0]) and pair[1]
        ),
        lambda partner: tampered(token_create(organisation=partner, name="y")[1]),
    ],
    ids=["unknown", "expired", "revoked", "tampered"],
)
def test_bad_token_is_a_401_that_never_repeats_the_key(partner, transport, make_key, caplog):
    key = make_key(partner)
    with caplog.at_level(logging.DEBUG):
        response = client_with(key).get(LIST)
    assert response.status_code == 401
    assert key not in response.content.decode()
    assert key not in caplog.text


def test_valid_token_records_its_last_use(partner_api, partner):
    assert partner_api.get(LIST).status_code == 200
    assert ApiToken.objects.get(organisation=partner).last_used_at is not None


def test_partner_asks_a_question_and_sees_it_before_the_answer(partner_api, api, partner, transport):
    tender = published_tender(lead=transport)
    response = partner_api.post(
        f"{LIST}{tender.reference}/questions/", {"question": "  Is night lighting included? "}
    )
    assert response.status_code == 201
    assert response.json()["question"] == "Is night lighting included?"
    assert response.json()["answered"] is False
    assert [q["question"] for q in partner_api.get(f"{LIST}{tender.reference}/questions/").json()] == [
        "Is night lighting included?"
    ]
    # Not yet answered: the public does not see it.
    assert api.get(f"{LIST}{tender.reference}/questions/").json() == []


def test_answered_question_is_published_to_everyone(api, partner, transport, transport_official):
    from procurement.publication.services import question_answer, question_ask

    tender = published_tender(lead=transport)
    question = question_ask(tender=tender, organisation=partner, question="Who owns the data?")
    question_answer(question=question, answer="The city does.", actor=transport_official)
    body = api.get(f"{LIST}{tender.reference}/questions/").json()
    assert [(q["question"], q["answer"]) for q in body] == [("Who owns the data?", "The city does.")]
    assert "organisation" not in body[0]


@pytest.mark.parametrize("payload", [{}, {"question": ""}, {"question": "   "}, {"question": "x" * 5001}])
def test_invalid_question_is_a_400_and_saves_nothing(partner_api, transport, payload):
    tender = published_tender(lead=transport)
    response = partner_api.post(f"{LIST}{tender.reference}/questions/", payload, format="json")
    assert response.status_code == 400
    assert "question" in response.json()
    assert not ClarificationQuestion.objects.exists()


def test_anonymous_visitor_cannot_ask_questions(api, transport):
    tender = published_tender(lead=transport)
    assert api.post(f"{LIST}{tender.reference}/questions/", {"question": "Hi?"}).status_code == 401
    assert not ClarificationQuestion.objects.exists()


def test_partners_cannot_write_anything_but_questions(partner_api, transport):
    tender = published_tender(lead=transport)
    detail = f"{LIST}{tender.reference}/"
    attempts = [
        ("post", LIST),
        ("put", detail),
        ("patch", detail),
        ("delete", detail),
        ("post", f"{detail}releases/"),
        ("post", f"{detail}record/"),
        ("post", f"{detail}assets/"),
        ("put", f"{detail}questions/"),
        ("delete", f"{detail}questions/"),
        ("post", "/api/v1/releases/"),
    ]
    for method, url in attempts:
        response = getattr(partner_api, method)(url, {"title": "Hacked"}, format="json")
        assert response.status_code == 405, (method, url)
    tender.refresh_from_db()
    assert tender.title != "Hacked"
    assert tender.releases.count() == 1


def test_questions_are_closed_on_a_cancelled_tender(partner_api, transport):
    from procurement.models import Tender
    from tests.procurement.publication.factories import transition

    tender = approved_tender(lead=transport)
    from tests.procurement.publication.factories import publish

    publish(tender)
    transition(tender, "cancel", Tender.Status.CANCELLED)
    response = partner_api.post(f"{LIST}{tender.reference}/questions/", {"question": "Still open?"})
    assert response.status_code == 400
    assert "open" in response.json()["question"][0]


# Rates per day: the fixed window cannot roll over in the middle of the test (no flakiness).
def test_anonymous_throttling_returns_429(api, settings, transport):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anonymous": "3/day", "partner": "5/day"},
    }
    responses = [api.get(LIST) for _ in range(4)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert 0 < int(responses[-1]["Retry-After"]) <= 86400


def test_partners_have_a_higher_limit_than_anonymous_visitors(partner_api, settings, transport):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anonymous": "3/day", "partner": "5/day"},
    }
    codes = [partner_api.get(LIST).status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]


def test_questions_waiting_for_an_answer_are_limited_per_organisation_through_the_api(
    partner_api, transport, monkeypatch
):
    from procurement.publication import services

    monkeypatch.setattr(services, "QUESTIONS_WAITING_LIMIT", 1)  # stands in for 20
    tender = published_tender(lead=transport)
    url = f"{LIST}{tender.reference}/questions/"
    assert partner_api.post(url, {"question": "First?"}).status_code == 201
    response = partner_api.post(url, {"question": "Second?"})
    assert response.status_code == 400
    assert "still waiting for an answer" in response.json()["question"][0]
    assert ClarificationQuestion.objects.count() == 1
