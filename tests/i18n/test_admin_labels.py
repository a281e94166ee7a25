"""The admin and the model forms name models and fields in the reader's language.

Every concrete field of the finance, procurement, outcomes, notifications, accounts and departments models carries a lazily translated
verbose name, and so does every model: a superuser reading the admin in French or Dutch sees "ligne budgétaire"
and "Exercice" (or "begrotingslijn" and "Boekjaar"), not "budget line" and "Fiscal year"."""

from decimal import Decimal
from html import unescape

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.forms import modelform_factory
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise

from finance.models import BudgetLine
from outcomes.models import Outcome
from procurement.contracts.models import Contract
from procurement.models import Tender

APPS = ["finance", "procurement", "outcomes", "notifications", "accounts", "departments"]


def _own_fields(model):
    return [f for f in model._meta.get_fields() if getattr(f, "concrete", False) and not f.auto_created]


@pytest.mark.parametrize("label", APPS)
def test_every_model_and_field_of_the_app_has_a_marked_verbose_name(label):
    unmarked = []
    for model in apps.get_app_config(label).get_models():
        for attr in ["verbose_name", "verbose_name_plural"]:
            if not isinstance(model._meta.original_attrs.get(attr), Promise):
                unmarked.append(f"{model.__name__}.Meta.{attr}")
        unmarked += [
            f"{model.__name__}.{f.name}"
            for f in _own_fields(model)
            if not isinstance(f.verbose_name, Promise)
        ]
    assert unmarked == []


def test_the_english_labels_are_the_ones_django_derived_before():
    assert str(BudgetLine._meta.verbose_name) == "budget line"
    assert str(BudgetLine._meta.verbose_name_plural) == "budget lines"
    assert str(BudgetLine._meta.get_field("fiscal_year").verbose_name) == "fiscal year"
    assert str(Contract._meta.get_field("term_years").verbose_name) == "term years"


@pytest.fixture
def superuser_client(client, db):
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(admin)
    return client


@pytest.fixture
def objects(transport, transport_official):
    line = BudgetLine.objects.create(
        department=transport, fiscal_year=2027, budget_type="opex", name="Stops", amount=Decimal("1000.00")
    )
    tender = Tender.objects.create(
        reference="T-2027-0001", title="Bus stops", lead_department=transport, created_by=transport_official
    )
    outcome = Outcome.objects.create(title="Safer stops", theme="public_safety", owner_department=transport)
    return {"budgetline": line, "tender": tender, "outcome": outcome}


# (model, object, words in French, words in Dutch, English words neither may show)
PAGES = [
    (
        "finance",
        "budgetline",
        ["ligne budgétaire", "Exercice"],
        ["begrotingslijn", "Boekjaar"],
        ["budget line", "Fiscal year"],
    ),
    (
        "procurement",
        "tender",
        ["appel d'offres", "Service pilote"],
        ["aanbesteding", "Leidende dienst"],
        ["tender", "Lead department"],
    ),
    (
        "outcomes",
        "outcome",
        ["résultat", "Service responsable"],
        ["resultaat", "Verantwoordelijke dienst"],
        ["outcome", "Owner department"],
    ),
]


@pytest.mark.parametrize(("app", "model", "french", "dutch", "english"), PAGES)
@pytest.mark.parametrize("language", ["fr", "nl"])
@pytest.mark.parametrize("page", ["changelist", "change"])
def test_the_admin_names_models_and_fields_in_the_readers_language(
    superuser_client, objects, app, model, french, dutch, english, language, page
):
    args = [objects[model].pk] if page == "change" else []
    response = superuser_client.get(
        reverse(f"admin:{app}_{model}_{page}", args=args), HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200
    text = unescape(response.content.decode()).replace("’", "'")
    for word in french if language == "fr" else dutch:
        assert word in text
    # The English name of the model and field is gone (checked on the page without the city's own content).
    text = text.replace("Bus stops", "").replace("Safer stops", "").replace("Stops", "")
    for word in english:
        assert f">{word}" not in text and f" {word}<" not in text and f"{word}:" not in text
        assert word.capitalize() not in text


@pytest.mark.parametrize(
    ("language", "labels"),
    [
        ("fr", ["Date de début", "Durée en années", "Jours de grâce"]),
        ("nl", ["Begindatum", "Looptijd in jaren", "Respijtdagen"]),
    ],
)
def test_a_contract_form_labels_its_fields_in_the_readers_language(language, labels):
    form_class = modelform_factory(Contract, fields=["start_date", "term_years", "grace_days"])
    with translation.override(language):
        html = str(form_class())
    for label in labels:
        assert label in html
    assert "Start date" not in html and "Term years" not in html and "Grace days" not in html
