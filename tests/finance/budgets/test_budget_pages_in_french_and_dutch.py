"""The budget side in French and Dutch (issue 18): pages, refusals of the rules (four-eyes, over-commitment, bulk
decisions), the budget import's refusals by row and column, and history written in English shown translated."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from finance.exceptions import BudgetImportInvalid, BudgetOvercommitted, FourEyesViolation
from finance.models import BudgetEvent, Contribution
from finance.services.budget_import import budget_lines_import
from finance.services.budgets import (
    contribution_approve,
    contribution_request,
    contributions_release_for_cancelled_tender,
)
from tests.factories import BudgetLineFactory, TenderFactory
from tests.procurement.fixtures import choose_a_scenario

pytestmark = pytest.mark.django_db
D = Decimal


def get_in(client, language, url):
    return client.get(url, HTTP_ACCEPT_LANGUAGE=language)


# --- Pages ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "heading", "header", "english"),
    [
        ("fr", "Lignes budgétaires", "Disponible", "Budget lines"),
        ("nl", "Begrotingslijnen", "Beschikbaar", "Budget lines"),
    ],
)
def test_the_budget_line_list_speaks_the_readers_language(
    client_for, transport_finance, transport_line, language, heading, header, english
):
    text = get_in(client_for(transport_finance), language, reverse("finance:budget-line-list")).text
    assert f"<h1>{heading}</h1>" in text and f">{header}</th>" in text
    assert f"<h1>{english}</h1>" not in text and ">Available</th>" not in text


@pytest.mark.parametrize(
    ("language", "requested_event", "status", "history"),
    [
        ("fr", "Contribution demandée", "Demandée", "Historique"),
        ("nl", "Bijdrage aangevraagd", "Aangevraagd", "Historiek"),
    ],
)
def test_a_budget_line_shows_its_contributions_and_history_translated(
    client_for,
    transport_official,
    tender,
    transport_line,
    request_contribution,
    language,
    requested_event,
    status,
    history,
):
    request_contribution(tender, transport_line, "1234.56")
    text = get_in(
        client_for(transport_official),
        language,
        reverse("finance:budget-line-detail", args=[transport_line.pk]),
    ).text
    assert requested_event in text and f">{status}</span>" in text and f"<h2>{history}</h2>" in text
    assert "Contribution requested" not in text and "<h2>History</h2>" not in text


@pytest.mark.parametrize(
    ("language", "title", "pooled", "button"),
    [
        ("fr", "Budget de", "Budget mis en commun", "Demander une contribution"),
        ("nl", "Budget van", "Gebundeld budget", "Een bijdrage aanvragen"),
    ],
)
def test_the_tender_budget_page_in_french_and_dutch(
    client_for, transport_official, tender, transport_line, language, title, pooled, button
):
    text = get_in(
        client_for(transport_official),
        language,
        reverse("finance:contribution-request", args=[tender.reference]),
    ).text
    assert f"{title} {tender.reference}" in text and pooled in text and button in text
    assert "Pooled budget" not in text and "Request a contribution" not in text


@pytest.mark.parametrize(
    ("language", "heading", "filter_button"),
    [("fr", "Utilisation du budget", "Filtrer"), ("nl", "Gebruik van de begroting", "Filteren")],
)
def test_the_utilisation_page_in_french_and_dutch(
    client_for, transport_finance, transport_line, language, heading, filter_button
):
    text = get_in(client_for(transport_finance), language, reverse("finance:budget-utilisation")).text
    assert f"<h1>{heading}</h1>" in text and f">{filter_button}</button>" in text
    assert "<h1>Budget utilisation</h1>" not in text


@pytest.mark.parametrize(
    ("language", "heading", "missing"),
    [
        ("fr", "Contributions à demander", "Aucune ligne budgétaire pour 2032 OpEx de Street lighting"),
        ("nl", "Aan te vragen bijdragen", "Geen begrotingslijn voor 2032 OpEx van Street lighting"),
    ],
)
def test_the_pool_page_names_years_without_lines_in_the_readers_language(
    client_for, transport_official, tender, transport_line, lighting_line, language, heading, missing
):
    choose_a_scenario(
        tender,
        transport_official,
        need={(2027, "opex"): D("12000.00")},
        department_need={("lighting", 2027, "opex"): D("8000.00"), ("lighting", 2032, "opex"): D("8000.00")},
    )
    text = get_in(
        client_for(transport_official), language, reverse("finance:tender-pool", args=[tender.reference])
    ).text
    assert heading in text and missing in text
    assert "Contributions to request" not in text and "No budget line for 2032" not in text


@pytest.mark.parametrize(
    ("language", "heading", "approve", "two_approvers"),
    [
        ("fr", "Contributions en attente de décision", "Approuver la sélection", "requiert 2 approbateurs"),
        ("nl", "Bijdragen die op een beslissing wachten", "Selectie goedkeuren", "vereist 2 goedkeurders"),
    ],
)
def test_the_approval_queue_in_french_and_dutch(
    client_for,
    finance_officer,
    settings,
    tender,
    transport,
    request_contribution,
    language,
    heading,
    approve,
    two_approvers,
):
    settings.FINANCE_TWO_APPROVER_THRESHOLD = "100000.00"
    big = BudgetLineFactory(department=transport, fiscal_year=2028, budget_type="capex", amount=D("500000"))
    request_contribution(tender, big, "120000.00")
    text = get_in(client_for(finance_officer), language, reverse("finance:approval-queue")).text
    assert f"<h1>{heading}</h1>" in text and approve in text and two_approvers in text
    assert "Approve selected" not in text and "needs 2 approvers" not in text


# --- Refusals of the rules -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("fr", "Vous avez demandé cette contribution; un autre agent financier doit en décider."),
        ("nl", "U hebt deze bijdrage aangevraagd; een andere financieel medewerker moet erover beslissen."),
    ],
)
def test_four_eyes_refuses_the_requester_in_french_and_dutch(
    tender, lighting_line, transport_official, lighting, language, sentence
):
    from tests.factories import MembershipFactory

    # Tina is also finance staff of Street lighting: she may decide its lines, but not what she requested.
    MembershipFactory(user=transport_official, department=lighting, role="finance")
    contribution = contribution_request(
        tender=tender, budget_line=lighting_line, amount="100.00", actor=transport_official
    )
    with translation.override(language), pytest.raises(FourEyesViolation) as refused:
        contribution_approve(contribution=contribution, actor=transport_official)
    assert str(refused.value) == sentence


@pytest.mark.parametrize(
    ("language", "start", "middle"),
    [("fr", "Seuls ", " EUR sont disponibles sur "), ("nl", "Er is slechts ", " EUR beschikbaar op ")],
)
def test_a_contribution_beyond_the_available_money_is_refused_in_french_and_dutch(
    tender, transport_line, transport_official, language, start, middle
):
    with translation.override(language), pytest.raises(BudgetOvercommitted) as refused:
        contribution_request(
            tender=tender, budget_line=transport_line, amount="60000.00", actor=transport_official
        )
    # The amounts are written by config.numbers.money (per locale); the words around them are the language's.
    sentence = str(refused.value)
    assert sentence.startswith(start) and middle in sentence and "is available on" not in sentence
    assert not Contribution.objects.exists()


@pytest.mark.parametrize(
    ("language", "summary", "refused", "reason"),
    [
        ("fr", "0 approuvée(s)", "Non décidée", "Principe des quatre yeux"),
        ("nl", "0 goedgekeurd", "Niet beslist", "Vier-ogenprincipe"),
    ],
)
def test_a_bulk_decision_refused_by_four_eyes_is_explained_in_french_and_dutch(
    client_for,
    finance_officer,
    transport,
    lighting_line,
    request_contribution,
    language,
    summary,
    refused,
    reason,
):
    drafted = TenderFactory(lead_department=transport, created_by=finance_officer, title="Fiona's own tender")
    contribution = request_contribution(drafted, lighting_line, "5000.00")
    client = client_for(finance_officer)
    response = client.post(
        reverse("finance:approval-bulk"),
        {"decision": "approve", "contribution": [contribution.pk]},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    text = get_in(client, language, response["Location"]).text
    assert summary in text and f">{refused}</span>" in text and reason in text
    assert "Four-eyes" not in text and ">Refused</span>" not in text
    assert Contribution.objects.get(pk=contribution.pk).status == "requested"


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("fr", "Indiquez pourquoi les contributions sélectionnées sont refusées."),
        ("nl", "Geef aan waarom de geselecteerde bijdragen worden afgewezen."),
    ],
)
def test_a_bulk_rejection_without_reason_is_refused_in_french_and_dutch(
    client_for, finance_officer, tender, lighting_line, request_contribution, language, message
):
    contribution = request_contribution(tender, lighting_line, "5000.00")
    client = client_for(finance_officer)
    response = client.post(
        reverse("finance:approval-bulk"),
        {"decision": "reject", "contribution": [contribution.pk]},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert message in get_in(client, language, response["Location"]).text


# --- Budget import -------------------------------------------------------------------------------------------

BAD_YEAR = b"""department,fiscal_year,budget_type,name,amount
transport,2027,opex,Stops,1.00
transport,20x7,opex,Shelters,2.00
"""


def test_an_import_refusal_in_french_names_the_row_and_the_canonical_column(
    client_for, transport_finance, transport
):
    response = client_for(transport_finance).post(
        reverse("finance:budget-line-import"),
        {"file": SimpleUploadedFile("lines.csv", BAD_YEAR, content_type="text/csv")},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    text = response.text
    assert "Le fichier comporte 1 problème; rien n&#x27;a été importé." in text
    assert '<th scope="col">Ligne</th><th scope="col">Colonne</th><th scope="col">Problème</th>' in text
    # Row 3 of the spreadsheet, the column as the file names it (fiscal_year stays canonical), French words.
    assert "<td>3</td><td>fiscal_year</td><td>Saisissez une année entre 2000 et 2100.</td>" in text
    assert "Enter a year between 2000 and 2100." not in text


def test_an_import_refusal_in_dutch_names_the_row_and_the_column(transport_finance, transport):
    with translation.override("nl"), pytest.raises(BudgetImportInvalid) as refused:
        budget_lines_import(
            data=BAD_YEAR.replace(b"transport,20x7", b"nowhere,2027"), actor=transport_finance
        )
    assert refused.value.errors == [
        {"row": 3, "column": "department", "message": "Er is geen dienst met code 'nowhere'."}
    ]
    assert str(refused.value) == "Het bestand bevat 1 probleem; er is niets geïmporteerd."


def test_a_missing_column_is_named_as_the_file_must_spell_it(transport_finance):
    with translation.override("fr"), pytest.raises(BudgetImportInvalid) as refused:
        budget_lines_import(
            data=b"department,budget_type,amount\ntransport,opex,1\n", actor=transport_finance
        )
    assert refused.value.errors[0]["message"] == "La colonne « fiscal_year » manque."


# --- History written in English, shown in the reader's language ---------------------------------------------


@pytest.mark.parametrize(
    ("language", "shown"), [("fr", "Appel d&#x27;offres annulé."), ("nl", "Aanbesteding geannuleerd.")]
)
def test_history_written_by_the_code_is_translated_when_shown_and_never_rewritten(
    client_for, transport_official, tender, transport_line, request_contribution, language, shown
):
    request_contribution(tender, transport_line, "100.00")
    contributions_release_for_cancelled_tender(tender=tender, actor=transport_official)
    page = get_in(
        client_for(transport_official),
        language,
        reverse("finance:budget-line-detail", args=[transport_line.pk]),
    ).text
    assert shown in page and "Tender cancelled." not in page
    assert BudgetEvent.objects.get(action="withdrawn").comment == "Tender cancelled."  # the row is as written


def test_a_comment_a_person_typed_is_shown_as_typed(
    client_for, transport_official, tender, transport_line, request_contribution
):
    contribution_request(
        tender=tender,
        budget_line=transport_line,
        amount="5.00",
        actor=transport_official,
        comment="Tender cancelled?",
    )
    page = get_in(
        client_for(transport_official), "fr", reverse("finance:budget-line-detail", args=[transport_line.pk])
    ).text
    assert "Tender cancelled?" in page
