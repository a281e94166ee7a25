"""Outcome, indicator and measurement services: the rules forms and CSV share, and the history they write."""

import datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from outcomes import services
from outcomes.exceptions import NotAllowed
from outcomes.models import Indicator, Measurement, Outcome, OutcomeEvent
from tests.factories import IndicatorFactory, MeasurementFactory, OutcomeFactory

pytestmark = pytest.mark.django_db

GOOD_INDICATOR = {
    "name": "Night-time incidents at stops",
    "unit": "incidents per month",
    "direction": Indicator.Direction.LOWER_IS_BETTER,
    "baseline_value": D("40"),
    "baseline_period": datetime.date(2024, 1, 1),
    "target_value": D("20"),
    "target_date": datetime.date(2030, 1, 1),
}


@pytest.fixture
def outcome(transport, lighting):
    outcome = OutcomeFactory(owner_department=transport, title="Safe stops")
    outcome.contributing_departments.set([lighting])
    return outcome


def test_official_creates_an_outcome_with_contributors_and_a_history_row(
    transport_official, transport, lighting
):
    outcome = services.outcome_create(
        actor=transport_official,
        title="Shelters stay in service",
        theme=Outcome.Theme.MAINTENANCE_COST,
        owner_department=transport,
        contributing_departments=[lighting, transport],
    )
    assert list(outcome.contributing_departments.all()) == [lighting]  # the owner is not its own contributor
    assert outcome.events.get().action == "outcome_created"


def test_official_of_another_department_cannot_create_an_outcome_for_transport(parks_official, transport):
    with pytest.raises(NotAllowed):
        services.outcome_create(
            actor=parks_official, title="X", theme=Outcome.Theme.MOBILITY, owner_department=transport
        )
    assert not Outcome.objects.exists()


def test_status_change_is_recorded_with_from_and_to(transport_official, outcome):
    services.outcome_update(outcome=outcome, actor=transport_official, status=Outcome.Status.ACHIEVED)
    event = outcome.events.get()
    assert event.action == "outcome_status_changed"
    assert event.data["status"] == ["active", "achieved"]


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"target_value": D("40")}, "target_value", "must differ from the baseline"),
        ({"target_value": D("50")}, "target_value", "must be below the baseline"),
        (
            {"direction": Indicator.Direction.HIGHER_IS_BETTER, "target_value": D("30")},
            "target_value",
            "must be above the baseline",
        ),
        ({"target_date": datetime.date(2023, 12, 31)}, "target_date", "after the baseline period"),
        ({"target_date": datetime.date(2024, 1, 1)}, "target_date", "after the baseline period"),
    ],
)
def test_indicator_with_an_impossible_target_is_refused_and_nothing_saved(
    transport_official, outcome, changes, field, words
):
    with pytest.raises(ValidationError) as caught:
        services.indicator_create(outcome=outcome, actor=transport_official, **{**GOOD_INDICATOR, **changes})
    assert words in " ".join(caught.value.message_dict[field])
    assert not Indicator.objects.exists()
    assert not OutcomeEvent.objects.exists()


def test_contributing_official_cannot_add_indicators(lighting_official, outcome):
    with pytest.raises(NotAllowed):
        services.indicator_create(outcome=outcome, actor=lighting_official, **GOOD_INDICATOR)


def test_retiring_an_indicator_is_recorded(transport_official, outcome):
    indicator = services.indicator_create(outcome=outcome, actor=transport_official, **GOOD_INDICATOR)
    services.indicator_update(indicator=indicator, actor=transport_official, is_retired=True)
    assert outcome.events.first().action == "indicator_retired"


def test_contributing_official_records_a_measurement_with_history(lighting_official, outcome):
    indicator = IndicatorFactory(outcome=outcome, baseline_period=datetime.date(2024, 1, 1))
    measurement = services.measurement_create(
        indicator=indicator, actor=lighting_official, period=datetime.date(2025, 1, 1), value=D("35")
    )
    assert measurement.recorded_by == lighting_official
    assert outcome.events.get().action == "measurement_recorded"


@pytest.mark.parametrize(
    ("setup", "period", "field", "words"),
    [
        ("retired_indicator", datetime.date(2025, 1, 1), "indicator", "retired"),
        ("retired_outcome", datetime.date(2025, 1, 1), "indicator", "retired"),
        ("", datetime.date(2023, 1, 1), "period", "before the baseline period"),
        ("", datetime.date.today() + datetime.timedelta(days=40), "period", "in the future"),
        ("duplicate", datetime.date(2025, 1, 1), "__all__", "already has a measurement for that period"),
    ],
)
def test_bad_measurement_is_refused_and_nothing_saved(
    transport_official, outcome, setup, period, field, words
):
    indicator = IndicatorFactory(outcome=outcome, baseline_period=datetime.date(2024, 1, 1))
    if setup == "retired_indicator":
        indicator.is_retired = True
        indicator.save()
    if setup == "retired_outcome":
        Outcome.objects.filter(pk=outcome.pk).update(status=Outcome.Status.RETIRED)
        indicator.refresh_from_db()
    if setup == "duplicate":
        MeasurementFactory(indicator=indicator, period=period)
    before = Measurement.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.measurement_create(
            indicator=indicator, actor=transport_official, period=period, value=D("30")
        )
    assert words in " ".join(caught.value.message_dict[field])
    assert Measurement.objects.count() == before
    assert not OutcomeEvent.objects.exists()


def test_viewer_cannot_record_measurements(transport_viewer, outcome):
    indicator = IndicatorFactory(outcome=outcome, baseline_period=datetime.date(2024, 1, 1))
    with pytest.raises(NotAllowed):
        services.measurement_create(
            indicator=indicator, actor=transport_viewer, period=datetime.date(2025, 1, 1), value=D("3")
        )
