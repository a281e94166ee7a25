"""Budget line import from CSV: every bad cell reported by row and column; nothing half-saved."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from finance.exceptions import BudgetImportInvalid
from finance.models import BudgetLine
from finance.services.budget_import import budget_lines_import

pytestmark = pytest.mark.django_db

GOOD = b"""department,fiscal_year,budget_type,name,amount,currency,note
transport,2027,opex,Stops,120000.00,EUR,Maintenance
lighting,2027,capex,LED,250000.5,,
"""


def test_central_finance_imports_lines_of_several_departments(finance_officer, transport, lighting):
    result = budget_lines_import(data=GOOD, actor=finance_officer)
    assert (result.created, result.updated) == (2, 0)
    led = BudgetLine.objects.get(name="LED")
    assert (led.department, led.amount, led.currency) == (lighting, Decimal("250000.50"), "EUR")


def test_reimport_updates_the_amount(finance_officer, transport, lighting):
    budget_lines_import(data=GOOD, actor=finance_officer)
    result = budget_lines_import(data=GOOD.replace(b"120000.00", b"130000.00"), actor=finance_officer)
    assert (result.created, result.updated) == (0, 2)
    assert BudgetLine.objects.get(name="Stops").amount == Decimal("130000.00")


def test_every_bad_cell_is_reported_and_nothing_is_saved(transport_finance, transport, lighting):
    data = b"""department,fiscal_year,budget_type,name,amount
transport,2027,opex,Good,1.00
nowhere,20x7,rent,A,-5
lighting,2027,opex,B,10
transport,2027,opex,Good,2.00
transport,2028,capex,C,1.234
"""
    with pytest.raises(BudgetImportInvalid) as caught:
        budget_lines_import(data=data, actor=transport_finance)
    cells = {(e["row"], e["column"]) for e in caught.value.errors}
    assert cells == {
        (3, "department"),
        (3, "fiscal_year"),
        (3, "budget_type"),
        (3, "amount"),
        (4, "department"),  # Transport finance may not enter Lighting's budget
        (5, "name"),  # duplicate of row 2
        (6, "amount"),  # three decimals
    }
    assert not BudgetLine.objects.exists()


def test_missing_columns_are_named(finance_officer):
    with pytest.raises(BudgetImportInvalid) as caught:
        budget_lines_import(data=b"department,amount\ntransport,1\n", actor=finance_officer)
    assert {e["column"] for e in caught.value.errors} == {"fiscal_year", "budget_type"}


def test_an_update_below_what_is_promised_is_refused_and_rolls_back_everything(
    finance_officer, tender, transport, lighting, request_contribution
):
    budget_lines_import(data=GOOD, actor=finance_officer)
    request_contribution(tender, BudgetLine.objects.get(name="Stops"), "100000.00")
    data = GOOD.replace(b"120000.00", b"99999.99").replace(b"250000.5", b"1.00")
    with pytest.raises(BudgetImportInvalid) as caught:
        budget_lines_import(data=data, actor=finance_officer)
    assert [(e["row"], e["column"]) for e in caught.value.errors] == [(2, "amount")]
    assert BudgetLine.objects.get(name="LED").amount == Decimal("250000.50")  # row 3 not half-saved


def test_import_page_lists_the_errors(client_for, finance_officer, transport):
    upload = SimpleUploadedFile(
        "budget.csv", b"department,fiscal_year,budget_type,amount\ntransport,2027,opex,-1\n"
    )
    response = client_for(finance_officer).post(reverse("finance:budget-line-import"), {"file": upload})
    assert response.status_code == 200
    assert "non-negative amount" in response.text and "nothing was imported" in response.text


def test_import_updates_a_line_entered_without_a_creator(finance_officer, transport):
    from tests.factories import BudgetLineFactory

    BudgetLineFactory(
        department=transport, fiscal_year=2027, budget_type="opex", name="Stops", created_by=None
    )
    result = budget_lines_import(
        data=GOOD.replace(b"lighting,2027,capex,LED,250000.5,,\n", b""), actor=finance_officer
    )
    assert result.updated == 1
    assert BudgetLine.objects.get(name="Stops").amount == Decimal("120000.00")


def test_import_page_reads_decimal_commas_only_when_the_comma_is_chosen(
    client_for, finance_officer, transport
):
    content = b'department,fiscal_year,budget_type,amount\ntransport,2027,opex,"1.250,50"\n'
    client = client_for(finance_officer)
    response = client.post(
        reverse("finance:budget-line-import"), {"file": SimpleUploadedFile("budget.csv", content)}
    )
    assert "“1.250,50” has a decimal comma" in response.text and "nothing was imported" in response.text
    assert not BudgetLine.objects.exists()
    response = client.post(
        reverse("finance:budget-line-import"),
        {"file": SimpleUploadedFile("budget.csv", content), "decimal_separator": ","},
    )
    assert response.status_code == 302
    assert BudgetLine.objects.get().amount == Decimal("1250.50")
