"""Fixtures of the scenario-run tests: a small tender bundling assets of two departments."""

import os

import pytest

# Test-only: the worker sleeps this long per progress report, so that a reliability test can kill it mid-job.
# Read by finance.services.scenarios in the worker process (which inherits this environment when it starts).
os.environ.setdefault("SCENARIO_PROGRESS_DELAY", "0.05")


@pytest.fixture
def bus_stop_tender(transport, lighting):
    """Tender T-2027-0100 (lead: Transport) bundling 3 shelters of Transport and 2 lamps of Street lighting."""
    from tests.finance.scenarios.factories import make_bus_stop_tender

    return make_bus_stop_tender(transport=transport, lighting=lighting)


@pytest.fixture
def small_assumptions(bus_stop_tender, transport_official):
    """Saved assumptions with few Monte Carlo draws (fast)."""
    from finance.services.scenarios import scenario_assumptions_defaults, scenario_assumptions_save

    values = scenario_assumptions_defaults(tender=bus_stop_tender) | {
        "monte_carlo_draws": 500,
        "start_year": 2027,
    }
    return scenario_assumptions_save(tender=bus_stop_tender, values=values, actor=transport_official)
