"""Requesting, running and using finder runs through the services (tasks run inline, as in `make run`)."""

from decimal import Decimal

import pytest

from departments.finder import services
from departments.finder.exceptions import FinderInputRejected, FinderNotPermitted, NothingToBundle
from departments.finder.models import FinderCandidate, FinderRun
from departments.models import Asset, AuditEvent


@pytest.fixture
def run_now(django_capture_on_commit_callbacks):
    """Request a run and let its job run inline on commit (no broker), like `make run`."""

    def _run(actor, **params):
        with django_capture_on_commit_callbacks(execute=True):
            run = services.finder_run_request(actor=actor, **params)
        run.refresh_from_db()
        return run

    return _run


def test_a_run_finds_the_bus_stop_and_stores_it_with_its_parameters(city, transport_official, run_now):
    run = run_now(transport_official, radius_m=150, window_years=3, synergy=Decimal("0.1"))
    assert run.status == FinderRun.Status.SUCCEEDED, run.error_message
    assert (run.radius_m, run.window_years, run.synergy) == (150, 3, Decimal("0.100"))
    assert run.progress == 100 and run.candidate_count == 1 and run.stored_count == 1
    assert run.assets_considered == 7
    candidate = run.candidates.get()
    assert sorted(candidate.asset_ids) == sorted(a.pk for a in city["bus_stop"])
    assert [d["code"] for d in candidate.departments] == [
        "transport",
        "safety",
        "lighting",
    ]  # largest cost first
    assert candidate.department_count == 3 and candidate.asset_count == 4
    assert (candidate.end_of_life_first, candidate.end_of_life_last) == (2027, 2028)
    assert candidate.replacement_cost_due == Decimal("12100.00")
    assert candidate.savings == candidate.npv_status_quo - candidate.best_npv
    assert candidate.label == "Route 5" and candidate.kind == FinderCandidate.Kind.NEARBY
    assert candidate.spread_m < 30
    assert AuditEvent.objects.filter(action="finder.run", entity_id=str(run.pk)).exists()


def test_stored_values_are_the_engines_values_rounded_to_cents(city, transport_official, run_now):
    from departments.finder.valuation import value_groups

    run = run_now(transport_official)
    candidate = run.candidates.get()
    table = services.load_asset_table(category_ids=None)
    members = table[table["asset_id"].isin(candidate.asset_ids)].assign(group=0, action="upgrade")
    ids = set(members["category"].astype(int))
    values = value_groups(
        members,
        services.load_catalogue(category_ids=ids),
        assumptions=services.finder_default_assumptions(),
        synergy=0.1,
    ).iloc[0]
    assert candidate.npv_status_quo == Decimal(f"{values['npv_status_quo']:.2f}")
    assert candidate.best_scenario == values["best_scenario"]
    assert candidate.savings == Decimal(f"{values['savings']:.2f}")


def test_finance_staff_may_run_the_finder(city, finance_officer, run_now):
    assert run_now(finance_officer).status == FinderRun.Status.SUCCEEDED


def test_a_viewer_may_not_run_the_finder(city, transport_viewer):
    with pytest.raises(FinderNotPermitted):
        services.finder_run_request(actor=transport_viewer)
    assert not FinderRun.objects.exists()


def test_a_second_request_with_the_same_parameters_while_one_runs_reuses_it(
    city, transport_official, lighting_official
):
    first = services.finder_run_request(actor=transport_official, enqueue=False)
    again = services.finder_run_request(actor=lighting_official, enqueue=False)
    other = services.finder_run_request(actor=transport_official, radius_m=200, enqueue=False)
    assert again.pk == first.pk
    assert other.pk != first.pk
    FinderRun.objects.filter(pk=first.pk).update(status=FinderRun.Status.RUNNING)
    assert services.finder_run_request(actor=transport_official, enqueue=False).pk == first.pk


def test_a_finished_run_can_be_run_again(city, transport_official, run_now):
    first = run_now(transport_official)
    second = run_now(transport_official)
    assert second.pk != first.pk and second.status == FinderRun.Status.SUCCEEDED
    assert second.candidates.count() == 1


