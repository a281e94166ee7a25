"""Writes of tenders: drafting (basics, bundled assets, targeted outcomes, documents, comments) and the lifecycle.

Every write is one transaction; every state change writes a TenderEvent (the append-only history).
"""

from __future__ import annotations

import datetime
import hashlib
import zipfile
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.numbers import measure
from config.uploads import display_name
from departments.models import Asset
from multilingual.translations import TENDER_FIELDS, changed_variant_keys, clean_translations
from procurement.exceptions import (
    AssetsInAnotherTender,
    DocumentRejected,
    InvalidOutcomeWeights,
    InvalidTransition,
    TenderNotEditable,
    TransitionBlocked,
    TransitionNotPermitted,
)
from procurement.models import (
    Tender,
    TenderAsset,
    TenderComment,
    TenderDocument,
    TenderEvent,
    TenderOutcome,
)
from procurement.selectors.tenders import (
    can_comment,
    can_edit,
    is_finance_for,
    is_lead_official,
    tender_participating_department_ids,
    tender_readiness_problems,
)

S = Tender.Status
EDITABLE_FIELDS = [
    "title",
    "description",
    "procurement_method",
    "main_category",
    "contract_term_years",
    "tender_period_start",
    "tender_period_end",
    "currency",
]


def _event(
    *, tender: Tender, actor, action: str, comment: str = "", from_status: str = "", to_status: str = ""
):
    return TenderEvent.objects.create(
        tender=tender,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=to_status,
        comment=comment,
    )


def _require_editable(*, tender: Tender, actor) -> None:
    if tender.status != S.DRAFT:
        raise TenderNotEditable(
            _("Only drafts can be changed; %(reference)s is %(status)s.")
            % {"reference": tender.reference, "status": tender.get_status_display()}
        )
    if not can_edit(user=actor, tender=tender):
        raise TenderNotEditable(_("Only officials of the lead department can change this draft."))


# --- Basics ---------------------------------------------------------------------------------------------------


def _next_reference(year: int) -> str:
    prefix = f"T-{year}-"
    last = (
        Tender.objects.filter(reference__startswith=prefix)
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:04d}"


def tender_create(
    *,
    actor,
    lead_department,
    title: str,
    description: str = "",
    translations: dict | None = None,
    **fields,
) -> Tender:
    """Create a draft led by `lead_department` (the actor must be one of its officials).

    `translations` holds the title and description in the city's other languages (multilingual/).

    The reference T-YYYY-NNNN is the next free number of the year. Two concurrent creations may compute the
    same number: the unique constraint refuses the second insert, and we retry with the next number inside a
    savepoint (cheaper and simpler than a table lock for a rare collision).
    """
    from procurement.selectors.tenders import user_roles

    if user_roles(user=actor).by_department.get(lead_department.pk) != "official":
        raise TenderNotEditable(_("Only officials of the lead department can draft its tenders."))
    tender = Tender(
        title=title,
        description=description,
        translations=clean_translations(translations, fields=TENDER_FIELDS),
        lead_department=lead_department,
        created_by=actor,
        status=S.DRAFT,
        **fields,
    )
    year = timezone.now().year
    tender.reference = _next_reference(year)
    # Uniqueness of the reference is left to the database (and the retry below): a check here could pass for
    # two concurrent creations and then refuse a reference that the retry would have moved on from.
    tender.full_clean(validate_unique=False)
    with transaction.atomic():
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    tender.save()
                break
            except IntegrityError:
                tender.pk = None
                tender.reference = _next_reference(year)
        else:  # pragma: no cover — five collisions in a row means something else is wrong
            raise IntegrityError("Could not allocate a tender reference.")
        _event(
            tender=tender,
            actor=actor,
            action="create",
            to_status=S.DRAFT,
            # The history names the languages entered besides the main one (the texts are on the tender).
            comment=_translated_comment(tender.translations),
        )
    return tender


def tender_update(*, tender: Tender, actor, **fields) -> Tender:
    """Change the basics of a draft."""
    _require_editable(tender=tender, actor=actor)
    changed = []
    translated = []
    if "translations" in fields:
        translations = clean_translations(fields.pop("translations"), fields=TENDER_FIELDS)
        translated = changed_variant_keys(tender.translations, translations, fields=TENDER_FIELDS)
        tender.translations = translations
    for name, value in fields.items():
        if name not in EDITABLE_FIELDS:
            raise ValueError(f"{name} cannot be edited here")
        if getattr(tender, name) != value:
            setattr(tender, name, value)
            changed.append(name)
    changed += translated
    tender.full_clean()
    with transaction.atomic():
        tender.save()
        if changed:
            _event(tender=tender, actor=actor, action="edit", comment="Changed: " + ", ".join(changed))
    return tender


