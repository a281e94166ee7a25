"""Fixtures of the scenario-run tests: a small tender bundling assets of two departments."""

import os
from decimal import Decimal

import pytest

# Test-only: the worker sleeps this long per progress report, so that a reliability test can kill it mid-job.
# Read by finance.services.scenarios in the worker process (which inherits this environment when it starts).
os.environ.setdefault("SCENARIO_PROGRESS_DELAY", "0.05")


@pytest.fixture
def bus_stop_tender(transport, lighting):
    """Tender T-2027-0100 (lead: Transport) bundling 3 shelters of Transport and 2 lamps of Street lighting."""
    from tests.factories import AssetCategoryFactory, AssetFactory, TenderAssetFactory, TenderFactory

    shelter = AssetCategoryFactory(code="shelter", name="Bus shelter", upgrade_unit_cost=Decimal("9000"))
    lamp = AssetCategoryFactory(
        code="lamp", name="Street lamp", upgrade_unit_cost=Decimal("700"), upgrade_energy_cost=Decimal("15")
    )
    tender = TenderFactory(reference="T-2027-0100", lead_department=transport, contract_term_years=10)
    for i in range(3):
        asset = AssetFactory(
            department=transport, category=shelter, external_ref=f"S-{i}", install_year=2005 + i
        )
        TenderAssetFactory(tender=tender, asset=asset, action="upgrade")
    for i in range(2):
        asset = AssetFactory(
            department=lighting, category=lamp, external_ref=f"L-{i}", energy_cost=Decimal("90")
        )
        TenderAssetFactory(tender=tender, asset=asset, action="replace" if i else "maintain")
    return tender


@pytest.fixture
def small_assumptions(bus_stop_tender, transport_official):
    """Saved assumptions with few Monte Carlo draws (fast)."""
    from finance.services.scenarios import scenario_assumptions_defaults, scenario_assumptions_save

    values = scenario_assumptions_defaults(tender=bus_stop_tender) | {
        "monte_carlo_draws": 500,
        "start_year": 2027,
    }
    return scenario_assumptions_save(tender=bus_stop_tender, values=values, actor=transport_official)
