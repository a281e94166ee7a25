"""The departments pages, the import's refusals and the exports in French and Dutch (English stays the source).

History rows stay as they were written (English) and are translated when shown; import messages are written in
the uploader's language; the import's column names and the re-importable export header never change.
"""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from departments import services
from departments.models import Asset, AssetImport, AuditEvent
from departments.stored_text import translate_stored
from tests.factories import AssetFactory

from .conftest import csv_upload, good_row

pytestmark = pytest.mark.django_db

LIST = reverse("departments:asset-list")
IMPORT = reverse("departments:asset-import")


@pytest.fixture
def shelter(transport, bus_shelter):
    return AssetFactory(department=transport, category=bus_shelter, external_ref="BS-1", name="Shelter")


def page(client, url, language, **params) -> str:
    response = client.get(url, params, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, url
    return response.content.decode()


# --- Pages ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "fr",
            [
                "Équipements de tous les services",
                "Ajouter un équipement",
                "Coût de remplacement",
                "En service",
            ],
        ),
        ("nl", ["Assets van alle diensten", "Een asset registreren", "Vervangingskosten", "In dienst"]),
    ],
)
def test_the_asset_list_speaks_the_readers_language(client_for, transport_official, shelter, language, words):
    html = page(client_for(transport_official), LIST, language)
    for word in words:
        assert word in html
    assert "Assets of every department" not in html and "Replacement cost" not in html


@pytest.mark.parametrize(
    ("language", "words", "english"),
    [
        (
            "fr",
            ["Coût de fonctionnement annuel par catégorie, Transport", "Équipements en service"],
            "Members",
        ),
        ("nl", ["Jaarlijkse werkingskosten per categorie, Transport", "Assets in dienst"], "Members"),
    ],
)
def test_a_department_page_and_its_chart_titles_are_translated(
    client_for, transport_official, shelter, language, words, english
):
    html = page(
        client_for(transport_official), reverse("departments:department-detail", args=["transport"]), language
    )
    for word in words:
        assert word in html
    assert f"<h2>{english}</h2>" not in html and "Yearly running cost by category" not in html


def test_the_department_list_shows_kinds_in_dutch(client_for, transport_official, central_finance):
    html = page(client_for(transport_official), reverse("departments:department-list"), "nl")
    assert "<h1>Diensten</h1>" in html
    assert "<td>Operationele dienst</td>" in html and "<td>Centrale financiële dienst</td>" in html


def test_the_asset_form_labels_and_condition_choices_are_french(client_for, transport_official, bus_shelter):
    html = page(client_for(transport_official), reverse("departments:asset-create"), "fr")
    assert "Année d&#x27;installation" in html or "Année d'installation" in html
    assert "1 – très mauvais" in html and "Enregistrer" in html
    assert "very poor" not in html