def _translated_comment(translations: dict) -> str:
    """ "Translated: title_fr, description_nl" (the variant names, like "Changed: title"), or ""."""
    keys = changed_variant_keys({}, translations, fields=TENDER_FIELDS)
    return "Translated: " + ", ".join(keys) if keys else ""


# --- Bundled assets -------------------------------------------------------------------------------------------


def _conflicts(*, tender: Tender, assets: QuerySet[Asset], actor) -> list[tuple[str, str]]:
    """Assets of `assets` already bundled in ANOTHER active tender, as (asset ref, tender reference): two
    queries, whatever their number. The reference is "" for a tender `actor` may not see (another department's
    draft): its existence is not theirs to learn (the one visibility rule, `tender_list_for_user`)."""
    from procurement.selectors.tenders import tender_list_for_user

    rows = list(
        TenderAsset.objects.filter(active=True, asset__in=assets)
        .exclude(tender=tender)
        .values_list("asset__external_ref", "tender__reference", "tender_id")
        .order_by("tender__reference", "asset__external_ref")
    )
    if not rows:
        return []
    visible = set(
        tender_list_for_user(user=actor)
        .filter(pk__in={tender_id for _, _, tender_id in rows})
        .values_list("pk", flat=True)
    )
    return [(asset, reference if tender_id in visible else "") for asset, reference, tender_id in rows]


def _conflict_error(conflicts: list[tuple[str, str]]) -> AssetsInAnotherTender:
    shown = ", ".join(
        _("%(asset)s (in %(tender)s)") % {"asset": asset, "tender": tender}
        if tender
        else _("%(asset)s (already bundled in another tender)") % {"asset": asset}
        for asset, tender in conflicts[:10]
    )
    if len(conflicts) > 10:
        # Translators: a list of assets, then how many more are not listed.
        shown = _("%(assets)s and %(count)s more") % {"assets": shown, "count": len(conflicts) - 10}
    return AssetsInAnotherTender(
        _(
            "%(count)s asset(s) are already in another active tender: %(assets)s. "
            "An asset can be in only one active tender; nothing was added."
        )
        % {"count": len(conflicts), "assets": shown},
        conflicts=conflicts,
    )


def tender_assets_add(
    *, tender: Tender, assets: QuerySet[Asset], action: str = TenderAsset.Action.UPGRADE, actor
) -> int:
    """Bundle every asset of `assets` (a filtered queryset: bulk add by filter) with `action`; returns how many
    were added. Assets already in this tender are left as they are. All or nothing: if any asset is in another
    active tender, nothing is added and the error names them.

    Fixed number of queries whatever the count (5,000 assets in one request): one conflict query, one id query,
    bulk inserts in batches.
    """
    _require_editable(tender=tender, actor=actor)
    _require_action(action)
    conflicts = _conflicts(tender=tender, assets=assets, actor=actor)
    if conflicts:
        raise _conflict_error(conflicts)
    try:
        return _bundle(tender=tender, assets=assets, action=action, actor=actor)
    except IntegrityError:
        # A concurrent draft bundled one of these assets between our check and our insert: the partial unique
        # constraint (one active tender per asset) refused ours. Its transaction has committed by the time the
        # database lets us fail, so the conflict query now names the assets.
        conflicts = _conflicts(tender=tender, assets=assets, actor=actor)
        if not conflicts:
            raise
        raise _conflict_error(conflicts) from None


@dataclass(frozen=True)
class AssetsAdded:
    """What `tender_assets_add_free` did: how many assets it bundled, and which it skipped because another
    active tender holds them, as (asset reference, tender reference or "" when the user may not see it)."""

    added: int
    skipped: list[tuple[str, str]]


