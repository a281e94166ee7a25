"""Demo city step 3 (after departments.demo and outcomes.demo): two "Smart, safe bus stops" tenders.

Each bundles the bus shelters (transport), street lights (lighting) and CCTV cameras (public safety) of one
area and targets two indicators with payment weights. One stays a draft, the other is submitted. Idempotent
(tenders are found by title) and robust: missing users, assets or indicators are logged and skipped.
"""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Q

from departments.models import Asset, Department
from outcomes.models import Indicator
from procurement.exceptions import TenderError
from procurement.models import Tender
from procurement.services.tenders import (
    OutcomeTarget,
    tender_assets_add,
    tender_create,
    tender_outcomes_set,
    tender_transition,
)

# title, area of shelters and lights, area of cameras, submit?
TENDERS = [
    ("Smart, safe bus stops — Route 12", "Route 12", "Route 12", True),
    ("Smart, safe bus stops — Route 7", "Route 7", "Centre", False),
]
# Indicator name (from outcomes.demo), contract target as a share of the baseline, payment weight (%).
TARGETS = [
    ("Night-time incidents at bus stops", Decimal("0.6"), Decimal("60")),
    ("Street-lighting energy cost", Decimal("0.6"), Decimal("40")),
]
# The demo tenders in the city's other languages (the English titles above stay the main language).
TITLE_TRANSLATIONS = {
    "Smart, safe bus stops — Route 12": {
        "fr": "Arrêts de bus intelligents et sûrs — Ligne 12",
        "nl": "Slimme, veilige bushaltes — Lijn 12",
    },
    "Smart, safe bus stops — Route 7": {
        "fr": "Arrêts de bus intelligents et sûrs — Ligne 7",
        "nl": "Slimme, veilige bushaltes — Lijn 7",
    },
}
DESCRIPTION = (
    "Shelters, their lighting and cameras bought as one service and paid partly on fewer "
    "night-time incidents at stops and lower street-lighting energy."
)
DESCRIPTION_TRANSLATIONS = {
    "fr": "Les abribus, leur éclairage et les caméras achetés comme un seul service, payé en partie sur la baisse "
    "des incidents nocturnes aux arrêts et de la consommation d'énergie de l'éclairage public.",
    "nl": "Wachthuisjes, hun verlichting en camera's aangekocht als één dienst, deels betaald op minder "
    "nachtelijke incidenten aan haltes en een lager energieverbruik van de straatverlichting.",
}


def demo_translations(title: dict[str, str], description: dict[str, str]) -> dict:
    """{"fr": {"title": …, "description": …}, …} for the city's other languages of today."""
    from multilingual.languages import variant_languages

    return {
        language: {"title": title[language], "description": description[language]}
        for language in variant_languages()
        if language in title and language in description
    }


PER_CATEGORY = 40  # assets of each kind per tender: enough to look real, small enough to load fast


def load(*, log) -> None:
    User = get_user_model()
    official = User.objects.filter(username="tina").first()
    transport = Department.objects.filter(code="transport").first()
    if official is None or transport is None:
        log("skipped: demo user 'tina' or department 'transport' missing (run departments.demo first)")
        return
    indicators = {i.name: i for i in Indicator.objects.filter(name__in=[name for name, _, _ in TARGETS])}
    for title, route, camera_area, submit in TENDERS:
        if Tender.objects.filter(title=title).exists():
            log(f"“{title}” exists")
            continue
        tender = tender_create(
            actor=official,
            lead_department=transport,
            title=title,
            description=DESCRIPTION,
            translations=demo_translations(TITLE_TRANSLATIONS[title], DESCRIPTION_TRANSLATIONS),
            contract_term_years=12,
            main_category=Tender.Category.SERVICES,
            tender_period_start=datetime.date(2027, 3, 1),
            tender_period_end=datetime.date(2027, 5, 31),
        )
        added = 0
        for category, area in (("bus-shelter", route), ("street-light", route), ("cctv-camera", camera_area)):
            ids = list(
                Asset.objects.filter(category__code=category, area=area, status=Asset.Status.IN_SERVICE)
                .exclude(Q(tender_links__active=True))
                .order_by("external_ref")
                .values_list("pk", flat=True)[:PER_CATEGORY]
            )
            if ids:
                added += tender_assets_add(
                    tender=tender, assets=Asset.objects.filter(pk__in=ids), actor=official
                )
        targets = [
            OutcomeTarget(
                indicator_id=indicators[name].pk,
                target_value=(indicators[name].baseline_value * share).quantize(Decimal("1")),
                payment_weight=weight,
            )
            for name, share, weight in TARGETS
            if name in indicators
        ]
        if len(targets) < len(TARGETS):
            # Without the full set the weights would not add up to 100: keep the targets, drop the weights.
            targets = [OutcomeTarget(t.indicator_id, t.target_value, None) for t in targets]
        if targets:
            tender_outcomes_set(tender=tender, targets=targets, actor=official)
        state = "draft"
        if submit:
            state = submit_if_ready(tender=tender, official=official, log=log)
        log(f"“{title}” ({tender.reference}): {added} assets, {len(targets)} indicators, {state}")


# Who signs off for each department in the demo city (departments.demo).
DEMO_OFFICIALS = {"transport": "tina", "lighting": "luc", "safety": "sam", "parks": "paula"}


def sign_off_departments(*, tender: Tender, lead_official, log) -> None:
    """The lead official asks for the sign-offs, and each department's demo official signs off its part, through
    the services (the request's notifications and the history rows as in the browser). A department without its
    demo official stays waiting, and the submission then says so."""
    from procurement.selectors.signoffs import SIGNED, tender_sign_off_states
    from procurement.services.signoffs import signoff_give, signoff_request

    User = get_user_model()
    asked = signoff_request(tender=tender, actor=lead_official)
    if not asked:
        return
    departments = {d.pk: d for d in Department.objects.filter(name__in=asked)}
    signed = []
    for state in tender_sign_off_states(tender=tender):
        department = departments.get(state.department_id)
        if state.status == SIGNED or department is None:
            continue
        official = User.objects.filter(username=DEMO_OFFICIALS.get(department.code, "")).first()
        if official is None:
            log(f"{department.name} has no demo official: its sign-off of {tender.reference} waits")
            continue
        signoff_give(tender=tender, department=department, actor=official)
        signed.append(official.username)
    log(f"{tender.reference} signed off by {', '.join(signed) or 'nobody'}")


def submit_if_ready(*, tender: Tender, official, log) -> str:
    """Submit through the lifecycle if every rule is met (a chosen scenario, funding, …); else leave a draft."""
    try:
        sign_off_departments(tender=tender, lead_official=official, log=log)
        tender_transition(tender=tender, action="submit", actor=official, comment="Demo submission")
    except TenderError as error:
        log(f"“{tender.title}” stays a draft for now: {error}")
        return "draft"
    return "submitted"
