"""The tender page reads its bundle from a cache (procurement/selectors/bundle.py) and never shows a stale one:
every path that changes what the page shows of the bundle moves the version, and the page then shows exactly
what the uncached selectors read."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from departments.imports import import_assets
from departments.models import Asset, AssetCategory, Department
from departments.services import asset_update
from finance.services.budgets import contribution_request
from procurement.selectors import bundle as bundle_selectors
from procurement.selectors.signoffs import tender_sign_off_states
from procurement.selectors.tenders import tender_asset_summary
from procurement.services.signoffs import signoff_give
from procurement.services.tenders import tender_assets_add, tender_assets_remove
from tests.departments.conftest import csv_bytes, good_row
from tests.factories import AssetFactory, BudgetLineFactory


def _page(client, tender):
    response = client.get(reverse("procurement:tender-detail", args=[tender.reference]))
    assert response.status_code == 200
    return response


def _shown(response) -> dict:
    """What the page shows of the bundle: the summary, and each department's sign-off part and state."""
    summary = response.context["summary"]
    _, states = response.context["signoff_states"]
    return {"summary": _comparable(summary), "sign_offs": _parts(states), "table": _table(response)}


def _table(response) -> str:
    html = response.content.decode()
    start = html.index('<section class="card" id="bundled-assets"')
    return html[start : html.index("</section>", start)]


def _fresh_table(tender) -> str:
    """The asset table's first page rendered now from the database, without any cache."""
    from django.core.paginator import Paginator
    from django.template.loader import render_to_string

    from procurement.selectors.tenders import tender_bundled_assets

    page = Paginator(tender_bundled_assets(tender=tender), 50).get_page(1)
    html = render_to_string(
        "procurement/_tender_bundled_assets.html",
        {"tender": tender, "bundled": page, "removable": False, "bundled_param": "page"},
    )
    return html[: html.index("</section>")]


def _comparable(summary: dict) -> dict:
    return {**summary, "departments": sorted(summary["departments"], key=lambda d: d["id"])}


def _parts(states) -> list[tuple]:
    return [
        (
            s.department_id,
            s.department_name,
            s.bundle.asset_count,
            s.bundle.replacement_value,
            s.bundle.contributions_by_year_and_type(),
            s.bundle.snapshot_hash,
            s.bundle.snapshot(),
            s.bundle.is_empty,
            s.status,
        )
        for s in states
    ]


def _assert_fresh(shown: dict, tender) -> None:
    """The page equals what the uncached selectors read now (the summary aggregate, the sign-off UNION)."""
    assert shown["summary"] == _comparable(tender_asset_summary(tender=tender))
    assert shown["sign_offs"] == _parts(tender_sign_off_states(tender=tender))


@pytest.fixture
def reads(monkeypatch):
    """How many times the page read the bundle itself (cache misses)."""
    calls = []
    real = bundle_selectors._read

    def counting(**kwargs):
        calls.append(kwargs["tender"].pk)
        return real(**kwargs)

    monkeypatch.setattr(bundle_selectors, "_read", counting)
    return calls


@pytest.fixture
def paying_draft(ready_draft, safety, safety_assets, transport_official):
    """ready_draft (transport + lighting assets, lighting signed off) with a safety camera and a contribution of
    Public safety: three departments, two of them to sign off, one of them paying."""
    tender_assets_add(
        tender=ready_draft, assets=Asset.objects.filter(pk=safety_assets[0].pk), actor=transport_official
    )
    line = BudgetLineFactory(department=safety, fiscal_year=2027, budget_type="capex")
    contribution_request(
        tender=ready_draft, budget_line=line, amount=Decimal("750.00"), actor=transport_official
    )
    return ready_draft


def test_the_page_shows_what_the_uncached_selectors_read_and_reads_the_bundle_once(
    paying_draft, client_for, transport_official, reads
):
    client = client_for(transport_official)
    first = _shown(_page(client, paying_draft))
    _assert_fresh(first, paying_draft)
    assert {name for _, name, *_ in first["sign_offs"]} == {"Public safety", "Street lighting"}
    assert first["summary"]["asset_count"] == 6

    again = _shown(_page(client, paying_draft))
    assert again == first
    assert reads == [paying_draft.pk]  # the second request was served from the cache


