"""The demo step: five fiscal years of lines per department; a mix of approved and pending on the demo tender."""

import pytest

from finance import demo_budgets
from finance.models import BudgetLine, Contribution
from tests.factories import TenderFactory

pytestmark = pytest.mark.django_db


def test_demo_budgets_are_loaded_once_and_survive_a_missing_tender(
    finance_officer, transport_finance, transport_official, transport, lighting, safety, parks
):
    messages = []
    demo_budgets.load(log=messages.append)
    assert BudgetLine.objects.count() == 4 * 5 * 2
    assert sorted(set(BudgetLine.objects.values_list("fiscal_year", flat=True))) == [
        2027,
        2028,
        2029,
        2030,
        2031,
    ]
    assert "no demo tender: no contributions" in messages

    tender = TenderFactory(lead_department=transport, title="Smart, safe bus stops — Route 12")
    demo_budgets.load(log=messages.append)
    demo_budgets.load(log=messages.append)  # idempotent
    assert BudgetLine.objects.count() == 40
    statuses = sorted(Contribution.objects.filter(tender=tender).values_list("status", flat=True))
    assert statuses == ["approved", "approved", "requested", "requested"]