def test_the_finder_page_and_its_refusals_are_in_french_and_dutch(client_for, transport_official, transport):
    client = client_for(transport_official)
    assert "<h1>Détecteur d'opportunités</h1>" in page(client, reverse("finder:finder"), "fr")
    data = {"radius_m": "5", "window_years": "3", "outcome": "", "synergy_percent": "10"}
    french = client.post(reverse("finder:finder"), data, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Le rayon doit être compris entre 10 et" in french and "The radius must be" not in french
    dutch = client.post(reverse("finder:finder"), data, HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "De straal moet tussen 10 en" in dutch and "Kansen zoeken" in dutch


# --- History written in English, shown in the reader's language -----------------------------------------------


def test_asset_history_is_stored_in_english_and_shown_in_french_and_dutch(
    client_for, transport_official, transport, bus_shelter
):
    client = client_for(transport_official)
    with translation.override("fr"):  # a French request: the row is still written in English
        asset = services.asset_create(
            department=transport,
            category=bus_shelter,
            actor=transport_official,
            external_ref="BS-9",
            name="Abri",
            install_year=2015,
            life_years=20,
            replacement_cost=8000,
            maintenance_cost=300,
            energy_cost=90,
        )
        services.asset_update(asset=asset, actor=transport_official, area="Centre", life_years=25)
    summaries = list(AuditEvent.objects.filter(entity="Asset").values_list("summary", flat=True))
    assert "Registered BS-9 Abri in Transport" in summaries
    assert "Changed area, life_years of BS-9 Abri" in summaries
    url = reverse("departments:asset-detail", args=[asset.pk])
    french = page(client, url, "fr")
    assert "BS-9 Abri enregistré dans Transport" in french
    assert "Champs modifiés sur BS-9 Abri: zone, durée de vie (années)" in french
    assert "Registered BS-9" not in french and "<h2>Historique</h2>" in french
    dutch = page(client, url, "nl")
    assert "BS-9 Abri geregistreerd bij Transport" in dutch and "<h2>Historiek</h2>" in dutch
    assert "Registered BS-9 Abri in Transport" in page(client, url, "en")


def test_a_sentence_the_code_does_not_know_is_shown_as_stored():
    with translation.override("fr"):
        assert translate_stored("Created S-1") == "Created S-1"
        assert translate_stored("Retired BS-1 Shelter") == "BS-1 Shelter mis hors service"


# --- Import: refusals name the row and the column, in the uploader's language ---------------------------------


@pytest.mark.parametrize(
    ("language", "row_heading", "message"),
    [
        ("fr", "Ligne", "Service « nowhere » inconnu (utilisez le code du service)."),
        ("nl", "Rij", "Onbekende dienst &#x27;nowhere&#x27; (gebruik de code van de dienst)."),
    ],
)
def test_an_import_refusal_names_row_and_column_in_french_and_dutch(
    client_for, transport_official, bus_shelter, language, row_heading, message
):
    client = client_for(transport_official)
    response = client.post(
        IMPORT,
        {"file": csv_upload([good_row(), good_row(external_ref="BS-2", department="nowhere")])},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    job = AssetImport.objects.get()
    assert job.status == AssetImport.Status.FAILED and job.language == language
    html = page(client, response.url, language)
    assert f'<th class="num">{row_heading}</th>' in html
    # Row 3 of the file (the header is row 1), the column by its fixed (English) name, the message translated.
    assert f'<td class="num">3</td><td>department</td><td>{message}</td>' in html
    assert "Unknown department" not in html
    assert not Asset.objects.exists()


def test_the_summary_of_a_refused_import_is_french(client_for, transport_official, bus_shelter):
    client = client_for(transport_official)
    response = client.post(
        IMPORT, {"file": csv_upload([good_row(category="bench")])}, HTTP_ACCEPT_LANGUAGE="fr"
    )
    job = AssetImport.objects.get()
    assert (
        job.error_message
        == "1 problème trouvé; rien n'a été importé. Corrigez-le et téléversez à nouveau le fichier."
    )
    assert job.errors == [
        {
            "row": 2,
            "column": "category",
            "message": "Catégorie « bench » inconnue (utilisez le code de la catégorie).",
        }
    ]
    # The history row stays English: it is read by everyone, translated when shown.
    assert AuditEvent.objects.get(action="asset_import.fail").summary == "Rejected assets.csv: 1 problem(s)"
    assert "Téléverser un fichier corrigé" in page(client, response.url, "fr")


def test_a_worker_writes_the_import_messages_in_the_language_of_the_upload(transport_official, bus_shelter):
    with translation.override("en"):
        job = services.asset_import_start(
            file=csv_upload([good_row(department="nowhere")]), actor=transport_official
        )
    assert job.language == "en"
    with translation.override("nl"):
        job = services.asset_import_start(
            file=csv_upload([good_row(department="nowhere")], name="b.csv"), actor=transport_official
        )
    assert job.language == "nl"
    # Run again outside the upload's request, as a worker does: the stored language decides.
    AssetImport.objects.filter(pk=job.pk).update(
        status=AssetImport.Status.QUEUED, errors=[], error_message=""
    )
    with translation.override("en"):
        services.asset_import_run(asset_import_id=job.pk)
    job.refresh_from_db()
    assert job.errors[0]["message"] == "Onbekende dienst 'nowhere' (gebruik de code van de dienst)."


def test_the_import_page_keeps_the_column_names_canonical_in_french(
    client_for, transport_official, transport
):
    html = page(client_for(transport_official), IMPORT, "fr")
    assert "<h1>Importer des équipements</h1>" in html
    assert "<code>department</code>, <code>category</code>, <code>external_ref</code>" in html
    assert "avec les colonnes: department, category, external_ref" in html
    template = client_for(transport_official).get(
        reverse("departments:asset-import-template"), HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert template.content.decode().splitlines()[0].startswith("department,category,external_ref,")


# --- Exports --------------------------------------------------------------------------------------------------


def test_an_export_for_reading_has_french_headers_and_machine_numbers(client_for, transport_viewer, shelter):
    client = client_for(transport_viewer)
    response = client.get(
        reverse("departments:asset-export", args=["csv"]), {"labels": "1"}, HTTP_ACCEPT_LANGUAGE="fr"
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["Service (code)", "Catégorie (code)", "Référence"]
    assert rows[0][-1] == "Année de fin de vie"
    assert (
        rows[1][0] == "transport" and rows[1][5] == f"{shelter.replacement_cost:.2f}"
    )  # codes, machine numbers


def test_an_xlsx_export_for_reading_has_dutch_headers(client_for, transport_viewer, shelter):
    response = client_for(transport_viewer).get(
        reverse("departments:asset-export", args=["xlsx"]), {"labels": "1"}, HTTP_ACCEPT_LANGUAGE="nl"
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "Assets"
    assert [c.value for c in sheet[1]][:3] == ["Dienst (code)", "Categorie (code)", "Referentie"]


def test_the_re_importable_export_keeps_the_import_columns_in_every_language(
    client_for, transport_viewer, shelter
):
    response = client_for(transport_viewer).get(
        reverse("departments:asset-export", args=["csv"]), HTTP_ACCEPT_LANGUAGE="fr"
    )
    header = b"".join(response.streaming_content).decode().splitlines()[0]
    assert header.startswith("department,category,external_ref,install_year,")