def test_running_a_finished_run_again_changes_nothing(city, transport_official, run_now):
    run = run_now(transport_official)
    services.finder_run_execute(run.pk)
    assert FinderCandidate.objects.filter(run=run).count() == 1


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"radius_m": 5}, "radius_m", "between 10 and 2,000 metres"),
        ({"radius_m": 2_001}, "radius_m", "between 10 and 2,000 metres"),
        ({"window_years": 11}, "window_years", "between 0 and 10 years"),
        ({"window_years": -1}, "window_years", "between 0 and 10 years"),
        ({"synergy": Decimal("0.6")}, "synergy", "between 0% and 50%"),
    ],
)
def test_parameters_out_of_range_are_refused_next_to_their_field(
    city, transport_official, params, field, words
):
    with pytest.raises(FinderInputRejected) as error:
        services.finder_run_request(actor=transport_official, **params)
    assert words in " ".join(error.value.errors[field])
    assert not FinderRun.objects.exists()


def test_every_bad_parameter_is_reported_at_once(city, transport_official):
    with pytest.raises(FinderInputRejected) as error:
        services.finder_run_request(actor=transport_official, radius_m=1, window_years=99)
    assert set(error.value.errors) == {"radius_m", "window_years"}


def test_a_single_department_is_a_clear_message(lone_lights, transport_official):
    with pytest.raises(FinderInputRejected) as error:
        services.finder_run_request(actor=transport_official)
    assert "Only one department (Street lighting)" in error.value.errors["__all__"][0]
    assert "at least two departments" in error.value.errors["__all__"][0]


def test_no_assets_at_all_is_a_clear_message(transport_official):
    with pytest.raises(FinderInputRejected) as error:
        services.finder_run_request(actor=transport_official)
    assert "nothing to scan" in error.value.errors["__all__"][0]


def test_no_assets_with_coordinates_or_area_is_a_clear_message(
    transport, lighting, make_asset, transport_official
):
    make_asset(transport, "bus-shelter", located=False, area="")
    make_asset(lighting, "street-light", located=False, area="")
    with pytest.raises(FinderInputRejected) as error:
        services.finder_run_request(actor=transport_official)
    assert "has coordinates or an area" in error.value.errors["__all__"][0]


def test_without_coordinates_assets_are_grouped_by_area_and_the_run_says_so(
    transport, lighting, make_asset, transport_official, run_now
):
    shelter = make_asset(transport, "bus-shelter", located=False, area="Castle lanes")
    light = make_asset(lighting, "street-light", located=False, area=" castle LANES ")
    make_asset(lighting, "street-light", located=False, area="Elsewhere")
    run = run_now(transport_official)
    assert run.status == FinderRun.Status.SUCCEEDED
    assert any("None of the 3 assets has coordinates" in note for note in run.notes)
    candidate = run.candidates.get()
    assert candidate.kind == FinderCandidate.Kind.AREA
    assert sorted(candidate.asset_ids) == sorted([shelter.pk, light.pk])
    assert candidate.latitude is None


def test_an_outcome_with_no_categories_is_a_clear_message_next_to_the_outcome(
    city, transport_official, transport
):
    from tests.factories import OutcomeFactory

    outcome = OutcomeFactory(title="Step-free access", owner_department=transport)
    with pytest.raises(FinderInputRejected) as error:
        services.finder_run_request(actor=transport_official, outcome=outcome)
    assert "“Step-free access” names no asset categories" in error.value.errors["outcome"][0]


def test_an_outcome_limits_the_scan_to_the_categories_serving_it(
    city, categories, transport_official, transport, run_now
):
    from tests.factories import IndicatorFactory, OutcomeFactory, TenderAssetFactory, TenderOutcomeFactory

    outcome = OutcomeFactory(title="Safer stops", owner_department=transport)
    indicator = IndicatorFactory(outcome=outcome)
    indicator.baseline_categories.set([categories["street-light"]])
    # A tender targeting the outcome bundles a camera elsewhere: cameras serve it too.
    camera_elsewhere = Asset.objects.get(pk=city["bus_stop"][3].pk)
    camera_elsewhere.pk = None
    camera_elsewhere.external_ref = "CAM-OTHER"
    camera_elsewhere.save()
    TenderOutcomeFactory(indicator=indicator, tender=TenderAssetFactory(asset=camera_elsewhere).tender)
    run = run_now(transport_official, outcome=outcome)
    assert run.status == FinderRun.Status.SUCCEEDED, run.error_message
    candidate = run.candidates.get()
    # Lights and the camera of the stop, not its shelter (shelters serve no indicator of the outcome).
    assert sorted(candidate.asset_ids) == sorted(a.pk for a in city["bus_stop"][1:])
    assert any("Only the categories serving “Safer stops”" in note for note in run.notes)


