"""Outcome pages: who may read, create, edit and record; forms show errors and save nothing when refused."""

import datetime
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from outcomes.models import Indicator, Measurement, Outcome, OutcomeEvent
from tests.factories import IndicatorFactory, MeasurementFactory, OutcomeFactory

pytestmark = pytest.mark.django_db


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


CAST = [
    "transport_official",
    "lighting_official",
    "parks_official",
    "transport_viewer",
    "finance_officer",
    "transport_finance",
]
# role -> (may edit the outcome, may record measurements)
RIGHTS = {
    "transport_official": (True, True),  # official of the owner department
    "lighting_official": (False, True),  # official of a contributing department
    "parks_official": (False, False),  # official of an unrelated department
    "transport_viewer": (False, False),
    "finance_officer": (False, False),
    "transport_finance": (False, False),
}


def test_anonymous_visitor_is_sent_to_sign_in(anonymous, outcome):
    for url in [reverse("outcomes:outcome-list"), reverse("outcomes:outcome-detail", args=[outcome.pk])]:
        response = anonymous.get(url)
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")


@pytest.mark.parametrize("role", CAST)
def test_everyone_signed_in_reads_the_list_and_the_detail_with_its_chart(
    request, client_for, indicator, role
):
    client = client_for(request.getfixturevalue(role))
    listing = client.get(reverse("outcomes:outcome-list"))
    assert "Safe stops at night" in listing.content.decode()
    page = client.get(reverse("outcomes:outcome-detail", args=[indicator.outcome.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('class="point measurement"') == 2
    assert "40.00 %" in html  # (100 − 84) / (100 − 60): achievement by the one rule
    may_edit, may_record = RIGHTS[role]
    assert (reverse("outcomes:outcome-edit", args=[indicator.outcome.pk]) in html) is may_edit
    assert (reverse("outcomes:indicator-edit", args=[indicator.pk]) in html) is may_edit
    assert (reverse("outcomes:measurement-create", args=[indicator.pk]) in html) is may_record
    assert (reverse("outcomes:measurement-import", args=[indicator.outcome.pk]) in html) is may_record


@pytest.mark.parametrize("role", CAST)
def test_edit_pages_are_forbidden_except_to_officials_of_the_owner(request, client_for, indicator, role):
    client = client_for(request.getfixturevalue(role))
    may_edit, may_record = RIGHTS[role]
    outcome = indicator.outcome
    for name, arg in [
        ("outcome-edit", outcome.pk),
        ("indicator-create", outcome.pk),
        ("indicator-edit", indicator.pk),
    ]:
        assert client.get(reverse(f"outcomes:{name}", args=[arg])).status_code == (200 if may_edit else 403)
    for name, arg in [("measurement-create", indicator.pk), ("measurement-import", outcome.pk)]:
        assert client.get(reverse(f"outcomes:{name}", args=[arg])).status_code == (200 if may_record else 403)


@pytest.mark.parametrize("role", CAST)
def test_forbidden_posts_save_nothing(request, client_for, indicator, role):
    client = client_for(request.getfixturevalue(role))
    may_edit, may_record = RIGHTS[role]
    response = client.post(
        reverse("outcomes:measurement-create", args=[indicator.pk]), {"period": "2025-01-01", "value": "80"}
    )
    assert response.status_code == (302 if may_record else 403)
    assert Measurement.objects.filter(period=datetime.date(2025, 1, 1)).exists() is may_record
    response = client.post(
        reverse("outcomes:outcome-edit", args=[indicator.outcome.pk]),
        {
            "title": "Renamed",
            "theme": "mobility",
            "owner_department": indicator.outcome.owner_department_id,
            "status": "active",
        },
    )
    assert response.status_code == (302 if may_edit else 403)
    assert Outcome.objects.filter(title="Renamed").exists() is may_edit


def test_unknown_outcome_is_404(client_for, transport_official):
    assert (
        client_for(transport_official).get(reverse("outcomes:outcome-detail", args=[999])).status_code == 404
    )


def test_only_officials_may_open_the_new_outcome_form(
    client_for, transport_viewer, finance_officer, transport_official
):
    assert client_for(transport_viewer).get(reverse("outcomes:outcome-create")).status_code == 403
    assert client_for(finance_officer).get(reverse("outcomes:outcome-create")).status_code == 403
    assert client_for(transport_official).get(reverse("outcomes:outcome-create")).status_code == 200


def test_official_creates_an_outcome_through_the_form(client_for, transport_official, transport, lighting):
    response = client_for(transport_official).post(
        reverse("outcomes:outcome-create"),
        {
            "title": "40% less street-lighting energy",
            "theme": "energy_climate",
            "owner_department": transport.pk,
            "contributing_departments": [lighting.pk],
            "status": "proposed",
        },
    )
    outcome = Outcome.objects.get()
    assert response.url == reverse("outcomes:outcome-detail", args=[outcome.pk])
    assert outcome.created_by == transport_official
    assert list(outcome.contributing_departments.all()) == [lighting]
    assert OutcomeEvent.objects.filter(outcome=outcome, action="outcome_created").exists()


def test_official_cannot_make_an_outcome_owned_by_another_department(client_for, transport_official, parks):
    response = client_for(transport_official).post(
        reverse("outcomes:outcome-create"),
        {
            "title": "Greener parks",
            "theme": "environment",
            "owner_department": parks.pk,
            "status": "proposed",
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Outcome.objects.exists()


def test_indicator_form_shows_every_error_at_once_and_saves_nothing(client_for, transport_official, outcome):
    response = client_for(transport_official).post(
        reverse("outcomes:indicator-create", args=[outcome.pk]),
        {
            "name": "Incidents",
            "unit": "incidents",
            "direction": "lower",
            "scale": "count",
            "baseline_source": "entered",
            "baseline_value": "50",
            "baseline_period": "2025-01-01",
            "target_value": "70",
            "target_date": "2024-01-01",
            "frequency": "yearly",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was saved" in html
    assert "Lower is better, so the target must be below the baseline (50)." in html
    assert "The target date must be after the baseline period (2025-01-01)." in html
    assert not Indicator.objects.exists()


def test_indicator_form_refuses_non_numeric_values(client_for, transport_official, outcome):
    response = client_for(transport_official).post(
        reverse("outcomes:indicator-create", args=[outcome.pk]),
        {
            "name": "Incidents",
            "unit": "incidents",
            "direction": "lower",
            "scale": "count",
            "baseline_source": "entered",
            "baseline_value": "a lot",
            "baseline_period": "2025-01-01",
            "target_value": "fewer",
            "target_date": "2030-01-01",
            "frequency": "yearly",
        },
    )
    assert response.content.decode().count("Enter a number.") >= 2
    assert not Indicator.objects.exists()


def test_official_adds_an_indicator_with_a_baseline_from_assets(
    client_for, transport_official, outcome, lighting
):
    from tests.factories import AssetCategoryFactory, AssetFactory

    lamp = AssetCategoryFactory(code="street-light", name="Street light")
    AssetFactory.create_batch(3, department=lighting, category=lamp, energy_cost=D("100.00"))
    response = client_for(transport_official).post(
        reverse("outcomes:indicator-create", args=[outcome.pk]),
        {
            "name": "Street-lighting energy",
            "unit": "EUR per year",
            "direction": "lower",
            "scale": "count",
            "baseline_source": "assets",
            "baseline_asset_measure": "energy_cost",
            "baseline_departments": [lighting.pk],
            "baseline_categories": [lamp.pk],
            "baseline_period": "2025-01-01",
            "target_value": "180",
            "target_date": "2030-01-01",
            "frequency": "yearly",
        },
    )
    assert response.status_code == 302
    indicator = Indicator.objects.get()
    assert indicator.baseline_value == D("300")
    html = (
        client_for(transport_official)
        .get(reverse("outcomes:outcome-detail", args=[outcome.pk]))
        .content.decode()
    )
    assert "Computed from assets: Yearly energy cost of 3 in-service assets" in html


def test_measurement_for_a_retired_indicator_is_refused_in_the_browser(
    client_for, transport_official, indicator
):
    Indicator.objects.filter(pk=indicator.pk).update(is_retired=True)
    response = client_for(transport_official).post(
        reverse("outcomes:measurement-create", args=[indicator.pk]), {"period": "2025-01-01", "value": "70"}
    )
    assert response.status_code == 200
    assert "is retired: it takes no new measurements" in response.content.decode()
    assert indicator.measurements.count() == 2


def test_duplicate_period_in_the_browser_is_refused_in_plain_words(client_for, lighting_official, indicator):
    response = client_for(lighting_official).post(
        reverse("outcomes:measurement-create", args=[indicator.pk]), {"period": "2024-01-01", "value": "70"}
    )
    assert "already has a measurement for that period" in response.content.decode()
    assert indicator.measurements.get(period=datetime.date(2024, 1, 1)).value == D("84")


def test_csv_upload_lists_every_bad_cell_and_imports_nothing(client_for, lighting_official, indicator):
    upload = SimpleUploadedFile(
        "m.csv",
        b"indicator,period,value\nNight-time incidents,2025-01-01,abc\nNope,2025-01-01,3\n",
        "text/csv",
    )
    response = client_for(lighting_official).post(
        reverse("outcomes:measurement-import", args=[indicator.outcome.pk]), {"file": upload}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was imported" in html
    assert "“abc” is not a number." in html
    assert "“Nope” is not an indicator of this outcome." in html
    assert indicator.measurements.count() == 2


def test_csv_upload_imports_good_rows(client_for, lighting_official, indicator):
    upload = SimpleUploadedFile(
        "m.csv", b"indicator,period,value\nNight-time incidents,2025-01-01,77\n", "text/csv"
    )
    response = client_for(lighting_official).post(
        reverse("outcomes:measurement-import", args=[indicator.outcome.pk]), {"file": upload}
    )
    assert response.status_code == 302
    assert indicator.measurements.get(period=datetime.date(2025, 1, 1)).value == D("77")


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("", ["Bright streets", "Safe stops at night", "Tidy parks"]),
        ("?theme=energy_climate", ["Bright streets"]),
        ("?status=retired", ["Tidy parks"]),
        ("?department={lighting}", ["Bright streets", "Safe stops at night"]),  # owner or contributor
        ("?department={parks}", ["Tidy parks"]),
    ],
)
def test_list_filters_by_theme_status_and_department(
    client_for, transport_viewer, outcome, lighting, parks, query, titles
):
    OutcomeFactory(title="Bright streets", theme="energy_climate", owner_department=lighting)
    OutcomeFactory(title="Tidy parks", theme="environment", owner_department=parks, status="retired")
    html = (
        client_for(transport_viewer)
        .get(reverse("outcomes:outcome-list") + query.format(lighting=lighting.pk, parks=parks.pk))
        .content.decode()
    )
    shown = [t for t in ["Bright streets", "Safe stops at night", "Tidy parks"] if f">{t}</a>" in html]
    assert shown == titles


def test_list_paginates_and_shows_an_empty_state(client_for, transport_viewer, transport):
    client = client_for(transport_viewer)
    assert "No outcomes yet." in client.get(reverse("outcomes:outcome-list")).content.decode()
    OutcomeFactory.create_batch(21, owner_department=transport)
    html = client.get(reverse("outcomes:outcome-list") + "?page=2").content.decode()
    assert "Page 2 of 2" in html
    assert (
        "No outcome matches these filters."
        in client.get(reverse("outcomes:outcome-list") + "?theme=accessibility").content.decode()
    )


def test_detail_page_queries_do_not_grow_with_indicators_and_measurements(
    client_for, transport_official, outcome
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(transport_official)
    url = reverse("outcomes:outcome-detail", args=[outcome.pk])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    IndicatorFactory(outcome=outcome, baseline_period=datetime.date(2022, 1, 1))
    few = queries()
    for _ in range(3):
        indicator = IndicatorFactory(outcome=outcome, baseline_period=datetime.date(2022, 1, 1))
        for year in (2023, 2024, 2025):
            MeasurementFactory(
                indicator=indicator, period=datetime.date(year, 1, 1), recorded_by=transport_official
            )
    assert queries() == few
    assert few <= 16


def test_list_shows_how_many_indicators_are_on_track_at_risk_or_off_track(
    client_for, transport_viewer, indicator
):
    # indicator: 84 on 2024-01-01 → 40 % achieved, 25 % expected: on track
    IndicatorFactory(outcome=indicator.outcome, baseline_period=datetime.date(2022, 1, 1))  # no data yet
    html = client_for(transport_viewer).get(reverse("outcomes:outcome-list")).content.decode()
    assert '<span class="badge on-track">1 on track</span>' in html
    assert '<span class="badge no-data">1 no measurement yet</span>' in html


def test_csv_upload_reads_decimal_commas_only_when_the_comma_is_chosen(
    client_for, lighting_official, indicator
):
    content = b'indicator,period,value\nNight-time incidents,2025-01-01,"77,5"\n'
    url = reverse("outcomes:measurement-import", args=[indicator.outcome.pk])
    client = client_for(lighting_official)
    response = client.post(url, {"file": SimpleUploadedFile("m.csv", content, "text/csv")})
    assert response.status_code == 400
    assert "“77,5” has a decimal comma" in response.content.decode()  # before: stored as 775
    assert not indicator.measurements.filter(period=datetime.date(2025, 1, 1)).exists()
    response = client.post(
        url, {"file": SimpleUploadedFile("m.csv", content, "text/csv"), "decimal_separator": ","}
    )
    assert response.status_code == 302
    assert indicator.measurements.get(period=datetime.date(2025, 1, 1)).value == D("77.5")