def tender_assets_add_free(
    *, tender: Tender, assets: QuerySet[Asset], action: str = TenderAsset.Action.UPGRADE, actor
) -> AssetsAdded:
    """Bundle the assets of `assets` that no other active tender holds, and report the others instead of
    refusing the batch (the picker's "add all matching": one busy asset must not block 500 free ones).

    Same fixed number of queries as `tender_assets_add`. If a concurrent draft takes one of the free assets
    between the check and the insert, the whole batch is retried once with the new conflicts skipped.
    """
    _require_editable(tender=tender, actor=actor)
    _require_action(action)
    for attempt in (1, 2):
        conflicts = _conflicts(tender=tender, assets=assets, actor=actor)
        busy = (
            TenderAsset.objects.filter(active=True, asset__in=assets)
            .exclude(tender=tender)
            .values("asset_id")
        )
        try:
            added = _bundle(tender=tender, assets=assets.exclude(pk__in=busy), action=action, actor=actor)
        except IntegrityError:
            if attempt == 2:
                raise
            continue
        return AssetsAdded(added=added, skipped=conflicts)
    raise AssertionError("unreachable")  # pragma: no cover


def _require_action(action: str) -> None:
    if action not in TenderAsset.Action.values:
        raise ValidationError({"action": _("Choose replace, upgrade, operate or maintain.")})


def _bundle(*, tender: Tender, assets: QuerySet[Asset], action: str, actor) -> int:
    """Insert the assets of `assets` not yet in `tender`, with one history event; the caller has checked
    that no other active tender holds them (the partial unique constraint raises IntegrityError if one does)."""
    new_ids = list(assets.exclude(tender_links__tender=tender).order_by().values_list("pk", flat=True))
    if not new_ids:
        return 0
    with transaction.atomic():
        TenderAsset.objects.bulk_create(
            [TenderAsset(tender=tender, asset_id=pk, action=action, active=True) for pk in new_ids],
            batch_size=1000,
        )
        _event(tender=tender, actor=actor, action="assets_add", comment=f"{len(new_ids)} asset(s), {action}")
    return len(new_ids)


def tender_assets_remove(*, tender: Tender, asset_ids: list[int], actor) -> int:
    _require_editable(tender=tender, actor=actor)
    with transaction.atomic():
        deleted, _details = TenderAsset.objects.filter(tender=tender, asset_id__in=asset_ids).delete()
        if deleted:
            _event(tender=tender, actor=actor, action="assets_remove", comment=f"{deleted} asset(s)")
    return deleted


# --- Targeted outcomes ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeTarget:
    indicator_id: int
    target_value: Decimal
    payment_weight: Decimal | None = None


def tender_outcomes_set(*, tender: Tender, targets: list[OutcomeTarget], actor) -> list[TenderOutcome]:
    """Replace the tender's targeted outcomes with `targets`. Payment weights (percent of the outcome-linked
    payment) must add up to exactly 100 when any is set; nothing is saved otherwise."""
    _require_editable(tender=tender, actor=actor)
    ids = [t.indicator_id for t in targets]
    if len(ids) != len(set(ids)):
        raise InvalidOutcomeWeights(_("Each indicator can be targeted only once."))
    weights = [t.payment_weight for t in targets if t.payment_weight is not None]
    if weights and sum(weights) != Decimal("100"):
        raise InvalidOutcomeWeights(
            _("Payment weights must add up to 100 %% when any is set; they add up to %(total)s %%.")
            % {"total": measure(sum(weights))}
        )
    rows = [
        TenderOutcome(
            tender=tender,
            indicator_id=t.indicator_id,
            target_value=t.target_value,
            payment_weight=t.payment_weight,
        )
        for t in targets
    ]
    for row in rows:
        row.full_clean(exclude=["tender", "indicator"], validate_unique=False)
    with transaction.atomic():
        TenderOutcome.objects.filter(tender=tender).delete()
        created = TenderOutcome.objects.bulk_create(rows)
        _event(tender=tender, actor=actor, action="outcomes_set", comment=f"{len(rows)} indicator(s)")
    return created


# --- Documents ------------------------------------------------------------------------------------------------

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
DOCUMENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "csv": "text/csv",
    "txt": "text/plain",
}