def test_the_cached_sign_off_hash_is_the_one_the_sign_off_service_checks(
    paying_draft, client_for, transport_official, safety, reads
):
    from tests.factories import MembershipFactory, UserFactory

    client = client_for(transport_official)
    _page(client, paying_draft)
    response = _page(client, paying_draft)
    (safety_state,) = [s for s in response.context["signoff_states"][1] if s.department_id == safety.pk]
    official = UserFactory(username="safety-signer")
    MembershipFactory(user=official, department=safety, role="official")
    # The hash the page hands to the sign-off form is accepted by the service, which reads the bundle anew.
    signoff_give(
        tender=paying_draft,
        department=safety,
        actor=official,
        expected_hash=safety_state.bundle.snapshot_hash,
    )
    shown = _shown(_page(client, paying_draft))
    _assert_fresh(shown, paying_draft)
    assert [status for *_, status in shown["sign_offs"]] == ["signed", "signed"]


def _edit_an_asset(tender, ctx):
    asset = ctx["lighting_assets"][0]
    asset_update(asset=asset, actor=ctx["lighting_official"], replacement_cost=Decimal("4321.00"))


def _import_a_new_cost(tender, ctx):
    # The inventory import changes bundled assets without touching the tender (docs/decisions.md).
    row = good_row(
        department="lighting",
        category="street-light",
        external_ref=ctx["lighting_assets"][1].external_ref,
        replacement_cost="98765.00",
        maintenance_cost="11.00",
    )
    result = import_assets(csv_bytes([row]), name="assets.csv", current_year=2026)
    assert result.ok and result.updated == 1, result.errors


def _write_an_older_timestamp(tender, ctx):
    # An import's UPDATE stamps the start of its transaction (PostgreSQL's now()), which may be older than the
    # newest updated_at of the bundle: the version must move all the same.
    asset = ctx["lighting_assets"][0]
    oldest = Asset.objects.order_by("updated_at").first().updated_at
    Asset.objects.filter(pk=asset.pk).update(
        replacement_cost=Decimal("1.00"), updated_at=oldest - datetime.timedelta(days=1)
    )


def _bundle_another_asset(tender, ctx):
    extra = AssetFactory(department=ctx["lighting"], category=ctx["street_lights"], external_ref="SL-extra")
    tender_assets_add(
        tender=tender, assets=Asset.objects.filter(pk=extra.pk), actor=ctx["transport_official"]
    )


def _remove_an_asset(tender, ctx):
    removed = tender_assets_remove(
        tender=tender, asset_ids=[ctx["lighting_assets"][0].pk], actor=ctx["transport_official"]
    )
    assert removed == 1


def _swap_an_asset_for_another(tender, ctx):
    # As many rows as before, as many assets per department: only which assets changes (and so the hash).
    extra = AssetFactory(
        department=ctx["lighting"],
        category=ctx["street_lights"],
        external_ref="SL-swap",
        replacement_cost=ctx["lighting_assets"][0].replacement_cost,
    )
    _remove_an_asset(tender, ctx)
    tender_assets_add(
        tender=tender, assets=Asset.objects.filter(pk=extra.pk), actor=ctx["transport_official"]
    )


def _rename_a_category(tender, ctx):
    AssetCategory.objects.filter(pk=ctx["street_lights"].pk).update(name="Lamp post")


def _rename_a_department(tender, ctx):
    Department.objects.filter(pk=ctx["lighting"].pk).update(name="Lighting and signals")


def _request_a_contribution(tender, ctx):
    line = BudgetLineFactory(department=ctx["lighting"], fiscal_year=2028, budget_type="opex")
    contribution_request(
        tender=tender, budget_line=line, amount=Decimal("1234.00"), actor=ctx["transport_official"]
    )


CHANGES = [
    _edit_an_asset,
    _import_a_new_cost,
    _write_an_older_timestamp,
    _bundle_another_asset,
    _remove_an_asset,
    _swap_an_asset_for_another,
    _rename_a_department,
    _rename_a_category,
    _request_a_contribution,
]


