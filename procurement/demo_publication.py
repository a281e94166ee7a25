"""Demo city, last step: one published tender with clarification questions and answers. Idempotent.

The tender is made only through the services people use in the browser, so that every rule, history row and
audit event applies: tina (Transport) drafts it, bundles shelters, street lights and cameras and targets the
demo outcomes; she saves the financing assumptions, runs the scenarios and chooses a bankable one; she asks
Transport, Lighting and Safety for the money the chosen scenario needs within the budget plan; central finance
(fiona, frank) approves the contributions (four-eyes), approves the tender, and publishes it, which writes the
OCDS release through the publication seam. If there is already an approved tender, it is published instead.
"""

import datetime
import logging
from decimal import Decimal

from django.db import transaction
from django.db.models import Q

from departments.models import Asset, Department
from finance.exceptions import FinanceError
from procurement.demo import demo_translations
from procurement.exceptions import TenderError
from procurement.models import ApiToken, ClarificationQuestion, PartnerOrganisation, Tender
from procurement.publication.selectors import tender_list_published
from procurement.publication.services import question_answer
from procurement.publication.tokens import hash_key

logger = logging.getLogger(__name__)

TITLE = "Safe, lit and accessible bus stops as a service"
DESCRIPTION = (
    "One integrated service for the bus shelters of Transport, the street lights around them and the cameras "
    "of Public safety: renewed, operated and maintained, paid on outcomes."
)
TITLE_TRANSLATIONS = {
    "fr": "Des arrêts de bus sûrs, éclairés et accessibles, sous forme de service",
    "nl": "Veilige, verlichte en toegankelijke bushaltes als dienst",
}
DESCRIPTION_TRANSLATIONS = {
    "fr": "Un seul service intégré pour les abribus du service Transport, l'éclairage public qui les entoure et "
    "les caméras du service Sécurité publique: renouvelés, exploités et entretenus, payés sur les résultats.",
    "nl": "Eén geïntegreerde dienst voor de wachthuisjes van de dienst Vervoer, de straatverlichting eromheen en "
    "de camera's van de dienst Openbare Veiligheid: vernieuwd, uitgebaat en onderhouden, betaald op resultaten.",
}
# department code, asset category, action, how many free assets to bundle
BUNDLE = [
    ("transport", "bus-shelter", "replace", 40),
    ("lighting", "street-light", "upgrade", 40),
    ("safety", "cctv-camera", "upgrade", 10),
]
# Indicator name (created by outcomes.demo), contract target as a share of the baseline, payment weight (%).
TARGETS = [
    ("Night-time incidents at bus stops", Decimal("0.6"), Decimal("50")),
    ("Stops with working light and camera", None, Decimal("30")),  # None: the indicator's own target
    ("Street-lighting energy cost", Decimal("0.6"), Decimal("20")),
]
FUNDERS = ["transport", "lighting", "safety"]  # whose "General" budget lines pay, in this order
BUDGET_LINE_NAME = "General"  # the lines of finance.demo_budgets
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


class DemoSkipped(Exception):
    """A prerequisite of an earlier demo step is missing: log it and publish nothing."""


