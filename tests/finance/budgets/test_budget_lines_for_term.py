"""Budget lines for a whole contract term: one transaction, every error by row, existing year/type lines
reported and kept, never duplicated (issue 13)."""

from decimal import Decimal

import pytest

from finance.exceptions import BatchInvalid, BudgetPermissionDenied, InvalidAmount
from finance.models import BudgetEvent, BudgetLine
from finance.services.pooling import TermLine, budget_lines_create_for_term
from tests.factories import BudgetLineFactory

pytestmark = pytest.mark.django_db
D = Decimal


def term(first, last, capex=None, opex=None):
    rows = []
    for year in range(first, last + 1):
        if capex is not None:
            rows.append(TermLine(year, "capex", capex))
        if opex is not None:
            rows.append(TermLine(year, "opex", opex))
    return rows


def test_a_twelve_year_term_creates_each_year_and_type_once_with_an_audit_row(lighting, lighting_finance):
    result = budget_lines_create_for_term(
        department=lighting, lines=term(2027, 2038, capex="50000", opex="120000.50"), actor=lighting_finance
    )
    assert len(result.created) == 24 and result.existing == []
    lines = BudgetLine.objects.filter(department=lighting)
    assert sorted({line.fiscal_year for line in lines}) == list(range(2027, 2039))
    assert {(line.budget_type, line.amount) for line in lines} == {
        ("capex", D("50000.00")),
        ("opex", D("120000.50")),
    }
    assert BudgetEvent.objects.filter(action="line_created", budget_line__department=lighting).count() == 24


def test_existing_year_and_type_lines_are_reported_not_duplicated(lighting, lighting_finance):
    kept = BudgetLineFactory(
        department=lighting, fiscal_year=2028, budget_type="opex", name="Lamps", amount=D("7")
    )
    result = budget_lines_create_for_term(
        department=lighting, lines=term(2027, 2029, opex="100"), actor=lighting_finance
    )
    assert result.existing == [kept]
    assert [(line.fiscal_year, line.budget_type) for line in result.created] == [
        (2027, "opex"),
        (2029, "opex"),
    ]
    kept.refresh_from_db()
    assert kept.amount == D("7.00") and BudgetLine.objects.filter(fiscal_year=2028).count() == 1


def test_every_bad_row_is_named_and_nothing_is_saved(lighting, lighting_finance):
    rows = [
        TermLine(2027, "opex", "100"),
        TermLine(2028, "opex", "-1"),
        TermLine(2029, "opex", "12,5"),
        TermLine(2030, "other", "1"),
        TermLine(2027, "opex", "5"),
        TermLine(1999, "capex", "5"),
    ]
    with pytest.raises(BatchInvalid) as refused:
        budget_lines_create_for_term(department=lighting, lines=rows, actor=lighting_finance)
    assert refused.value.errors == {
        1: "The amount cannot be negative.",
        2: "Enter the amount as a number, e.g. 120000.00.",
        3: "Choose CapEx or OpEx.",
        4: "2027 OpEx is entered twice.",
        5: "Enter a fiscal year between 2000 and 2100.",
    }
    assert not BudgetLine.objects.exists() and not BudgetEvent.objects.exists()


def test_a_range_longer_than_forty_years_is_refused(lighting, lighting_finance):
    with pytest.raises(InvalidAmount, match="at most 40 years"):
        budget_lines_create_for_term(
            department=lighting, lines=term(2027, 2067, opex="1"), actor=lighting_finance
        )


def test_only_finance_of_the_department_or_central_finance_enter_its_term(
    lighting, transport_finance, lighting_official, finance_officer
):
    for outsider in (transport_finance, lighting_official):
        with pytest.raises(BudgetPermissionDenied):
            budget_lines_create_for_term(
                department=lighting, lines=term(2027, 2027, opex="1"), actor=outsider
            )
    assert (
        len(
            budget_lines_create_for_term(
                department=lighting, lines=term(2027, 2027, opex="1"), actor=finance_officer
            ).created
        )
        == 1
    )
