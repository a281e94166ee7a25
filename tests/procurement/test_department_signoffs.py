"""Departments consent (issue 13): every participating department other than the lead signs off the bundle of
its assets and its contributions before the tender can be submitted; a sign-off goes stale when that
department's part changes, and the submission lists who is missing or out of date."""

from decimal import Decimal

import pytest
from django.core import mail

from departments.models import Asset
from finance.services.budgets import contribution_approve, contribution_request
from notifications.models import Notification
from procurement.exceptions import SignOffNotPermitted, SignOffRefused, TransitionBlocked
from procurement.models import DepartmentSignOff
from procurement.selectors.signoffs import (
    SIGNED,
    STALE,
    WAITING,
    department_bundles,
    tender_sign_off_states,
)
from procurement.services.signoffs import signoff_give, signoff_request, signoff_withdraw
from procurement.services.tenders import (
    OutcomeTarget,
    tender_assets_add,
    tender_outcomes_set,
    tender_transition,
)
from tests.factories import AssetFactory, BudgetLineFactory, MembershipFactory, UserFactory


@pytest.fixture
def safety_official(safety):
    user = UserFactory(username="sam", first_name="Sam", last_name="Safety")
    MembershipFactory(user=user, department=safety, role="official")
    return user


@pytest.fixture
def unsigned_draft(draft, transport_official, transport_assets, lighting_assets, safety_assets, indicators):
    """Transport's draft bundling its own shelters, Lighting's street lights and Safety's cameras: ready in every
    other respect, but nobody has signed off yet."""
    tender_assets_add(
        tender=draft,
        assets=Asset.objects.filter(
            pk__in=[a.pk for a in transport_assets + lighting_assets + safety_assets]
        ),
        actor=transport_official,
    )
    tender_outcomes_set(
        tender=draft,
        targets=[OutcomeTarget(indicators[0].pk, Decimal("40"), Decimal("100"))],
        actor=transport_official,
    )
    return draft


def _states(tender) -> dict[str, str]:
    return {state.department_name: state.status for state in tender_sign_off_states(tender=tender)}


def _submit_problems(tender, actor) -> list[str]:
    with pytest.raises(TransitionBlocked) as refused:
        tender_transition(tender=tender, action="submit", actor=actor)
    return refused.value.problems


# --- Who signs ----------------------------------------------------------------------------------------------


def test_every_participating_department_but_the_lead_must_sign_off(unsigned_draft):
    assert _states(unsigned_draft) == {"Public safety": WAITING, "Street lighting": WAITING}


def test_only_an_official_of_that_department_signs_off_for_it(
    unsigned_draft, lighting, transport_official, parks_official, finance_officer, lighting_official
):
    for outsider in (transport_official, parks_official, finance_officer):
        with pytest.raises(SignOffNotPermitted, match="Only officials of Street lighting"):
            signoff_give(tender=unsigned_draft, department=lighting, actor=outsider)
    lighting_finance = UserFactory(username="lf")
    MembershipFactory(user=lighting_finance, department=lighting, role="finance")
    with pytest.raises(SignOffNotPermitted):
        signoff_give(tender=unsigned_draft, department=lighting, actor=lighting_finance)
    assert not DepartmentSignOff.objects.exists()

    sign_off = signoff_give(tender=unsigned_draft, department=lighting, actor=lighting_official)

    assert sign_off.signed_by == lighting_official and sign_off.signed_at is not None
    lights = sorted(Asset.objects.filter(department=lighting).values_list("pk", flat=True))
    assert [pk for pk, _ in sign_off.snapshot["assets"]] == lights
    assert sign_off.snapshot["contributions"] == []
    assert _states(unsigned_draft) == {"Public safety": WAITING, "Street lighting": SIGNED}
    event = unsigned_draft.events.get(action="signoff_give")
    assert (
        event.actor == lighting_official and "Street lighting gave its sign-off: 2 asset(s)" in event.comment
    )


def test_the_lead_department_consents_by_drafting_and_does_not_sign_off(
    unsigned_draft, transport, transport_official
):
    with pytest.raises(SignOffRefused, match="leads"):
        signoff_give(tender=unsigned_draft, department=transport, actor=transport_official)


def test_a_department_with_nothing_in_the_tender_has_nothing_to_sign(unsigned_draft, parks, parks_official):
    with pytest.raises(SignOffRefused, match="nothing to sign off"):
        signoff_give(tender=unsigned_draft, department=parks, actor=parks_official)


# --- Submission waits for them --------------------------------------------------------------------------------


