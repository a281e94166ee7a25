"""Fixtures of tender drafting (shared by tests/procurement and tests/browser/test_draft_tender.py): a small city
of assets in three departments, two indicators, drafts. Imported by conftest.py."""

import datetime
from decimal import Decimal

import pytest

from tests.factories import (
    AssetCategoryFactory,
    AssetFactory,
    IndicatorFactory,
    MembershipFactory,
    UserFactory,
)


@pytest.fixture
def shelters(db):
    return AssetCategoryFactory(code="bus-shelter", name="Bus shelter")


@pytest.fixture
def street_lights(db):
    return AssetCategoryFactory(code="street-light", name="Street light")


@pytest.fixture
def cameras(db):
    return AssetCategoryFactory(code="cctv", name="CCTV camera")


@pytest.fixture
def transport_assets(transport, shelters):
    return [
        AssetFactory(department=transport, category=shelters, external_ref=f"SH-{i}", area="Route 12")
        for i in range(3)
    ]


@pytest.fixture
def lighting_assets(lighting, street_lights):
    return [
        AssetFactory(department=lighting, category=street_lights, external_ref=f"SL-{i}", area="Route 12")
        for i in range(2)
    ]


@pytest.fixture
def safety_assets(safety, cameras):
    return [
        AssetFactory(department=safety, category=cameras, external_ref=f"CAM-{i}", area="Centre")
        for i in range(2)
    ]


@pytest.fixture
def indicators(transport, safety):
    return [
        IndicatorFactory(name="Night-time incidents at stops", outcome__owner_department=safety),
        IndicatorFactory(
            name="Street-lighting energy",
            unit="MWh per year",
            outcome__owner_department=transport,
            baseline_value=Decimal("500"),
            target_value=Decimal("300"),
            baseline_period=datetime.date(2025, 1, 1),
        ),
    ]


@pytest.fixture
def second_transport_official(transport):
    user = UserFactory(username="tom", first_name="Tom", last_name="Transport")
    MembershipFactory(user=user, department=transport, role="official")
    return user


@pytest.fixture
def draft(transport_official, transport):
    """An empty draft led by Transport, drafted by Tina."""
    from procurement.services.tenders import tender_create

    return tender_create(
        actor=transport_official,
        lead_department=transport,
        title="Smart, safe bus stops",
        tender_period_start=datetime.date(2027, 3, 1),
        tender_period_end=datetime.date(2027, 5, 31),
    )


def choose_a_scenario(
    tender, actor, scenario: str = "capex", need: dict | None = None, department_need: dict | None = None
):
    """Record a chosen financing scenario without computing one: a succeeded run whose cash flows are `need`
    ({(fiscal year, budget type): amount}, the lead department's; empty by default) plus `department_need`
    ({(department code, fiscal year, budget type): amount}, for any department). For tests of the lifecycle
    whose subject is not the engine."""
    from finance.models import FinancingChoice, ScenarioCashFlow, ScenarioRun

    run = ScenarioRun.objects.create(
        tender=tender,
        input_hash=f"{tender.pk:064d}",
        inputs={},
        requested_by=actor,
        status=ScenarioRun.Status.SUCCEEDED,
    )
    ScenarioCashFlow.objects.bulk_create(
        ScenarioCashFlow(
            run=run,
            scenario=scenario,
            fiscal_year=year,
            department=department,
            budget_type=budget_type,
            nominal=amount,
            discounted=amount,
        )
        for department, (year, budget_type), amount in [
            *((tender.lead_department.code, key, amount) for key, amount in (need or {}).items()),
            *(
                (code, (year, budget_type), amount)
                for (code, year, budget_type), amount in (department_need or {}).items()
            ),
        ]
    )
    return FinancingChoice.objects.create(tender=tender, run=run, scenario=scenario, chosen_by=actor)


def sign_off_all(tender):
    """Every department that must sign off `tender` does, through the service, by one of its officials (an
    official "<code>-signer" is made for a department that has none). Call it again after changing what a
    department puts in (its assets or contributions): that makes its sign-off stale."""
    from departments.models import Department, Membership
    from procurement.selectors.signoffs import SIGNED, tender_sign_off_states
    from procurement.services.signoffs import signoff_give

    for state in tender_sign_off_states(tender=tender):
        if state.status == SIGNED:
            continue
        department = Department.objects.get(pk=state.department_id)
        membership = (
            Membership.objects.filter(department=department, role=Membership.Role.OFFICIAL)
            .select_related("user")
            .order_by("pk")
            .first()
        )
        if membership is not None:
            official = membership.user
        else:
            official = UserFactory(username=f"{department.code}-signer")
            MembershipFactory(user=official, department=department, role="official")
        signoff_give(tender=tender, department=department, actor=official)


@pytest.fixture
def ready_draft(draft, transport_official, transport_assets, lighting_assets, indicators):
    """A draft bundling transport and lighting assets with two weighted indicators, signed off by Street
    lighting: ready to submit."""
    from departments.models import Asset
    from procurement.services.tenders import OutcomeTarget, tender_assets_add, tender_outcomes_set

    tender_assets_add(
        tender=draft,
        assets=Asset.objects.filter(pk__in=[a.pk for a in transport_assets + lighting_assets]),
        actor=transport_official,
    )
    tender_outcomes_set(
        tender=draft,
        targets=[
            OutcomeTarget(indicators[0].pk, Decimal("40"), Decimal("60")),
            OutcomeTarget(indicators[1].pk, Decimal("250"), Decimal("40")),
        ],
        actor=transport_official,
    )
    sign_off_all(draft)
    return draft


@pytest.fixture
def no_seams(monkeypatch):
    """Neutral finance and publication seams: the tests of the lifecycle's own rules do not depend on the
    budget and publication helpers' rules (those are tested by their owners)."""
    import finance.selectors
    import finance.services.budgets
    import procurement.publication.services

    calls = []
    monkeypatch.setattr(finance.selectors, "tender_funding_problems", lambda *, tender, stage: [])
    monkeypatch.setattr(finance.selectors, "tender_financing_problems", lambda *, tender: [])
    monkeypatch.setattr(
        finance.services.budgets,
        "contributions_release_for_cancelled_tender",
        lambda *, tender, actor: calls.append(("release_contributions", tender.pk)),
    )
    monkeypatch.setattr(
        procurement.publication.services,
        "release_on_transition",
        lambda *, tender, action, actor: calls.append(("release", action)),
    )
    return calls
