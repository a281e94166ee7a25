"""Reads of department sign-offs: what each participating department puts into a tender (its bundle), whether its
official's sign-off still matches it, and what waits for a department's officials across tenders.

Who must sign off: every department other than the lead that has something in the tender — bundled assets, or
budget contributions that still draw money (requested or approved). The lead department's consent is its
drafting and its submission. A department whose only link is a rejected, withdrawn or released contribution
gives nothing and signs nothing (tender_participating_department_ids still counts it, for visibility).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.db.models import Exists, F, IntegerField, OuterRef, Q, QuerySet, Value
from django.utils.translation import gettext as _

from departments.models import Department, Membership
from procurement.models import DepartmentSignOff, Tender, TenderAsset

from .tenders import tender_list_for_user, user_roles

# The tender's lead department, seen from a TenderAsset or a Contribution row (both point to their tender).
LEAD_OF_TENDER = F("tender__lead_department_id")
SIGNED = "signed"
STALE = "stale"
WAITING = "waiting"
# Tenders a department may still be asked about, for the dashboard (cancelled and awarded ones are history).
ACTIVE_STATUSES = [
    Tender.Status.DRAFT,
    Tender.Status.SUBMITTED,
    Tender.Status.APPROVED,
    Tender.Status.PUBLISHED,
]


def _drawing_statuses() -> list[str]:
    from finance.models import Contribution

    # Contributions that take money from the department's budget now or once finance approves.
    return [Contribution.Status.REQUESTED, Contribution.Status.APPROVED]


@dataclass
class DepartmentBundle:
    """What one department puts into one tender: bundled assets (id → action) and money per budget line.

    `contributions` maps a budget line id to (fiscal year, budget type, amount in the tender's currency, EUR):
    several requests on one line count as their sum, so splitting a request does not change what is signed.
    """

    department_id: int
    department_name: str
    assets: dict[int, str] = field(default_factory=dict)
    replacement_value: Decimal = Decimal("0")
    contributions: dict[int, tuple[int, str, Decimal]] = field(default_factory=dict)
    # When the bundle came from the page's cache (bundle.py), in place of `assets` (then left empty): the
    # canonical JSON of snapshot()["assets"] and the number of assets. The page then neither unpickles a dict
    # of thousands of assets nor encodes them again for the hash.
    assets_json: str | None = field(default=None, repr=False, compare=False)
    cached_asset_count: int | None = field(default=None, repr=False, compare=False)

    @property
    def asset_count(self) -> int:
        return len(self.assets) if self.cached_asset_count is None else self.cached_asset_count

    @property
    def is_empty(self) -> bool:
        return self.asset_count == 0 and not self.contributions

    @property
    def contribution_total(self) -> Decimal:
        return sum((amount for _, _, amount in self.contributions.values()), Decimal("0"))

    def contributions_by_year_and_type(self) -> list[dict]:
        """[{fiscal_year, budget_type, amount}] sorted by year then type (what the official reads)."""
        totals: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
        for year, budget_type, amount in self.contributions.values():
            totals[(year, budget_type)] += amount
        return [
            {"fiscal_year": year, "budget_type": budget_type, "amount": amount}
            for (year, budget_type), amount in sorted(totals.items())
        ]

    def snapshot(self) -> dict:
        """The canonical record of what is signed (JSON: amounts as strings with two decimals)."""
        if self.assets_json is not None:
            assets = json.loads(self.assets_json)
        else:
            assets = [[pk, action] for pk, action in sorted(self.assets.items())]
        return {"assets": assets, "contributions": self._contributions_snapshot()}

    def _contributions_snapshot(self) -> list[list]:
        return [
            [line, year, budget_type, f"{amount:.2f}"]
            for line, (year, budget_type, amount) in sorted(self.contributions.items())
        ]

    @property
    def snapshot_hash(self) -> str:
        if self.assets_json is None:
            return snapshot_hash(self.snapshot())
        # The same canonical text as snapshot_hash(self.snapshot()): keys sorted, no spaces.
        # Only the contributions are encoded here: snapshot() would sort and list every asset again.
        contributions = json.dumps(self._contributions_snapshot(), separators=(",", ":"))
        canonical = f'{{"assets":{self.assets_json},"contributions":{contributions}}}'
        return hashlib.sha256(canonical.encode()).hexdigest()


def snapshot_hash(snapshot: dict) -> str:
    canonical = json.dumps(snapshot, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def department_bundles(
    *, tender_ids: Iterable[int], department_ids: Iterable[int] | None = None, exclude_lead: bool = True
) -> dict[tuple[int, int], DepartmentBundle]:
    """Bundles of departments in tenders, keyed (tender id, department id): ONE query whatever the numbers (the
    bundled assets and the drawing contributions, as one UNION ALL: the tender page has a query budget).

    `exclude_lead` leaves out each tender's own lead department (it does not sign off; a tender of 5,000 of the
    lead's shelters then reads no shelter at all here).
    """
    from finance.models import Contribution

    tender_ids = list(tender_ids)
    assets = TenderAsset.objects.filter(tender_id__in=tender_ids)
    contributions = Contribution.objects.filter(tender_id__in=tender_ids, status__in=_drawing_statuses())
    if department_ids is not None:
        department_ids = list(department_ids)
        assets = assets.filter(asset__department_id__in=department_ids)
        contributions = contributions.filter(budget_line__department_id__in=department_ids)
    if exclude_lead:
        assets = assets.exclude(asset__department_id=LEAD_OF_TENDER)
        contributions = contributions.exclude(budget_line__department_id=LEAD_OF_TENDER)
    # Both sides select the same columns, all as annotations so that their order is the one written here:
    # kind, tender, department, its name, key (asset / budget line), text (action / budget type), money
    # (replacement cost / amount, EUR), fiscal year (contributions only).
    columns = ["kind", "of_tender", "of_department", "department_name", "key", "text", "money", "year"]
    asset_rows = assets.annotate(
        kind=Value("asset"),
        of_tender=F("tender_id"),
        of_department=F("asset__department_id"),
        department_name=F("asset__department__name"),
        key=F("asset_id"),
        text=F("action"),
        money=F("asset__replacement_cost"),
        year=Value(None, output_field=IntegerField()),
    ).values_list(*columns)
    contribution_rows = contributions.annotate(
        kind=Value("money"),
        of_tender=F("tender_id"),
        of_department=F("budget_line__department_id"),
        department_name=F("budget_line__department__name"),
        key=F("budget_line_id"),
        text=F("budget_line__budget_type"),
        money=F("amount"),
        year=F("budget_line__fiscal_year"),
    ).values_list(*columns)
    bundles: dict[tuple[int, int], DepartmentBundle] = {}
    for kind, tender_id, dept_id, name, key, text, money, year in asset_rows.order_by().union(
        contribution_rows.order_by(), all=True
    ):
        item = bundles.get((tender_id, dept_id))
        if item is None:
            item = bundles[(tender_id, dept_id)] = DepartmentBundle(
                department_id=dept_id, department_name=name
            )
        money = Decimal(money or 0)
        if kind == "asset":
            item.assets[key] = text
            item.replacement_value += money
        else:
            _, _, before = item.contributions.get(key, (year, text, Decimal("0")))
            item.contributions[key] = (year, text, before + money)
    return bundles


@dataclass(frozen=True)
class SignOffState:
    """One department's sign-off on one tender: what it puts in now, the sign-off if any, and whether it holds."""

    tender_id: int
    bundle: DepartmentBundle
    sign_off: DepartmentSignOff | None

    @property
    def department_id(self) -> int:
        return self.bundle.department_id

    @property
    def department_name(self) -> str:
        return self.bundle.department_name

    @cached_property  # the page asks it several times per department; the hash covers thousands of assets
    def status(self) -> str:
        if self.sign_off is None:
            return WAITING
        return SIGNED if self.sign_off.snapshot_hash == self.bundle.snapshot_hash else STALE

    @property
    def is_signed(self) -> bool:
        return self.status == SIGNED


def sign_off_states_for(
    *, tender_ids: Iterable[int], department_ids: Iterable[int] | None = None
) -> dict[int, list[SignOffState]]:
    """Sign-off states by tender id (departments by name), in three queries whatever the numbers."""
    tender_ids = list(tender_ids)
    bundles = department_bundles(tender_ids=tender_ids, department_ids=department_ids)
    sign_offs = DepartmentSignOff.objects.filter(tender_id__in=tender_ids).select_related("signed_by")
    if department_ids is not None:
        sign_offs = sign_offs.filter(department_id__in=list(department_ids))
    signed = {(s.tender_id, s.department_id): s for s in sign_offs}
    states: dict[int, list[SignOffState]] = defaultdict(list)
    for (tender_id, department_id), bundle in bundles.items():
        if bundle.is_empty:
            continue
        states[tender_id].append(
            SignOffState(tender_id=tender_id, bundle=bundle, sign_off=signed.get((tender_id, department_id)))
        )
    for rows in states.values():
        rows.sort(key=lambda state: state.department_name)
    return dict(states)


def tender_sign_off_states_from_bundle(
    *, tender: Tender, bundle, names: dict[int, str]
) -> list[SignOffState]:
    """tender_sign_off_states() for the tender page, the assets' parts taken from `bundle` (bundle.py's cached
    read, `names`: department id → name, read live) and the contributions and sign-offs read live: two
    queries whatever the size of the bundle."""
    from finance.models import Contribution

    bundles: dict[int, DepartmentBundle] = {
        part.department_id: DepartmentBundle(
            department_id=part.department_id,
            department_name=names.get(part.department_id, ""),
            replacement_value=part.replacement_value,
            assets_json=part.assets_json,
            cached_asset_count=part.asset_count,
        )
        for part in bundle.parts.values()
    }
    contributions = (
        Contribution.objects.filter(tender=tender, status__in=_drawing_statuses())
        .exclude(budget_line__department_id=tender.lead_department_id)
        .values_list(
            "budget_line__department_id",
            "budget_line__department__name",
            "budget_line_id",
            "budget_line__fiscal_year",
            "budget_line__budget_type",
            "amount",
        )
        .order_by()
    )
    for dept_id, name, line, year, budget_type, amount in contributions:
        item = bundles.get(dept_id)
        if item is None:
            item = bundles[dept_id] = DepartmentBundle(department_id=dept_id, department_name=name)
        _, _, before = item.contributions.get(line, (year, budget_type, Decimal("0")))
        item.contributions[line] = (year, budget_type, before + Decimal(amount or 0))
    signed = {
        s.department_id: s
        for s in DepartmentSignOff.objects.filter(tender=tender).select_related("signed_by")
    }
    states = [
        SignOffState(tender_id=tender.pk, bundle=item, sign_off=signed.get(dept_id))
        for dept_id, item in bundles.items()
        if not item.is_empty
    ]
    states.sort(key=lambda state: state.department_name)
    return states


def tender_sign_off_states(*, tender: Tender) -> list[SignOffState]:
    """The departments that must sign off `tender` (all but the lead, with something in it), and their state."""
    return sign_off_states_for(tender_ids=[tender.pk]).get(tender.pk, [])


def tender_department_bundle(*, tender: Tender, department: Department) -> DepartmentBundle:
    """What `department` puts into `tender` now (empty if nothing; the lead's own is empty by definition)."""
    bundles = department_bundles(tender_ids=[tender.pk], department_ids=[department.pk])
    return bundles.get(
        (tender.pk, department.pk),
        DepartmentBundle(department_id=department.pk, department_name=department.name),
    )


def tender_sign_off_problems(*, tender: Tender, states: list[SignOffState] | None = None) -> list[str]:
    """Why submission must wait for the departments: one line for missing sign-offs, one for stale ones."""
    if states is None:
        states = tender_sign_off_states(tender=tender)
    waiting = [s.department_name for s in states if s.status == WAITING]
    stale = [s.department_name for s in states if s.status == STALE]
    problems = []
    if waiting:
        problems.append(
            _("Waiting for the sign-off of their assets and contributions by: %(departments)s.")
            % {"departments": ", ".join(waiting)}
        )
    if stale:
        problems.append(
            _(
                "Sign-off out of date (their assets or contributions changed after signing), to be renewed by: "
                "%(departments)s."
            )
            % {"departments": ", ".join(stale)}
        )
    return problems


def is_official_of(*, user, department_id: int) -> bool:
    return user_roles(user=user).by_department.get(department_id) == Membership.Role.OFFICIAL


# --- Dashboard: "Your department in other tenders" -------------------------------------------------------------


@dataclass(frozen=True)
class DepartmentInTender:
    tender: Tender
    state: SignOffState

    @property
    def waiting_for_you(self) -> bool:
        return self.tender.status == Tender.Status.DRAFT and self.state.status != SIGNED


def departments_in_other_tenders(*, user, limit: int = 20) -> list[DepartmentInTender]:
    """Active tenders led by another department that bundle assets of, or draw budget from, a department where
    `user` is an official; those waiting for that department's sign-off first. Three queries."""
    from finance.models import Contribution

    mine = user_roles(user=user).departments_with(Membership.Role.OFFICIAL)
    if not mine:
        return []
    takes_from_mine = Q(
        Exists(
            TenderAsset.objects.filter(tender=OuterRef("pk"), asset__department_id__in=mine).exclude(
                asset__department_id=OuterRef("lead_department_id")
            )
        )
    ) | Q(
        Exists(
            Contribution.objects.filter(
                tender=OuterRef("pk"),
                budget_line__department_id__in=mine,
                status__in=_drawing_statuses(),
            ).exclude(budget_line__department_id=OuterRef("lead_department_id"))
        )
    )
    tenders: QuerySet[Tender] = (
        tender_list_for_user(user=user)
        .filter(status__in=ACTIVE_STATUSES)
        .filter(takes_from_mine)
        .order_by("-updated_at")
    )
    tender_list = list(tenders[:200])
    states = sign_off_states_for(tender_ids=[t.pk for t in tender_list], department_ids=mine)
    rows = [
        DepartmentInTender(tender=tender, state=state)
        for tender in tender_list
        for state in states.get(tender.pk, [])
    ]
    # Waiting for you first (stale before missing is no better: both block the submission), then most recent.
    rows.sort(key=lambda row: not row.waiting_for_you)
    return rows[:limit]