def test_submission_is_blocked_and_lists_the_departments_whose_sign_off_is_missing(
    unsigned_draft, transport_official, lighting, lighting_official, no_seams
):
    problems = _submit_problems(unsigned_draft, transport_official)
    assert (
        "Waiting for the sign-off of their assets and contributions by: Public safety, Street lighting."
        in problems
    )

    signoff_give(tender=unsigned_draft, department=lighting, actor=lighting_official)
    problems = _submit_problems(unsigned_draft, transport_official)
    assert "Waiting for the sign-off of their assets and contributions by: Public safety." in problems
    unsigned_draft.refresh_from_db()
    assert unsigned_draft.status == "draft"


def test_with_every_sign_off_the_tender_is_submitted(
    unsigned_draft, transport_official, lighting, safety, lighting_official, safety_official, no_seams
):
    signoff_give(tender=unsigned_draft, department=lighting, actor=lighting_official)
    signoff_give(tender=unsigned_draft, department=safety, actor=safety_official)
    tender = tender_transition(tender=unsigned_draft, action="submit", actor=transport_official)
    assert tender.status == "submitted"


# --- Staleness ------------------------------------------------------------------------------------------------


def test_a_sign_off_goes_stale_when_that_departments_assets_change_and_blocks_submission(
    ready_draft, lighting, street_lights, transport_official, lighting_official, no_seams
):
    assert _states(ready_draft) == {"Street lighting": SIGNED}
    another_light = AssetFactory(department=lighting, category=street_lights, external_ref="SL-9")
    tender_assets_add(
        tender=ready_draft, assets=Asset.objects.filter(pk=another_light.pk), actor=transport_official
    )

    assert _states(ready_draft) == {"Street lighting": STALE}
    problems = _submit_problems(ready_draft, transport_official)
    assert any("out of date" in p and "Street lighting" in p for p in problems)

    renewed = signoff_give(tender=ready_draft, department=lighting, actor=lighting_official)
    assert another_light.pk in [pk for pk, _ in renewed.snapshot["assets"]]
    assert ready_draft.events.filter(action="signoff_renew").count() == 1
    assert (
        tender_transition(tender=ready_draft, action="submit", actor=transport_official).status == "submitted"
    )


def test_removing_an_asset_of_that_department_also_makes_it_stale(ready_draft, lighting, transport_official):
    light = Asset.objects.filter(department=lighting).first()
    from procurement.services.tenders import tender_assets_remove

    tender_assets_remove(tender=ready_draft, asset_ids=[light.pk], actor=transport_official)
    assert _states(ready_draft) == {"Street lighting": STALE}


def test_changes_to_another_departments_part_leave_a_sign_off_valid(
    ready_draft, transport, shelters, safety_assets, transport_official
):
    AssetFactory(department=transport, category=shelters, external_ref="SH-9")
    tender_assets_add(
        tender=ready_draft, assets=Asset.objects.filter(external_ref="SH-9"), actor=transport_official
    )
    tender_assets_add(
        tender=ready_draft, assets=Asset.objects.filter(pk=safety_assets[0].pk), actor=transport_official
    )
    assert _states(ready_draft) == {"Public safety": WAITING, "Street lighting": SIGNED}


def test_a_sign_off_goes_stale_when_that_departments_contributions_change_but_not_when_finance_approves(
    ready_draft, lighting, lighting_official, transport_official, finance_officer
):
    line = BudgetLineFactory(department=lighting, fiscal_year=2027, budget_type="opex")
    contribution = contribution_request(
        tender=ready_draft, budget_line=line, amount=Decimal("5000"), actor=transport_official
    )
    assert _states(ready_draft) == {"Street lighting": STALE}

    sign_off = signoff_give(tender=ready_draft, department=lighting, actor=lighting_official)
    assert sign_off.snapshot["contributions"] == [[line.pk, 2027, "opex", "5000.00"]]
    contribution_approve(contribution=contribution, actor=finance_officer)
    assert _states(ready_draft) == {"Street lighting": SIGNED}

    contribution_request(
        tender=ready_draft, budget_line=line, amount=Decimal("1000"), actor=transport_official
    )
    assert _states(ready_draft) == {"Street lighting": STALE}


