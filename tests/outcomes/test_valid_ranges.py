"""Impossible values are never saved: each indicator has a valid range from its scale, assets lie on Earth."""

import datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from outcomes import services
from outcomes.models import Indicator
from tests.factories import AssetFactory, IndicatorFactory, OutcomeFactory

pytestmark = pytest.mark.django_db

INDICATOR = {
    "name": "Night-time incidents at stops",
    "unit": "incidents per year",
    "direction": Indicator.Direction.LOWER_IS_BETTER,
    "baseline_value": D("40"),
    "baseline_period": datetime.date(2024, 1, 1),
    "target_value": D("20"),
    "target_date": datetime.date(2030, 1, 1),
}


@pytest.fixture
def outcome(transport):
    return OutcomeFactory(owner_department=transport, title="Safe stops")


def _errors(**changes):
    with pytest.raises(ValidationError) as caught:
        services.indicator_create(outcome=changes.pop("outcome"), actor=changes.pop("actor"), **changes)
    return caught.value.message_dict


def test_a_negative_count_target_is_refused_next_to_the_target(outcome, transport_official):
    errors = _errors(
        outcome=outcome, actor=transport_official, **{**INDICATOR, "scale": "count", "target_value": D("-10")}
    )
    assert "impossible" in errors["target_value"][0]
    assert "0 or more incidents per year" in errors["target_value"][0]
    assert not Indicator.objects.exists()


def test_a_percentage_target_of_250_is_refused(outcome, transport_official):
    errors = _errors(
        outcome=outcome,
        actor=transport_official,
        **{
            **INDICATOR,
            "unit": "% of stops",
            "direction": Indicator.Direction.HIGHER_IS_BETTER,
            "scale": "percent",
            "baseline_value": D("62"),
            "target_value": D("250"),
        },
    )
    assert "between 0 and 100" in errors["target_value"][0]


def test_another_measure_needs_its_range_and_keeps_values_inside_it(outcome, transport_official):
    errors = _errors(outcome=outcome, actor=transport_official, **{**INDICATOR, "scale": "bounded"})
    assert "valid_min" in errors and "valid_max" in errors
    indicator = services.indicator_create(
        outcome=outcome,
        actor=transport_official,
        **{
            **INDICATOR,
            "unit": "°C change",
            "scale": "bounded",
            "valid_min": D("-50"),
            "valid_max": D("50"),
            "baseline_value": D("2"),
            "target_value": D("-3"),
        },
    )
    assert indicator.valid_range() == (D("-50"), D("50"))


def test_the_database_refuses_an_impossible_target_written_past_the_forms(outcome):
    indicator = IndicatorFactory(
        outcome=outcome, scale="percent", baseline_value=D("90"), target_value=D("60")
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.filter(pk=indicator.pk).update(target_value=D("250"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.filter(pk=indicator.pk).update(scale="bounded")  # a bounded scale needs its range


def test_a_measurement_outside_the_range_is_refused(outcome, transport_official):
    indicator = IndicatorFactory(outcome=outcome, scale="count")
    with pytest.raises(ValidationError) as caught:
        services.measurement_create(
            indicator=indicator, actor=transport_official, period=datetime.date(2025, 6, 1), value=D("-5")
        )
    assert "impossible" in caught.value.message_dict["value"][0]
    assert not indicator.measurements.exists()


def test_a_tender_target_outside_the_indicators_range_is_refused(outcome, transport_official, transport):
    from procurement.services.tenders import OutcomeTarget, tender_outcomes_set
    from tests.factories import TenderFactory

    indicator = IndicatorFactory(outcome=outcome, scale="count")
    tender = TenderFactory(lead_department=transport, created_by=transport_official)
    with pytest.raises(ValidationError) as caught:
        tender_outcomes_set(
            tender=tender,
            targets=[OutcomeTarget(indicator_id=indicator.pk, target_value=D("-10"))],
            actor=transport_official,
        )
    assert "impossible" in str(caught.value)
    assert not tender.targeted_outcomes.exists()


def test_coordinates_off_the_earth_are_refused_by_the_form_rules_and_the_database(transport):
    asset = AssetFactory(department=transport)
    asset.latitude, asset.longitude = D("123"), D("400")
    with pytest.raises(ValidationError) as caught:
        asset.full_clean()
    assert set(caught.value.message_dict) >= {"latitude", "longitude"}
    from departments.models import Asset

    with pytest.raises(IntegrityError), transaction.atomic():
        Asset.objects.filter(pk=asset.pk).update(latitude=D("123"))
