"""The demo city's published tender is made only through the real services, once."""

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from finance.models import Contribution, FinancingChoice
from finance.selectors.budgets import tender_funding_problems, tender_override
from procurement import demo_publication
from procurement.models import ClarificationQuestion, Release, Tender
from procurement.publication.selectors import tender_list_published
from procurement.publication.tokens import token_authenticate
from procurement.publication.validation import release_errors
from tests.factories import AssetFactory

pytestmark = pytest.mark.django_db


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def test_demo_city_publishes_one_tender_through_the_services_and_a_second_run_adds_nothing():
    first = StringIO()
    call_command("load_demo_city", stdout=first)
    counts = _row_counts()
    second = StringIO()
    call_command("load_demo_city", stdout=second)

    assert _row_counts() == counts
    (tender,) = tender_list_published()
    assert tender.reference in first.getvalue() and "published" in first.getvalue()
    assert tender.created_by.username == "tina" and tender.submitted_by.username == "tina"
    assert tender.contract_term_years == 10 and tender.tender_period_start.year == 2027
    assert sum(t.payment_weight for t in tender.targeted_outcomes.all()) == 100
    assert set(tender.bundled_assets.values_list("asset__department__code", flat=True)) == {
        "transport",
        "lighting",
        "safety",
    }
    # History: every lifecycle move is a TenderEvent by the right people (four-eyes).
    moves = {
        e.action: e.actor.username for e in tender.events.filter(action__in=["submit", "approve", "publish"])
    }
    assert moves["submit"] == "tina"
    assert moves["approve"] in {"fiona", "frank"} and moves["publish"] in {"fiona", "frank"}
    # Financing: a chosen scenario and approved contributions that cover its need (or a recorded override).
    assert FinancingChoice.objects.filter(tender=tender).exists()
    contributions = Contribution.objects.filter(tender=tender)
    assert contributions.exists()
    assert set(contributions.values_list("status", flat=True)) == {Contribution.Status.APPROVED}
    assert not contributions.filter(decided_by=tender.created_by).exists()
    assert (
        tender_override(tender=tender) is not None
        or tender_funding_problems(tender=tender, stage="approve") == []
    )
    # Publication: the tender release, then the proposals step of the demo (procurement.proposals.demo): what
    # the tender asks and an amendment of it, the opening (bids statistics) and the award; all validate.
    releases = list(Release.objects.filter(tender=tender).order_by("date", "id"))
    assert [r.tag for r in releases] == [
        "tender",
        "tenderAmendment",
        "tenderAmendment",
        "tenderUpdate",
        "award",
        # The contracts step (issue 15): signature, then one implementation release per approved certificate.
        "contract",
        "implementation",
        "implementation",
    ]
    release = releases[0]
    for each in releases:
        assert release_errors(each.data, strict=True) == []
    funders = {line["sourceParty"]["name"] for line in release.data["planning"]["budget"]["budgetBreakdown"]}
    assert funders == {"Transport", "Street lighting", "Public safety"}
    assert ClarificationQuestion.objects.filter(tender=tender).count() == 3
    assert ClarificationQuestion.objects.filter(answered_at__isnull=False).count() == 2
    assert token_authenticate(key=demo_publication.DEMO_PARTNER_KEY) is not None


def test_demo_publication_without_the_earlier_steps_publishes_nothing_and_says_why(
    transport, lighting, safety, transport_official, finance_officer
):
    for department in (transport, lighting, safety):
        AssetFactory.create_batch(2, department=department)
    messages = []
    demo_publication.load(log=messages.append)

    assert not tender_list_published().exists()
    assert not Tender.objects.exists()  # the half-built draft was rolled back with the transaction
    assert any(message.startswith("skipped:") for message in messages)
