"""Reads of tenders: who may see which tender (the ONE visibility rule), roles on a tender, summaries, dashboards."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from config.numbers import measure
from departments.models import Department, Membership
from departments.selectors import user_memberships
from procurement.models import Tender, TenderAsset

Role = Membership.Role


@dataclass(frozen=True)
class UserRoles:
    """A user's memberships, loaded once per request: department id -> role, and central-finance membership."""

    by_department: dict[int, str] = field(default_factory=dict)
    central_finance: bool = False
    is_superuser: bool = False

    def departments_with(self, *roles: str) -> set[int]:
        return {dept for dept, role in self.by_department.items() if role in roles}


def user_roles(*, user) -> UserRoles:
    """Memberships of `user`, cached on the user object (one query per request)."""
    if not getattr(user, "is_authenticated", False):
        return UserRoles()
    cached = getattr(user, "_tender_roles", None)
    if cached is not None:
        return cached
    memberships = user_memberships(user=user)
    roles = UserRoles(
        by_department={m.department_id: m.role for m in memberships},
        central_finance=any(
            m.department.kind == Department.Kind.CENTRAL_FINANCE and m.role == Role.FINANCE
            for m in memberships
        ),
        is_superuser=bool(user.is_superuser),
    )
    user._tender_roles = roles
    return roles


def _participation_q(department_ids) -> Q:
    """Tenders in which one of `department_ids` participates: lead, bundled assets, or budget contributions."""
    from finance.models import Contribution

    return (
        Q(lead_department_id__in=department_ids)
        | Q(
            Exists(TenderAsset.objects.filter(tender=OuterRef("pk"), asset__department_id__in=department_ids))
        )
        | Q(
            Exists(
                Contribution.objects.filter(
                    tender=OuterRef("pk"), budget_line__department_id__in=department_ids
                )
            )
        )
    )


# Tenders every signed-in user sees (they are public anyway).
PUBLIC_STATUSES = (Tender.Status.PUBLISHED, Tender.Status.AWARDED, Tender.Status.SIGNED)


def tender_list_for_user(*, user) -> QuerySet[Tender]:
    """THE definition of which tenders a signed-in user may see (pages, dashboards, tests all use it).

    - members (any role) of a participating department (lead, bundled assets, contributions) see the tender;
    - central finance staff see every tender that has left the drafting table (not drafts: those are a
      department's work in progress until submitted) and every tender ever submitted;
    - everyone signed in sees published and awarded tenders (they are public anyway);
    - superusers see everything. Anonymous users see nothing here (the public pages have their own selector).
    """
    qs = Tender.objects.select_related("lead_department", "created_by")
    roles = user_roles(user=user)
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if roles.is_superuser:
        return qs
    visible = Q(status__in=PUBLIC_STATUSES) | Q(created_by=user)
    if roles.by_department:
        visible |= _participation_q(list(roles.by_department))
    if roles.central_finance:
        visible |= ~Q(status=Tender.Status.DRAFT) | Q(submitted_by__isnull=False)
    return qs.filter(visible)


def tender_get_for_user(*, user, reference: str) -> Tender:
    """The tender with `reference` if `user` may see it; otherwise Http404 (never reveal that it exists)."""
    tender = (
        Tender.objects.select_related("lead_department", "created_by").filter(reference=reference).first()
    )
    if tender is None or not tender_visible_to(user=user, tender=tender):
        raise Http404(_("No such tender."))
    return tender


