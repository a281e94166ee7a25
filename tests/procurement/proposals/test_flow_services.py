"""Opening, evaluation and award through the real services, with OCDS releases validated offline."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from procurement.models import Tender, TenderEvent
from procurement.proposals.award import (
    award_approve,
    award_recommend,
    contract_sign,
    tender_cancel_with_reason,
)
from procurement.proposals.evaluation import (
    ScoreInput,
    evaluation_finalise,
    evaluation_start,
    evaluator_declare,
    quality_scores_submit,
)
from procurement.proposals.exceptions import AwardRefused, EvaluationRefused, OpeningRefused, ProposalSealed
from procurement.proposals.models import AwardDecision, Evaluation, ProposalScore, QualityCriterion
from procurement.proposals.selectors import (
    box_is_open,
    partner_scores,
    proposal_content,
    quality_scores_visible_to,
    standing_versions,
)
from procurement.proposals.services import proposal_submit, proposals_open, tender_requirements_set
from procurement.publication.validation import release_errors
from tests.factories import BudgetLineFactory, ContributionFactory
from tests.procurement.proposals.conftest import MARKER, pass_deadline, requirements_input

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_proposals(open_tender, partner, rival, third_partner, offer, transport_official):
    proposal_submit(tender=open_tender, organisation=partner, content=offer("opex_service", phi="0.25"))
    proposal_submit(
        tender=open_tender,
        organisation=rival,
        content=offer("capex", phi="0.2", committed="40", purchase_price="2500.00", running_cost="40.00"),
    )
    proposal_submit(
        tender=open_tender, organisation=third_partner, content=offer("shared_savings", phi="0.2")
    )
    # An amendment after submission stops accepting shared savings: that proposal becomes non-compliant.
    tender_requirements_set(
        tender=open_tender,
        data=requirements_input(
            accepted_models=["capex", "opex_service"],
            proposal_deadline=open_tender.requirements.proposal_deadline,
            clarification_deadline=open_tender.requirements.clarification_deadline,
        ),
        actor=transport_official,
    )
    return open_tender


@pytest.fixture
def opened(three_proposals, transport_official, finance_officer):
    pass_deadline(three_proposals)
    proposals_open(tender=three_proposals, actor=transport_official)
    proposals_open(tender=three_proposals, actor=finance_officer)
    return three_proposals


@pytest.fixture
def priced(opened, transport_official, second_transport_official, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        evaluation_start(
            tender=opened,
            actor=transport_official,
            evaluators=[transport_official, second_transport_official],
        )
    return Evaluation.objects.get(tender=opened)


def score_all(evaluation, user, points):
    proposals = evaluation.scores.filter(compliant=True).values_list("proposal_id", flat=True)
    criteria = QualityCriterion.objects.filter(tender=evaluation.tender)
    evaluator_declare(evaluation=evaluation, actor=user, statement="I have no conflict of interest.")
    return quality_scores_submit(
        evaluation=evaluation,
        actor=user,
        scores=[ScoreInput(p, c.pk, points, "Clear plan") for p in proposals for c in criteria],
    )


@pytest.fixture
def final(priced, transport_official, second_transport_official):
    score_all(priced, transport_official, 8)
    score_all(priced, second_transport_official, 6)
    return evaluation_finalise(evaluation=priced, actor=transport_official)


# --- Opening --------------------------------------------------------------------------------------------------


def test_nobody_opens_before_the_deadline(three_proposals, transport_official):
    with pytest.raises(OpeningRefused, match="only after the proposal deadline"):
        proposals_open(tender=three_proposals, actor=transport_official)


def test_the_same_person_cannot_open_twice(three_proposals, transport_official):
    pass_deadline(three_proposals)
    proposals_open(tender=three_proposals, actor=transport_official)
    with pytest.raises(OpeningRefused, match="a second, different person"):
        proposals_open(tender=three_proposals, actor=transport_official)
    assert not box_is_open(tender=three_proposals)


def test_a_user_of_an_unrelated_department_cannot_open(three_proposals, parks_official):
    pass_deadline(three_proposals)
    with pytest.raises(OpeningRefused):
        proposals_open(tender=three_proposals, actor=parks_official)


def test_content_stays_sealed_after_the_deadline_until_two_have_opened(
    three_proposals, transport_official, finance_officer
):
    version = standing_versions(tender=three_proposals)[0]
    pass_deadline(three_proposals)
    with pytest.raises(ProposalSealed):
        proposal_content(version=version, user=transport_official)
    proposals_open(tender=three_proposals, actor=transport_official)
    with pytest.raises(ProposalSealed):
        proposal_content(version=version, user=transport_official)
    proposals_open(tender=three_proposals, actor=finance_officer)
    assert MARKER in proposal_content(version=version, user=transport_official)["summary"]
    events = TenderEvent.objects.filter(tender=three_proposals, action="proposals_open")
    assert [e.actor for e in events] == [transport_official, finance_officer]


def test_the_opening_publishes_bids_statistics_valid_against_the_bids_extension(opened):
    release = opened.releases.order_by("-date", "-id").first()
    assert release.tag == "tenderUpdate"
    assert release.data["bids"]["statistics"][0]["value"] == 3
    assert "details" not in release.data["bids"]
    assert release_errors(release.data, strict=True) == []


def test_a_partner_never_reads_another_organisations_proposal(opened, rival, rival_person):
    version = standing_versions(tender=opened)[0]
    with pytest.raises(ProposalSealed):
        proposal_content(version=version, organisation=rival)
    with pytest.raises(ProposalSealed):
        proposal_content(version=version, user=rival_person)


# --- Evaluation -----------------------------------------------------------------------------------------------


def test_compliance_and_engine_price_and_outcome_scores(priced, partner, rival, third_partner):
    assert priced.status == Evaluation.Status.SCORING
    scores = {s.proposal.organisation: s for s in priced.scores.select_related("proposal__organisation")}
    assert scores[third_partner].compliant is False  # shared savings is no longer accepted
    assert "not accepted" in scores[third_partner].compliance_problems[0]
    assert scores[third_partner].npv is None
    lowest = min(scores[partner].npv, scores[rival].npv)
    for org in (partner, rival):
        assert scores[org].price_score == pytest.approx(
            Decimal(100) * lowest / scores[org].npv, abs=Decimal("0.001")
        )
    # Incidents at stops (lower is better): baseline 100, target 55.5; committed 50 and 40.
    assert scores[partner].outcome_score == pytest.approx(
        Decimal(100) * Decimal("5.5") / Decimal("44.5"), abs=Decimal("0.001")
    )
    assert scores[rival].outcome_score == pytest.approx(
        Decimal(100) * Decimal("15.5") / Decimal("44.5"), abs=Decimal("0.001")
    )


def test_scores_are_hidden_from_other_evaluators_until_all_are_in(
    priced, transport_official, second_transport_official
):
    score_all(priced, transport_official, 8)
    assert quality_scores_visible_to(evaluation=priced, user=second_transport_official).count() == 0
    assert quality_scores_visible_to(evaluation=priced, user=transport_official).count() == 2
    score_all(priced, second_transport_official, 6)
    assert quality_scores_visible_to(evaluation=priced, user=second_transport_official).count() == 4


def test_no_scoring_before_the_declaration(priced, transport_official):
    with pytest.raises(EvaluationRefused, match="Declare"):
        quality_scores_submit(evaluation=priced, actor=transport_official, scores=[])


def test_an_evaluator_cannot_score_twice(priced, transport_official):
    score_all(priced, transport_official, 8)
    with pytest.raises(EvaluationRefused, match="already scored"):
        quality_scores_submit(evaluation=priced, actor=transport_official, scores=[])


def test_missing_scores_and_reasons_are_all_listed(priced, transport_official):
    evaluator_declare(evaluation=priced, actor=transport_official, statement="No conflict.")
    pid = priced.scores.filter(compliant=True).first().proposal_id
    criterion = QualityCriterion.objects.get(tender=priced.tender)
    with pytest.raises(EvaluationRefused) as caught:
        quality_scores_submit(
            evaluation=priced, actor=transport_official, scores=[ScoreInput(pid, criterion.pk, 11, "")]
        )
    assert {"Give 0 to 10 points.", "Give a reason for the score."} <= set(
        caught.value.errors[f"score-{pid}-{criterion.pk}"]
    )
    assert len(caught.value.errors) == 2  # and the other proposal is missing


def test_totals_ranking_and_no_scoring_after_the_final_report(final, partner, rival, parks_official):
    ranked = list(ProposalScore.objects.filter(evaluation=final, compliant=True).order_by("rank"))
    assert [r.rank for r in ranked] == [1, 2]
    for row in ranked:
        assert row.quality_score == Decimal("70.000")  # mean of 8 and 6, × 10
        expected = (
            Decimal(50) * row.price_score + Decimal(30) * row.outcome_score + Decimal(20) * Decimal(70)
        ) / 100
        assert row.total == pytest.approx(expected, abs=Decimal("0.002"))
    assert ranked[0].total >= ranked[1].total
    with pytest.raises(EvaluationRefused, match="final"):
        quality_scores_submit(evaluation=final, actor=final.evaluators.first().user, scores=[])


def test_ties_go_to_the_lower_npv(priced, transport_official, second_transport_official):
    ProposalScore.objects.filter(evaluation=priced, compliant=True).update(price_score=50, outcome_score=50)
    score_all(priced, transport_official, 5)
    score_all(priced, second_transport_official, 5)
    evaluation_finalise(evaluation=priced, actor=transport_official)
    ranked = list(ProposalScore.objects.filter(evaluation=priced, compliant=True).order_by("rank"))
    assert ranked[0].total == ranked[1].total
    assert ranked[0].npv < ranked[1].npv


# --- Award ----------------------------------------------------------------------------------------------------


def test_approval_of_an_award_that_does_not_fit_the_budget_is_refused_without_a_reason(
    final, transport_official, finance_officer
):
    award_recommend(tender=final.tender, actor=transport_official)
    with pytest.raises(AwardRefused, match="do not fit the pooled budget") as caught:
        award_approve(tender=final.tender, actor=finance_officer)
    assert "override_reason" in caught.value.errors
    assert Tender.objects.get(pk=final.tender_id).status == Tender.Status.PUBLISHED
    assert AwardDecision.objects.get().status == AwardDecision.Status.RECOMMENDED


def test_the_recommender_cannot_approve(final, transport_official, transport_finance):
    award_recommend(tender=final.tender, actor=transport_official)
    AwardDecision.objects.update(recommended_by=transport_finance)
    with pytest.raises(AwardRefused, match="Four-eyes"):
        award_approve(tender=final.tender, actor=transport_finance, override_reason="x")


def test_an_award_that_fits_is_approved_and_published_with_bids_details(
    final, transport_official, finance_officer, transport
):
    tender = final.tender
    for year in (2026, 2027, 2028):
        for btype in ("capex", "opex"):
            line = BudgetLineFactory(
                department=transport, fiscal_year=year, budget_type=btype, amount=Decimal("1e6")
            )
            ContributionFactory(tender=tender, budget_line=line, amount=Decimal("100000"), status="approved")
    decision = award_recommend(tender=tender, actor=transport_official)
    award_approve(tender=tender, actor=finance_officer)
    decision.refresh_from_db()
    tender.refresh_from_db()
    assert tender.status == Tender.Status.AWARDED
    assert decision.budget_shortfall == 0 and decision.override_reason == ""
    assert decision.standstill_ends_at - decision.approved_at == datetime.timedelta(days=10)
    release = tender.releases.order_by("-date", "-id").first()
    assert release.tag == "award"
    award = release.data["awards"][0]
    assert award["suppliers"][0]["name"] == decision.proposal.organisation.name
    assert award["relatedBids"] == [f"bid-{decision.proposal_id}"]
    statuses = sorted(b["status"] for b in release.data["bids"]["details"])
    assert statuses == ["disqualified", "valid", "valid"]
    supplier = next(p for p in release.data["parties"] if p["id"] == award["suppliers"][0]["id"])
    assert "supplier" in supplier["roles"] and "tenderer" in supplier["roles"]
    assert release_errors(release.data, strict=True) == []


@pytest.fixture
def awarded(final, transport_official, finance_officer):
    award_recommend(tender=final.tender, actor=transport_official)
    return award_approve(
        tender=final.tender, actor=finance_officer, override_reason="Extra OpEx line voted in June."
    )


def test_every_bidder_sees_its_own_scores_and_the_winners_only_after_award(
    final, rival, third_partner, awarded
):
    own = partner_scores(tender=final.tender, organisation=third_partner)
    assert own["own"].proposal.organisation == third_partner
    assert own["winner"].proposal_id == awarded.proposal_id
    assert own["is_winner"] is False


def test_no_scores_for_partners_before_the_award(final, rival):
    assert partner_scores(tender=final.tender, organisation=rival) is None


def test_the_contract_is_signed_only_after_the_standstill(awarded, transport_official):
    tender = awarded.tender
    with pytest.raises(AwardRefused, match="standstill runs until"):
        contract_sign(tender=tender, actor=transport_official)
    contract_sign(tender=tender, actor=transport_official, now=awarded.standstill_ends_at)
    tender.refresh_from_db()
    assert tender.status == Tender.Status.SIGNED
    release = tender.releases.order_by("-date", "-id").first()
    assert release.tag == "contract"
    assert release.data["contracts"][0]["awardID"] == release.data["awards"][0]["id"]
    assert release_errors(release.data, strict=True) == []
    # The whole history compiles into a valid record (tender, amendment, opening, award, contract).
    from procurement.publication.selectors import record_package
    from procurement.publication.validation import record_package_errors

    package = record_package(tender=tender, uri="https://city.example/api/v1/tenders/x/record/")
    assert record_package_errors(package) == []
    compiled = package["records"][0]["compiledRelease"]
    assert compiled["bids"]["statistics"][0]["value"] == 3 and len(compiled["bids"]["details"]) == 3
    assert compiled["contracts"][0]["status"] == "active"


def test_cancellation_needs_a_reason_and_is_possible_until_signature(awarded, transport_official):
    tender = awarded.tender
    with pytest.raises(AwardRefused, match="reason"):
        tender_cancel_with_reason(tender=tender, actor=transport_official, reason=" ")
    tender_cancel_with_reason(tender=tender, actor=transport_official, reason="Budget withdrawn by council")
    tender.refresh_from_db()
    assert tender.status == Tender.Status.CANCELLED
    release = tender.releases.order_by("-date", "-id").first()
    assert release.tag == "tenderUpdate" and release.data["tender"]["status"] == "cancelled"
    assert release_errors(release.data, strict=True) == []


def test_no_cancellation_after_signature(awarded, transport_official):
    from procurement.exceptions import InvalidTransition

    contract_sign(tender=awarded.tender, actor=transport_official, now=awarded.standstill_ends_at)
    with pytest.raises(InvalidTransition):
        tender_cancel_with_reason(tender=awarded.tender, actor=transport_official, reason="Too late")


def test_the_generic_award_button_cannot_bypass_the_evaluation(opened, finance_officer):
    from procurement.exceptions import TransitionBlocked
    from procurement.services.tenders import tender_transition

    with pytest.raises(TransitionBlocked, match="through its evaluation"):
        tender_transition(
            tender=opened,
            action="award",
            actor=finance_officer,
            award_supplier_name="Someone",
            award_value=Decimal("1"),
            award_date=timezone.localdate(),
        )


def test_the_tender_release_carries_what_the_tender_asks(open_tender):
    release = open_tender.releases.order_by("date").first()
    tender = release.data["tender"]
    assert tender["awardCriteria"] == "ratedCriteria"
    assert "price (whole-life cost to the city, engine NPV) 50 %" in tender["awardCriteriaDetails"]
    assert "Service plan 20 %" in tender["awardCriteriaDetails"]
    assert tender["enquiryPeriod"]["endDate"]
    assert release_errors(release.data, strict=True) == []