def test_a_department_that_only_pays_must_sign_off_too(draft, parks, parks_official, transport_official):
    line = BudgetLineFactory(department=parks, fiscal_year=2028, budget_type="capex")
    contribution_request(tender=draft, budget_line=line, amount=Decimal("250.50"), actor=transport_official)
    assert _states(draft) == {"Parks": WAITING}
    (bundle,) = department_bundles(tender_ids=[draft.pk]).values()
    assert bundle.asset_count == 0
    assert bundle.contributions_by_year_and_type() == [
        {"fiscal_year": 2028, "budget_type": "capex", "amount": Decimal("250.50")}
    ]
    signoff_give(tender=draft, department=parks, actor=parks_official)
    assert "contributions 2028 CapEx 250.50 EUR" in draft.events.get(action="signoff_give").comment


def test_a_bundle_that_changed_while_the_official_read_it_is_not_signed(
    unsigned_draft, lighting, lighting_official, street_lights, transport_official
):
    (seen,) = [
        s for s in tender_sign_off_states(tender=unsigned_draft) if s.department_name == "Street lighting"
    ]
    AssetFactory(department=lighting, category=street_lights, external_ref="SL-late")
    tender_assets_add(
        tender=unsigned_draft, assets=Asset.objects.filter(external_ref="SL-late"), actor=transport_official
    )
    with pytest.raises(SignOffRefused, match="changed while you were reading"):
        signoff_give(
            tender=unsigned_draft,
            department=lighting,
            actor=lighting_official,
            expected_hash=seen.bundle.snapshot_hash,
        )
    assert not DepartmentSignOff.objects.exists()


# --- Withdraw ---------------------------------------------------------------------------------------------------


def test_withdrawing_a_sign_off_blocks_submission_again_and_is_recorded(
    ready_draft, lighting, lighting_official, transport_official, no_seams
):
    with pytest.raises(SignOffNotPermitted):
        signoff_withdraw(tender=ready_draft, department=lighting, actor=transport_official)

    signoff_withdraw(tender=ready_draft, department=lighting, actor=lighting_official, comment="Wrong lamps.")

    assert _states(ready_draft) == {"Street lighting": WAITING}
    event = ready_draft.events.get(action="signoff_withdraw")
    assert event.actor == lighting_official and "Wrong lamps." in event.comment
    assert any("Street lighting" in p for p in _submit_problems(ready_draft, transport_official))
    with pytest.raises(SignOffRefused, match="has not signed off"):
        signoff_withdraw(tender=ready_draft, department=lighting, actor=lighting_official)


def test_sign_offs_are_given_and_withdrawn_on_drafts_only(
    ready_draft, lighting, lighting_official, transport_official, no_seams
):
    tender_transition(tender=ready_draft, action="submit", actor=transport_official)
    with pytest.raises(SignOffRefused, match="submitted"):
        signoff_withdraw(tender=ready_draft, department=lighting, actor=lighting_official)
    with pytest.raises(SignOffRefused, match="submitted"):
        signoff_give(tender=ready_draft, department=lighting, actor=lighting_official)


# --- Asking -------------------------------------------------------------------------------------------------------


def test_asking_for_sign_offs_tells_the_waiting_departments_officials_once(
    unsigned_draft,
    lighting,
    lighting_official,
    safety_official,
    transport_official,
    parks_official,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        asked = signoff_request(tender=unsigned_draft, actor=transport_official)

    assert asked == ["Public safety", "Street lighting"]
    for official in (lighting_official, safety_official):
        notice = Notification.objects.get(recipient=official)
        assert notice.kind == Notification.Kind.SIGN_OFF_REQUESTED
        assert unsigned_draft.reference in notice.title and notice.url.endswith("#sign-offs")
    assert not Notification.objects.filter(recipient__in=[transport_official, parks_official]).exists()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([lighting_official.email, safety_official.email])
    assert "Public safety, Street lighting" in unsigned_draft.events.get(action="signoff_request").comment

    # Lighting signs; asking again tells only Safety, as a new event.
    signoff_give(tender=unsigned_draft, department=lighting, actor=lighting_official)
    assert signoff_request(tender=unsigned_draft, actor=transport_official) == ["Public safety"]
    assert Notification.objects.filter(recipient=safety_official).count() == 2
    assert Notification.objects.filter(recipient=lighting_official).count() == 1


def test_only_lead_officials_ask_and_nothing_is_asked_when_everyone_signed(
    ready_draft, lighting_official, transport_official
):
    with pytest.raises(SignOffNotPermitted):
        signoff_request(tender=ready_draft, actor=lighting_official)
    assert signoff_request(tender=ready_draft, actor=transport_official) == []
    assert not ready_draft.events.filter(action="signoff_request").exists()
    assert not Notification.objects.filter(kind=Notification.Kind.SIGN_OFF_REQUESTED).exists()