@pytest.mark.parametrize("change", CHANGES, ids=[c.__name__.strip("_") for c in CHANGES])
def test_every_change_to_the_bundle_shows_on_the_next_request(
    request, change, ready_draft, client_for, transport_official, reads
):
    ctx = {
        name: request.getfixturevalue(name)
        for name in [
            "lighting",
            "lighting_assets",
            "lighting_official",
            "street_lights",
            "transport_official",
        ]
    }
    client = client_for(transport_official)
    _page(client, ready_draft)
    before = _shown(_page(client, ready_draft))
    assert len(reads) == 1  # warm

    change(ready_draft, ctx)

    after = _shown(_page(client, ready_draft))
    _assert_fresh(after, ready_draft)
    assert after != before
    # The asset table (rendered once per version) shows what a fresh rendering shows.
    assert after["table"] == _fresh_table(ready_draft)


@pytest.mark.parametrize(
    "version_of",
    # The version the page reads (on PostgreSQL, the revision the database keeps: test_bundle_revision.py), and
    # the one computed from the bundle (SQLite's, which has no triggers), tested on every database.
    [bundle_selectors.tender_bundle_version, bundle_selectors.tender_bundle_version_computed],
    ids=["read", "computed"],
)
def test_the_version_moves_with_the_bundle_and_only_with_it(
    version_of, ready_draft, lighting_assets, lighting_official
):
    version = version_of(tender=ready_draft)
    assert version_of(tender=ready_draft) == version
    asset_update(asset=lighting_assets[0], actor=lighting_official, name="Renamed lamp")
    assert version_of(tender=ready_draft) != version


def _queries(client, tender) -> int:
    with CaptureQueriesContext(connection) as ctx:
        _page(client, tender)
    return len(ctx.captured_queries)


def test_the_page_costs_as_many_queries_for_5000_assets_as_for_5_and_a_miss_three_more(
    ready_draft, draft_factory_5000, client_for, transport_official
):
    client = client_for(transport_official)
    small_miss, small_hit = _queries(client, ready_draft), _queries(client, ready_draft)
    big_miss, big_hit = _queries(client, draft_factory_5000), _queries(client, draft_factory_5000)
    assert small_hit == big_hit
    # A miss reads the bundle (the aggregate, the other departments' rows) and the page of the asset table.
    assert small_miss == big_miss == small_hit + 3


@pytest.fixture
def draft_factory_5000(transport_official, transport, lighting, shelters):
    """A second draft of Transport bundling 5,000 assets of Transport and Street lighting."""
    from procurement.services.tenders import tender_create

    Asset.objects.bulk_create(
        [
            Asset(
                department=transport if i % 2 else lighting,
                category=shelters,
                external_ref=f"BIG-{i:05d}",
                area="Route 99",
                install_year=2005,
                life_years=20,
                replacement_cost=Decimal("1000.00"),
                maintenance_cost=Decimal("50.00"),
                energy_cost=Decimal("25.00"),
            )
            for i in range(5000)
        ],
        batch_size=500,
    )
    tender = tender_create(actor=transport_official, lead_department=transport, title="Route 99")
    tender_assets_add(tender=tender, assets=Asset.objects.filter(area="Route 99"), actor=transport_official)
    return tender


def test_the_asset_table_is_rendered_once_per_version_page_and_language(
    ready_draft, client_for, transport_official, monkeypatch
):
    renders = []
    real = bundle_selectors.render_to_string
    monkeypatch.setattr(
        bundle_selectors, "render_to_string", lambda *a, **k: renders.append(a[0]) or real(*a, **k)
    )
    client = client_for(transport_official)
    english = _table(_page(client, ready_draft))
    assert _table(_page(client, ready_draft)) == english
    assert len(renders) == 1
    response = client.get(
        reverse("procurement:tender-detail", args=[ready_draft.reference]), HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert response.status_code == 200 and response.headers["Content-Language"] == "fr"
    assert len(renders) == 2  # French has its own rendering
    # The htmx request for a page of the table gets the same rendering, without a new one.
    partial = client.get(
        reverse("procurement:tender-detail", args=[ready_draft.reference]) + "?page=1",
        headers={"HX-Request": "true"},
    )
    assert partial.content.decode().startswith(english) and len(renders) == 2


def test_the_asset_table_of_a_large_bundle_pages_through_every_asset(
    draft_factory_5000, client_for, transport_official
):
    client = client_for(transport_official)
    url = reverse("procurement:tender-detail", args=[draft_factory_5000.reference])
    last = client.get(url + "?page=100", headers={"HX-Request": "true"}).content.decode()
    assert "BIG-04999" in last and "Page 100 of 100 (5000 in all)" in last
    first = client.get(url).content.decode()
    assert "BIG-00000" in first and "BIG-04999" not in first
