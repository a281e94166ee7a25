"""factory_boy factories for every model of the shared data model.

Area-specific factories (scenario results, releases, …) live beside their tests, e.g. tests/finance/factories.py.
"""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from departments.models import Asset, AssetCategory, Department, Membership
from finance.models import BudgetLine, Contribution
from outcomes.models import Indicator, Measurement, Outcome
from procurement.models import PartnerOrganisation, Tender, TenderAsset, TenderOutcome

TEST_PASSWORD = "pw-for-tests-2027"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User {n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@city.example")
    password = factory.django.Password(TEST_PASSWORD)


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"dept-{n}")
    name = factory.LazyAttribute(lambda d: d.code.replace("-", " ").title())
    kind = Department.Kind.SERVICE


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    department = factory.SubFactory(DepartmentFactory)
    role = Membership.Role.OFFICIAL


class AssetCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssetCategory
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"category-{n}")
    name = factory.LazyAttribute(lambda c: c.code.replace("-", " ").title())
    unit = "unit"
    upgrade_name = "Upgraded unit"
    upgrade_unit_cost = Decimal("1000.00")
    upgrade_life_years = 20
    upgrade_maintenance_cost = Decimal("20.00")
    upgrade_energy_cost = Decimal("10.00")


class AssetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Asset

    department = factory.SubFactory(DepartmentFactory)
    category = factory.SubFactory(AssetCategoryFactory)
    external_ref = factory.Sequence(lambda n: f"A-{n:06d}")
    name = factory.LazyAttribute(lambda a: f"{a.category.name} {a.external_ref}")
    area = "Centre"
    install_year = 2010
    life_years = 20
    replacement_cost = Decimal("800.00")
    maintenance_cost = Decimal("40.00")
    energy_cost = Decimal("60.00")
    condition = 3


class OutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outcome

    title = factory.Sequence(lambda n: f"Outcome {n}")
    description = "What we want to be true."
    theme = Outcome.Theme.PUBLIC_SAFETY
    owner_department = factory.SubFactory(DepartmentFactory)
    status = Outcome.Status.ACTIVE


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    outcome = factory.SubFactory(OutcomeFactory)
    name = factory.Sequence(lambda n: f"Indicator {n}")
    unit = "incidents per month"
    direction = Indicator.Direction.LOWER_IS_BETTER
    baseline_value = Decimal("100")
    baseline_period = datetime.date(2025, 1, 1)
    target_value = Decimal("60")
    target_date = datetime.date(2030, 12, 31)


class MeasurementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measurement

    indicator = factory.SubFactory(IndicatorFactory)
    period = datetime.date(2026, 1, 1)
    value = Decimal("90")


class TenderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tender

    reference = factory.Sequence(lambda n: f"T-2027-{n + 1:04d}")
    title = factory.Sequence(lambda n: f"Smart, safe bus stops {n}")
    description = "Shelters, their lighting and cameras as one service."
    lead_department = factory.SubFactory(DepartmentFactory)
    contract_term_years = 10
    currency = "EUR"


class TenderAssetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TenderAsset

    tender = factory.SubFactory(TenderFactory)
    asset = factory.SubFactory(AssetFactory)
    action = TenderAsset.Action.UPGRADE


class TenderOutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TenderOutcome

    tender = factory.SubFactory(TenderFactory)
    indicator = factory.SubFactory(IndicatorFactory)
    target_value = Decimal("50")
    payment_weight = Decimal("100")


class BudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetLine

    department = factory.SubFactory(DepartmentFactory)
    fiscal_year = 2027
    budget_type = "opex"
    name = factory.Sequence(lambda n: f"Line {n}")
    amount = Decimal("100000.00")
    currency = "EUR"


class ContributionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contribution

    tender = factory.SubFactory(TenderFactory)
    budget_line = factory.SubFactory(BudgetLineFactory)
    amount = Decimal("10000.00")
    requested_by = factory.SubFactory(UserFactory)


class PartnerOrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerOrganisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Partner {n} Ltd")
    identifier = factory.Sequence(lambda n: f"BE0{n:09d}")
    contact_email = "bids@partner.example"