def test_a_run_whose_data_changed_since_the_request_fails_with_the_reason(city, transport_official):
    run = services.finder_run_request(actor=transport_official, enqueue=False)
    Asset.objects.exclude(department__code="lighting").update(status=Asset.Status.RETIRED)
    run = services.finder_run_execute(run.pk)
    assert run.status == FinderRun.Status.FAILED
    assert "Only one department" in run.error_message


def test_assets_already_in_an_active_tender_are_left_out_of_the_scan(city, transport_official, run_now):
    from tests.factories import TenderAssetFactory

    TenderAssetFactory(asset=city["bus_stop"][0])  # the shelter is already bundled
    run = run_now(transport_official)
    assert sorted(run.candidates.get().asset_ids) == sorted(a.pk for a in city["bus_stop"][1:])


# --- Starting a tender ----------------------------------------------------------------------------------------


def test_an_official_starts_a_draft_tender_bundling_the_candidates_assets(city, lighting_official, run_now):
    from procurement.models import Tender

    candidate = run_now(lighting_official).candidates.get()
    started = services.finder_candidate_start_tender(candidate=candidate, actor=lighting_official)
    tender = started.tender
    assert tender.status == Tender.Status.DRAFT
    assert tender.lead_department.code == "lighting"  # the official's own department among the candidate's
    assert sorted(tender.bundled_assets.values_list("asset_id", flat=True)) == sorted(candidate.asset_ids)
    assert set(tender.bundled_assets.values_list("action", flat=True)) == {"upgrade"}
    assert started.added == 4 and started.already_bundled == []
    assert "opportunity finder" in tender.description
    candidate.refresh_from_db()
    assert candidate.tender_id == tender.pk
    assert AuditEvent.objects.filter(action="finder.tender", entity_id=str(candidate.pk)).exists()


def test_assets_bundled_elsewhere_meanwhile_are_left_out_and_reported(city, transport_official, run_now):
    from tests.factories import TenderAssetFactory

    candidate = run_now(transport_official).candidates.get()
    other = TenderAssetFactory(asset=city["bus_stop"][3]).tender  # the camera, bundled after the scan
    started = services.finder_candidate_start_tender(candidate=candidate, actor=transport_official)
    assert started.already_bundled == [(city["bus_stop"][3].external_ref, other.reference)]
    assert started.added == 3
    assert city["bus_stop"][3].pk not in started.tender.bundled_assets.values_list("asset_id", flat=True)


def test_nothing_is_created_when_every_asset_is_bundled_elsewhere(city, transport_official, run_now):
    from procurement.models import Tender
    from tests.factories import TenderAssetFactory, TenderFactory

    candidate = run_now(transport_official).candidates.get()
    elsewhere = TenderFactory()
    for asset in city["bus_stop"]:
        TenderAssetFactory(asset=asset, tender=elsewhere)
    before = Tender.objects.count()
    with pytest.raises(NothingToBundle, match="already in an active tender"):
        services.finder_candidate_start_tender(candidate=candidate, actor=transport_official)
    assert Tender.objects.count() == before


def test_a_second_click_returns_the_tender_already_started(city, transport_official, run_now):
    candidate = run_now(transport_official).candidates.get()
    first = services.finder_candidate_start_tender(candidate=candidate, actor=transport_official)
    second = services.finder_candidate_start_tender(candidate=candidate, actor=transport_official)
    assert second.existing and second.tender.pk == first.tender.pk


def test_finance_staff_may_not_start_a_tender(city, finance_officer, run_now):
    candidate = run_now(finance_officer).candidates.get()
    with pytest.raises(FinderNotPermitted, match="Only officials"):
        services.finder_candidate_start_tender(candidate=candidate, actor=finance_officer)
