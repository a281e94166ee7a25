"""The demo city gives the finder a handful of real candidates, the bus stops of Route 5 first."""

import pytest

from departments import demo
from departments.finder.models import FinderCandidate, FinderRun


@pytest.fixture
def demo_city(db):
    demo.load(log=lambda message: None)


def test_the_demo_city_has_a_handful_of_candidates_led_by_the_bus_stops(
    demo_city, django_capture_on_commit_callbacks
):
    from django.contrib.auth import get_user_model

    from departments.finder.services import finder_run_request

    tina = get_user_model().objects.get(username="tina")
    with django_capture_on_commit_callbacks(execute=True):
        run = finder_run_request(actor=tina)
    run.refresh_from_db()
    assert run.status == FinderRun.Status.SUCCEEDED, run.error_message
    labels = list(run.candidates.values_list("label", flat=True))
    assert sorted(labels) == sorted(
        [
            "Route 5",
            "University junction",
            "Harbour promenade",
            "Market Square",
            "Castle lanes",
            "City Park gate",
        ]
    )
    # The random inventory forms no candidate: every candidate is a planned site, with only its own assets.
    planned = {code for code, _area, _groups in demo.PLANNED_SITES}
    for candidate in run.candidates.all():
        assert all(ref.split("-")[1] in planned for ref in _refs(candidate)), candidate.label
    bus_stops = run.candidates.get(rank=1)
    assert bus_stops.label == "Route 5"
    assert {d["code"] for d in bus_stops.departments} == {"transport", "lighting", "safety"}
    assert set(bus_stops.categories) == {"Bus shelter", "Street light", "CCTV camera"}
    assert bus_stops.savings > 0
    assert run.candidates.get(label="Castle lanes").kind == FinderCandidate.Kind.AREA
    assert not run.candidates.filter(label="Riverside steps").exists()  # wears out too far apart


def _refs(candidate):
    from departments.models import Asset

    return Asset.objects.filter(pk__in=candidate.asset_ids).values_list("external_ref", flat=True)
