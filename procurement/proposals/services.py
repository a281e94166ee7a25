"""Writes of partner people, what a tender asks, proposals (submit, replace, withdraw) and the opening.

Every write is one transaction; every state change of a tender writes a TenderEvent. Proposal content is
validated completely (every problem at once), put in canonical JSON, hashed for the receipt and sealed before
it touches the database.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from procurement.models import ApiToken, PartnerOrganisation, Tender, TenderEvent
from procurement.proposals import sealing
from procurement.proposals.exceptions import (
    DuplicateProposal,
    OpeningRefused,
    ProposalInvalid,
    ProposalNotFound,
    ProposalsClosed,
    RequirementsInvalid,
)
from procurement.proposals.models import (
    FinancingModel,
    PartnerMembership,
    Proposal,
    ProposalDocument,
    ProposalOpening,
    ProposalVersion,
    QualityCriterion,
    TenderRequirements,
)
from procurement.proposals.selectors import OPENERS_NEEDED, box_is_open, may_open, requirements_for
from procurement.selectors.tenders import is_lead_official

# --- Limits (docs/decisions.md "Proposal limits") ------------------------------------------------------------
# Every money figure of a proposal: not negative, at most 2 decimals, at most one billion (currency units).
MAX_AMOUNT = Decimal("1000000000")
MAX_SUMMARY_CHARS = 10_000
MAX_DOCUMENTS = 5
MAX_CONTENT_BYTES = 64 * 1024  # the canonical JSON content, documents excluded (they are counted below)
CONTENT_VERSION = 1

FIGURES_BY_MODEL: dict[str, tuple[str, ...]] = {
    FinancingModel.CAPEX: ("purchase_price", "running_cost"),
    FinancingModel.OPEX_SERVICE: ("financing_charge", "operation_fee"),
    FinancingModel.SHARED_SAVINGS: ("savings_share", "guaranteed_savings"),
}
# Translators: these name a figure of a proposal inside a sentence ("Give the %(figure)s.").
FIGURE_LABELS = {
    "purchase_price": gettext_lazy("purchase price (replaces Σ Cc × (1 + b); currency, paid at t = 0)"),
    "running_cost": gettext_lazy("guaranteed yearly running cost (start-year prices, indexed)"),
    "financing_charge": gettext_lazy("yearly financing charge A′ (flat, nominal, during the term)"),
    "operation_fee": gettext_lazy("yearly operation fee O′ (start-year prices, indexed, during the term)"),
    "savings_share": gettext_lazy("partner's share of savings s (0–1)"),
    "guaranteed_savings": gettext_lazy("guaranteed yearly savings (start-year prices; optional)"),
}
OPTIONAL_FIGURES = {"guaranteed_savings"}


def _event(
    *, tender: Tender, actor, action: str, comment: str = "", from_status: str = "", to_status: str = ""
):
    return TenderEvent.objects.create(
        tender=tender,
        actor=actor,
        action=action,
        comment=comment,
        from_status=from_status,
        to_status=to_status,
    )


def canonical_json(data: Any) -> bytes:
    """Sorted keys, no whitespace, UTF-8: the bytes the receipt hash is computed on."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


# --- Partner people -------------------------------------------------------------------------------------------


def partner_member_add(*, organisation: PartnerOrganisation, user, actor=None) -> PartnerMembership:
    """Make `user` a person of `organisation` (one organisation per person; city staff cannot be partners)."""
    from departments.models import Membership

    if Membership.objects.filter(user=user).exists():
        raise ProposalInvalid(
            _("This person is city staff."), errors={"user": [_("City staff cannot be partner members.")]}
        )
    membership = PartnerMembership(user=user, organisation=organisation)
    membership.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError:
        raise ProposalInvalid(
            _("This person already belongs to a partner organisation."),
            errors={"user": [_("Already a member of a partner organisation.")]},
        ) from None
    return membership


# --- What the tender asks -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionInput:
    name: str
    weight: Decimal
    scoring_guide: str


@dataclass(frozen=True)
class RequirementsInput:
    proposal_deadline: datetime.datetime | None
    clarification_deadline: datetime.datetime | None
    accepted_models: list[str]
    minimum_at_risk_share: Decimal | None
    price_weight: Decimal | None
    outcome_weight: Decimal | None
    standstill_days: int | None = 10
    quality_criteria: list[CriterionInput] = field(default_factory=list)


