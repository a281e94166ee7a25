"""An indicator's baseline computed from the asset register: the selector and the service storing it."""

import datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from departments.models import Asset
from outcomes import services
from outcomes.models import Indicator
from outcomes.selectors import asset_baseline
from tests.factories import AssetCategoryFactory, AssetFactory, OutcomeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(transport, lighting):
    lamp = AssetCategoryFactory(code="street-light", name="Street light")
    shelter = AssetCategoryFactory(code="bus-shelter", name="Bus shelter")
    AssetFactory(department=lighting, category=lamp, energy_cost=D("100.00"), maintenance_cost=D("10.00"))
    AssetFactory(department=lighting, category=lamp, energy_cost=D("150.50"), maintenance_cost=D("20.00"))
    AssetFactory(
        department=lighting,
        category=lamp,
        energy_cost=D("999.00"),
        maintenance_cost=D("999.00"),
        status=Asset.Status.RETIRED,  # retired assets do not count
    )
    AssetFactory(department=transport, category=shelter, energy_cost=D("30.00"), maintenance_cost=D("70.00"))
    AssetFactory(department=transport, category=lamp, energy_cost=D("5.00"), maintenance_cost=D("1.00"))
    return {"lamp": lamp, "shelter": shelter}


@pytest.mark.parametrize(
    ("measure", "departments", "categories", "value", "count"),
    [
        (Indicator.AssetMeasure.ENERGY_COST, ["lighting"], ["lamp"], "250.50", 2),
        (Indicator.AssetMeasure.MAINTENANCE_COST, ["lighting"], ["lamp"], "30.00", 2),
        (Indicator.AssetMeasure.RUNNING_COST, ["lighting"], ["lamp"], "280.50", 2),
        (Indicator.AssetMeasure.ENERGY_COST, [], ["lamp"], "255.50", 3),  # no department chosen = all
        (Indicator.AssetMeasure.RUNNING_COST, ["transport"], [], "106.00", 2),  # no category chosen = all
        (Indicator.AssetMeasure.ASSET_COUNT, ["transport", "lighting"], [], "4", 4),
        (Indicator.AssetMeasure.ASSET_COUNT, ["transport"], ["shelter"], "1", 1),
    ],
)
def test_baseline_sums_in_service_assets_of_the_chosen_departments_and_categories(
    register, transport, lighting, measure, departments, categories, value, count
):
    by_code = {"transport": transport, "lighting": lighting}
    result = asset_baseline(
        measure=measure,
        departments=[by_code[d] for d in departments],
        categories=[register[c] for c in categories],
    )
    assert result.value == D(value)
    assert isinstance(result.value, D)
    assert result.asset_count == count
    assert f"{count} in-service assets" in result.note


def test_baseline_of_an_empty_selection_is_zero(transport):
    result = asset_baseline(measure=Indicator.AssetMeasure.ENERGY_COST, departments=[transport])
    assert result.value == D("0")
    assert result.asset_count == 0


def test_indicator_stores_the_computed_baseline_with_its_source(
    register, transport_official, transport, lighting
):
    outcome = OutcomeFactory(owner_department=transport)
    indicator = services.indicator_create(
        outcome=outcome,
        actor=transport_official,
        name="Street-lighting energy",
        unit="EUR per year",
        direction=Indicator.Direction.LOWER_IS_BETTER,
        baseline_source=Indicator.BaselineSource.ASSETS,
        baseline_asset_measure=Indicator.AssetMeasure.ENERGY_COST,
        baseline_value=D("1"),  # typed-in figures are ignored: the register is the source
        baseline_period=datetime.date(2025, 1, 1),
        target_value=D("150"),
        target_date=datetime.date(2030, 1, 1),
        baseline_departments=[lighting],
        baseline_categories=[register["lamp"]],
    )
    indicator.refresh_from_db()
    assert indicator.baseline_value == D("250.5")
    assert indicator.baseline_source == Indicator.BaselineSource.ASSETS
    assert (
        indicator.baseline_source_note
        == "Yearly energy cost of 2 in-service assets (Street lighting; Street light)"
    )
    assert indicator.baseline_computed_at is not None
    assert list(indicator.baseline_categories.all()) == [register["lamp"]]


def test_changing_the_asset_selection_recomputes_the_baseline_and_records_it(
    register, transport_official, transport, lighting
):
    outcome = OutcomeFactory(owner_department=transport)
    indicator = services.indicator_create(
        outcome=outcome,
        actor=transport_official,
        name="Lamps in service",
        unit="lamps",
        direction=Indicator.Direction.HIGHER_IS_BETTER,
        baseline_source=Indicator.BaselineSource.ASSETS,
        baseline_asset_measure=Indicator.AssetMeasure.ASSET_COUNT,
        baseline_value=D("0"),
        baseline_period=datetime.date(2025, 1, 1),
        target_value=D("10"),
        target_date=datetime.date(2030, 1, 1),
        baseline_departments=[lighting],
        baseline_categories=[register["lamp"]],
    )
    assert indicator.baseline_value == 2
    services.indicator_update(
        indicator=indicator, actor=transport_official, baseline_departments=[lighting, transport]
    )
    indicator.refresh_from_db()
    assert indicator.baseline_value == 3
    assert outcome.events.first().data["changes"]["baseline_value"] == ["2", "3"]


def test_computed_baseline_on_the_wrong_side_of_the_target_is_refused(
    register, transport_official, transport, lighting
):
    outcome = OutcomeFactory(owner_department=transport)
    with pytest.raises(ValidationError) as caught:
        services.indicator_create(
            outcome=outcome,
            actor=transport_official,
            name="Energy",
            unit="EUR per year",
            direction=Indicator.Direction.LOWER_IS_BETTER,
            baseline_source=Indicator.BaselineSource.ASSETS,
            baseline_asset_measure=Indicator.AssetMeasure.ENERGY_COST,
            baseline_value=D("0"),
            baseline_period=datetime.date(2025, 1, 1),
            target_value=D("300"),  # above the computed 250.50
            target_date=datetime.date(2030, 1, 1),
            baseline_departments=[lighting],
            baseline_categories=[register["lamp"]],
        )
    assert "must be below the baseline (250.5)" in str(caught.value)
    assert not Indicator.objects.exists()
