"""Writes of publication: releases are appended, never edited; clarification questions and answers."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.models import ClarificationQuestion, PartnerOrganisation, Release, Tender, TenderEvent
from procurement.publication import ocds
from procurement.publication.exceptions import PublicationError, QuestionNotAllowed

# Tender fields an amendment of a published tender may change (everything else goes through the lifecycle).
# `translations`: the title and description in the city's other languages (a change after publication is an
# amendment like any other: releases are immutable and carry the variants they were built with).
AMENDABLE_FIELDS = ("title", "description", "tender_period_start", "tender_period_end", "translations")
QUESTION_MAX_LENGTH = 5000
# Questions of one organisation on one tender still waiting for an answer: each one is mailed to the city's
# officials, so a partner (through the API or the portal) cannot flood them.
QUESTIONS_WAITING_LIMIT = 20


def ocid_for(tender: Tender) -> str:
    return f"{settings.OCDS_OCID_PREFIX}-{tender.reference}"


def public_document_url(*, tender: Tender, document_id: int) -> str:
    """The absolute address anyone can download a published tender's document from (OCDS documents[].url):
    SITE_URL, the public address of this site, plus the public download view."""
    path = reverse("procurement:public-tender-document", args=[tender.reference, document_id])
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def tender_snapshot(*, tender: Tender, include_released: bool = False) -> ocds.TenderSnapshot:
    """Plain data the release builder needs, read in a handful of queries (grouped, never per asset)."""
    from finance.models import Contribution
    from procurement.proposals.selectors import publication_snapshot

    statuses = [Contribution.Status.APPROVED]
    if include_released:
        # A cancellation releases the contributions; the cancelled release still shows what was pooled.
        statuses.append(Contribution.Status.RELEASED)
    budget_rows = (
        Contribution.objects.filter(tender=tender, status__in=statuses)
        .values(
            "budget_line__department__code",
            "budget_line__department__name",
            "budget_line__fiscal_year",
            "budget_line__budget_type",
        )
        .annotate(total=Sum("amount"))
        .order_by()
    )
    groups = (
        tender.bundled_assets.values(
            "asset__category__code",
            "asset__category__name",
            "asset__category__unit",
            "asset__department__code",
            "asset__department__name",
            "action",
        )
        .annotate(quantity=Count("id"))
        .order_by()
    )
    targets = tender.targeted_outcomes.select_related("indicator__outcome")
    award = None
    if tender.award_supplier_name:
        award = {
            "supplier_name": tender.award_supplier_name,
            "value": tender.award_value,
            "date": tender.award_date,
        }
    from multilingual.languages import main_language

    return {
        "reference": tender.reference,
        "language": main_language(),
        "title": tender.title,
        "description": tender.description,
        "translations": _current_variants(tender.translations),
        "currency": tender.currency,
        "procurement_method": tender.procurement_method,
        "main_category": tender.main_category,
        "contract_term_years": tender.contract_term_years,
        "tender_period_start": tender.tender_period_start,
        "tender_period_end": tender.tender_period_end,
        "lead_department": {"code": tender.lead_department.code, "name": tender.lead_department.name},
        "budget_lines": [
            {
                "department_code": row["budget_line__department__code"],
                "department_name": row["budget_line__department__name"],
                "fiscal_year": row["budget_line__fiscal_year"],
                "budget_type": row["budget_line__budget_type"],
                "amount": row["total"] or Decimal("0"),
            }
            for row in budget_rows
        ],
        "item_groups": [
            {
                "category_code": row["asset__category__code"],
                "category_name": row["asset__category__name"],
                "unit": row["asset__category__unit"],
                "department_code": row["asset__department__code"],
                "department_name": row["asset__department__name"],
                "action": row["action"],
                "quantity": row["quantity"],
            }
            for row in groups
        ],
        "documents": [
            {
                "id": doc.id,
                "kind": doc.kind,
                "title": doc.title,
                "content_type": doc.content_type,
                "uploaded_at": doc.uploaded_at,
                "url": public_document_url(tender=tender, document_id=doc.id),
            }
            for doc in tender.documents.all()
        ],
        "targets": [
            {
                "indicator_id": target.indicator_id,
                "name": target.indicator.name,
                "unit": target.indicator.unit,
                "definition": target.indicator.definition,
                "outcome_title": target.indicator.outcome.title,
                "baseline_value": target.indicator.baseline_value,
                "baseline_period": target.indicator.baseline_period,
                "target_value": target.target_value,
                "target_date": target.indicator.target_date,
                "payment_weight": target.payment_weight,
                "translations": _current_variants(target.indicator.translations),
                "outcome_translations": _current_variants(target.indicator.outcome.translations),
            }
            for target in targets
        ],
        "award": award,
        # Proposals (DESIGN §12): what the tender asks, bids statistics/details, winning bid, contract.
        **publication_snapshot(tender=tender),
    }


def _current_variants(translations: dict | None) -> dict:
    """Stored variants in the city's languages of today (a language dropped from CITY_LANGUAGES since the text
    was entered is no longer published)."""
    from multilingual.languages import variant_languages

    languages = variant_languages()
    return {language: texts for language, texts in (translations or {}).items() if language in languages}


def release_preflight_problems(*, tender: Tender) -> list[str]:
    """Why the tender, as it stands, could not be published: its `tender` release is built and validated
    without being stored. Submission and approval call this so that a value a user typed is refused on the
    page, early, rather than failing the publication later."""
    from procurement.publication.validation import release_errors

    ocid = ocid_for(tender)
    try:
        data = ocds.build_release(
            snapshot=tender_snapshot(tender=tender, include_released=False),
            ocid=ocid,
            release_id=f"{ocid}-preflight",
            date=timezone.now(),
            action="publish",
            city_name=settings.CITY_NAME,
        )
    except (KeyError, ValueError, TypeError, ArithmeticError) as error:
        return [
            _("The publication could not be prepared from the tender's data (%(error)s).")
            % {"error": error.__class__.__name__}
        ]
    # Translators: the problem after the colon is the OCDS validator's, in English (a technical path and rule).
    return [
        _("The publication would be refused: %(problem)s") % {"problem": message}
        for message in release_errors(data)[:5]
    ]


def release_create(*, tender: Tender, action: str) -> Release:
    """Append the release of `action` to the tender's releases. Call inside the caller's transaction."""
    if action not in ocds.TAG_FOR_ACTION:
        raise PublicationError(f"no OCDS release for the action {action!r}")
    # Lock the tender row: two concurrent publications of the same tender would otherwise both read the same
    # release count and write the same release id (the unique constraint would then fail one of them).
    Tender.objects.select_for_update().filter(pk=tender.pk).first()
    previous = tender.releases.order_by("-date", "-id").first()
    if action != "publish" and previous is None:
        raise PublicationError(f"tender {tender.reference} has not been published")
    if action == "publish" and previous is not None:
        raise PublicationError(f"tender {tender.reference} is already published")

    now = timezone.now()
    if previous is not None and now <= previous.date:
        # Releases are merged in date order: keep each release strictly after the one before it.
        now = previous.date + datetime.timedelta(microseconds=1)
    sequence = tender.releases.count() + 1
    ocid = ocid_for(tender)
    data = ocds.build_release(
        snapshot=tender_snapshot(tender=tender, include_released=action == "cancel"),
        ocid=ocid,
        release_id=f"{ocid}-{sequence:03d}",
        date=now,
        action=action,
        city_name=settings.CITY_NAME,
    )
    if settings.OCDS_VALIDATE_ON_PUBLISH:
        from procurement.publication.validation import validate_release

        validate_release(data)
    release = Release(
        tender=tender,
        ocid=ocid,
        release_id=data["id"],
        tag=data["tag"][0],
        date=now,
        data=data,
        content_hash=ocds.content_hash(data),
    )
    release.full_clean()
    release.save()
    # The API caches list pages under the published version: forget it now and again once committed (a
    # concurrent reader may have remembered the old version in between).
    from procurement.publication.selectors import forget_published_version

    forget_published_version()
    transaction.on_commit(forget_published_version)
    if action == "publish" and tender.published_at is None:
        Tender.objects.filter(pk=tender.pk).update(published_at=now)
        tender.published_at = now
    return release


def release_on_transition(*, tender: Tender, action: str, actor) -> Release | None:
    """Called by the tender lifecycle, inside its transaction, after publish, award, cancel (and amend).

    publish → release `tender`; amend → `tenderAmendment`; award → `award`; cancel of a published tender →
    `tenderUpdate` with tender.status "cancelled". Other actions, and the cancellation of a tender that was
    never published, publish nothing (internal states are never published).
    """
    if action not in ocds.TAG_FOR_ACTION:
        return None
    if action in ("cancel", "award", "sign") and not tender.releases.exists():
        return None
    return release_create(tender=tender, action=action)


def tender_amend(*, tender: Tender, actor, comment: str = "", **changes) -> Release:
    """Change published fields of a published tender and append a `tenderAmendment` release.

    `changes` may hold title, description, tender_period_start, tender_period_end, translations.
    """
    from multilingual.translations import TENDER_FIELDS, changed_variant_keys, clean_translations

    unknown = set(changes) - set(AMENDABLE_FIELDS)
    if unknown:
        raise PublicationError(
            _("these fields cannot be amended: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    if not changes:
        raise PublicationError(_("an amendment must change something"))
    with transaction.atomic():
        locked = Tender.objects.select_for_update().get(pk=tender.pk)
        if locked.status != Tender.Status.PUBLISHED:
            raise PublicationError(_("only a published tender (not awarded or cancelled) can be amended"))
        changed = sorted(name for name in changes if name != "translations")
        if "translations" in changes:
            changes["translations"] = clean_translations(changes["translations"], fields=TENDER_FIELDS)
            changed += changed_variant_keys(
                locked.translations, changes["translations"], fields=TENDER_FIELDS
            )
        for field, value in changes.items():
            setattr(locked, field, value)
        # created_by is nullable (the user may have been deleted) but not blank=True in the model.
        locked.full_clean(exclude=["created_by"])
        locked.save(update_fields=[*changes, "updated_at"])
        TenderEvent.objects.create(
            tender=locked,
            actor=actor,
            action="amend",
            from_status=locked.status,
            to_status=locked.status,
            comment=comment or "Amended: " + ", ".join(changed or sorted(changes)),
        )
        release = release_create(tender=locked, action="amend")
    for field in changes:
        setattr(tender, field, getattr(locked, field))
    return release


def question_ask(
    *, tender: Tender, organisation: PartnerOrganisation, question: str
) -> ClarificationQuestion:
    """A partner asks a clarification question on a published (open) tender."""
    from procurement.publication.selectors import questions_closed_reason

    text = (question or "").strip()
    if not text:
        raise QuestionNotAllowed(_("The question is empty."))
    if len(text) > QUESTION_MAX_LENGTH:
        raise QuestionNotAllowed(
            _("The question is longer than %(limit)s characters.") % {"limit": QUESTION_MAX_LENGTH}
        )
    with transaction.atomic():
        closed = questions_closed_reason(tender=tender)
        if closed:
            raise QuestionNotAllowed(closed)
        # The organisation's row lock: two questions sent at once are counted one after the other.
        PartnerOrganisation.objects.select_for_update().filter(pk=organisation.pk).first()
        waiting = ClarificationQuestion.objects.filter(
            tender=tender, organisation=organisation, answered_at__isnull=True
        ).count()
        if waiting >= QUESTIONS_WAITING_LIMIT:
            raise QuestionNotAllowed(
                _(
                    "%(count)s of your questions on this tender are still waiting for an answer: ask more once "
                    "some are answered."
                )
                % {"count": waiting}
            )
        item = ClarificationQuestion(tender=tender, organisation=organisation, question=text)
        item.full_clean()
        item.save()
        # No TenderEvent: the question row itself (organisation, asked_at) is the record; partners are not
        # users, and history rows carry a user as actor.
        from notifications.rules import on_question_asked

        on_question_asked(question=item)
    return item


def question_answer(*, question: ClarificationQuestion, answer: str, actor) -> ClarificationQuestion:
    """An official answers a question; the answer is then published to everyone. Answered once."""
    from procurement.publication.selectors import user_can_answer_questions

    text = (answer or "").strip()
    if not text:
        raise QuestionNotAllowed(_("The answer is empty."))
    if not user_can_answer_questions(user=actor, tender=question.tender):
        raise QuestionNotAllowed(_("You may not answer questions on this tender."))
    with transaction.atomic():
        # Lock the question: two officials answering at once must not overwrite each other's answer.
        locked = ClarificationQuestion.objects.select_for_update().get(pk=question.pk)
        if locked.answered_at is not None:
            raise QuestionNotAllowed(_("This question has already been answered."))
        locked.answer = text
        locked.answered_by = actor
        locked.answered_at = timezone.now()
        locked.full_clean()
        locked.save()
        TenderEvent.objects.create(
            tender=locked.tender, actor=actor, action="answer", comment=f"Answered question {locked.pk}"
        )
        from notifications.rules import on_question_answered

        on_question_answered(question=locked, actor=actor)
    return locked
