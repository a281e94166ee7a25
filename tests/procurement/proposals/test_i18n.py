"""The partner portal and the city's proposal pages in French and Dutch: pages, forms, refusals, exports."""

import pytest
from django.utils import translation

from procurement.proposals.display import compliance_problem_display
from procurement.proposals.models import ProposalScore, TenderRequirements
from procurement.proposals.services import proposal_submit, proposals_open
from tests.procurement.proposals.conftest import pass_deadline

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_again_after_each_test():
    """A request leaves its language active in the thread (LocaleMiddleware activates, nothing deactivates):
    tests after these must not find French or Dutch messages from the services."""
    yield
    translation.deactivate()


FRENCH_AND_DUTCH = [
    pytest.param("fr", id="fr"),
    pytest.param("nl", id="nl"),
]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", ["Portail des partenaires", "Appels d'offres publiés", "Nos offres et accusés de réception"]),
        ("nl", ["Partnerportaal", "Gepubliceerde aanbestedingen", "Onze offertes en ontvangstbewijzen"]),
    ],
)
def test_the_partner_home_reads_in_the_partners_language(
    client_for, open_tender, partner, partner_person, offer, language, expected
):
    proposal_submit(tender=open_tender, organisation=partner, content=offer())
    page = client_for(partner_person).get("/partner/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    for text in expected:
        assert text in page
    assert "Published tenders" not in page and "Our proposals and receipts" not in page
    # The receipt's kind is a word of the reader's language, not the stored code.
    assert {"fr": "Soumise", "nl": "Ingediend"}[language] in page


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "fr",
            ["Modèle de financement", "Redevance de service OpEx", "Soumettre l'offre", "Ce que demande"],
        ),
        (
            "nl",
            [
                "Financieringsmodel",
                "OpEx-servicevergoeding",
                "Offerte indienen",
                "Wat de aanbesteding vraagt",
            ],
        ),
    ],
)
def test_the_proposal_form_reads_in_the_partners_language(
    client_for, open_tender, partner_person, language, expected
):
    page = (
        client_for(partner_person)
        .get(f"/partner/tenders/{open_tender.reference}/", HTTP_ACCEPT_LANGUAGE=language)
        .content.decode()
    )
    for text in expected:
        assert text in page
    assert (
        "Financing model" not in page and "Submit proposal" not in page and "What the tender asks" not in page
    )


