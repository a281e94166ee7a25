"""Submitting, replacing and withdrawing proposals: every rule of DESIGN §12 and every refusal of issue 14."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from procurement.models import TenderEvent
from procurement.proposals.exceptions import (
    DuplicateProposal,
    ProposalInvalid,
    ProposalNotFound,
    ProposalsClosed,
    RequirementsInvalid,
)
from procurement.proposals.models import Proposal, ProposalVersion, TenderRequirements
from procurement.proposals.selectors import proposal_content, receipt
from procurement.proposals.services import (
    MAX_AMOUNT,
    DocumentUpload,
    canonical_json,
    proposal_replace,
    proposal_submit,
    proposal_withdraw,
    tender_requirements_set,
)
from tests.procurement.proposals.conftest import MARKER, requirements_input

pytestmark = pytest.mark.django_db


def test_a_submission_returns_a_receipt_of_the_canonical_content_and_server_time(open_tender, partner, offer):
    before = timezone.now()
    version = proposal_submit(tender=open_tender, organisation=partner, content=offer())
    stored = proposal_content(version=version, organisation=partner)
    assert version.content_sha256 == __import__("hashlib").sha256(canonical_json(stored)).hexdigest()
    assert before <= version.received_at <= timezone.now()
    assert receipt(version)["sha256"] == version.content_sha256


def test_content_is_sealed_at_rest(open_tender, partner, offer):
    version = proposal_submit(tender=open_tender, organisation=partner, content=offer())
    raw = bytes(ProposalVersion.objects.get(pk=version.pk).sealed)
    assert MARKER.encode() not in raw
    assert b"opex_service" not in raw
    assert not TenderEvent.objects.filter(comment__contains=MARKER).exists()


def test_every_problem_is_listed_at_once_and_nothing_is_saved(open_tender, partner, offer):
    open_tender.requirements.accepted_models = ["opex_service", "shared_savings"]
    open_tender.requirements.save()
    bad = offer("capex", phi="0.1", committed="60", purchase_price="-5", running_cost="abc")
    with pytest.raises(ProposalInvalid) as caught:
        proposal_submit(tender=open_tender, organisation=partner, content=bad)
    errors = caught.value.errors
    assert "does not accept CapEx purchase" in errors["financing_model"][0]
    assert "below the tender's minimum 0.2" in errors["at_risk_share"][0]
    assert "worse than the tender's target 55.5" in errors["targets"][0]
    assert "must not be negative" in errors["figures.purchase_price"][0]
    assert "number" in errors["figures.running_cost"][0]
    assert not Proposal.objects.exists() and not ProposalVersion.objects.exists()


def test_absurd_fees_are_refused_with_the_stated_limit(open_tender, partner, offer):
    with pytest.raises(ProposalInvalid) as caught:
        proposal_submit(
            tender=open_tender,
            organisation=partner,
            content=offer(financing_charge=str(MAX_AMOUNT + 1), operation_fee="0.001"),
        )
    assert "exceeds the limit of 1,000,000,000" in caught.value.errors["figures.financing_charge"][0]
    assert "at most 2 decimals" in caught.value.errors["figures.operation_fee"][0]


def test_a_share_of_savings_above_one_is_refused(open_tender, partner, offer):
    with pytest.raises(ProposalInvalid) as caught:
        proposal_submit(
            tender=open_tender, organisation=partner, content=offer("shared_savings", savings_share="1.5")
        )
    assert "at most 1" in caught.value.errors["figures.savings_share"][0]


def test_a_duplicate_submission_is_refused_and_points_to_replace(open_tender, partner, offer):
    proposal_submit(tender=open_tender, organisation=partner, content=offer())
    with pytest.raises(DuplicateProposal) as caught:
        proposal_submit(tender=open_tender, organisation=partner, content=offer())
    assert "replace it (PUT)" in str(caught.value)
    assert ProposalVersion.objects.count() == 1


def test_an_oversized_submission_is_refused(open_tender, partner, offer):
    data = offer()
    data["summary"] = "x" * 20_000
    with pytest.raises(ProposalInvalid) as caught:
        proposal_submit(tender=open_tender, organisation=partner, content=data)
    assert "longer than 10,000 characters" in caught.value.errors["summary"][0]
    huge = DocumentUpload("plan.txt", b"a" * (10 * 1024 * 1024 + 1))
    with pytest.raises(ProposalInvalid) as caught:
        proposal_submit(tender=open_tender, organisation=partner, content=offer(), documents=[huge])
    assert "the limit is 10 MB" in caught.value.errors["documents"][0]


def test_documents_get_the_same_content_checks_as_tender_documents(open_tender, partner, offer):
    fake_pdf = DocumentUpload("plan.pdf", b"MZ this is an exe")
    with pytest.raises(ProposalInvalid) as caught:
        proposal_submit(tender=open_tender, organisation=partner, content=offer(), documents=[fake_pdf])
    assert "not a valid .pdf file" in caught.value.errors["documents"][0]
    good = DocumentUpload("plan.pdf", b"%PDF-1.4 our plan")
    version = proposal_submit(tender=open_tender, organisation=partner, content=offer(), documents=[good])
    assert proposal_content(version=version, organisation=partner)["documents"][0]["filename"] == "plan.pdf"
    assert b"our plan" not in bytes(version.documents.get().sealed)


def test_replace_keeps_every_version_and_withdraw_records_one_more(open_tender, partner, offer):
    first = proposal_submit(tender=open_tender, organisation=partner, content=offer())
    second = proposal_replace(
        tender=open_tender, organisation=partner, content=offer(financing_charge="800.00")
    )
    third = proposal_withdraw(tender=open_tender, organisation=partner)
    assert [v.kind for v in ProposalVersion.objects.order_by("number")] == ["submit", "replace", "withdraw"]
    assert first.content_sha256 != second.content_sha256
    assert third.content_sha256 == ""
    assert Proposal.objects.get().status == Proposal.Status.WITHDRAWN
    # After a withdrawal a new proposal may be submitted again until the deadline.
    proposal_submit(tender=open_tender, organisation=partner, content=offer())
    assert Proposal.objects.get().status == Proposal.Status.SUBMITTED


def test_the_deadline_is_exact_to_the_second(open_tender, partner, rival, offer):
    deadline = open_tender.requirements.proposal_deadline
    just_before = deadline - datetime.timedelta(microseconds=1)
    version = proposal_submit(tender=open_tender, organisation=partner, content=offer(), now=just_before)
    assert version.received_at == just_before
    with pytest.raises(ProposalsClosed) as caught:
        proposal_submit(tender=open_tender, organisation=rival, content=offer(), now=deadline)
    assert caught.value.status_code == 409
    assert "Nothing is accepted after the deadline" in str(caught.value)
    with pytest.raises(ProposalsClosed):
        proposal_replace(tender=open_tender, organisation=partner, content=offer(), now=deadline)
    with pytest.raises(ProposalsClosed):
        proposal_withdraw(
            tender=open_tender, organisation=partner, now=deadline + datetime.timedelta(seconds=1)
        )
    assert ProposalVersion.objects.count() == 1


def test_a_late_submission_by_the_server_clock_is_refused(open_tender, partner, offer):
    TenderRequirements.objects.filter(tender=open_tender).update(
        proposal_deadline=timezone.now() - datetime.timedelta(seconds=1),
        clarification_deadline=timezone.now() - datetime.timedelta(days=1),
    )
    with pytest.raises(ProposalsClosed):
        proposal_submit(tender=open_tender, organisation=partner, content=offer())
    assert not Proposal.objects.exists()


def test_a_partner_cannot_change_or_withdraw_another_organisations_proposal(
    open_tender, partner, rival, offer
):
    version = proposal_submit(tender=open_tender, organisation=partner, content=offer())
    with pytest.raises(ProposalNotFound):
        proposal_replace(
            tender=open_tender, organisation=rival, content=offer(), proposal_id=version.proposal_id
        )
    with pytest.raises(ProposalNotFound):
        proposal_withdraw(tender=open_tender, organisation=rival, proposal_id=version.proposal_id)
    assert ProposalVersion.objects.count() == 1


def test_weights_must_add_up_to_100_with_every_error_by_field(draft, transport_official):
    data = requirements_input(
        price_weight=Decimal("50"),
        outcome_weight=Decimal("40"),
        minimum_at_risk_share=Decimal("1.5"),
        accepted_models=[],
        clarification_deadline=timezone.now() + datetime.timedelta(days=40),
    )
    with pytest.raises(RequirementsInvalid) as caught:
        tender_requirements_set(tender=draft, data=data, actor=transport_official)
    errors = caught.value.errors
    assert "add up to 110" in errors["__all__"][0]
    assert "between 0 and 1" in errors["minimum_at_risk_share"][0]
    assert "at least one financing model" in errors["accepted_models"][0]
    assert "not be after the proposal deadline" in errors["clarification_deadline"][0]
    assert not TenderRequirements.objects.exists()


def test_only_the_lead_departments_officials_set_what_the_tender_asks(draft, lighting_official):
    with pytest.raises(RequirementsInvalid):
        tender_requirements_set(tender=draft, data=requirements_input(), actor=lighting_official)


def test_an_amendment_after_publication_appends_a_release_and_may_move_the_deadline(
    open_tender, transport_official
):
    later = timezone.now() + datetime.timedelta(days=45)
    tender_requirements_set(
        tender=open_tender,
        data=requirements_input(proposal_deadline=later),
        actor=transport_official,
    )
    release = open_tender.releases.order_by("-date").first()
    assert release.tag == "tenderAmendment"
    assert release.data["tender"]["tenderPeriod"]["endDate"].startswith(
        later.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S")
    )


def test_no_question_after_the_clarification_deadline(open_tender, partner):
    from procurement.publication.exceptions import QuestionNotAllowed
    from procurement.publication.services import question_ask

    question_ask(tender=open_tender, organisation=partner, question="Is solar allowed?")
    TenderRequirements.objects.filter(tender=open_tender).update(
        clarification_deadline=timezone.now() - datetime.timedelta(seconds=1)
    )
    with pytest.raises(QuestionNotAllowed, match="clarification deadline has passed"):
        question_ask(tender=open_tender, organisation=partner, question="And wind?")
