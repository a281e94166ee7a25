import pytest

from procurement import demo_publication
from procurement.models import ClarificationQuestion, Release
from procurement.publication.selectors import tender_list_published
from procurement.publication.tokens import token_authenticate
from procurement.publication.validation import release_errors
from tests.factories import AssetFactory

pytestmark = pytest.mark.django_db


def test_demo_publishes_one_tender_with_questions_and_answers_idempotently(
    transport, lighting, safety, transport_official, finance_officer
):
    for department in (transport, lighting, safety):
        AssetFactory.create_batch(3, department=department)
    messages = []
    demo_publication.load(log=messages.append)
    demo_publication.load(log=messages.append)

    (tender,) = tender_list_published()
    assert Release.objects.count() == 1
    release = tender.releases.get()
    assert release_errors(release.data, strict=True) == []
    funders = {line["sourceParty"]["name"] for line in release.data["planning"]["budget"]["budgetBreakdown"]}
    assert funders == {"Transport", "Street lighting", "Public safety"}
    assert ClarificationQuestion.objects.count() == 3
    assert ClarificationQuestion.objects.filter(answered_at__isnull=False).count() == 2
    assert token_authenticate(key=demo_publication.DEMO_PARTNER_KEY) is not None
