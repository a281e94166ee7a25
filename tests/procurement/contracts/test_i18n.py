"""Contracts in French and Dutch: the partner's pages, a refused report, the payment certificate, the ledger."""

import pytest
from django.urls import reverse
from django.utils import translation

from procurement.contracts.display import certificate_lines_display, words_display
from procurement.contracts.models import PaymentCertificate
from procurement.contracts.services import costs_review, measurement_review, report_submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_again_after_each_test():
    """A request leaves its language active in the thread (LocaleMiddleware activates, nothing deactivates):
    tests after these must not find French or Dutch messages from the services."""
    yield
    translation.deactivate()


@pytest.fixture
def certificate(contract, indicator, partner, transport_official):
    """Period 1 reported; the measurement rejected with a reason, the costs verified: a certificate with a
    deduction."""
    report = report_submit(
        period=contract.periods.get(number=1),
        organisation=partner,
        measurements={indicator.pk: "52"},
        actual_maintenance="150.00",
        actual_energy="200.00",
    )
    measurement_review(
        line=report.measurements.get(), actor=transport_official, verified=False, reason="No logs"
    )
    costs_review(report=report, actor=transport_official, verified=True)
    return PaymentCertificate.objects.get()


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "fr",
            [
                "Certificat de paiement",
                "Chaque ligne, en toutes lettres",
                "Redevance de service Fₜ",
                "refusé: No logs",
                "En attente de l&#x27;approbation financière",
                "Approuver (première de deux approbations)",
            ],
        ),
        (
            "nl",
            [
                "Betalingscertificaat",
                "Elke regel, in woorden",
                "Servicevergoeding Fₜ",
                "afgewezen: No logs",
                "Wacht op financiële goedkeuring",
                "Goedkeuren (eerste van twee)",
            ],
        ),
    ],
)
def test_the_payment_certificate_page_reads_in_the_readers_language(
    client_for, contract, certificate, finance_officer, language, expected
):
    page = (
        client_for(finance_officer)
        .get(reverse("contracts:certificate", args=[contract.pk, 1]), HTTP_ACCEPT_LANGUAGE=language)
        .content.decode()
    )
    for text in expected:
        assert text in page
    assert "Every line, in words" not in page and "rejected: No logs" not in page
    assert "Service fee Fₜ" not in page and "→ deduction" not in page


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", ["Certificat de paiement", "Déduction", "Retour au contrat"]),
        ("nl", ["Betalingscertificaat", "Inhouding", "Terug naar het contract"]),
    ],
)
def test_the_partner_reads_its_certificate_in_its_language(
    client, contract, certificate, partner_person, language, expected
):
    client.force_login(partner_person)
    page = client.get(
        reverse("partner_contracts:certificate", args=[contract.pk, 1]), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    for text in expected:
        assert text in page
    assert "Back to the contract" not in page


def test_the_stored_certificate_lines_stay_english(certificate):
    """The row is not rewritten: only its display is translated."""
    assert any(line.get("label") == "Service fee Fₜ" for line in certificate.lines)
    with translation.override("fr"):
        shown = certificate_lines_display(certificate.lines)
    assert any(line.get("label") == "Redevance de service Fₜ" for line in shown)
    assert any(line.get("label") == "Service fee Fₜ" for line in certificate.lines)


def test_quarterly_words_keep_their_numbers_in_translation():
    with translation.override("nl"):
        assert words_display("flat 4,000.00 × 0.25 of a year").startswith("vast ")
        assert "0.25 van een jaar" in words_display("flat 4,000.00 × 0.25 of a year")
    assert words_display("nothing we know") == "nothing we know"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", ["Nos contrats", "Périodes à rapporter", "période 1"]),
        ("nl", ["Onze contracten", "Te rapporteren periodes", "periode 1"]),
    ],
)
def test_the_partners_contract_pages_read_in_its_language(
    client, contract, partner_person, language, expected
):
    client.force_login(partner_person)
    page = client.get(reverse("partner_contracts:list"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    for text in expected:
        assert text in page
    assert "Periods due" not in page
    detail = client.get(
        reverse("partner_contracts:detail", args=[contract.pk]), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    assert {"fr": "Périodes de performance", "nl": "Prestatieperiodes"}[language] in detail
    assert {"fr": "Rapporter cette période", "nl": "Over deze periode rapporteren"}[language] in detail
    assert {"fr": "Redevance de service OpEx", "nl": "OpEx-servicevergoeding"}[language] in detail


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "fr",
            [
                "Le coût réel d&#x27;entretien doit être un montant",
                "ne peut pas être négatif",
                "Soumettre le rapport",
            ],
        ),
        (
            "nl",
            [
                "De werkelijke onderhoudskosten moeten een bedrag zijn",
                "kunnen niet negatief zijn",
                "Rapport indienen",
            ],
        ),
    ],
)
def test_a_refused_report_says_why_in_the_partners_language(
    client, contract, indicator, partner_person, language, expected
):
    client.force_login(partner_person)
    response = client.post(
        reverse("partner_contracts:report", args=[contract.pk, 1]),
        {f"measurement_{indicator.pk}": "52", "actual_maintenance": "x", "actual_energy": "-2"},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    page = response.content.decode()
    for text in expected:
        assert text in page
    assert "must be an amount" not in page and "cannot be negative" not in page


@pytest.mark.parametrize(
    ("language", "header"), [("fr", "année,service,prévu,réel"), ("nl", "jaar,dienst,gepland,werkelijk")]
)
def test_the_savings_ledger_export_has_headers_in_the_readers_language(
    client_for, contract, finance_officer, language, header
):
    body = (
        client_for(finance_officer)
        .get(reverse("contracts:savings-csv", args=[contract.pk]), HTTP_ACCEPT_LANGUAGE=language)
        .content.decode()
    )
    assert body.splitlines()[0] == header
