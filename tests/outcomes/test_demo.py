"""The demo step of the outcomes app: robust without asset categories, idempotent, consistent with the rules."""

from decimal import Decimal as D

import pytest

from outcomes import demo
from outcomes.models import Indicator, Measurement, Outcome, OutcomeEvent
from tests.factories import AssetCategoryFactory, AssetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(transport, lighting, safety, parks, central_finance, transport_official, lighting_official):
    return {"transport": transport, "lighting": lighting}


def test_demo_loads_outcomes_with_entered_baselines_when_there_are_no_assets(city):
    demo.load(log=lambda message: None)
    assert Outcome.objects.count() == 4
    assert not Indicator.objects.filter(baseline_source=Indicator.BaselineSource.ASSETS).exists()
    assert Measurement.objects.count() > 10
    for indicator in Indicator.objects.all():
        indicator.full_clean()  # every demo indicator obeys the rules
        assert indicator.progress().achievement is not None


def test_demo_takes_baselines_from_assets_when_the_categories_exist(city):
    lamp = AssetCategoryFactory(code="street-light", name="Street light")
    AssetFactory.create_batch(4, department=city["lighting"], category=lamp, energy_cost=D("95.00"))
    demo.load(log=lambda message: None)
    energy = Indicator.objects.get(name="Street-lighting energy cost")
    assert energy.baseline_source == Indicator.BaselineSource.ASSETS
    assert energy.baseline_value == D("380.00")
    assert energy.target_value == D("228.00")
    assert list(energy.baseline_categories.all()) == [lamp]


def test_running_the_demo_twice_adds_nothing(city):
    messages = []
    demo.load(log=messages.append)
    counts = (Outcome.objects.count(), Indicator.objects.count(), Measurement.objects.count())
    events = OutcomeEvent.objects.count()
    demo.load(log=messages.append)
    assert (Outcome.objects.count(), Indicator.objects.count(), Measurement.objects.count()) == counts
    assert OutcomeEvent.objects.count() == events
    assert messages[-1].startswith("0 new outcomes, 0 new indicators, 0 new measurements")
