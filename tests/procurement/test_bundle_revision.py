"""On PostgreSQL the database keeps each tender's bundle revision (procurement.models.BundleRevision, migration
0010): every write that changes what the tender page shows of a bundle moves it, whoever writes, and nothing
else does. The tender page's cache of the bundle is keyed by it (test_tender_page_bundle_cache.py shows the
page itself fresh after each change)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from departments.imports import import_assets
from departments.models import Asset, AssetCategory, Department
from departments.services import asset_update
from procurement.models import BundleRevision, TenderAsset
from procurement.selectors import bundle as bundle_selectors
from procurement.services.tenders import tender_assets_add, tender_assets_remove, tender_create
from tests.departments.conftest import csv_bytes, good_row
from tests.factories import AssetFactory

pytestmark = pytest.mark.postgres


def _revision(tender) -> int | None:
    return BundleRevision.objects.filter(tender_id=tender.pk).values_list("revision", flat=True).first()


def _import(**overrides):
    result = import_assets(csv_bytes([good_row(**overrides)]), name="assets.csv", current_year=2026)
    assert result.ok, result.errors
    return result


def _bundle_a_new_asset(tender, ctx):
    extra = AssetFactory(department=ctx["lighting"], category=ctx["street_lights"], external_ref="SL-extra")
    tender_assets_add(tender=tender, assets=Asset.objects.filter(pk=extra.pk), actor=ctx["tina"])


def _remove_a_bundled_asset(tender, ctx):
    tender_assets_remove(tender=tender, asset_ids=[ctx["lighting_assets"][0].pk], actor=ctx["tina"])


def _change_what_the_contract_does_to_an_asset(tender, ctx):
    TenderAsset.objects.filter(tender=tender, asset=ctx["lighting_assets"][0]).update(action="replace")


def _edit_a_bundled_asset(tender, ctx):
    asset_update(asset=ctx["lighting_assets"][0], actor=ctx["luc"], replacement_cost=Decimal("4321.00"))


def _import_a_new_cost_for_a_bundled_asset(tender, ctx):
    _import(
        department="lighting",
        category="street-light",
        external_ref=ctx["lighting_assets"][1].external_ref,
        replacement_cost="98765.00",
    )


def _update_a_bundled_asset_behind_the_services(tender, ctx):
    Asset.objects.filter(pk=ctx["lighting_assets"][0].pk).update(name="Lamp 0, renamed in bulk")


def _rename_a_department(tender, ctx):
    Department.objects.filter(pk=ctx["lighting"].pk).update(name="Lighting and signals")


def _rename_an_asset_category(tender, ctx):
    AssetCategory.objects.filter(pk=ctx["street_lights"].pk).update(name="Lamp post")


MOVES = [
    _bundle_a_new_asset,
    _remove_a_bundled_asset,
    _change_what_the_contract_does_to_an_asset,
    _edit_a_bundled_asset,
    _import_a_new_cost_for_a_bundled_asset,
    _update_a_bundled_asset_behind_the_services,
    _rename_a_department,
    _rename_an_asset_category,
]


@pytest.fixture
def ctx(lighting, lighting_assets, street_lights, transport_official, lighting_official):
    return {
        "lighting": lighting,
        "lighting_assets": lighting_assets,
        "street_lights": street_lights,
        "tina": transport_official,
        "luc": lighting_official,
    }


@pytest.mark.parametrize("change", MOVES, ids=[m.__name__.strip("_") for m in MOVES])
def test_every_write_that_changes_a_bundle_moves_its_revision(change, ready_draft, ctx):
    before = _revision(ready_draft)
    version = bundle_selectors.tender_bundle_version(tender=ready_draft)
    assert before is not None  # bundling its first assets wrote it

    change(ready_draft, ctx)

    assert _revision(ready_draft) > before
    assert bundle_selectors.tender_bundle_version(tender=ready_draft) != version


def _edit_an_unbundled_asset(tender, ctx):
    spare = AssetFactory(department=ctx["lighting"], category=ctx["street_lights"], external_ref="SL-spare")
    asset_update(asset=spare, actor=ctx["luc"], replacement_cost=Decimal("10.00"))


def _import_new_assets(tender, ctx):
    assert _import(external_ref="BS-NEW-1").created == 1


def _reimport_a_bundled_asset_unchanged(tender, ctx):
    asset = ctx["lighting_assets"][0]
    result = _import(
        department="lighting",
        category="street-light",
        external_ref=asset.external_ref,
        install_year=str(asset.install_year),
        life_years=str(asset.life_years),
        replacement_cost=str(asset.replacement_cost),
        maintenance_cost=str(asset.maintenance_cost),
        energy_cost=str(asset.energy_cost),
        name=asset.name,
        area=asset.area,
        latitude="" if asset.latitude is None else str(asset.latitude),
        longitude="" if asset.longitude is None else str(asset.longitude),
        condition="" if asset.condition is None else str(asset.condition),
        status=asset.status,
    )
    assert result.unchanged == 1, (result.created, result.updated)


def _bundle_assets_into_another_tender(tender, ctx):
    other = tender_create(actor=ctx["tina"], lead_department=tender.lead_department, title="Another route")
    spare = AssetFactory(department=ctx["lighting"], category=ctx["street_lights"], external_ref="SL-other")
    tender_assets_add(tender=other, assets=Asset.objects.filter(pk=spare.pk), actor=ctx["tina"])


def _add_a_department(tender, ctx):
    Department.objects.create(code="water", name="Water")


STILL = [_edit_an_unbundled_asset, _import_new_assets, _reimport_a_bundled_asset_unchanged]
STILL += [_bundle_assets_into_another_tender, _add_a_department]


@pytest.mark.parametrize("change", STILL, ids=[s.__name__.strip("_") for s in STILL])
def test_a_write_that_leaves_the_bundle_as_it_was_leaves_its_revision_alone(change, ready_draft, ctx):
    before = _revision(ready_draft)

    change(ready_draft, ctx)

    assert _revision(ready_draft) == before


def test_the_revision_never_goes_back_even_when_the_clock_does(ready_draft, ctx):
    # A revision written by a clock ahead of this one (or kept by a cache across a restore) is only ever passed.
    far_ahead = 2**62
    BundleRevision.objects.filter(tender_id=ready_draft.pk).update(revision=far_ahead)

    _edit_a_bundled_asset(ready_draft, ctx)

    assert _revision(ready_draft) == far_ahead + 1


@pytest.mark.parametrize(
    "change",
    [_rename_a_department, _rename_an_asset_category, _edit_a_bundled_asset],
    ids=["rename_a_department", "rename_an_asset_category", "edit_a_bundled_asset"],
)
def test_a_bundle_without_a_revision_yet_gets_one_from_its_next_change(change, ready_draft, ctx):
    # A tender bundled before revisions existed (the migration writes one for each; this one was missed).
    BundleRevision.objects.filter(tender_id=ready_draft.pk).delete()
    version = bundle_selectors.tender_bundle_version(tender=ready_draft)

    change(ready_draft, ctx)

    assert _revision(ready_draft) is not None
    assert bundle_selectors.tender_bundle_version(tender=ready_draft) != version


def test_a_tender_that_never_bundled_an_asset_has_no_revision_and_a_version_all_the_same(draft):
    assert _revision(draft) is None
    assert bundle_selectors.tender_bundle_version(tender=draft) == f"{draft.lead_department_id}:r0"


def test_the_page_reads_one_row_for_the_version_however_large_the_bundle(ready_draft):
    with CaptureQueriesContext(connection) as captured:
        bundle_selectors.tender_bundle_version(tender=ready_draft)

    (query,) = captured.captured_queries
    assert "procurement_bundlerevision" in query["sql"] and "procurement_tenderasset" not in query["sql"]
