"""The contract is frozen at signature from the winning proposal, with its baseline and periods."""

import datetime
from decimal import Decimal

import pytest

from procurement.contracts.models import Contract, PerformancePeriod
from procurement.contracts.services import period_dates

pytestmark = pytest.mark.django_db


def test_contract_freezes_terms_targets_weights_and_the_savings_baseline(contract, partner):
    assert contract.organisation == partner
    assert contract.financing_charge == Decimal("4000.00") and contract.operation_fee == Decimal("1000.00")
    assert contract.at_risk_share == Decimal("0.2")
    line = contract.indicators.get()
    assert line.committed_value == Decimal("50") and line.weight == Decimal("100")
    # Four bundled assets at 40.00 maintenance and 60.00 energy a year (tests/factories.py).
    assert contract.baseline_maintenance == Decimal("160.00")
    assert contract.baseline_energy == Decimal("240.00")
    assert "4 bundled assets" in contract.baseline_source


def test_yearly_periods_cover_the_term(contract):
    periods = list(contract.periods.all())
    assert len(periods) == contract.term_years == 10
    assert periods[0].start_date == contract.start_date
    assert periods[1].start_date == periods[0].end_date + datetime.timedelta(days=1)
    assert [p.contract_year for p in periods[:3]] == [0, 1, 2]


def test_quarterly_periods_are_allowed():
    rows = period_dates(start=datetime.date(2028, 1, 1), term_years=2, length=Contract.PeriodLength.QUARTERLY)
    assert len(rows) == 8
    assert rows[0][2:] == (datetime.date(2028, 1, 1), datetime.date(2028, 3, 31))
    assert [r[1] for r in rows] == [0, 0, 0, 0, 1, 1, 1, 1]


def test_the_beat_opens_ended_periods_only(contract):
    statuses = list(contract.periods.values_list("status", flat=True)[:3])
    assert statuses == [PerformancePeriod.Status.OPEN, PerformancePeriod.Status.UPCOMING, "upcoming"]


def test_the_beat_task_is_scheduled_and_idempotent(contract, settings):
    from procurement.contracts.tasks import open_periods_and_mark_overdue

    schedule = settings.CELERY_BEAT_SCHEDULE["contracts-open-periods-and-mark-overdue"]
    assert schedule["task"] == "procurement.contracts.tasks.open_periods_and_mark_overdue"
    assert open_periods_and_mark_overdue() == {"opened": 0, "overdue": 0, "certified": 0}
    assert contract.periods.filter(status=PerformancePeriod.Status.OPEN).count() == 1
