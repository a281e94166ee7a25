"""Pages of departments and assets: who sees what, who may change what, lists, exports and the import page."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.test import override_settings
from django.urls import reverse

from departments.models import Asset, AssetImport, AuditEvent
from tests.factories import AssetFactory, UserFactory

from .conftest import csv_upload, good_row

pytestmark = pytest.mark.django_db

LIST = reverse("departments:asset-list")


@pytest.fixture
def shelter(transport, bus_shelter):
    return AssetFactory(department=transport, category=bus_shelter, external_ref="BS-1", area="Route 12")


def edit_data(**overrides):
    data = {
        "category": "",
        "external_ref": "BS-1",
        "name": "Shelter",
        "area": "Centre",
        "install_year": "2012",
        "life_years": "20",
        "replacement_cost": "9000.00",
        "maintenance_cost": "300.00",
        "energy_cost": "50.00",
        "condition": "4",
        "latitude": "",
        "longitude": "",
    }
    data.update(overrides)
    return data


# --- Reading -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who",
    ["transport_official", "parks_official", "transport_viewer", "finance_officer", "transport_finance"],
)
def test_every_member_of_a_department_reads_all_assets(request, client_for, shelter, who):
    client = client_for(request.getfixturevalue(who))
    assert "BS-1" in client.get(LIST).content.decode()
    assert client.get(reverse("departments:asset-detail", args=[shelter.pk])).status_code == 200
    assert client.get(reverse("departments:department-detail", args=["transport"])).status_code == 200


@pytest.mark.parametrize(
    "url", [LIST, reverse("departments:department-list"), reverse("departments:asset-import")]
)
def test_anonymous_visitor_is_sent_to_login(anonymous, shelter, url):
    response = anonymous.get(url)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


@pytest.mark.parametrize("who", ["second_finance_officer", "lighting_official", "transport_viewer"])
def test_department_list_shows_every_department_with_its_asset_count(
    request, client_for, shelter, parks, who
):
    html = (
        client_for(request.getfixturevalue(who)).get(reverse("departments:department-list")).content.decode()
    )
    assert "Transport" in html and "Parks" in html


def test_signed_in_user_without_a_department_is_refused(client_for, shelter):
    outsider = UserFactory(username="outsider")
    assert client_for(outsider).get(LIST).status_code == 403


def test_department_page_shows_totals_running_cost_and_end_of_life(
    client_for, transport_viewer, transport, bus_shelter
):
    AssetFactory(department=transport, category=bus_shelter, install_year=2000, life_years=20)  # overdue
    AssetFactory(department=transport, category=bus_shelter, install_year=2010, life_years=50)
    AssetFactory(department=transport, category=bus_shelter, status=Asset.Status.RETIRED)
    html = (
        client_for(transport_viewer)
        .get(reverse("departments:department-detail", args=["transport"]))
        .content.decode()
    )
    assert 'data-testid="asset-count">2<' in html
    assert 'data-testid="end-of-life-count">1<' in html
    assert "Yearly running cost by category" in html and "<svg" in html
    assert "200.00" in html  # 2 × (40 maintenance + 60 energy)


def test_asset_list_filters_by_department_category_area_and_end_of_life(
    client_for, transport_viewer, transport, lighting, bus_shelter, street_light
):
    AssetFactory(
        department=transport,
        category=bus_shelter,
        external_ref="KEEP",
        area="Route 12",
        install_year=2010,
        life_years=20,
    )
    AssetFactory(
        department=transport,
        category=bus_shelter,
        external_ref="OLD",
        area="Route 12",
        install_year=1990,
        life_years=20,
    )
    AssetFactory(department=lighting, category=street_light, external_ref="LAMP", area="Route 12")
    html = (
        client_for(transport_viewer)
        .get(
            LIST,
            {"department": "transport", "category": "bus-shelter", "end_of_life_min": "2025", "q": "route"},
        )
        .content.decode()
    )
    assert "KEEP" in html and "OLD" not in html and "LAMP" not in html


def test_asset_list_sorts_by_a_column_both_ways(client_for, transport_viewer, transport, bus_shelter):
    AssetFactory(
        department=transport, category=bus_shelter, external_ref="CHEAP", replacement_cost=Decimal("10")
    )
    AssetFactory(
        department=transport, category=bus_shelter, external_ref="DEAR", replacement_cost=Decimal("99999")
    )
    client = client_for(transport_viewer)
    ascending = client.get(LIST, {"sort": "replacement_cost"}).content.decode()
    descending = client.get(LIST, {"sort": "-replacement_cost"}).content.decode()
    assert ascending.index("CHEAP") < ascending.index("DEAR")
    assert descending.index("DEAR") < descending.index("CHEAP")


def test_asset_list_query_count_does_not_grow_with_the_page(
    client_for,
    transport_viewer,
    transport,
    lighting,
    bus_shelter,
    street_light,
    django_assert_max_num_queries,
):
    client = client_for(transport_viewer)
    AssetFactory.create_batch(3, department=transport, category=bus_shelter)
    with django_assert_max_num_queries(10) as few:  # 9 + the header's unread-notification count
        client.get(LIST)
    AssetFactory.create_batch(60, department=lighting, category=street_light)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(LIST, {"sort": "-end_of_life", "page": "2"})
    assert response.status_code == 200
    assert "Page 2 of 2" in response.content.decode()


def test_empty_list_says_so(client_for, transport_viewer):
    assert "No assets match" in client_for(transport_viewer).get(LIST).content.decode()


def test_csv_export_streams_the_filtered_list_in_import_layout(
    client_for, transport_viewer, shelter, lighting, street_light
):
    AssetFactory(department=lighting, category=street_light, external_ref="LAMP")
    response = client_for(transport_viewer).get(
        reverse("departments:asset-export", args=["csv"]), {"department": "transport"}
    )
    assert response.streaming
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r["external_ref"] for r in rows] == ["BS-1"]
    assert rows[0]["replacement_cost"] == "800.00" and rows[0]["end_of_life_year"] == "2030"


def test_xlsx_export_has_a_header_and_one_row_per_asset(client_for, transport_viewer, shelter):
    response = client_for(transport_viewer).get(reverse("departments:asset-export", args=["xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][:3] == ("department", "category", "external_ref")
    assert rows[1][:3] == ("transport", "bus-shelter", "BS-1")


# --- Changing ------------------------------------------------------------------------------------------------


def test_official_of_owning_department_is_offered_edit_and_retire(client_for, transport_official, shelter):
    html = (
        client_for(transport_official)
        .get(reverse("departments:asset-detail", args=[shelter.pk]))
        .content.decode()
    )
    assert reverse("departments:asset-edit", args=[shelter.pk]) in html
    assert reverse("departments:asset-retire", args=[shelter.pk]) in html


@pytest.mark.parametrize(
    "who", ["parks_official", "transport_viewer", "finance_officer", "transport_finance"]
)
def test_others_are_not_offered_changes_and_get_403(request, client_for, shelter, who):
    client = client_for(request.getfixturevalue(who))
    html = client.get(reverse("departments:asset-detail", args=[shelter.pk])).content.decode()
    assert reverse("departments:asset-edit", args=[shelter.pk]) not in html
    assert client.get(reverse("departments:asset-edit", args=[shelter.pk])).status_code == 403
    assert client.post(reverse("departments:asset-retire", args=[shelter.pk])).status_code == 403
    shelter.refresh_from_db()
    assert shelter.status == Asset.Status.IN_SERVICE


@pytest.mark.parametrize("who", ["transport_viewer", "finance_officer"])
def test_non_officials_cannot_register_or_import(request, client_for, transport, who):
    client = client_for(request.getfixturevalue(who))
    assert "Register an asset" not in client.get(LIST).content.decode()
    assert client.get(reverse("departments:asset-create")).status_code == 403
    assert client.get(reverse("departments:asset-import")).status_code == 403


def test_official_registers_an_asset_with_an_audit_row(client_for, transport_official, bus_shelter):
    response = client_for(transport_official).post(
        reverse("departments:asset-create"),
        {
            **edit_data(category=bus_shelter.pk),
            "department": transport_official.memberships.get().department_id,
        },
    )
    asset = Asset.objects.get(external_ref="BS-1")
    assert response.status_code == 302
    assert asset.replacement_cost == Decimal("9000.00")
    assert AuditEvent.objects.filter(
        action="asset.create", entity_id=str(asset.pk), actor=transport_official
    ).exists()


def test_official_cannot_register_in_another_department(
    client_for, transport_official, lighting, bus_shelter
):
    response = client_for(transport_official).post(
        reverse("departments:asset-create"), {**edit_data(category=bus_shelter.pk), "department": lighting.pk}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Asset.objects.exists()


def test_edit_shows_every_error_at_once_and_saves_nothing(client_for, transport_official, shelter):
    response = client_for(transport_official).post(
        reverse("departments:asset-edit", args=[shelter.pk]),
        edit_data(category=shelter.category_id, install_year="2999", replacement_cost="-1", life_years="0"),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "nothing was saved" in html.lower()
    assert "is in the future" in html
    assert "greater than or equal to 0" in html
    shelter.refresh_from_db()
    assert shelter.replacement_cost == Decimal("800.00")


def test_edit_records_old_and_new_values(client_for, transport_official, shelter):
    client_for(transport_official).post(
        reverse("departments:asset-edit", args=[shelter.pk]), edit_data(category=shelter.category_id)
    )
    shelter.refresh_from_db()
    assert shelter.condition == 4
    event = AuditEvent.objects.get(action="asset.update", entity_id=str(shelter.pk))
    assert event.data["changes"]["replacement_cost"] == ["800.00", "9000.00"]


def test_official_retires_an_asset(client_for, transport_official, shelter):
    client_for(transport_official).post(reverse("departments:asset-retire", args=[shelter.pk]))
    shelter.refresh_from_db()
    assert shelter.status == Asset.Status.RETIRED
    assert AuditEvent.objects.filter(action="asset.retire", entity_id=str(shelter.pk)).count() == 1


# --- Import page ---------------------------------------------------------------------------------------------


def test_official_uploads_a_small_file_and_sees_the_result(client_for, transport_official, bus_shelter):
    client = client_for(transport_official)
    response = client.post(
        reverse("departments:asset-import"), {"file": csv_upload([good_row(), good_row(external_ref="BS-2")])}
    )
    job = AssetImport.objects.get()
    assert response.url == reverse("departments:asset-import-detail", args=[job.pk])
    html = client.get(response.url).content.decode()
    assert job.status == AssetImport.Status.SUCCEEDED
    assert 'data-testid="created-count">2<' in html
    assert Asset.objects.count() == 2
    assert AuditEvent.objects.filter(action="asset_import.succeed", actor=transport_official).exists()


def test_the_same_file_uploaded_again_shows_every_row_unchanged(client_for, transport_official, bus_shelter):
    client = client_for(transport_official)
    rows = [good_row(), good_row(external_ref="BS-2")]
    client.post(reverse("departments:asset-import"), {"file": csv_upload(rows)})
    response = client.post(reverse("departments:asset-import"), {"file": csv_upload(rows)})
    html = client.get(response.url).content.decode()
    assert 'data-testid="created-count">0<' in html
    assert 'data-testid="updated-count">0<' in html
    assert 'data-testid="unchanged-count">2<' in html
    assert "Imported: 0 created, 0 updated, 2 unchanged." in html
    event = AuditEvent.objects.filter(action="asset_import.succeed").latest("pk")
    assert (event.data["created"], event.data["updated"], event.data["unchanged"]) == (0, 0, 2)


def test_bad_upload_lists_row_column_and_message_and_saves_nothing(
    client_for, transport_official, bus_shelter
):
    client = client_for(transport_official)
    response = client.post(
        reverse("departments:asset-import"),
        {"file": csv_upload([good_row(), good_row(external_ref="BS-2", energy_cost="-3")])},
    )
    html = client.get(response.url).content.decode()
    assert '<td class="num">3</td><td>energy_cost</td><td>Energy cost must not be negative.</td>' in html
    assert not Asset.objects.exists()


def test_official_cannot_import_into_another_department(
    client_for, transport_official, lighting, bus_shelter
):
    client = client_for(transport_official)
    response = client.post(
        reverse("departments:asset-import"), {"file": csv_upload([good_row(department="lighting")])}
    )
    assert "You are not an official of department" in client.get(response.url).content.decode()
    assert not Asset.objects.exists()


@override_settings(ASSET_IMPORT_MAX_BYTES=100)
def test_oversize_upload_is_refused_with_the_limit(client_for, transport_official, bus_shelter):
    response = client_for(transport_official).post(
        reverse("departments:asset-import"), {"file": csv_upload([good_row(), good_row(external_ref="BS-2")])}
    )
    assert response.status_code == 200
    assert "the limit is 0.1 KB" in response.content.decode()
    assert not AssetImport.objects.exists()


def test_import_page_polls_with_htmx_while_running(client_for, transport_official):
    job = AssetImport.objects.create(
        uploaded_by=transport_official, original_name="big.csv", status="running", progress=40
    )
    client = client_for(transport_official)
    html = client.get(reverse("departments:asset-import-detail", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in html and 'value="40"' in html
    partial = client.get(
        reverse("departments:asset-import-detail", args=[job.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "<html" not in partial and 'id="import-status"' in partial


def test_someone_elses_import_is_not_found(client_for, transport_official, lighting_official):
    job = AssetImport.objects.create(uploaded_by=lighting_official, original_name="x.csv")
    assert (
        client_for(transport_official)
        .get(reverse("departments:asset-import-detail", args=[job.pk]))
        .status_code
        == 404
    )


def test_large_upload_runs_as_a_job_and_still_works_without_a_broker(
    client_for, transport_official, bus_shelter, monkeypatch, django_capture_on_commit_callbacks
):
    from departments import services

    monkeypatch.setattr(services, "INLINE_IMPORT_MAX_ROWS", 0)
    client = client_for(transport_official)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("departments:asset-import"), {"file": csv_upload([good_row()])})
    assert len(callbacks) == 1  # the Celery task, enqueued on commit and run eagerly here
    job = AssetImport.objects.get()
    assert job.status == AssetImport.Status.SUCCEEDED and job.created_count == 1
    assert response.status_code == 302


def test_broker_outage_marks_a_large_import_failed_instead_of_crashing(
    client_for, transport_official, bus_shelter, monkeypatch, django_capture_on_commit_callbacks
):
    from departments import services, tasks

    def unreachable(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr(services, "INLINE_IMPORT_MAX_ROWS", 0)
    monkeypatch.setattr(tasks.run_asset_import, "delay", unreachable)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(transport_official).post(
            reverse("departments:asset-import"), {"file": csv_upload([good_row()])}
        )
    job = AssetImport.objects.get()
    assert response.status_code == 302
    assert job.status == AssetImport.Status.FAILED and "job queue is not reachable" in job.error_message
    assert not Asset.objects.exists()


def test_a_lost_import_can_be_started_again_by_its_uploader(
    client_for, transport_official, bus_shelter, monkeypatch, django_capture_on_commit_callbacks
):
    import datetime

    from departments import services

    monkeypatch.setattr(services, "INLINE_IMPORT_MAX_ROWS", 0)
    client = client_for(transport_official)
    with django_capture_on_commit_callbacks(execute=False):  # the job message is lost: never delivered
        client.post(reverse("departments:asset-import"), {"file": csv_upload([good_row()])})
    job = AssetImport.objects.get()
    detail = reverse("departments:asset-import-detail", args=[job.pk])
    retry = reverse("departments:asset-import-retry", args=[job.pk])
    assert "Start it again" not in client.get(detail).content.decode()
    assert client.post(retry).status_code == 302
    assert AssetImport.objects.get().status == AssetImport.Status.QUEUED  # not stuck yet: refused

    AssetImport.objects.update(created_at=job.created_at - datetime.timedelta(hours=1))
    assert "Start it again" in client.get(detail).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(retry)
    job.refresh_from_db()
    assert job.status == AssetImport.Status.SUCCEEDED and Asset.objects.count() == 1
    assert AuditEvent.objects.filter(action="asset_import.requeue", entity_id=str(job.pk)).exists()
