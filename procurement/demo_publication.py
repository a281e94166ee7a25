"""Demo city, last step: one published tender with clarification questions and answers. Idempotent.

Prefers an approved demo tender of the earlier steps, published through the lifecycle service; when there is
none (or the lifecycle refuses), builds a dedicated approved tender from demo data and publishes it with the
publication service, exactly as the lifecycle's publish transition does.
"""

import datetime
import logging
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from departments.models import Asset, Department
from procurement.models import ApiToken, ClarificationQuestion, PartnerOrganisation, Tender, TenderAsset
from procurement.publication.selectors import tender_list_published
from procurement.publication.services import question_answer, release_on_transition
from procurement.publication.tokens import hash_key

logger = logging.getLogger(__name__)

# A reference in the lifecycle's format (T-<year>-<number>), so that the internal tender pages resolve it too.
DEMO_REFERENCE = "T-2027-0901"
# A documented, not-secret key so that people can try the partner endpoints of the demo (demo mode only).
DEMO_PARTNER_KEY = "opp_demo2027-partner-key-not-secret"
QUESTIONS = [
    (
        "Bright Streets Ltd",
        "Does the service include the energy supply of the lighting, or only the luminaires and their upkeep?",
        "The service includes the energy: the fee covers supply, maintenance and replacement over the term.",
    ),
    (
        "Civic Energy Partners",
        "How will night-time incidents at stops be measured, and who verifies the figures?",
        "Monthly police incident data for the stop zones, verified by the city's audit office.",
    ),
    ("Bright Streets Ltd", "Can bidders propose solar-powered shelters?", ""),
]


def _user(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(username=username).first()


def _publish_existing(log) -> Tender | None:
    """Publish an approved tender of the earlier demo steps through the lifecycle, if that works."""
    candidate = Tender.objects.filter(status=Tender.Status.APPROVED).order_by("created_at").first()
    if candidate is None:
        return None
    try:
        from procurement.services.tenders import tender_transition
    except ImportError:
        return None
    for username in ("fiona", "frank", "tina"):
        actor = _user(username)
        if actor is None:
            continue
        try:
            tender_transition(tender=candidate, action="publish", actor=actor, comment="Demo publication")
        except Exception as error:  # a domain error of the lifecycle: try the next actor, else fall back
            logger.info("demo: %s could not publish %s: %s", username, candidate.reference, error)
            continue
        candidate.refresh_from_db()
        if candidate.releases.exists():
            log(f"published {candidate.reference} through the lifecycle")
            return candidate
    return None


def _build_dedicated(log) -> Tender | None:
    from finance.models import BudgetLine, Contribution
    from outcomes.models import Indicator, Outcome

    departments = {d.code: d for d in Department.objects.filter(code__in=["transport", "lighting", "safety"])}
    requester, decider = _user("tina"), _user("fiona")
    if "transport" not in departments or requester is None or decider is None:
        log("skipped: the departments step has not run")
        return None
    transport = departments["transport"]
    tender = Tender(
        reference=DEMO_REFERENCE,
        title="Safe, lit and accessible bus stops as a service",
        description=(
            "One integrated service for the bus shelters of Transport, the street lights around them and the "
            "cameras of Public safety: renewed, operated and maintained, paid on outcomes."
        ),
        lead_department=transport,
        status=Tender.Status.APPROVED,
        procurement_method=Tender.Method.OPEN,
        main_category=Tender.Category.SERVICES,
        contract_term_years=10,
        tender_period_start=datetime.date(2027, 3, 1),
        tender_period_end=datetime.date(2027, 5, 31),
        created_by=requester,
        submitted_by=requester,
    )
    tender.full_clean()
    tender.save()
    free_assets = Asset.objects.exclude(tender_links__active=True)
    for code, count, action in (
        ("transport", 40, "replace"),
        ("lighting", 40, "upgrade"),
        ("safety", 10, "upgrade"),
    ):
        if code in departments:
            for asset in free_assets.filter(department=departments[code]).order_by("id")[:count]:
                TenderAsset.objects.create(tender=tender, asset=asset, action=action)
    shares = {
        "transport": ("180000.00", "65000.00"),
        "lighting": ("120000.00", "40000.00"),
        "safety": ("30000.00", "15000.00"),
    }
    for code, (capex, opex) in shares.items():
        if code not in departments:
            continue
        for year, budget_type, amount in ((2027, "capex", capex), (2027, "opex", opex), (2028, "opex", opex)):
            line, _ = BudgetLine.objects.get_or_create(
                department=departments[code],
                fiscal_year=year,
                budget_type=budget_type,
                name="Smart stops programme",
                defaults={"amount": Decimal(amount) * 2},
            )
            Contribution.objects.create(
                tender=tender,
                budget_line=line,
                amount=Decimal(amount),
                status=Contribution.Status.APPROVED,
                requested_by=requester,
                decided_by=decider,
                decided_at=timezone.now(),
            )
    outcome, _ = Outcome.objects.get_or_create(
        title="Safer bus stops at night",
        defaults={"theme": Outcome.Theme.PUBLIC_SAFETY, "owner_department": transport, "status": "active"},
    )
    indicator, _ = Indicator.objects.get_or_create(
        outcome=outcome,
        name="Night-time incidents at bus stops",
        defaults={
            "unit": "incidents per month",
            "direction": Indicator.Direction.LOWER_IS_BETTER,
            "baseline_value": Decimal("42"),
            "baseline_period": datetime.date(2026, 1, 1),
            "target_value": Decimal("25"),
            "target_date": datetime.date(2030, 12, 31),
        },
    )
    tender.targeted_outcomes.create(
        indicator=indicator, target_value=Decimal("25"), payment_weight=Decimal("100")
    )
    # What the lifecycle's publish transition does: the status, then the publication seam in one transaction.
    tender.status = Tender.Status.PUBLISHED
    tender.save(update_fields=["status"])
    release_on_transition(tender=tender, action="publish", actor=decider)
    log(f"built and published the demo tender {tender.reference}")
    return tender


def _questions(tender: Tender, log) -> None:
    answerer = _user("tina") or _user("fiona")
    for name, question, answer in QUESTIONS:
        organisation, _ = PartnerOrganisation.objects.get_or_create(
            name=name, defaults={"contact_email": "bids@partner.example"}
        )
        item, _ = ClarificationQuestion.objects.get_or_create(
            tender=tender, organisation=organisation, question=question
        )
        if answer and item.answered_at is None and answerer is not None:
            question_answer(question=item, answer=answer, actor=answerer)
    partner = PartnerOrganisation.objects.get(name="Bright Streets Ltd")
    ApiToken.objects.get_or_create(
        key_hash=hash_key(DEMO_PARTNER_KEY),
        defaults={"organisation": partner, "name": "demo key", "prefix": DEMO_PARTNER_KEY[:12]},
    )
    log(f"{len(QUESTIONS)} questions on {tender.reference}; demo partner key {DEMO_PARTNER_KEY!r}")


def load(*, log) -> None:
    with transaction.atomic():
        tender = tender_list_published().order_by("published_at").first()
        if tender is None:
            tender = _publish_existing(log) or _build_dedicated(log)
        if tender is None:
            return
        _questions(tender, log)
