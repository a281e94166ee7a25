"""The lifecycle table (DESIGN §4): every move from every status by every role, allowed or refused."""

import datetime
from decimal import Decimal

import pytest

from procurement.exceptions import InvalidTransition, TransitionBlocked, TransitionNotPermitted
from procurement.models import Tender, TenderAsset, TenderEvent
from procurement.services.tenders import TRANSITIONS, tender_transition

S = Tender.Status
ACTIONS = list(TRANSITIONS)
STATUSES = [s.value for s in S]
# tina drafted (created) the tender; tom is another official of the lead department; luc leads nothing but his
# department's assets are bundled; theo is finance staff of the lead department; fiona is central finance.
ACTORS = ["tina", "tom", "luc", "paula", "victor", "theo", "fiona"]
EVERYONE_WHO_MAY_ACT = {"tina", "tom", "theo", "fiona"}
ALLOWED = {
    (S.DRAFT, "submit"): {"tina", "tom"},
    (S.SUBMITTED, "approve"): {"theo", "fiona"},  # finance, never the drafter or submitter
    (S.SUBMITTED, "return"): {"theo", "fiona"},
    (S.APPROVED, "publish"): {"tom", "theo", "fiona"},  # not the drafter alone
    (S.PUBLISHED, "award"): EVERYONE_WHO_MAY_ACT,
    (S.AWARDED, "sign"): EVERYONE_WHO_MAY_ACT,  # after the standstill (DESIGN §12)
    **{
        (status, "cancel"): EVERYONE_WHO_MAY_ACT
        for status in (S.DRAFT, S.SUBMITTED, S.APPROVED, S.PUBLISHED, S.AWARDED)  # until signature
    },
}
TARGET = {"submit": S.SUBMITTED, "approve": S.APPROVED, "return": S.DRAFT, "publish": S.PUBLISHED}
TARGET |= {"award": S.AWARDED, "cancel": S.CANCELLED, "sign": S.SIGNED}
AWARD = {"award_supplier_name": "Bright Streets Ltd", "award_value": Decimal("1200000.00")}
AWARD["award_date"] = datetime.date(2027, 6, 1)


@pytest.fixture
def cast(
    transport_official,
    second_transport_official,
    lighting_official,
    parks_official,
    transport_viewer,
    transport_finance,
    finance_officer,
):
    users = [
        transport_official,
        second_transport_official,
        lighting_official,
        parks_official,
        transport_viewer,
        transport_finance,
        finance_officer,
    ]
    return {u.username: u for u in users}


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("action", ACTIONS)
def test_transition_table(status, action, cast, ready_draft, no_seams):
    """One test per (status, action); every actor of the cast tries the move on a fresh copy of the state."""
    tender = ready_draft
    submitted_by = cast["tom"] if status != S.DRAFT else None
    allowed = ALLOWED.get((status, action), set())
    for name in ACTORS:
        Tender.objects.filter(pk=tender.pk).update(status=status, submitted_by=submitted_by)
        tender.refresh_from_db()
        events_before = TenderEvent.objects.filter(tender=tender).count()
        kwargs = AWARD if action == "award" else {}
        if name in allowed:
            moved = tender_transition(tender=tender, action=action, actor=cast[name], comment="ok", **kwargs)
            assert moved.status == TARGET[action], (status, action, name)
            event = TenderEvent.objects.filter(tender=tender).last()
            assert (event.action, event.from_status, event.to_status, event.actor) == (
                action,
                status,
                TARGET[action],
                cast[name],
            )
            # undo the cancellation's side effect so the next actor starts from the same state
            TenderAsset.objects.filter(tender=tender).update(active=True)
        else:
            expected = TransitionNotPermitted if (status, action) in ALLOWED else InvalidTransition
            with pytest.raises(expected):
                tender_transition(tender=tender, action=action, actor=cast[name], **kwargs)
            tender.refresh_from_db()
            assert tender.status == status, (status, action, name)
            assert TenderEvent.objects.filter(tender=tender).count() == events_before


def test_submitter_cannot_approve_even_with_a_finance_role(ready_draft, transport, central_finance, no_seams):
    from tests.factories import MembershipFactory, UserFactory

    both = UserFactory(username="dual")
    MembershipFactory(user=both, department=transport, role="official")
    MembershipFactory(user=both, department=central_finance, role="finance")
    tender_transition(tender=ready_draft, action="submit", actor=both)
    with pytest.raises(TransitionNotPermitted, match="submitted"):
        tender_transition(tender=ready_draft, action="approve", actor=both)


