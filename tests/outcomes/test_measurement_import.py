"""CSV import of measurements: good files, and every kind of bad cell reported with nothing saved."""

import datetime
from decimal import Decimal as D

import pytest

from outcomes import services
from outcomes.exceptions import MeasurementImportInvalid, NotAllowed
from outcomes.models import Measurement, OutcomeEvent
from tests.factories import IndicatorFactory, MeasurementFactory, OutcomeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def outcome(transport, lighting):
    outcome = OutcomeFactory(owner_department=transport, title="Safe stops")
    outcome.contributing_departments.set([lighting])
    IndicatorFactory(outcome=outcome, name="Incidents", baseline_period=datetime.date(2023, 1, 1))
    IndicatorFactory(outcome=outcome, name="Lit stops", baseline_period=datetime.date(2023, 1, 1))
    return outcome


def _import(outcome, actor, text):
    return services.measurement_import(outcome=outcome, actor=actor, content=text.encode())


def test_contributing_official_imports_measurements_by_indicator_name_or_id(outcome, lighting_official):
    lit = outcome.indicators.get(name="Lit stops")
    csv = (
        "indicator,period,value,source,note\n"
        "Incidents,2024-01-01,92.5,police data,\n"
        "incidents,2025-01-01,81,police data,case-insensitive name\n"
        f"{lit.pk},2024-01-01,95,survey,\n"
    )
    result = _import(outcome, lighting_official, csv)
    assert (result.created, result.updated) == (3, 0)
    values = sorted(Measurement.objects.values_list("indicator__name", "period", "value"))
    assert values[0] == ("Incidents", datetime.date(2024, 1, 1), D("92.5"))
    assert Measurement.objects.filter(recorded_by=lighting_official).count() == 3
    event = OutcomeEvent.objects.get()
    assert event.action == "measurements_imported"
    assert event.data["created"] == 3


def test_a_row_for_an_existing_period_corrects_its_value(outcome, transport_official):
    incidents = outcome.indicators.get(name="Incidents")
    MeasurementFactory(indicator=incidents, period=datetime.date(2024, 1, 1), value=D("90"))
    result = _import(outcome, transport_official, "indicator,period,value\nIncidents,2024-01-01,88\n")
    assert (result.created, result.updated) == (0, 1)
    assert Measurement.objects.get().value == D("88")


@pytest.mark.parametrize(
    ("rows", "row", "column", "words"),
    [
        ("Nope,2024-01-01,1", 2, "indicator", "is not an indicator of this outcome"),
        (",2024-01-01,1", 2, "indicator", "indicator is missing"),
        ("Incidents,01/02/2024,1", 2, "period", "write it as YYYY-MM-DD"),
        ("Incidents,2024-02-30,1", 2, "period", "is not a date"),
        ("Incidents,,1", 2, "period", "period is missing"),
        ("Incidents,2024-01-01,lots", 2, "value", "“lots” is not a number"),
        ("Incidents,2024-01-01,NaN", 2, "value", "is not a number"),
        ("Incidents,2024-01-01,", 2, "value", "value is missing"),
        ("Incidents,2024-01-01,1.123456", 2, "value", "decimal places"),
        ("Incidents,2020-01-01,1", 2, "period", "before the baseline period"),
        ("Incidents,2099-01-01,1", 2, "period", "in the future"),
        ("Incidents,2024-01-01,1\nIncidents,2024-01-01,2", 3, "period", "Row 3 already gives"),
    ],
)
def test_each_bad_cell_is_reported_with_row_and_column_and_nothing_is_saved(
    outcome, transport_official, rows, row, column, words
):
    csv = "indicator,period,value\nLit stops,2024-01-01,90\n" + rows + "\n"
    # the good first row shifts the bad one down by one
    with pytest.raises(MeasurementImportInvalid) as caught:
        _import(outcome, transport_official, csv)
    errors = caught.value.errors
    assert any(e["row"] == row + 1 and e["column"] == column and words in e["message"] for e in errors), (
        errors
    )
    assert not Measurement.objects.exists()
    assert not OutcomeEvent.objects.exists()


def test_measurements_for_a_retired_indicator_are_refused(outcome, transport_official):
    outcome.indicators.filter(name="Incidents").update(is_retired=True)
    with pytest.raises(MeasurementImportInvalid) as caught:
        _import(outcome, transport_official, "indicator,period,value\nIncidents,2024-01-01,1\n")
    assert caught.value.errors == [
        {
            "row": 2,
            "column": "indicator",
            "message": "The indicator “Incidents” is retired: it takes no new measurements.",
        }
    ]


def test_every_bad_cell_of_a_file_is_reported_at_once(outcome, transport_official):
    csv = "indicator,period,value\nNope,2024-13-01,x\nIncidents,2024-01-01,5\nLit stops,soon,\n"
    with pytest.raises(MeasurementImportInvalid) as caught:
        _import(outcome, transport_official, csv)
    cells = {(e["row"], e["column"]) for e in caught.value.errors}
    assert cells == {(2, "indicator"), (2, "period"), (2, "value"), (4, "period"), (4, "value")}
    assert not Measurement.objects.exists()


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"period,value\n2024-01-01,1\n", "This column is missing."),
        (b"indicator,period,value\n", "no data rows"),
        (b"", "not a readable"),
        (b"\xff\xfe\x00ba", "not a readable"),  # a UTF-16 byte-order mark, then not UTF-16
    ],
)
def test_unusable_files_are_refused_with_a_plain_message(outcome, transport_official, content, words):
    with pytest.raises(MeasurementImportInvalid) as caught:
        services.measurement_import(outcome=outcome, actor=transport_official, content=content)
    assert words in caught.value.errors[0]["message"]


def test_official_of_an_unrelated_department_cannot_import(outcome, parks_official):
    with pytest.raises(NotAllowed):
        _import(outcome, parks_official, "indicator,period,value\nIncidents,2024-01-01,1\n")
    assert not Measurement.objects.exists()
