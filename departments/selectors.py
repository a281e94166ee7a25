"""Reads of the departments app: who may see and do what lives here and in services."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, ExpressionWrapper, F, IntegerField, QuerySet, Sum

from .models import Asset, AssetCategory, AssetImport, Department, Membership


def user_memberships(*, user) -> list[Membership]:
    """The user's memberships with their departments, read once per request and kept on the user object (which
    the authentication middleware loads afresh for every request): the header, the menu and the tender roles
    (procurement.selectors.tenders.user_roles) share the one query."""
    cached = getattr(user, "_memberships", None)
    if cached is None:
        cached = user._memberships = list(Membership.objects.filter(user=user).select_related("department"))
    return cached


# The one definition of "end-of-life year": install year + expected life, computed by the database
# (it is indexed as an expression, see Asset.Meta.indexes) so that it is never stored twice.
END_OF_LIFE = ExpressionWrapper(F("install_year") + F("life_years"), output_field=IntegerField())


def to_money(value) -> Decimal:
    """Cents, half-up. SQLite sums decimals in floating point; this puts totals back to exact cents."""
    return Decimal(str(value or 0)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def asset_queryset_with_end_of_life() -> QuerySet[Asset]:
    """All assets with `end_of_life` annotated and their department and category joined (one query per page)."""
    return Asset.objects.select_related("department", "category").annotate(end_of_life=END_OF_LIFE)


def user_is_official_of(*, user, department: Department | int) -> bool:
    """True if the user is an official of the department (the only role that may change its assets)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    department_id = department.pk if isinstance(department, Department) else department
    return Membership.objects.filter(
        user=user, department_id=department_id, role=Membership.Role.OFFICIAL
    ).exists()


def departments_where_user_is(*, user, role: str) -> QuerySet[Department]:
    """The departments in which the user holds `role` (a Membership.Role value)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Department.objects.none()
    return Department.objects.filter(memberships__user=user, memberships__role=role).distinct()


def user_may_read_assets(*, user) -> bool:
    """Officials, viewers and finance staff of any department read all assets (integrated procurement)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or Membership.objects.filter(user=user).exists()


def user_may_import_assets(*, user) -> bool:
    """Importing needs to be an official of at least one department (rows are checked per department)."""
    return departments_where_user_is(user=user, role=Membership.Role.OFFICIAL).exists()


def department_list_with_totals() -> QuerySet[Department]:
    """Departments with asset count and replacement value of the in-service assets."""
    return Department.objects.annotate(
        asset_count=Count("assets", filter=_in_service("assets__")),
        replacement_value=Sum("assets__replacement_cost", filter=_in_service("assets__")),
    ).order_by("name")


def _in_service(prefix: str = ""):
    from django.db.models import Q

    return Q(**{f"{prefix}status": Asset.Status.IN_SERVICE})


def department_summary(*, department: Department, current_year: int, horizon_years: int = 5) -> dict:
    """Totals of a department's in-service assets: count, replacement value, running cost by category,
    and how many reach end of life in [current_year, current_year + horizon_years)."""
    assets = Asset.objects.filter(department=department, status=Asset.Status.IN_SERVICE)
    totals = assets.aggregate(
        asset_count=Count("id"),
        replacement_value=Sum("replacement_cost"),
        maintenance=Sum("maintenance_cost"),
        energy=Sum("energy_cost"),
    )
    by_category = list(
        assets.values("category__code", "category__name")
        .annotate(
            count=Count("id"),
            replacement_value=Sum("replacement_cost"),
            maintenance=Sum("maintenance_cost"),
            energy=Sum("energy_cost"),
        )
        .order_by("category__name")
    )
    for row in by_category:
        for key in ("replacement_value", "maintenance", "energy"):
            row[key] = to_money(row[key])
        row["running_cost"] = row["maintenance"] + row["energy"]
    end_of_life = (
        assets.annotate(end_of_life=END_OF_LIFE)
        .filter(end_of_life__lt=current_year + horizon_years)
        .values("end_of_life")
        .annotate(count=Count("id"))
        .order_by("end_of_life")
    )
    # Overdue assets (end of life already passed) are counted with the current year: they are due now.
    reaching: dict[int, int] = dict.fromkeys(range(current_year, current_year + horizon_years), 0)
    for row in end_of_life:
        year = max(row["end_of_life"], current_year)
        reaching[year] += row["count"]
    for key in ("replacement_value", "maintenance", "energy"):
        totals[key] = to_money(totals[key])
    totals["running_cost"] = totals["maintenance"] + totals["energy"]
    return {
        "totals": totals,
        "by_category": by_category,
        "end_of_life_by_year": [{"year": y, "count": c} for y, c in reaching.items()],
        "end_of_life_total": sum(reaching.values()),
    }


def category_list() -> QuerySet[AssetCategory]:
    return AssetCategory.objects.order_by("name")


def asset_import_get(*, pk: int, user) -> AssetImport:
    """An import is visible to the person who uploaded it (and superusers) only."""
    qs = AssetImport.objects.all()
    if not user.is_superuser:
        qs = qs.filter(uploaded_by=user)
    return qs.get(pk=pk)


# Longer than the Celery hard time limit (900 s, config/celery_app.py): a job still queued or running after this
# was lost (worker killed and the message not redelivered, broker flushed…) and may be started again.
IMPORT_STUCK_AFTER_SECONDS = 20 * 60


def asset_import_is_stuck(*, asset_import: AssetImport, now=None) -> bool:
    from django.utils import timezone

    if asset_import.status not in (AssetImport.Status.QUEUED, AssetImport.Status.RUNNING):
        return False
    since = asset_import.started_at or asset_import.created_at
    now = now or timezone.now()
    return (now - since).total_seconds() > IMPORT_STUCK_AFTER_SECONDS