def _content_matches(extension: str, head: bytes, data_file) -> bool:
    """Sniff the content: the extension alone proves nothing (a renamed .exe is still an .exe)."""
    if extension == "pdf":
        return head.startswith(b"%PDF-")
    if extension in {"docx", "xlsx", "odt"}:
        if not head.startswith(b"PK\x03\x04"):
            return False
        try:
            data_file.seek(0)
            with zipfile.ZipFile(data_file) as archive:
                names = set(archive.namelist())
                if extension == "odt":
                    return archive.read("mimetype").strip() == DOCUMENT_TYPES["odt"].encode()
                return {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}[extension] in names
        except (zipfile.BadZipFile, KeyError):
            return False
    # csv / txt: readable text — UTF-8 without NUL bytes.
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sniffed head is still text.
        return exc.start >= len(head) - 3
    return True


def tender_document_add(*, tender: Tender, kind: str, title: str, uploaded_file, actor) -> TenderDocument:
    """Attach a document (pdf, docx, xlsx, odt, csv, txt; at most 10 MB), checked by extension and content."""
    _require_editable(tender=tender, actor=actor)
    name = uploaded_file.name or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    problems = []
    if extension not in DOCUMENT_TYPES:
        problems.append(
            _("“%(name)s” is not an allowed type (allowed: %(types)s).")
            % {"name": name, "types": ", ".join(DOCUMENT_TYPES)}
        )
    if uploaded_file.size > MAX_DOCUMENT_BYTES:
        megabytes = Decimal(uploaded_file.size / 1024 / 1024).quantize(Decimal("0.1"))
        problems.append(
            _("“%(name)s” is %(size)s MB; the limit is 10 MB.") % {"name": name, "size": measure(megabytes)}
        )
    if uploaded_file.size == 0:
        problems.append(_("“%(name)s” is empty.") % {"name": name})
    if problems:
        raise DocumentRejected(_("The document was not attached."), problems=problems)
    uploaded_file.seek(0)
    head = uploaded_file.read(8192)
    if not _content_matches(extension, head, uploaded_file):
        raise DocumentRejected(
            _("The document was not attached."),
            problems=[
                _("The content of “%(name)s” is not a valid .%(extension)s file.")
                % {"name": name, "extension": extension}
            ],
        )
    digest = hashlib.sha256()
    uploaded_file.seek(0)
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    document = TenderDocument(
        tender=tender,
        kind=kind,
        title=title or name,
        file=uploaded_file,
        original_name=display_name(name),
        content_type=DOCUMENT_TYPES[extension],
        size_bytes=uploaded_file.size,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
    )
    document.full_clean(exclude=["file"])
    # The history keeps the canonical English sentence; it is translated when shown (procurement.history).
    with translation.override("en"):
        comment = f"{document.get_kind_display()}: {document.title}"
    with transaction.atomic():
        document.save()
        _event(tender=tender, actor=actor, action="document_add", comment=comment)
    return document


def tender_comment_add(*, tender: Tender, body: str, actor) -> TenderComment:
    if not can_comment(user=actor, tender=tender):
        raise TransitionNotPermitted(
            _("Only officials and finance staff of participating departments can comment.")
        )
    comment = TenderComment(tender=tender, author=actor, body=body.strip())
    comment.full_clean()
    comment.save()
    return comment


# --- Lifecycle (DESIGN §4) ------------------------------------------------------------------------------------

LEAD_OFFICIAL = "lead official"
FINANCE = "finance"


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    who: frozenset[str]
    label: str
    # Four-eyes: people who may never make this move on a tender they drafted (created) or submitted.
    not_creator: bool = False
    not_submitter: bool = False
    # Four-eyes of approvals: finance's one rule (drafter, submitter, requesters of contributions never approve).
    approval: bool = False


# The allowed moves and who may make each. Everything not listed here is refused.
TRANSITIONS: dict[str, Transition] = {
    "submit": Transition(
        frozenset({S.DRAFT}), S.SUBMITTED, frozenset({LEAD_OFFICIAL}), gettext_lazy("Submit for approval")
    ),
    "approve": Transition(
        frozenset({S.SUBMITTED}),
        S.APPROVED,
        frozenset({FINANCE}),
        gettext_lazy("Approve"),
        approval=True,
    ),
    "return": Transition(
        frozenset({S.SUBMITTED}), S.DRAFT, frozenset({FINANCE}), gettext_lazy("Return to draft")
    ),
    "publish": Transition(
        frozenset({S.APPROVED}),
        S.PUBLISHED,
        frozenset({FINANCE, LEAD_OFFICIAL}),
        gettext_lazy("Publish"),
        not_creator=True,
    ),
    "award": Transition(
        frozenset({S.PUBLISHED}), S.AWARDED, frozenset({FINANCE, LEAD_OFFICIAL}), gettext_lazy("Award")
    ),
    # After the standstill the contract is signed (DESIGN §12): procurement.proposals.award.contract_sign.
    "sign": Transition(
        frozenset({S.AWARDED}),
        S.SIGNED,
        frozenset({FINANCE, LEAD_OFFICIAL}),
        gettext_lazy("Sign the contract"),
    ),
    # Cancellation stays possible until signature (an awarded tender in its standstill may be cancelled).
    "cancel": Transition(
        frozenset({S.DRAFT, S.SUBMITTED, S.APPROVED, S.PUBLISHED, S.AWARDED}),
        S.CANCELLED,
        frozenset({FINANCE, LEAD_OFFICIAL}),
        gettext_lazy("Cancel"),
    ),
}


