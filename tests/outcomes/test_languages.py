"""Outcome pages, refusals and history in French and Dutch; the CSV import's column names stay as they are."""

import datetime
import html as markup
from decimal import Decimal as D

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from outcomes import services
from outcomes.models import OutcomeEvent
from tests.factories import IndicatorFactory, MeasurementFactory, OutcomeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_again_afterwards():
    """A request in French or Dutch leaves its language active in the test's thread: the next test starts in
    English again, as a new request without a language would."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def outcome(transport, lighting):
    outcome = OutcomeFactory(owner_department=transport, title="Safe stops at night")
    outcome.contributing_departments.set([lighting])
    return outcome


@pytest.fixture
def indicator(outcome):
    indicator = IndicatorFactory(
        outcome=outcome,
        name="Night-time incidents",
        baseline_value=D("100"),
        baseline_period=datetime.date(2022, 1, 1),
        target_value=D("60"),
        target_date=datetime.date(2030, 1, 1),
    )
    MeasurementFactory(indicator=indicator, period=datetime.date(2023, 1, 1), value=D("95"))
    MeasurementFactory(indicator=indicator, period=datetime.date(2024, 1, 1), value=D("84"))
    return indicator


def _page(client, url, language, **kwargs):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language, **kwargs)
    assert response.status_code == 200
    return markup.unescape(response.content.decode())


@pytest.mark.parametrize(
    ("language", "words", "english"),
    [
        (
            "fr",
            ["Résultats", "Nouveau résultat", "Sécurité publique", "1 en bonne voie", "Tous les thèmes"],
            "Outcomes",
        ),
        (
            "nl",
            ["Resultaten", "Nieuw resultaat", "Openbare veiligheid", "1 op koers", "Alle thema's"],
            "Outcomes",
        ),
    ],
)
def test_the_outcome_list_is_in_the_readers_language(
    client_for, transport_official, indicator, language, words, english
):
    html = _page(client_for(transport_official), reverse("outcomes:outcome-list"), language)
    for word in words:
        assert word in html
    assert "What the city wants to be true" not in html
    assert f"<h1>{english}</h1>" not in html


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "fr",
            [
                "Indicateurs",
                "Historique",
                "Valeur de référence (01/01/2022)",
                "En bonne voie",
                "mesuré",
                "Modifier l'indicateur",
            ],
        ),
        (
            "nl",
            [
                "Indicatoren",
                "Historiek",
                "Basiswaarde (1-1-2022)",
                "Op koers",
                "gemeten",
                "Indicator bewerken",
            ],
        ),
    ],
)
def test_the_outcome_page_and_its_chart_are_in_the_readers_language(
    client_for, transport_official, indicator, language, words
):
    html = _page(
        client_for(transport_official),
        reverse("outcomes:outcome-detail", args=[indicator.outcome.pk]),
        language,
    )
    for word in words:
        assert word in html
    assert "trajectory to target" not in html and "Figures of this chart as a table" not in html


@pytest.mark.parametrize(
    ("language", "indicator_words", "measurement_words", "import_words"),
    [
        ("fr", "Enregistrer l'indicateur", "Enregistrer la mesure", "Indicateurs de ce résultat"),
        ("nl", "Indicator opslaan", "Meting registreren", "Indicatoren van dit resultaat"),
    ],
)
def test_the_indicator_measurement_and_import_forms_are_in_the_readers_language(
    client_for, transport_official, indicator, language, indicator_words, measurement_words, import_words
):
    client = client_for(transport_official)
    form = _page(client, reverse("outcomes:indicator-edit", args=[indicator.pk]), language)
    assert indicator_words in form and "Save indicator" not in form
    assert ("Valeur cible" if language == "fr" else "Streefwaarde") in form  # a model field's label
    measurement = _page(client, reverse("outcomes:measurement-create", args=[indicator.pk]), language)
    assert measurement_words in measurement and "Record measurement" not in measurement
    imports = _page(client, reverse("outcomes:measurement-import", args=[indicator.outcome.pk]), language)
    assert import_words in imports and "Upload a UTF-8 CSV file" not in imports
    assert "<code>indicator</code>" in imports  # the file's column names are not translated


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("fr", "La période est dans le futur: elle ne peut pas encore être mesurée."),
        ("nl", "De periode ligt in de toekomst: ze kan nog niet worden gemeten."),
    ],
)
def test_a_refused_measurement_is_explained_in_the_readers_language(
    client_for, lighting_official, indicator, language, message
):
    future = (datetime.date.today() + datetime.timedelta(days=40)).isoformat()
    response = client_for(lighting_official).post(
        reverse("outcomes:measurement-create", args=[indicator.pk]),
        {"period": future, "value": "70"},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 200
    assert message in markup.unescape(response.content.decode())
    assert indicator.measurements.count() == 2


@pytest.mark.parametrize(
    ("language", "messages"),
    [
        (
            "fr",
            [
                "Rien n'a été importé.",
                "« abc » n'est pas un nombre.",
                "« Nope » n'est pas un indicateur de ce résultat.",
                "« 2025-13-01 » n'est pas une date",
            ],
        ),
        (
            "nl",
            [
                "Er is niets geïmporteerd.",
                "“abc” is geen getal.",
                "“Nope” is geen indicator van dit resultaat.",
                "“2025-13-01” is geen datum",
            ],
        ),
    ],
)
def test_a_refused_import_lists_every_bad_cell_in_the_readers_language_under_the_files_own_column_names(
    client_for, lighting_official, indicator, language, messages
):
    upload = SimpleUploadedFile(
        "m.csv",
        b"indicator,period,value\nNight-time incidents,2025-01-01,abc\nNope,2025-01-01,3\n"
        b"Night-time incidents,2025-13-01,3\n",
        "text/csv",
    )
    response = client_for(lighting_official).post(
        reverse("outcomes:measurement-import", args=[indicator.outcome.pk]),
        {"file": upload},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    html = markup.unescape(response.content.decode())
    assert response.status_code == 400
    for message in messages:
        assert message in html
    for column in ("<td>value</td>", "<td>indicator</td>", "<td>period</td>"):
        assert column in html
    assert indicator.measurements.count() == 2


def test_a_services_refusal_follows_the_active_language(outcome, transport_official):
    fields = {
        "name": "Dark stops",
        "unit": "stops",
        "direction": "higher",
        "baseline_value": D("10"),
        "baseline_period": datetime.date(2024, 1, 1),
        "target_value": D("5"),
        "target_date": datetime.date(2030, 1, 1),
    }
    for language, words in (("fr", "Plus élevé, c'est mieux"), ("nl", "Hoger is beter, dus de streefwaarde")):
        with translation.override(language), pytest.raises(ValidationError) as refused:
            services.indicator_create(outcome=outcome, actor=transport_official, **fields)
        assert words in refused.value.message_dict["target_value"][0]


def test_history_is_stored_in_english_and_shown_in_the_readers_language(
    client_for, transport_official, outcome
):
    with translation.override("nl"):  # the language of whoever makes the change does not matter
        services.outcome_update(
            outcome=outcome, actor=transport_official, title="Veilige haltes", status="retired"
        )
    event = OutcomeEvent.objects.get(outcome=outcome, action="outcome_status_changed")
    assert event.summary == "Status Active → Retired; changed title, status"
    client = client_for(transport_official)
    url = reverse("outcomes:outcome-detail", args=[outcome.pk])
    assert "Statut Actif → Retiré; modifié: titre, statut" in _page(client, url, "fr")
    assert "Status Actief → Buiten gebruik; gewijzigd: titel, status" in _page(client, url, "nl")


def test_a_history_row_written_before_translations_is_shown_as_it_was_written(
    client_for, transport_official, outcome
):
    OutcomeEvent.objects.create(
        outcome=outcome,
        actor=transport_official,
        action="outcome_created",
        summary="Created outcome “Old” (Active)",
    )
    html = _page(client_for(transport_official), reverse("outcomes:outcome-detail", args=[outcome.pk]), "fr")
    assert "Created outcome “Old” (Active)" in html
