"""Models and database constraints of departments, memberships, categories and assets."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from departments.models import Asset, Membership
from departments.selectors import (
    asset_queryset_with_end_of_life,
    departments_where_user_is,
    user_is_official_of,
)
from tests.factories import AssetCategoryFactory, AssetFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def violates(**fields) -> bool:
    try:
        with transaction.atomic():
            AssetFactory(**fields)
    except IntegrityError:
        return True
    return False


def test_reference_is_unique_within_a_department_but_not_across(transport, lighting):
    AssetFactory(department=transport, external_ref="A-1")
    assert violates(department=transport, external_ref="A-1")
    assert not violates(department=lighting, external_ref="A-1")


@pytest.mark.parametrize(
    "fields",
    [
        {"replacement_cost": Decimal("-1")},
        {"maintenance_cost": Decimal("-0.01")},
        {"energy_cost": Decimal("-5")},
        {"life_years": 0},
        {"condition": 0},
        {"condition": 6},
    ],
)
def test_database_refuses_impossible_assets(transport, fields):
    assert violates(department=transport, **fields)


def test_category_catalogue_money_and_life_are_checked_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        AssetCategoryFactory(upgrade_unit_cost=Decimal("-1"))
    with pytest.raises(IntegrityError), transaction.atomic():
        AssetCategoryFactory(upgrade_life_years=0)


def test_full_clean_names_each_bad_field_in_plain_words(transport):
    asset = AssetFactory.build(
        department=transport,
        category=AssetCategoryFactory(),
        install_year=2999,
        life_years=0,
        energy_cost=Decimal("-1"),
    )
    with pytest.raises(ValidationError) as caught:
        asset.full_clean()
    assert set(caught.value.message_dict) >= {"life_years", "energy_cost"}
    asset.life_years, asset.energy_cost = 10, Decimal("1")
    with pytest.raises(ValidationError) as caught:
        asset.full_clean()
    assert "is in the future" in caught.value.message_dict["install_year"][0]


def test_end_of_life_is_derived_in_python_and_in_the_database(transport):
    asset = AssetFactory(department=transport, install_year=2011, life_years=15)
    assert asset.end_of_life_year == 2026
    assert asset_queryset_with_end_of_life().get(pk=asset.pk).end_of_life == 2026
    assert not [f for f in Asset._meta.fields if "end_of_life" in f.name]


def test_one_user_may_belong_to_several_departments_with_one_role_each(
    transport, lighting, transport_official
):
    MembershipFactory(user=transport_official, department=lighting, role=Membership.Role.VIEWER)
    assert list(departments_where_user_is(user=transport_official, role="official")) == [transport]
    assert list(departments_where_user_is(user=transport_official, role="viewer")) == [lighting]
    assert user_is_official_of(user=transport_official, department=transport)
    assert not user_is_official_of(user=transport_official, department=lighting)
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(user=transport_official, department=transport, role=Membership.Role.FINANCE)


def test_central_finance_office_is_a_kind_of_department(central_finance, transport):
    assert central_finance.is_central_finance and not transport.is_central_finance


def test_asset_filter_accepts_a_plain_asset_queryset(transport, bus_shelter):
    from departments.filters import AssetFilter

    AssetFactory(
        department=transport, category=bus_shelter, external_ref="OLD", install_year=1990, life_years=10
    )
    AssetFactory(
        department=transport, category=bus_shelter, external_ref="NEW", install_year=2020, life_years=10
    )
    found = AssetFilter(
        {"end_of_life_max": "2010", "category": "bus-shelter"}, queryset=Asset.objects.all()
    ).qs
    assert [a.external_ref for a in found] == ["OLD"]