def actor_roles_on(*, tender: Tender, actor, participating: set[int] | None = None) -> set[str]:
    roles = set()
    if is_lead_official(user=actor, tender=tender):
        roles.add(LEAD_OFFICIAL)
    if is_finance_for(user=actor, tender=tender, participating=participating):
        roles.add(FINANCE)
    return roles


def transition_refusal(
    *, tender: Tender, action: str, actor, participating: set[int] | None = None
) -> Exception | None:
    """Why `actor` may not make `action` on `tender` now (status and role only), or None if they may."""
    move = TRANSITIONS.get(action)
    if move is None:
        return InvalidTransition(_("“%(action)s” is not a tender action.") % {"action": action})
    if tender.status not in move.sources:
        return InvalidTransition(
            # Translators: status is a tender status in lower case (draft, submitted, ...); action a button label.
            _("A %(status)s tender cannot be moved with “%(action)s”.")
            % {"status": str(tender.get_status_display()).lower(), "action": move.label}
        )
    if not move.who & actor_roles_on(tender=tender, actor=actor, participating=participating):
        return TransitionNotPermitted(
            _("“%(action)s” is for %(who)s staff of this tender.")
            % {"action": move.label, "who": _who(move.who)}
        )
    if move.not_creator and tender.created_by_id == actor.pk:
        return TransitionNotPermitted(_four_eyes(action=action, label=move.label, reference=tender.reference))
    if move.not_submitter and tender.submitted_by_id == actor.pk:
        return TransitionNotPermitted(
            _("Four-eyes: the person who submitted %(reference)s cannot make the move “%(action)s” on it.")
            % {"reference": tender.reference, "action": move.label}
        )
    if move.approval:
        from finance.selectors.budgets import approval_conflict

        conflict = approval_conflict(user=actor, tender=tender)
        if conflict:
            return TransitionNotPermitted(conflict)
    return None


def _who(roles: frozenset[str]) -> str:
    """Who may make a move, in words: "lead official", "finance" or "finance or lead official"."""
    if roles == {LEAD_OFFICIAL}:
        # Translators: completes "“Submit for approval” is for … staff of this tender."
        return _("lead official")
    if roles == {FINANCE}:
        # Translators: completes "“Approve” is for … staff of this tender."
        return _("finance")
    # Translators: completes "“Publish” is for … staff of this tender."
    return _("finance or lead official")


def _four_eyes(*, action: str, label, reference: str) -> str:
    """The four-eyes refusal of the person who drafted the tender."""
    if action == "publish":
        return _("Four-eyes: the person who drafted %(reference)s cannot publish it.") % {
            "reference": reference
        }
    return _("Four-eyes: the person who drafted %(reference)s cannot make the move “%(action)s” on it.") % {
        "reference": reference,
        "action": label,
    }


def available_actions(
    *, tender: Tender, actor, participating: set[int] | None = None
) -> list[tuple[str, str]]:
    """(action, label) pairs the actor may try now — the page offers only these."""
    if participating is None:
        participating = tender_participating_department_ids(tender=tender)
    return [
        (action, move.label)
        for action, move in TRANSITIONS.items()
        if transition_refusal(tender=tender, action=action, actor=actor, participating=participating) is None
    ]


def cancel_reason_missing() -> str:
    """The refusal of a cancellation without a reason (the browser shows it at the reason field)."""
    return _("Give the reason for cancelling: it is kept in the history and told to partners.")


