"""Data builders of the scenario tests (shared with tests/browser/test_scenario_run.py)."""

from decimal import Decimal


def make_bus_stop_tender(*, transport, lighting, reference="T-2027-0100"):
    """A tender (lead: Transport) bundling 3 shelters of Transport and 2 lamps of Street lighting."""
    from tests.factories import AssetCategoryFactory, AssetFactory, TenderAssetFactory, TenderFactory

    shelter = AssetCategoryFactory(code="shelter", name="Bus shelter", upgrade_unit_cost=Decimal("9000"))
    lamp = AssetCategoryFactory(
        code="lamp", name="Street lamp", upgrade_unit_cost=Decimal("700"), upgrade_energy_cost=Decimal("15")
    )
    # Submitted, so that central finance staff may see it (they do not see drafts never submitted).
    tender = TenderFactory(
        reference=reference, lead_department=transport, contract_term_years=10, status="submitted"
    )
    for i in range(3):
        asset = AssetFactory(
            department=transport, category=shelter, external_ref=f"S-{i}", install_year=2005 + i
        )
        TenderAssetFactory(tender=tender, asset=asset, action="upgrade")
    for i in range(2):
        asset = AssetFactory(
            department=lighting, category=lamp, external_ref=f"L-{i}", energy_cost=Decimal("90")
        )
        TenderAssetFactory(tender=tender, asset=asset, action="replace" if i else "maintain")
    return tender