def demo_user(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(username=username).first()


def _publish(tender: Tender, log) -> Tender | None:
    """Publish through the lifecycle, as the first finance user (or lead official) whom the guards allow."""
    from procurement.services.tenders import tender_transition

    for username in ("frank", "fiona", "tina"):
        actor = demo_user(username)
        if actor is None:
            continue
        try:
            tender = tender_transition(
                tender=tender, action="publish", actor=actor, comment="Demo publication"
            )
        except TenderError as error:  # not allowed for this person (four-eyes, role): try the next one
            logger.info("demo: %s could not publish %s: %s", username, tender.reference, error)
            continue
        log(f"{username} published {tender.reference}")
        return tender
    return None


def _publish_existing(log) -> Tender | None:
    """An approved tender of the earlier demo steps, published through the lifecycle, if there is one."""
    candidate = Tender.objects.filter(status=Tender.Status.APPROVED).order_by("created_at").first()
    return _publish(candidate, log) if candidate is not None else None


def _draft(*, tina, transport, departments: dict[str, Department], log) -> Tender:
    from outcomes.models import Indicator
    from procurement.services.tenders import (
        OutcomeTarget,
        tender_assets_add,
        tender_create,
        tender_outcomes_set,
    )

    tender = tender_create(
        actor=tina,
        lead_department=transport,
        title=TITLE,
        description=DESCRIPTION,
        translations=demo_translations(TITLE_TRANSLATIONS, DESCRIPTION_TRANSLATIONS),
        procurement_method=Tender.Method.OPEN,
        main_category=Tender.Category.SERVICES,
        contract_term_years=10,
        tender_period_start=datetime.date(2027, 3, 1),
        tender_period_end=datetime.date(2027, 5, 31),
    )
    added = 0
    for code, category, action, count in BUNDLE:
        if code not in departments:
            continue
        ids = list(
            Asset.objects.filter(department=departments[code], category__code=category)
            .exclude(Q(tender_links__active=True))
            .order_by("external_ref", "pk")
            .values_list("pk", flat=True)[:count]
        )
        if ids:
            added += tender_assets_add(
                tender=tender, assets=Asset.objects.filter(pk__in=ids), action=action, actor=tina
            )
    indicators = {i.name: i for i in Indicator.objects.filter(name__in=[name for name, _, _ in TARGETS])}
    targets = []
    for name, share, weight in TARGETS:
        indicator = indicators.get(name)
        if indicator is None:
            continue
        if share is not None and indicator.baseline_value is not None:
            target = (indicator.baseline_value * share).quantize(Decimal("1"))
        else:
            target = indicator.target_value
        if target is not None:
            targets.append(OutcomeTarget(indicator.pk, target, weight))
    if len(targets) < len(TARGETS):
        # Without the full set the weights would not add up to 100: keep the targets, drop the weights.
        targets = [OutcomeTarget(t.indicator_id, t.target_value, None) for t in targets]
    if not targets:
        raise DemoSkipped("no demo indicator to target (run outcomes.demo first)")
    tender_outcomes_set(tender=tender, targets=targets, actor=tina)
    log(f"tina drafted {tender.reference}: {added} assets, {len(targets)} targeted indicators")
    return tender


def _choose_scenario(*, tender: Tender, tina, log) -> None:
    """What finance/demo_scenarios.py does: assumptions, a run executed inline, the cheapest bankable choice."""
    from finance.models import ScenarioRun, ScenarioSummary
    from finance.models.scenarios import Scenario
    from finance.services.scenarios import (
        scenario_assumptions_defaults,
        scenario_assumptions_save,
        scenario_choose,
        scenario_run_execute,
        scenario_run_request,
    )

    values = scenario_assumptions_defaults(tender=tender) | {"monte_carlo_draws": 2_000}
    scenario_assumptions_save(tender=tender, values=values, actor=tina)
    run = scenario_run_request(tender=tender, actor=tina, enqueue=False)
    if run.status != ScenarioRun.Status.SUCCEEDED:
        run = scenario_run_execute(run.pk)
    if run.status != ScenarioRun.Status.SUCCEEDED:
        raise DemoSkipped(f"the scenario run of {tender.reference} failed: {run.error_message}")
    cheapest = (
        ScenarioSummary.objects.filter(run_id=run.reused_from_id or run.pk)
        .exclude(scenario=Scenario.STATUS_QUO)
        .exclude(bankable=False)
        .order_by("npv")
        .values_list("scenario", flat=True)
        .first()
    )
    if cheapest is None:
        raise DemoSkipped(f"no bankable scenario for {tender.reference}")
    scenario_choose(run=run, scenario=cheapest, actor=tina)
    log(f"tina chose {Scenario(cheapest).label} (run {run.pk})")


def fund_chosen_need(
    *, tender: Tender, tina, approvers: list, departments: dict[str, Department], log
) -> None:
    """Ask the funders' lines for the chosen scenario's need within the budget plan, split evenly and filled up
    from whoever still has money; then central finance approves each request (four-eyes)."""
    from finance.models import BudgetLine
    from finance.selectors.budgets import HOLDING, funding_gaps, line_usage
    from finance.services.budgets import contribution_approve, contribution_request

    funders = [departments[code] for code in FUNDERS if code in departments]
    contributions = []
    for gap in funding_gaps(tender=tender, statuses=HOLDING):
        if gap["shortfall"] <= 0:
            continue
        lines = list(
            BudgetLine.objects.filter(
                department__in=funders,
                fiscal_year=gap["fiscal_year"],
                budget_type=gap["budget_type"],
                name=BUDGET_LINE_NAME,
                currency=tender.currency,
            ).order_by("department__code")
        )
        left = gap["shortfall"]
        # First pass: an even share each (to the cent); second pass: the rest from any line with money left.
        for share in (True, False):
            for index, line in enumerate(lines):
                if left <= 0:
                    break
                wanted = (left / (len(lines) - index)).quantize(Decimal("0.01")) if share else left
                amount = min(wanted, line_usage(budget_line=line).available)
                if amount > 0:
                    contributions.append(
                        contribution_request(
                            tender=tender, budget_line=line, amount=amount, actor=tina, comment="Demo request"
                        )
                    )
                    left -= amount
    for contribution in contributions:
        # Whether a second signature is needed is finance's rule (the tender's draw from the department):
        # the next approver signs while the contribution still awaits one.
        for approver in approvers:
            contribution = contribution_approve(
                contribution=contribution, actor=approver, comment="Demo approval"
            )
            if contribution.status != contribution.Status.REQUESTED:
                break
    decided = " and approved by central finance" if approvers else ", awaiting finance decisions"
    log(f"{len(contributions)} contribution(s) requested by tina{decided}")


def _build_dedicated(log) -> Tender | None:
    """Draft, finance, submit, approve and publish the demo tender through the services only."""
    from finance.selectors.budgets import tender_funding_problems
    from procurement.services.tenders import tender_transition

    departments = {d.code: d for d in Department.objects.filter(code__in=FUNDERS)}
    tina = demo_user("tina")
    approvers = [user for user in (demo_user("fiona"), demo_user("frank")) if user is not None]
    if "transport" not in departments or tina is None or not approvers:
        raise DemoSkipped("the departments step has not run (department transport, users tina and fiona)")
    tender = _draft(tina=tina, transport=departments["transport"], departments=departments, log=log)
    _choose_scenario(tender=tender, tina=tina, log=log)
    fund_chosen_need(tender=tender, tina=tina, approvers=approvers, departments=departments, log=log)
    # No funding override here: the lifecycle's submit guard needs the requested money to cover the need (an
    # override only excuses an approval shortfall), so a need the lines cannot hold stops the demo, said plainly.
    problems = tender_funding_problems(tender=tender, stage="submit")
    if problems:
        raise DemoSkipped(
            f"the budget lines cannot hold the need of {tender.reference}: {' '.join(problems)}"
        )
    from procurement.demo import sign_off_departments

    # The departments whose assets and budgets the tender takes consent to it (luc, sam), as in the browser.
    sign_off_departments(tender=tender, lead_official=tina, log=log)
    tender = tender_transition(tender=tender, action="submit", actor=tina, comment="Demo submission")
    tender = tender_transition(tender=tender, action="approve", actor=approvers[0], comment="Demo approval")
    return _publish(tender, log)


def _questions(tender: Tender, log) -> None:
    answerer = demo_user("tina") or demo_user("fiona")
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
    try:
        with transaction.atomic():
            tender = tender_list_published().order_by("published_at").first()
            if tender is None:
                tender = _publish_existing(log) or _build_dedicated(log)
            if tender is None:
                raise DemoSkipped("nobody may publish the demo tender")
            _questions(tender, log)
    except (
        DemoSkipped,
        TenderError,
        FinanceError,
    ) as reason:  # raised inside the transaction: nothing is kept
        log(f"skipped: {reason}")