def cancel_reason_missing_awarded() -> str:
    """The refusal of cancelling an awarded tender without a reason (shown at the reason field)."""
    return _("Give the reason for cancelling an awarded tender.")


def _proposal_flow_problems(*, tender: Tender, action: str, comment: str) -> list[str]:
    """Guards of the proposal flow (DESIGN §12) on the lifecycle moves it shares with the tender.

    A tender that takes proposals is awarded and signed only through procurement.proposals.award (which has
    evaluated, budget-checked and four-eyed the decision first); cancelling an awarded tender needs a reason.
    """
    from procurement.proposals.models import AwardDecision, TenderRequirements

    if action in ("award", "sign") and TenderRequirements.objects.filter(tender=tender).exists():
        wanted = AwardDecision.Status.APPROVED if action == "award" else AwardDecision.Status.SIGNED
        if not AwardDecision.objects.filter(tender=tender, status=wanted).exists():
            return [
                _("This tender takes proposals: award and sign it through its evaluation and award decision.")
            ]
    if action == "cancel" and tender.status == S.AWARDED and not comment.strip():
        return [cancel_reason_missing_awarded()]
    return []


def tender_transition(
    *,
    tender: Tender,
    action: str,
    actor,
    comment: str = "",
    award_supplier_name: str = "",
    award_value: Decimal | None = None,
    award_date: datetime.date | None = None,
) -> Tender:
    """Move `tender` along its lifecycle with `action` (submit, approve, return, publish, award, cancel).

    Checks the move and the actor's role, runs the guards and the finance/publication seams, writes the
    history row, all in one transaction. Raises InvalidTransition, TransitionNotPermitted or TransitionBlocked.
    """
    from finance.selectors import tender_financing_problems, tender_funding_problems
    from finance.services.budgets import contributions_release_for_cancelled_tender
    from procurement.publication.services import release_on_transition, release_preflight_problems

    with transaction.atomic():
        # Lock the tender row: two people acting at once (e.g. finance approving while the lead official
        # cancels, or two finance officers approving) must not both move it from the same old status; the
        # second waits here and is then checked against the status the first one left.
        locked = Tender.objects.select_for_update().get(pk=tender.pk)
        refusal = transition_refusal(tender=locked, action=action, actor=actor)
        if refusal is not None:
            raise refusal
        move = TRANSITIONS[action]
        problems: list[str] = []
        if action == "submit":
            problems += tender_readiness_problems(tender=locked)
        if action in {"submit", "approve"}:
            problems += list(tender_financing_problems(tender=locked))
            problems += list(tender_funding_problems(tender=locked, stage=action))
            if not problems:
                # Pre-flight: what would be published is built and validated now, so a bad value is a
                # message on this page rather than a failed publication later.
                problems += release_preflight_problems(tender=locked)
        if action == "cancel" and not comment.strip():
            problems.append(cancel_reason_missing())
        if action == "award":
            if not award_supplier_name.strip():
                problems.append(_("Give the supplier's name."))
            if award_value is None or award_value <= 0:
                problems.append(_("Give the award value (more than zero)."))
            if award_date is None:
                problems.append(_("Give the award date."))
        problems += _proposal_flow_problems(tender=locked, action=action, comment=comment)
        if problems:
            raise TransitionBlocked(
                _("%(reference)s cannot be moved with “%(action)s”:")
                % {"reference": locked.reference, "action": move.label},
                problems=problems,
            )

        previous = locked.status
        locked.status = move.target
        if action == "submit":
            locked.submitted_by = actor
        if action == "publish":
            locked.published_at = timezone.now()
        if action == "award":
            locked.award_supplier_name = award_supplier_name.strip()
            locked.award_value = award_value
            locked.award_date = award_date
        locked.full_clean()
        locked.save()
        if action == "cancel":
            # Free the bundled assets for other tenders (the partial unique constraint only counts active rows).
            TenderAsset.objects.filter(tender=locked).update(active=False)
            contributions_release_for_cancelled_tender(tender=locked, actor=actor)
        _event(
            tender=locked,
            actor=actor,
            action=action,
            from_status=previous,
            to_status=locked.status,
            comment=comment,
        )
        if action in {"publish", "award", "cancel", "sign"}:
            release_on_transition(tender=locked, action=action, actor=actor)
        from notifications.rules import on_tender_transition

        on_tender_transition(tender=locked, action=action, actor=actor, comment=comment)
    return locked
