"""The demo city shows the whole market flow, made through the real services."""

import io

import pytest
from django.core.management import call_command

from procurement.proposals.models import AwardDecision, Evaluation, Proposal, ProposalScore
from procurement.publication.validation import release_errors


@pytest.mark.django_db
def test_the_demo_tender_is_answered_opened_evaluated_and_awarded():
    out = io.StringIO()
    call_command("load_demo_city", stdout=out)
    assert "awarded to" in out.getvalue(), out.getvalue()
    assert Proposal.objects.count() == 3
    evaluation = Evaluation.objects.get()
    assert evaluation.status == Evaluation.Status.FINAL
    assert ProposalScore.objects.filter(compliant=False).count() == 1
    decision = AwardDecision.objects.get()
    # The contracts step (issue 15) then signs it at the end of the standstill and plays two quarters.
    assert decision.status == AwardDecision.Status.SIGNED
    release = decision.tender.releases.filter(tag="award").order_by("-date", "-id").first()
    assert release.tag == "award" and release_errors(release.data) == []
    # Idempotent: a second run changes nothing.
    call_command("load_demo_city", stdout=io.StringIO())
    assert Proposal.objects.count() == 3
