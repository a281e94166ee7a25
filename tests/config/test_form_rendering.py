"""Every form of the site, sent invalid, answers the same way (config/forms.py, templates/forms/): an error
summary at the top whose items link to the fields, the error next to its field (the input marked
aria-invalid="true" and described by its error), and what the user typed still in the form."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from departments.models import Asset
from finance.models import BudgetLine
from outcomes.models import Indicator, Outcome
from procurement.models import Tender
from procurement.publication.selectors import tender_list_published

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class FormPage:
    name: str
    user: str | None  # a demo user's username; None: not signed in
    url: Callable[[], str]
    data: dict | Callable[[], dict] = field(default_factory=dict)  # a callable when it needs the database
    invalid: str = ""  # the field's HTML name that must be marked invalid
    kept: tuple[str, str] | None = None  # (field name, typed value) that must come back in the form
    summary_only: bool = False  # only non-field errors (nothing to mark invalid)


def _draft() -> Tender:
    return Tender.objects.get(status=Tender.Status.DRAFT, title__contains="Route 7")


def _outcome() -> Outcome:
    return Outcome.objects.filter(owner_department__code="transport").order_by("pk").first()


def _indicator() -> Indicator:
    return Indicator.objects.filter(outcome=_outcome()).order_by("pk").first()


def _asset() -> Asset:
    return Asset.objects.filter(department__code="transport").order_by("pk").first()


def _line() -> BudgetLine:
    return BudgetLine.objects.filter(department__code="transport").order_by("pk").first()


def _assumptions(**changes) -> dict:
    data = {
        "project_type": "standard_buildings",
        "start_year": "2027",
        "horizon_years": "30",
        "discount_rate": "3.5",
        "inflation": "2",
        "energy_escalation": "3",
        "optimism_bias": "24",
        "partner_cost_of_capital": "7",
        "partner_margin": "10",
        "contract_term_years": "10",
        "partner_savings_share": "50",
        "payment_at_risk_share": "20",
        "outcome_achievement": "95",
        "monte_carlo_draws": "0",
        "seed": "7",
    }
    return data | changes


def _outcome_rows() -> dict:
    indicator = _indicator()
    return {
        "outcomes-TOTAL_FORMS": "1",
        "outcomes-INITIAL_FORMS": "0",
        "outcomes-MIN_NUM_FORMS": "0",
        "outcomes-MAX_NUM_FORMS": "1000",
        "outcomes-0-indicator": str(indicator.pk),
        "outcomes-0-target_value": "not a number",
        "outcomes-0-payment_weight": "",
    }


# What a browser sends from an import form without a file: the decimal separator radio (checked by default).
BROWSER_FILE_POST = {"decimal_separator": "."}


def _open_published_tender():
    """A published tender still open for amendment (the demo's own is awarded by the market demo step)."""
    from departments.models import Department
    from procurement.models import Tender
    from tests.procurement.publication.factories import published_tender

    open_tender = tender_list_published().filter(status=Tender.Status.PUBLISHED).first()
    return open_tender or published_tender(lead=Department.objects.get(code="transport"))


FORM_PAGES = [
    FormPage(
        "sign in", None, lambda: reverse("login"), {"username": "tina"}, "password", ("username", "tina")
    ),
    FormPage(
        "new tender",
        "tina",
        lambda: reverse("procurement:tender-create"),
        {"title": "Typed title"},
        "lead_department",
        ("title", "Typed title"),
    ),
    FormPage(
        "tender basics",
        "tina",
        lambda: reverse("procurement:tender-edit", args=[_draft().reference]),
        {"title": "", "description": "Typed description"},
        "title",
    ),
    FormPage(
        "tender outcomes (formset)",
        "tina",
        lambda: reverse("procurement:tender-outcomes", args=[_draft().reference]),
        _outcome_rows,
        "outcomes-0-target_value",
        ("outcomes-0-target_value", "not a number"),
    ),
    FormPage(
        "tender documents",
        "tina",
        lambda: reverse("procurement:tender-documents", args=[_draft().reference]),
        {"kind": "tenderNotice", "title": "Typed document"},
        "file",
        ("title", "Typed document"),
    ),
    FormPage(
        "request a contribution",
        "tina",
        lambda: reverse("finance:contribution-request", args=[_draft().reference]),
        {"amount": "-5", "comment": "Typed comment"},
        "budget_line",
        ("comment", "Typed comment"),
    ),
    FormPage(
        "financing assumptions",
        "tina",
        lambda: reverse("finance:scenario-assumptions", args=[_draft().reference]),
        _assumptions(discount_rate="50"),
        "discount_rate",
        ("discount_rate", "50"),
    ),
    FormPage(
        "new budget line",
        "fiona",
        lambda: reverse("finance:budget-line-create"),
        {"name": "Typed line", "amount": "abc"},
        "amount",
        ("name", "Typed line"),
    ),
    FormPage(
        "change a budget line",
        "fiona",
        lambda: reverse("finance:budget-line-edit", args=[_line().pk]),
        {"amount": "abc", "note": "Typed note"},
        "amount",
    ),
    FormPage(
        "import budget lines",
        "fiona",
        lambda: reverse("finance:budget-line-import"),
        BROWSER_FILE_POST,
        "file",
    ),
    FormPage(
        "new outcome",
        "tina",
        lambda: reverse("outcomes:outcome-create"),
        {"description": "Typed outcome"},
        "title",
    ),
    FormPage(
        "edit outcome",
        "tina",
        lambda: reverse("outcomes:outcome-edit", args=[_outcome().pk]),
        {"title": ""},
        "title",
    ),
    FormPage(
        "new indicator",
        "tina",
        lambda: reverse("outcomes:indicator-create", args=[_outcome().pk]),
        {"name": "Typed indicator"},
        "unit",
        ("name", "Typed indicator"),
    ),
    FormPage(
        "edit indicator",
        "tina",
        lambda: reverse("outcomes:indicator-edit", args=[_indicator().pk]),
        {"name": ""},
        "name",
    ),
    FormPage(
        "new measurement",
        "tina",
        lambda: reverse("outcomes:measurement-create", args=[_indicator().pk]),
        {"value": "abc", "source": "Typed source"},
        "value",
        ("source", "Typed source"),
    ),
    FormPage(
        "import measurements",
        "tina",
        lambda: reverse("outcomes:measurement-import", args=[_outcome().pk]),
        BROWSER_FILE_POST,
        "file",
    ),
    FormPage(
        "register an asset",
        "tina",
        lambda: reverse("departments:asset-create"),
        {"external_ref": "TYPED-1", "replacement_cost": "-1"},
        "replacement_cost",
        ("external_ref", "TYPED-1"),
    ),
    FormPage(
        "edit an asset",
        "tina",
        lambda: reverse("departments:asset-edit", args=[_asset().pk]),
        {"name": "Typed name", "life_years": "0"},
        "life_years",
        ("name", "Typed name"),
    ),
    FormPage("import assets", "tina", lambda: reverse("departments:asset-import"), BROWSER_FILE_POST, "file"),
    FormPage(
        "opportunity finder",
        "tina",
        lambda: reverse("finder:finder"),
        {"radius_m": "abc", "window_years": "3", "synergy_percent": "10"},
        "radius_m",
        ("window_years", "3"),
    ),
    FormPage(
        "amend a published tender",
        "tina",
        lambda: reverse("procurement:public-tender-amend", args=[_open_published_tender().reference]),
        {"title": "", "description": "Typed amendment"},
        "title",
    ),
]


def _tag_of(html: str, name: str) -> str:
    match = re.search(rf'<(?:input|select|textarea)\b[^>]*\bname="{re.escape(name)}"[^>]*>', html)
    assert match, f"no input named {name}"
    return match.group(0)


@pytest.fixture
def demo_city():
    call_command("load_demo_city", stdout=StringIO())


def test_every_form_answers_an_invalid_post_with_a_linked_summary_and_the_error_at_its_field(
    client, demo_city
):
    users = get_user_model().objects
    for page in FORM_PAGES:
        client.logout()
        if page.user:
            client.force_login(users.get(username=page.user))
        response = client.post(page.url(), page.data() if callable(page.data) else page.data)
        html = response.content.decode()
        assert response.status_code in (200, 400), page.name
        summary = re.search(r'<div class="error-summary" role="alert"[^>]*>(.*?)</div>', html, re.S)
        assert summary, f"{page.name}: no error summary"
        field_id = "id_" + page.invalid
        assert f'href="#{field_id}"' in summary.group(1), (
            f"{page.name}: the summary does not link to {field_id}"
        )
        assert f'id="{field_id}"' in html, f"{page.name}: the link has no target"
        tag = _tag_of(html, page.invalid)
        assert 'aria-invalid="true"' in tag, f"{page.name}: {page.invalid} not marked invalid"
        assert re.search(rf'aria-describedby="[^"]*\b{field_id}_error\b', tag), f"{page.name}: not described"
        assert f'id="{field_id}_error"' in html, f"{page.name}: no error next to {page.invalid}"
        if page.kept:
            name, typed = page.kept
            assert f'value="{typed}"' in _tag_of(html, name), f"{page.name}: {name} lost what was typed"


def test_a_problem_of_no_one_field_is_in_the_summary_too(client, demo_city):
    client.force_login(get_user_model().objects.get(username="tina"))
    response = client.post(reverse("login"), {"username": "tina", "password": "wrong"})
    summary = re.search(
        r'<div class="error-summary" role="alert"[^>]*>(.*?)</div>', response.content.decode(), re.S
    )
    assert summary and "correct username and password" in summary.group(1)