def requirements_problems(*, data: RequirementsInput, now: datetime.datetime) -> dict[str, list[str]]:
    """Every problem with what a tender asks, keyed by form field (`criteria` for the quality criteria)."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if data.proposal_deadline is None:
        add("proposal_deadline", _("Give the proposal deadline (date and time)."))
    elif data.proposal_deadline <= now:
        add("proposal_deadline", _("The proposal deadline must be in the future."))
    if data.clarification_deadline is None:
        add("clarification_deadline", _("Give the clarification deadline (date and time)."))
    elif data.proposal_deadline is not None and data.clarification_deadline > data.proposal_deadline:
        add(
            "clarification_deadline", _("The clarification deadline must not be after the proposal deadline.")
        )
    models = list(data.accepted_models or [])
    if not models:
        add("accepted_models", _("Accept at least one financing model."))
    unknown = [m for m in models if m not in FinancingModel.values]
    if unknown:
        add(
            "accepted_models",
            _("Unknown financing model(s): %(models)s.") % {"models": ", ".join(map(str, unknown))},
        )
    if data.minimum_at_risk_share is None:
        add("minimum_at_risk_share", _("Give the minimum at-risk share (0–1)."))
    elif not Decimal("0") <= data.minimum_at_risk_share <= Decimal("1"):
        add("minimum_at_risk_share", _("The minimum at-risk share must be between 0 and 1 (0.2 = 20 %)."))
    for name in ("price_weight", "outcome_weight"):
        value = getattr(data, name)
        if value is None:
            add(name, _("Give a weight (0–100; 0 leaves the criterion out)."))
        elif not Decimal("0") <= value <= Decimal("100"):
            add(name, _("A weight is between 0 and 100."))
    if data.standstill_days is None or not 0 <= data.standstill_days <= 60:
        add("standstill_days", _("Standstill is 0–60 days (default 10)."))
    names = set()
    for index, criterion in enumerate(data.quality_criteria, start=1):
        if not criterion.name.strip():
            add("criteria", _("Quality criterion %(index)s: give it a name.") % {"index": index})
        elif criterion.name.strip().lower() in names:
            add(
                "criteria",
                _("Quality criterion %(index)s: “%(name)s” is listed twice.")
                % {"index": index, "name": criterion.name},
            )
        names.add(criterion.name.strip().lower())
        if criterion.weight is None or not Decimal("0") < criterion.weight <= Decimal("100"):
            add(
                "criteria",
                _("Quality criterion %(index)s: its weight must be more than 0 and at most 100.")
                % {"index": index},
            )
        if not criterion.scoring_guide.strip():
            add(
                "criteria",
                _("Quality criterion %(index)s: give a scoring guide (what earns 0, 5 and 10 points).")
                % {"index": index},
            )
    weights = [data.price_weight, data.outcome_weight, *(c.weight for c in data.quality_criteria)]
    if all(w is not None for w in weights):
        total = sum(weights, Decimal("0"))
        if total != Decimal("100"):
            add(
                "__all__",
                _("The award criteria weights must add up to 100; they add up to %(total)s.")
                % {"total": f"{total.normalize():f}"},
            )
    return errors


def tender_requirements_set(*, tender: Tender, data: RequirementsInput, actor) -> TenderRequirements:
    """Set what the tender asks. In a draft (lead officials): a drafting step. Once published and before the
    deadline: an amendment — a `tenderAmendment` release is appended and the deadline may move.

    Raises RequirementsInvalid with every problem keyed by field; nothing is saved then.
    """
    from procurement.publication.services import release_create

    if not is_lead_official(user=actor, tender=tender):
        raise RequirementsInvalid(
            _("Only officials of the lead department set what the tender asks."),
            errors={"__all__": [_("Only officials of the lead department set what the tender asks.")]},
        )
    now = timezone.now()
    with transaction.atomic():
        # Lock the tender: a concurrent publication or a second editor must not interleave with this change.
        locked = Tender.objects.select_for_update().get(pk=tender.pk)
        amending = locked.status == Tender.Status.PUBLISHED
        if locked.status not in (Tender.Status.DRAFT, Tender.Status.PUBLISHED):
            raise RequirementsInvalid(
                _("Not editable now."),
                errors={
                    "__all__": [
                        _(
                            "What the tender asks is set while drafting or amended while it is published; "
                            "%(reference)s is %(status)s."
                        )
                        % {"reference": locked.reference, "status": locked.get_status_display().lower()}
                    ]
                },
            )
        existing = requirements_for(tender=locked)
        if amending and existing is not None and now >= existing.proposal_deadline:
            raise RequirementsInvalid(
                _("The deadline has passed."),
                errors={
                    "__all__": [
                        _("The proposal deadline has passed: what the tender asks can no longer change.")
                    ]
                },
            )
        errors = requirements_problems(data=data, now=now)
        if errors:
            raise RequirementsInvalid(_("What the tender asks was not saved."), errors=errors)
        requirements = existing or TenderRequirements(tender=locked)
        requirements.proposal_deadline = data.proposal_deadline
        requirements.clarification_deadline = data.clarification_deadline
        requirements.accepted_models = [m for m in FinancingModel.values if m in set(data.accepted_models)]
        requirements.minimum_at_risk_share = data.minimum_at_risk_share
        requirements.price_weight = data.price_weight
        requirements.outcome_weight = data.outcome_weight
        requirements.standstill_days = data.standstill_days
        requirements.updated_by = actor
        requirements.full_clean(exclude=["tender", "updated_by"])
        requirements.save()
        QualityCriterion.objects.filter(tender=locked).delete()
        QualityCriterion.objects.bulk_create(
            [
                QualityCriterion(
                    tender=locked, name=c.name.strip(), weight=c.weight, scoring_guide=c.scoring_guide.strip()
                )
                for c in data.quality_criteria
            ]
        )
        _event(
            tender=locked,
            actor=actor,
            action="requirements",
            comment=f"Proposal deadline {data.proposal_deadline.astimezone(datetime.UTC):%Y-%m-%d %H:%M:%S} UTC"
            + (" (amendment)" if amending else ""),
        )
        if amending:
            release_create(tender=locked, action="amend")
    return requirements


# --- Proposals ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentUpload:
    filename: str
    data: bytes
    title: str = ""


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, float | bool):
        # Floats are refused on purpose: money travels as strings (or integers) so that no cent is invented.
        raise InvalidOperation
    result = Decimal(str(value).strip())
    if not result.is_finite():
        raise InvalidOperation
    return result


def _document_problems(upload: DocumentUpload) -> tuple[list[str], str]:
    """The same content checks as tender documents (type by extension AND content, 10 MB)."""
    from procurement.services.tenders import DOCUMENT_TYPES, MAX_DOCUMENT_BYTES
    from procurement.services.tenders import _content_matches as content_matches

    name = upload.filename or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    problems = []
    if extension not in DOCUMENT_TYPES:
        problems.append(
            _("“%(name)s” is not an allowed type (allowed: %(types)s).")
            % {"name": name, "types": ", ".join(DOCUMENT_TYPES)}
        )
    if len(upload.data) > MAX_DOCUMENT_BYTES:
        problems.append(
            _("“%(name)s” is %(size)s MB; the limit is 10 MB.")
            % {"name": name, "size": f"{len(upload.data) / 1024 / 1024:.1f}"}
        )
    if not upload.data:
        problems.append(_("“%(name)s” is empty.") % {"name": name})
    if not problems and not content_matches(extension, upload.data[:8192], io.BytesIO(upload.data)):
        problems.append(
            _("The content of “%(name)s” is not a valid .%(extension)s file.")
            % {"name": name, "extension": extension}
        )
    return problems, extension


def proposal_validate(
    *, tender: Tender, content: dict[str, Any], documents: list[DocumentUpload]
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Normalise a proposal and list every problem with it (keyed by field). Returns (content, errors).

    The normalised content is what is sealed and hashed: money and shares as strings, targets sorted.
    """
    from procurement.services.tenders import DOCUMENT_TYPES

    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    requirements = requirements_for(tender=tender)
    if not isinstance(content, dict):
        return {}, {"__all__": [_("The proposal must be a JSON object.")]}
    known = {"financing_model", "figures", "at_risk_share", "targets", "summary"}
    for key in sorted(set(content) - known - {"documents"}):
        add("__all__", _("Unknown field “%(field)s”.") % {"field": key})

    model = content.get("financing_model")
    if model not in FinancingModel.values:
        add("financing_model", _("Choose capex, opex_service or shared_savings."))
    elif requirements is not None and model not in requirements.accepted_models:
        accepted = ", ".join(str(FinancingModel(m).label) for m in requirements.accepted_models)
        add(
            "financing_model",
            _("This tender does not accept %(model)s; it accepts %(accepted)s.")
            % {"model": FinancingModel(model).label, "accepted": accepted},
        )

    figures_in = content.get("figures") or {}
    figures: dict[str, str] = {}
    if not isinstance(figures_in, dict):
        add("figures", _("Figures must be an object of named amounts."))
        figures_in = {}
    if model in FIGURES_BY_MODEL:
        wanted = FIGURES_BY_MODEL[model]
        for name in sorted(set(figures_in) - set(wanted)):
            add(
                f"figures.{name}",
                _("“%(figure)s” is not a figure of %(model)s.")
                % {"figure": name, "model": FinancingModel(model).label},
            )
        for name in wanted:
            try:
                value = _decimal(figures_in.get(name))
            except (InvalidOperation, ValueError):
                add(
                    f"figures.{name}",
                    _("The %(figure)s must be a number written as a string.")
                    % {"figure": FIGURE_LABELS[name]},
                )
                continue
            if value is None:
                if name not in OPTIONAL_FIGURES:
                    add(f"figures.{name}", _("Give the %(figure)s.") % {"figure": FIGURE_LABELS[name]})
                continue
            if name == "savings_share":
                if not Decimal("0") < value <= Decimal("1"):
                    add(f"figures.{name}", _("The share of savings must be more than 0 and at most 1."))
                elif value.as_tuple().exponent < -4:
                    add(f"figures.{name}", _("The share of savings has at most 4 decimals."))
                figures[name] = f"{value:f}"
                continue
            if value < 0:
                add(
                    f"figures.{name}",
                    _("The %(figure)s must not be negative.") % {"figure": FIGURE_LABELS[name]},
                )
            elif value > MAX_AMOUNT:
                add(
                    f"figures.{name}",
                    _("The %(figure)s exceeds the limit of %(limit)s.")
                    % {"figure": FIGURE_LABELS[name], "limit": f"{MAX_AMOUNT:,.0f}"},
                )
            elif value.as_tuple().exponent < -2:
                add(f"figures.{name}", _("Amounts have at most 2 decimals (cents)."))
            figures[name] = (
                f"{value.quantize(Decimal('0.01')):f}" if value.as_tuple().exponent >= -2 else str(value)
            )
        if model == FinancingModel.CAPEX and figures.get("purchase_price") == "0.00":
            add("figures.purchase_price", _("The purchase price must be more than zero."))
        if (
            model == FinancingModel.OPEX_SERVICE
            and figures.get("financing_charge") == "0.00"
            and figures.get("operation_fee") == "0.00"
        ):
            add("figures.financing_charge", _("A service fee of zero is not a proposal."))

    try:
        phi = _decimal(content.get("at_risk_share"))
    except (InvalidOperation, ValueError):
        phi = None
        add("at_risk_share", _("The at-risk share must be a number between 0 and 1, written as a string."))
    else:
        if phi is None:
            add("at_risk_share", _("Give the share of payments at risk on outcomes (0–1)."))
        elif not Decimal("0") <= phi <= Decimal("1"):
            add("at_risk_share", _("The at-risk share must be between 0 and 1 (0.25 = 25 %)."))
        elif requirements is not None and phi < requirements.minimum_at_risk_share:
            add(
                "at_risk_share",
                _("The at-risk share %(share)s is below the tender's minimum %(minimum)s.")
                % {"share": f"{phi:f}", "minimum": f"{requirements.minimum_at_risk_share:f}"},
            )

    tender_targets = {
        t.indicator_id: t
        for t in tender.targeted_outcomes.select_related("indicator").order_by("indicator_id")
    }
    committed: dict[int, str] = {}
    raw_targets = content.get("targets") or []
    if not isinstance(raw_targets, list):
        add("targets", _("Targets must be a list of {indicator_id, committed_value}."))
        raw_targets = []
    for row in raw_targets:
        try:
            indicator_id = int(row.get("indicator_id"))
            value = _decimal(row.get("committed_value"))
        except (AttributeError, TypeError, ValueError, InvalidOperation):
            add(
                "targets",
                _("Each target needs an indicator_id and a committed_value (a number as a string)."),
            )
            continue
        target = tender_targets.get(indicator_id)
        if target is None:
            add(
                "targets",
                _("Indicator %(indicator)s is not targeted by this tender.") % {"indicator": indicator_id},
            )
            continue
        if indicator_id in committed:
            add("targets", _("Indicator %(indicator)s is committed twice.") % {"indicator": indicator_id})
            continue
        if value is None:
            add(
                "targets",
                _("Give a committed value for “%(indicator)s”.") % {"indicator": target.indicator.name},
            )
            continue
        lower_better = target.indicator.direction == "lower"
        worse = value > target.target_value if lower_better else value < target.target_value
        if worse:
            message = (
                _(
                    "The committed value %(value)s for “%(indicator)s” is worse than the tender's target "
                    "%(target)s (lower is better)."
                )
                if lower_better
                else _(
                    "The committed value %(value)s for “%(indicator)s” is worse than the tender's target "
                    "%(target)s (higher is better)."
                )
            )
            add(
                "targets",
                message
                % {
                    "value": f"{value.normalize():f}",
                    "indicator": target.indicator.name,
                    "target": f"{target.target_value.normalize():f}",
                },
            )
        committed[indicator_id] = f"{value.normalize():f}"
    for indicator_id, target in tender_targets.items():
        if indicator_id not in committed and not any(
            isinstance(r, dict) and str(r.get("indicator_id")) == str(indicator_id) for r in raw_targets
        ):
            add(
                "targets",
                _("Commit to a value for “%(name)s” (indicator %(indicator)s).")
                % {"name": target.indicator.name, "indicator": indicator_id},
            )

    summary = content.get("summary") or ""
    if not isinstance(summary, str):
        add("summary", _("The summary is text."))
        summary = ""
    if len(summary) > MAX_SUMMARY_CHARS:
        add(
            "summary",
            _("The summary is longer than %(count)s characters.") % {"count": f"{MAX_SUMMARY_CHARS:,}"},
        )

    if len(documents) > MAX_DOCUMENTS:
        add("documents", _("At most %(count)s documents per proposal.") % {"count": MAX_DOCUMENTS})
    described = []
    for upload in documents:
        problems, extension = _document_problems(upload)
        for problem in problems:
            add("documents", problem)
        described.append(
            {
                "title": (upload.title or upload.filename)[:200],
                "filename": upload.filename[:200],
                "content_type": DOCUMENT_TYPES.get(extension, ""),
                "size_bytes": len(upload.data),
                "sha256": hashlib.sha256(upload.data).hexdigest(),
            }
        )

    normalised = {
        "version": CONTENT_VERSION,
        "financing_model": model,
        "figures": figures,
        "at_risk_share": f"{phi:f}" if phi is not None else None,
        "targets": [{"indicator_id": k, "committed_value": v} for k, v in sorted(committed.items())],
        "summary": summary,
        "documents": described,
    }
    if len(canonical_json(normalised)) > MAX_CONTENT_BYTES:
        add(
            "__all__",
            _("The proposal is larger than %(size)s KB (documents excluded).")
            % {"size": MAX_CONTENT_BYTES // 1024},
        )
    return normalised, errors


def _require_open_for_proposals(*, tender: Tender, now: datetime.datetime) -> None:
    requirements = requirements_for(tender=tender)
    if tender.status != Tender.Status.PUBLISHED or requirements is None:
        raise ProposalsClosed(
            _("This tender does not take proposals."),
            errors={
                "__all__": [_("This tender does not take proposals (not open, or no proposal deadline set).")]
            },
        )
    if now >= requirements.proposal_deadline:
        deadline = requirements.proposal_deadline.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        received = now.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        raise ProposalsClosed(
            _("The proposal deadline has passed."),
            errors={
                "__all__": [
                    _(
                        "The proposal deadline was %(deadline)s; the server received this at %(received)s. "
                        "Nothing is accepted after the deadline."
                    )
                    % {"deadline": deadline, "received": received}
                ]
            },
        )


def _new_version(
    *,
    proposal: Proposal,
    kind: str,
    content: dict[str, Any] | None,
    documents: list[DocumentUpload],
    now: datetime.datetime,
    user=None,
    token: ApiToken | None = None,
) -> ProposalVersion:
    number = (proposal.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = ProposalVersion(
        proposal=proposal, number=number, kind=kind, received_at=now, submitted_by=user, token=token
    )
    if content is not None:
        body = canonical_json(content)
        version.content_sha256 = hashlib.sha256(body).hexdigest()
        version.sealed = sealing.seal(body)
    version.save()
    ProposalDocument.objects.bulk_create(
        [
            ProposalDocument(version=version, position=index, sealed=sealing.seal(upload.data))
            for index, upload in enumerate(documents)
        ]
    )
    return version


def proposal_submit(
    *,
    tender: Tender,
    organisation: PartnerOrganisation,
    content: dict[str, Any],
    documents: list[DocumentUpload] | None = None,
    user=None,
    token: ApiToken | None = None,
    now: datetime.datetime | None = None,
) -> ProposalVersion:
    """Submit the organisation's proposal (its first, or a new one after a withdrawal). Returns the version: its
    content_sha256 and received_at are the receipt. Refused after the deadline (ProposalsClosed, 409), when
    a proposal already stands (DuplicateProposal, 409) or invalid (ProposalInvalid, every problem)."""
    documents = documents or []
    with transaction.atomic():
        # Lock the tender row: the deadline check and the insert happen while no amendment can move it, and
        # two submissions of the same organisation are serialised (the second then sees the first).
        locked = Tender.objects.select_for_update().get(pk=tender.pk)
        now = now or timezone.now()
        _require_open_for_proposals(tender=locked, now=now)
        normalised, errors = proposal_validate(tender=locked, content=content, documents=documents)
        if errors:
            raise ProposalInvalid(_("The proposal was not accepted."), errors=errors)
        proposal = Proposal.objects.filter(tender=locked, organisation=organisation).first()
        if proposal is not None and proposal.status == Proposal.Status.SUBMITTED:
            raise DuplicateProposal(
                _("A proposal already stands."),
                errors={
                    "__all__": [
                        _(
                            "%(organisation)s already has a proposal for %(reference)s: replace it (PUT) or "
                            "withdraw it (DELETE); a second one is not accepted."
                        )
                        % {"organisation": organisation.name, "reference": locked.reference}
                    ]
                },
            )
        if proposal is None:
            proposal = Proposal.objects.create(tender=locked, organisation=organisation)
        else:
            proposal.status = Proposal.Status.SUBMITTED
            proposal.save(update_fields=["status", "updated_at"])
        version = _new_version(
            proposal=proposal,
            kind=ProposalVersion.Kind.SUBMIT,
            content=normalised,
            documents=documents,
            now=now,
            user=user,
            token=token,
        )
        # The history says that a proposal arrived, never what it says (nor, before opening, who sent it).
        _event(
            tender=locked,
            actor=user,
            action="proposal_received",
            comment=f"receipt {version.content_sha256[:12]}",
        )
    return version


def _own_proposal(*, tender: Tender, organisation: PartnerOrganisation, proposal_id: int | None) -> Proposal:
    qs = Proposal.objects.select_for_update().filter(tender=tender, organisation=organisation)
    if proposal_id is not None:
        qs = qs.filter(pk=proposal_id)
    proposal = qs.first()
    if proposal is None:
        # Same answer for "not yours" and "does not exist": another organisation's proposal is never revealed.
        raise ProposalNotFound(
            _("No such proposal."), errors={"__all__": [_("No such proposal of your organisation.")]}
        )
    return proposal


def proposal_replace(
    *,
    tender: Tender,
    organisation: PartnerOrganisation,
    content: dict[str, Any],
    documents: list[DocumentUpload] | None = None,
    proposal_id: int | None = None,
    user=None,
    token: ApiToken | None = None,
    now: datetime.datetime | None = None,
) -> ProposalVersion:
    """Replace the organisation's standing proposal with new content (a new version; the old one is kept)."""
    documents = documents or []
    with transaction.atomic():
        locked = Tender.objects.select_for_update().get(pk=tender.pk)
        now = now or timezone.now()
        proposal = _own_proposal(tender=locked, organisation=organisation, proposal_id=proposal_id)
        _require_open_for_proposals(tender=locked, now=now)
        if proposal.status != Proposal.Status.SUBMITTED:
            raise ProposalNotFound(
                _("The proposal was withdrawn."),
                errors={"__all__": [_("This proposal was withdrawn: submit a new one (POST) instead.")]},
            )
        normalised, errors = proposal_validate(tender=locked, content=content, documents=documents)
        if errors:
            raise ProposalInvalid(
                _("The replacement was not accepted; the previous version stands."), errors=errors
            )
        version = _new_version(
            proposal=proposal,
            kind=ProposalVersion.Kind.REPLACE,
            content=normalised,
            documents=documents,
            now=now,
            user=user,
            token=token,
        )
        proposal.save(update_fields=["updated_at"])
        _event(
            tender=locked,
            actor=user,
            action="proposal_replaced",
            comment=f"receipt {version.content_sha256[:12]}",
        )
    return version


def proposal_withdraw(
    *,
    tender: Tender,
    organisation: PartnerOrganisation,
    proposal_id: int | None = None,
    user=None,
    token: ApiToken | None = None,
    now: datetime.datetime | None = None,
) -> ProposalVersion:
    """Withdraw the organisation's proposal before the deadline (a withdrawal version is recorded)."""
    with transaction.atomic():
        locked = Tender.objects.select_for_update().get(pk=tender.pk)
        now = now or timezone.now()
        proposal = _own_proposal(tender=locked, organisation=organisation, proposal_id=proposal_id)
        _require_open_for_proposals(tender=locked, now=now)
        if proposal.status != Proposal.Status.SUBMITTED:
            raise ProposalNotFound(
                _("Already withdrawn."), errors={"__all__": [_("This proposal is already withdrawn.")]}
            )
        version = _new_version(
            proposal=proposal,
            kind=ProposalVersion.Kind.WITHDRAW,
            content=None,
            documents=[],
            now=now,
            user=user,
            token=token,
        )
        proposal.status = Proposal.Status.WITHDRAWN
        proposal.save(update_fields=["status", "updated_at"])
        _event(tender=locked, actor=user, action="proposal_withdrawn")
    return version


# --- Opening ---------------------------------------------------------------------------------------------------


def proposals_open(*, tender: Tender, actor, now: datetime.datetime | None = None) -> ProposalOpening:
    """One city user's opening of the box. The box is open once two different users have opened it after the
    deadline; the second opening publishes `bids.statistics` (a `tenderUpdate` release)."""
    from procurement.publication.services import release_create

    with transaction.atomic():
        # Lock the tender: two officials opening at the same moment must both be counted exactly once, and the
        # release with the statistics must be written by exactly one of them.
        locked = Tender.objects.select_for_update().get(pk=tender.pk)
        now = now or timezone.now()
        requirements = requirements_for(tender=locked)
        if requirements is None or locked.status != Tender.Status.PUBLISHED:
            raise OpeningRefused(
                _("Nothing to open."), errors={"__all__": [_("This tender has no proposals to open.")]}
            )
        if not may_open(user=actor, tender=locked):
            raise OpeningRefused(
                _("Not permitted."),
                errors={
                    "__all__": [
                        _(
                            "Only the lead department's officials and the tender's finance staff open proposals."
                        )
                    ]
                },
            )
        if now < requirements.proposal_deadline:
            raise OpeningRefused(
                _("Too early."),
                errors={"__all__": [_("Proposals are opened only after the proposal deadline.")]},
            )
        if ProposalOpening.objects.filter(tender=locked, opened_by=actor).exists():
            raise OpeningRefused(
                _("Already opened by you."),
                errors={
                    "__all__": [
                        _("You have already opened this box: a second, different person must open it.")
                    ]
                },
            )
        was_open = box_is_open(tender=locked, now=now)
        opening = ProposalOpening.objects.create(tender=locked, opened_by=actor, opened_at=now)
        count = ProposalOpening.objects.filter(tender=locked).count()
        _event(
            tender=locked,
            actor=actor,
            action="proposals_open",
            comment=f"Opening {count} of {OPENERS_NEEDED}",
        )
        if not was_open and count >= OPENERS_NEEDED:
            release_create(tender=locked, action="open")
    return opening