def test_drafter_with_a_finance_role_cannot_approve_or_publish(
    transport, central_finance, second_transport_official, ready_draft, no_seams
):
    from tests.factories import MembershipFactory

    MembershipFactory(user=ready_draft.created_by, department=central_finance, role="finance")
    drafter = type(ready_draft.created_by).objects.get(
        pk=ready_draft.created_by_id
    )  # roles are cached per user object
    tender_transition(tender=ready_draft, action="submit", actor=second_transport_official)
    with pytest.raises(TransitionNotPermitted, match="drafted"):
        tender_transition(tender=ready_draft, action="approve", actor=drafter)


def test_submit_needs_an_asset_and_a_targeted_outcome(draft, transport_official, no_seams):
    with pytest.raises(TransitionBlocked) as caught:
        tender_transition(tender=draft, action="submit", actor=transport_official)
    assert "Bundle at least one asset." in caught.value.problems
    assert any("outcome" in p for p in caught.value.problems)
    draft.refresh_from_db()
    assert draft.status == S.DRAFT


def test_submit_and_approve_are_refused_with_the_funding_problems(
    ready_draft, transport_official, finance_officer, monkeypatch, no_seams
):
    import finance.selectors

    stages = []

    def problems(*, tender, stage):
        stages.append(stage)
        return ["Contributions requested cover 0 of 50,000 EUR needed in 2027 OpEx."]

    monkeypatch.setattr(finance.selectors, "tender_funding_problems", problems)
    with pytest.raises(TransitionBlocked, match="cover 0 of 50,000"):
        tender_transition(tender=ready_draft, action="submit", actor=transport_official)
    Tender.objects.filter(pk=ready_draft.pk).update(status=S.SUBMITTED)
    with pytest.raises(TransitionBlocked, match="cover 0 of 50,000"):
        tender_transition(tender=ready_draft, action="approve", actor=finance_officer)
    assert stages == ["submit", "approve"]
    ready_draft.refresh_from_db()
    assert ready_draft.status == S.SUBMITTED


def test_award_needs_supplier_value_and_date(ready_draft, finance_officer, no_seams):
    Tender.objects.filter(pk=ready_draft.pk).update(status=S.PUBLISHED)
    with pytest.raises(TransitionBlocked) as caught:
        tender_transition(tender=ready_draft, action="award", actor=finance_officer)
    assert len(caught.value.problems) == 3


def test_cancel_frees_the_assets_and_calls_the_finance_and_publication_seams(
    ready_draft, transport_official, no_seams
):
    tender_transition(tender=ready_draft, action="cancel", actor=transport_official, comment="merged")
    assert not TenderAsset.objects.filter(tender=ready_draft, active=True).exists()
    assert ("release_contributions", ready_draft.pk) in no_seams
    assert ("release", "cancel") in no_seams


def test_publish_and_award_call_the_publication_seam(
    ready_draft, second_transport_official, finance_officer, no_seams
):
    Tender.objects.filter(pk=ready_draft.pk).update(status=S.APPROVED)
    tender = tender_transition(tender=ready_draft, action="publish", actor=finance_officer)
    assert tender.published_at is not None
    tender_transition(tender=tender, action="award", actor=second_transport_official, **AWARD)
    assert [c for c in no_seams if c[0] == "release"] == [("release", "publish"), ("release", "award")]


def test_return_to_draft_keeps_the_last_submitter(ready_draft, transport_official, finance_officer, no_seams):
    """The last submitter is kept: it makes the returned draft stay visible to central finance."""
    tender_transition(tender=ready_draft, action="submit", actor=transport_official)
    tender = tender_transition(
        tender=ready_draft, action="return", actor=finance_officer, comment="add cameras"
    )
    assert tender.status == S.DRAFT and tender.submitted_by == transport_official
    assert tender.events.last().comment == "add cameras"


def test_cancelling_needs_a_reason_and_changes_nothing_without_one(ready_draft, transport_official, no_seams):
    with pytest.raises(TransitionBlocked) as caught:
        tender_transition(tender=ready_draft, action="cancel", actor=transport_official, comment="  ")
    assert any("reason for cancelling" in p for p in caught.value.problems)
    ready_draft.refresh_from_db()
    assert ready_draft.status == S.DRAFT
    assert not TenderEvent.objects.filter(tender=ready_draft, action="cancel").exists()