def tender_visible_to(*, user, tender: Tender) -> bool:
    """Whether `user` may see `tender`, by tender_list_for_user's rule.

    Every tender page asks it, so the common cases are answered without building and planning that rule's OR
    of EXISTS subqueries (≈ 3 ms a page, issue 17): when one of the rule's own branches that need no subquery
    holds (`_plainly_visible`), the answer is yes at once; every other case is decided by the rule's query. A
    shortcut can only say yes where the rule says yes (tests/procurement/test_tender_visibility.py compares
    both for a whole cast)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if _plainly_visible(user=user, tender=tender):
        return True
    return tender_list_for_user(user=user).filter(pk=tender.pk).exists()


def _plainly_visible(*, user, tender: Tender) -> bool:
    """The branches of tender_list_for_user's rule that the tender row and the user's roles decide alone; each
    line below is one branch of that OR (False means "ask the rule", never "hidden")."""
    roles = user_roles(user=user)
    return (
        roles.is_superuser
        or tender.status in PUBLIC_STATUSES
        or tender.created_by_id == user.pk
        or tender.lead_department_id in roles.by_department
        or (
            roles.central_finance
            and (tender.status != Tender.Status.DRAFT or tender.submitted_by_id is not None)
        )
    )


def tender_participating_department_ids(*, tender: Tender) -> set[int]:
    """Lead department + departments of bundled assets + departments of contributions (derived, never typed)."""
    return set(
        Department.objects.filter(
            Q(pk=tender.lead_department_id) | _reverse_participation_q(tender)
        ).values_list("pk", flat=True)
    )


def _reverse_participation_q(tender: Tender) -> Q:
    from finance.models import Contribution

    return Q(Exists(TenderAsset.objects.filter(tender=tender, asset__department_id=OuterRef("pk")))) | Q(
        Exists(Contribution.objects.filter(tender=tender, budget_line__department_id=OuterRef("pk")))
    )


def tender_participating_departments(
    *, tender: Tender, asset_department_ids: list[int] | None = None
) -> QuerySet[Department]:
    """Lead + bundled assets' + contributions' departments. `asset_department_ids`: the bundled assets'
    departments when the caller has them already (tender_asset_summary's rows), so the bundle — thousands of
    rows — is not read a second time."""
    if asset_department_ids is None:
        return Department.objects.filter(Q(pk=tender.lead_department_id) | _reverse_participation_q(tender))
    from finance.models import Contribution

    return Department.objects.filter(
        Q(pk=tender.lead_department_id)
        | Q(pk__in=asset_department_ids)
        | Q(Exists(Contribution.objects.filter(tender=tender, budget_line__department_id=OuterRef("pk"))))
    )


# --- Roles on one tender (used by the lifecycle guards and by the views to offer only allowed actions) -----


def is_lead_official(*, user, tender: Tender) -> bool:
    return user_roles(user=user).by_department.get(tender.lead_department_id) == Role.OFFICIAL


def is_finance_for(*, user, tender: Tender, participating: set[int] | None = None) -> bool:
    """Finance staff of the central finance office, or a finance member of a participating department."""
    roles = user_roles(user=user)
    if roles.central_finance:
        return True
    finance_departments = roles.departments_with(Role.FINANCE)
    if not finance_departments:
        return False
    if participating is None:
        participating = tender_participating_department_ids(tender=tender)
    return bool(finance_departments & participating)


def can_edit(*, user, tender: Tender) -> bool:
    """Only drafts, only officials of the lead department."""
    return tender.status == Tender.Status.DRAFT and is_lead_official(user=user, tender=tender)


def can_comment(*, user, tender: Tender, participating: set[int] | None = None) -> bool:
    """Officials and finance staff of participating departments, and central finance (who must see it first)."""
    roles = user_roles(user=user)
    if roles.central_finance:
        return True
    if participating is None:
        participating = tender_participating_department_ids(tender=tender)
    return bool(roles.departments_with(Role.OFFICIAL, Role.FINANCE) & participating)


# --- Summaries ----------------------------------------------------------------------------------------------


def tender_asset_summary(*, tender: Tender) -> dict:
    """Departments involved, asset count, replacement value and yearly running cost (EUR, start-year prices).

    One aggregate query grouped by department; the totals are added up here.
    """
    rows = list(
        TenderAsset.objects.filter(tender=tender)
        .values("asset__department_id", "asset__department__name")
        .annotate(
            count=Count("id"),
            replacement_value=Sum("asset__replacement_cost"),
            running_cost=Sum(F("asset__maintenance_cost") + F("asset__energy_cost")),
        )
        .order_by("asset__department__name")
    )
    departments = [
        {
            "id": row["asset__department_id"],
            "name": row["asset__department__name"],
            "count": row["count"],
            "replacement_value": row["replacement_value"] or Decimal("0"),
            "running_cost": row["running_cost"] or Decimal("0"),
        }
        for row in rows
    ]
    return {
        "departments": departments,
        "asset_count": sum(d["count"] for d in departments),
        "replacement_value": sum((d["replacement_value"] for d in departments), Decimal("0")),
        "running_cost": sum((d["running_cost"] for d in departments), Decimal("0")),
    }


def tender_bundled_assets(*, tender: Tender) -> QuerySet[TenderAsset]:
    return TenderAsset.objects.filter(tender=tender).select_related(
        "asset", "asset__department", "asset__category"
    )


def tender_readiness_problems(*, tender: Tender) -> list[str]:
    """What the tender still lacks before it can be submitted (its own rules; funding is finance's seam)."""
    problems = []
    if not TenderAsset.objects.filter(tender=tender).exists():
        problems.append(_("Bundle at least one asset."))
    outcomes = list(tender.targeted_outcomes.values_list("target_value", "payment_weight"))
    if not any(target is not None for target, _ in outcomes):
        problems.append(_("Target at least one outcome indicator with a target value."))
    weights = [w for _, w in outcomes if w is not None]
    if weights and sum(weights) != Decimal("100"):
        problems.append(
            _("Payment weights add up to %(total)s %%, not 100 %%.") % {"total": measure(sum(weights))}
        )
    for target in tender.targeted_outcomes.select_related("indicator"):
        message = target.indicator.range_error(target.target_value, what=_("The target"))
        if message:
            problems.append(message)
    if tender.tender_period_start is None or tender.tender_period_end is None:
        problems.append(_("Set the tender period (when partners may submit proposals)."))
    from .signoffs import tender_sign_off_problems

    # Every other participating department consents to what the tender takes from it (its officials sign off).
    problems += tender_sign_off_problems(tender=tender)
    return problems


# --- Dashboards ---------------------------------------------------------------------------------------------


def tenders_awaiting_action(*, user) -> QuerySet[Tender]:
    """Tenders in a state where `user` is one who may make the next move (approximation for the dashboard)."""
    roles = user_roles(user=user)
    visible = tender_list_for_user(user=user)
    q = Q(pk__in=[])
    lead_departments = roles.departments_with(Role.OFFICIAL)
    if lead_departments:
        # Approved tenders wait for publishing; lead officials may publish unless they drafted it.
        q |= Q(lead_department_id__in=lead_departments, status=Tender.Status.APPROVED) & ~Q(created_by=user)
        q |= Q(lead_department_id__in=lead_departments, status=Tender.Status.PUBLISHED)
    return visible.filter(q)


def dashboard_panels(*, user) -> list[dict]:
    """Panels of the home page: officials see their drafts, tenders awaiting their action and their department's
    part in tenders led by others (sign-offs waiting for them); finance staff
    see the submissions awaiting approval (the rest of finance's home comes from finance.selectors)."""
    roles = user_roles(user=user)
    panels: list[dict] = []
    if roles.departments_with(Role.OFFICIAL):
        drafts = list(
            tender_list_for_user(user=user).filter(
                status=Tender.Status.DRAFT, lead_department_id__in=roles.departments_with(Role.OFFICIAL)
            )[:20]
        )
        panels.append({"template": "procurement/_dashboard_drafts.html", "tenders": drafts})
        awaiting = list(tenders_awaiting_action(user=user)[:20])
        panels.append({"template": "procurement/_dashboard_awaiting.html", "tenders": awaiting})
        from .signoffs import departments_in_other_tenders

        panels.append(
            {
                "template": "procurement/_dashboard_department_tenders.html",
                "rows": departments_in_other_tenders(user=user),
            }
        )
    if roles.central_finance or roles.departments_with(Role.FINANCE):
        from finance.selectors.budgets import prepared_by_q

        submitted = list(
            tender_list_for_user(user=user)
            .filter(status=Tender.Status.SUBMITTED)
            # Four-eyes: a submission is not "awaiting" whoever prepared it (drafted, submitted, requested money).
            .exclude(prepared_by_q(user=user))
            .select_related("submitted_by")[:50]
        )
        if not roles.central_finance:
            # A department's finance staff approve only tenders their department takes part in.
            submitted = [t for t in submitted if is_finance_for(user=user, tender=t)]
        panels.append({"template": "procurement/_dashboard_awaiting_approval.html", "tenders": submitted})
    return panels