@pytest.mark.parametrize(
    ("language", "negative", "minimum", "missing"),
    [
        (
            "fr",
            "Valeur qui ne peut pas être négative: prix d&#x27;achat",
            "est inférieure au minimum de l&#x27;appel d&#x27;offres",
            "Valeur à indiquer: coût de fonctionnement annuel garanti",
        ),
        (
            "nl",
            "Waarde die niet negatief mag zijn: aankoopprijs",
            "ligt onder het minimum van de aanbesteding",
            "Op te geven waarde: gegarandeerde jaarlijkse werkingskosten",
        ),
    ],
)
def test_a_refused_proposal_says_why_in_the_partners_language(
    client_for, open_tender, partner_person, language, negative, minimum, missing
):
    indicator = open_tender.targeted_outcomes.get().indicator_id
    response = client_for(partner_person).post(
        f"/partner/tenders/{open_tender.reference}/proposal/",
        {
            "financing_model": "capex",
            "purchase_price": "-3",
            "at_risk_share": "0.1",
            f"committed_{indicator}": "50",
        },
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert negative in page and minimum in page and missing in page
    assert "must not be negative" not in page and "below the tender's minimum" not in page


@pytest.mark.parametrize("language", FRENCH_AND_DUTCH)
def test_a_proposal_after_the_deadline_is_refused_in_the_callers_language_by_the_api(
    client, open_tender, offer, propose_key, language
):
    pass_deadline(open_tender)
    response = client.post(
        f"/api/v1/tenders/{open_tender.reference}/proposals/",
        offer(),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {propose_key}",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 409
    expected = {
        "fr": "La date limite des offres est dépassée.",
        "nl": "De uiterste datum voor offertes is verstreken.",
    }
    assert response.json()["detail"] == expected[language]


@pytest.fixture
def evaluated(
    open_tender,
    partner,
    rival,
    offer,
    transport_official,
    finance_officer,
    django_capture_on_commit_callbacks,
):
    """Two proposals opened and priced; the rival's φ falls below a minimum raised after it arrived."""
    from procurement.proposals.evaluation import evaluation_start
    from procurement.proposals.models import QualityCriterion

    QualityCriterion.objects.filter(tender=open_tender).delete()
    TenderRequirements.objects.filter(tender=open_tender).update(outcome_weight=50)
    proposal_submit(tender=open_tender, organisation=partner, content=offer(phi="0.4"))
    proposal_submit(tender=open_tender, organisation=rival, content=offer("capex", phi="0.25"))
    TenderRequirements.objects.filter(tender=open_tender).update(minimum_at_risk_share="0.3")
    pass_deadline(open_tender)
    proposals_open(tender=open_tender, actor=transport_official)
    proposals_open(tender=open_tender, actor=finance_officer)
    with django_capture_on_commit_callbacks(execute=True):
        evaluation = evaluation_start(tender=open_tender, actor=transport_official)
    evaluation.refresh_from_db()
    return evaluation


@pytest.mark.parametrize(
    ("language", "expected", "english"),
    [
        (
            "fr",
            [
                "Scores et classement",
                "Notation de la qualité",
                "La part à risque 0.25 est inférieure au minimum 0.3000.",
            ],
            "Scores and ranking",
        ),
        (
            "nl",
            [
                "Scores en rangschikking",
                "Scoring van de kwaliteit",
                "Het aandeel met risico 0.25 ligt onder het minimum 0.3000.",
            ],
            "Scores and ranking",
        ),
    ],
)
def test_the_evaluation_page_reads_in_the_officials_language(
    client_for, open_tender, evaluated, transport_official, language, expected, english
):
    page = (
        client_for(transport_official)
        .get(f"/tenders/{open_tender.reference}/evaluation/", HTTP_ACCEPT_LANGUAGE=language)
        .content.decode()
    )
    for text in expected:
        assert text in page
    assert english not in page and "is below the minimum" not in page


def test_the_stored_compliance_problem_stays_english_in_the_row(evaluated):
    """History is not rewritten: the row keeps the sentence the evaluation wrote; only its display changes."""
    problems = ProposalScore.objects.get(proposal__organisation__name="Lumen Services").compliance_problems
    assert problems == ["At-risk share 0.25 is below the minimum 0.3000."]


def test_an_unknown_stored_sentence_is_shown_as_it_was():
    assert compliance_problem_display("Something nobody wrote a pattern for.") == (
        "Something nobody wrote a pattern for."
    )


@pytest.mark.parametrize(
    ("language", "header"),
    [("fr", "rang,organisation,conforme,van"), ("nl", "rang,organisatie,conform,ncw")],
)
def test_the_evaluation_report_export_has_headers_in_the_readers_language(
    client_for, open_tender, evaluated, transport_official, finance_officer, language, header
):
    from procurement.proposals.evaluation import evaluation_finalise

    evaluation_finalise(evaluation=evaluated, actor=transport_official)
    client = client_for(finance_officer)
    body = client.get(
        f"/tenders/{open_tender.reference}/evaluation/report.csv", HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    assert body.splitlines()[0].startswith(header)
    page = client.get(
        f"/tenders/{open_tender.reference}/evaluation/report/", HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    assert {"fr": "Rapport d'évaluation", "nl": "Beoordelingsrapport"}[language] in page


def test_the_history_comments_of_the_proposal_services_read_in_french_and_dutch():
    from procurement.proposals.display import price_job_error_display, tender_event_comment_display

    with translation.override("fr"):
        assert tender_event_comment_display("proposals_open", "Opening 1 of 2") == "Ouverture 1 sur 2"
        assert (
            tender_event_comment_display("award", "Award to Bright Streets Ltd; budget override: next plan")
            == "Attribution à Bright Streets Ltd; dérogation budgétaire: next plan"
        )
        assert price_job_error_display("The price job stopped with an error: boom").startswith(
            "Le calcul des prix s'est arrêté"
        )
    with translation.override("nl"):
        assert tender_event_comment_display("evaluation_start", "3 proposal(s)") == "3 offerte(s)"
        # What a person typed is shown as typed.
        assert tender_event_comment_display("cancel", "Budget withdrawn") == "Budget withdrawn"
