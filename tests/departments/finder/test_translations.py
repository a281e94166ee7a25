"""The opportunity finder in French and Dutch: a run's notes and failure reasons are stored in English (a run is
read by the whole city) and shown in the reader's language; the candidate's explanation is written per reader."""

import pytest
from django.urls import reverse

from departments import stored_text
from departments.finder.models import FinderRun
from departments.finder.services import finder_run_mark_failed, finder_run_request


@pytest.fixture
def run(city, transport_official, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # no broker: the job runs inline on commit
        return finder_run_request(actor=transport_official)


def page(client, url, language) -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, url
    return response.content.decode()


def test_a_runs_notes_are_stored_in_english_and_shown_in_french_and_dutch(
    run, client_for, transport_official
):
    run.refresh_from_db()
    assert run.status == FinderRun.Status.SUCCEEDED
    assert any(note.startswith("Values: the engine's default assumptions, first year") for note in run.notes)
    url = reverse("finder:run-detail", args=[run.pk])
    french = page(client_for(transport_official), url, "fr")
    assert "Valeurs: hypothèses par défaut du moteur de calcul, première année" in french
    assert "Candidats, par économie décroissante" in french and "<strong>150 m</strong>" in french
    assert "Values: the engine" not in french
    dutch = page(client_for(transport_official), url, "nl")
    assert "Waarden: de standaardaannames van de rekenmotor, eerste jaar" in dutch
    assert "Kansenzoeker: scan nr." in dutch


def test_a_candidate_is_explained_in_dutch_with_translated_scenarios(run, client_for, transport_official):
    candidate = run.candidates.get()
    dutch = page(
        client_for(transport_official), reverse("finder:candidate-detail", args=[candidate.pk]), "nl"
    )
    assert "4 assets van Transport, Public safety en Street lighting staan binnen 150 m van elkaar" in dutch
    assert "Status quo (gelijkwaardig, dienst per dienst)" in dutch and "CapEx-aankoop" in dutch
    assert "Gedeelde besparingen" in dutch and "stand within" not in dutch


def test_a_failed_runs_reasons_are_shown_in_french(
    transport, lighting_official, client_for, transport_official
):
    failed = FinderRun.objects.create(requested_by=transport_official, params_hash="x")
    reason = stored_text.FINDER_ONE_DEPARTMENT % {"department": "Street lighting"}
    finder_run_mark_failed(run_id=failed.pk, message=reason + "\nSomething unexpected")
    failed.refresh_from_db()
    assert failed.error_message.startswith("Only one department (Street lighting) has assets")
    french = page(client_for(transport_official), reverse("finder:run-detail", args=[failed.pk]), "fr")
    assert "<li>Un seul service (Street lighting) a des équipements en service" in french
    assert "<li>Something unexpected</li>" in french  # an unknown sentence is shown as stored
    assert "L'analyse a échoué" in french or "L&#x27;analyse a échoué" in french
