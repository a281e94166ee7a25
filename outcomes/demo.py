"""Demo city, step 2: outcomes shared by departments, their indicators and a few years of measurements.

Idempotent: outcomes are found by title, indicators by name, measurements by period; nothing that already
exists is changed, so running the demo twice adds nothing the second time. Baselines "from assets" are used
only when the asset categories of departments.demo exist (otherwise an entered baseline of the same size).
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from departments.models import AssetCategory, Department

from .history import english_summary
from .models import Indicator, Measurement, Outcome, OutcomeEvent, scale_for_unit
from .selectors import asset_baseline

D = Decimal
# Fixed dates (like departments.demo's DEMO_YEAR) so the demo data does not drift from one year to the next.
BASELINE = datetime.date(2022, 1, 1)
YEARS = [datetime.date(2023, 1, 1), datetime.date(2024, 1, 1), datetime.date(2025, 1, 1)]

# title, theme, status, owner, contributors, owner's demo user, description, indicators
# An indicator: name, unit, direction, baseline (a Decimal, or ("assets", measure, departments, category, fallback)),
# target (a Decimal, or a share of the baseline as ("share", 0.6)), target date, measurements (values, or shares
# of the baseline), method, data source, verified by.
OUTCOMES = [
    (
        "Safer bus stops at night",
        Outcome.Theme.PUBLIC_SAFETY,
        Outcome.Status.ACTIVE,
        "safety",
        ["transport", "lighting"],
        "sam",
        "Fewer incidents at and around bus stops between 20:00 and 06:00, through lighting, cameras and "
        "shelters that are visible and maintained.",
        [
            (
                "Night-time incidents at bus stops",
                "incidents per year",
                Indicator.Direction.LOWER_IS_BETTER,
                D("240"),
                D("150"),
                datetime.date(2028, 12, 31),
                [D("231"), D("214"), D("196")],
                "Police-recorded incidents within 50 m of a stop, 20:00–06:00.",
                "Police incident register",
                "Public safety analyst",
            ),
            (
                "Stops with working light and camera",
                "% of stops",
                Indicator.Direction.HIGHER_IS_BETTER,
                D("62"),
                D("95"),
                datetime.date(2027, 12, 31),
                [D("66"), D("71"), D("75")],
                "Monthly night inspection of every stop, averaged over the year.",
                "Inspection app",
                "Transport operations",
            ),
        ],
    ),
    (
        "40% less street-lighting energy",
        Outcome.Theme.ENERGY_CLIMATE,
        Outcome.Status.ACTIVE,
        "lighting",
        ["transport"],
        "luc",
        "Cut the energy the city's street lights use by 40% while keeping streets as well lit.",
        [
            (
                "Street-lighting energy cost",
                "EUR per year",
                Indicator.Direction.LOWER_IS_BETTER,
                ("assets", Indicator.AssetMeasure.ENERGY_COST, ["lighting"], "street-light", D("228000")),
                ("share", D("0.60")),
                datetime.date(2030, 12, 31),
                [("share", D("0.97")), ("share", D("0.91")), ("share", D("0.83"))],
                "Metered and estimated consumption of street lights × the contracted tariff.",
                "Energy supplier invoices",
                "Central finance office",
            ),
        ],
    ),
    (
        "Shelters that stay in service",
        Outcome.Theme.MAINTENANCE_COST,
        Outcome.Status.ACTIVE,
        "transport",
        ["parks"],
        "tina",
        "Bus shelters that are clean, whole and lit, at a lower maintenance cost.",
        [
            (
                "Shelter maintenance cost",
                "EUR per year",
                Indicator.Direction.LOWER_IS_BETTER,
                (
                    "assets",
                    Indicator.AssetMeasure.MAINTENANCE_COST,
                    ["transport"],
                    "bus-shelter",
                    D("210000"),
                ),
                ("share", D("0.75")),
                datetime.date(2029, 12, 31),
                [("share", D("1.02")), ("share", D("1.04")), ("share", D("1.01"))],
                "Maintenance contract invoices for shelters.",
                "Finance ledger",
                "Transport finance",
            ),
            (
                "Shelters out of service on an average day",
                "% of shelters",
                Indicator.Direction.LOWER_IS_BETTER,
                D("8"),
                D("2"),
                datetime.date(2029, 12, 31),
                [D("7.5"), D("6.1"), D("5.2")],
                "Share of shelters with an open defect ticket, averaged over the days of the year.",
                "Defect tickets",
                "Transport operations",
            ),
        ],
    ),
    (
        "Step-free access at every stop",
        Outcome.Theme.ACCESSIBILITY,
        Outcome.Status.PROPOSED,
        "transport",
        [],
        "tina",
        "Every bus stop reachable and usable with a wheelchair or a pram.",
        [
            (
                "Step-free stops",
                "% of stops",
                Indicator.Direction.HIGHER_IS_BETTER,
                D("35"),
                D("100"),
                datetime.date(2032, 12, 31),
                [D("38")],
                "Audit of kerb height and approach against the accessibility standard.",
                "Accessibility audit",
                "Accessibility officer",
            ),
        ],
    ),
]


# The demo city's content in its other languages (CITY_LANGUAGES: en, fr, nl by default), by English text.
OUTCOME_TRANSLATIONS = {
    "Safer bus stops at night": {
        "fr": {
            "title": "Des arrêts de bus plus sûrs la nuit",
            "description": "Moins d'incidents aux arrêts de bus et à leurs abords entre 20 h et 6 h, grâce à un "
            "éclairage, des caméras et des abribus visibles et entretenus.",
        },
        "nl": {
            "title": "Veiligere bushaltes 's nachts",
            "description": "Minder incidenten aan en rond bushaltes tussen 20 en 6 uur, dankzij verlichting, "
            "camera's en wachthuisjes die zichtbaar zijn en goed onderhouden worden.",
        },
    },
    "40% less street-lighting energy": {
        "fr": {
            "title": "40 % d'énergie en moins pour l'éclairage public",
            "description": "Réduire de 40 % l'énergie consommée par l'éclairage public de la ville, avec des rues "
            "tout aussi bien éclairées.",
        },
        "nl": {
            "title": "40% minder energie voor straatverlichting",
            "description": "Het energieverbruik van de straatverlichting van de stad met 40% verminderen, met "
            "even goed verlichte straten.",
        },
    },
    "Shelters that stay in service": {
        "fr": {
            "title": "Des abribus qui restent en service",
            "description": "Des abribus propres, intacts et éclairés, pour un coût d'entretien moindre.",
        },
        "nl": {
            "title": "Wachthuisjes die in dienst blijven",
            "description": "Wachthuisjes die schoon, heel en verlicht zijn, tegen lagere onderhoudskosten.",
        },
    },
    "Step-free access at every stop": {
        "fr": {
            "title": "Un accès de plain-pied à chaque arrêt",
            "description": "Chaque arrêt de bus accessible et utilisable en fauteuil roulant ou avec une "
            "poussette.",
        },
        "nl": {
            "title": "Drempelvrije toegang aan elke halte",
            "description": "Elke bushalte bereikbaar en bruikbaar met een rolstoel of een kinderwagen.",
        },
    },
}
INDICATOR_TRANSLATIONS = {
    "Night-time incidents at bus stops": {
        "fr": {"name": "Incidents nocturnes aux arrêts de bus"},
        "nl": {"name": "Nachtelijke incidenten aan bushaltes"},
    },
    "Stops with working light and camera": {
        "fr": {"name": "Arrêts dotés d'un éclairage et d'une caméra en état de marche"},
        "nl": {"name": "Haltes met werkende verlichting en camera"},
    },
    "Street-lighting energy cost": {
        "fr": {"name": "Coût énergétique de l'éclairage public"},
        "nl": {"name": "Energiekosten van de straatverlichting"},
    },
    "Shelter maintenance cost": {
        "fr": {"name": "Coût d'entretien des abribus"},
        "nl": {"name": "Onderhoudskosten van de wachthuisjes"},
    },
    "Shelters out of service on an average day": {
        "fr": {"name": "Abribus hors service un jour moyen"},
        "nl": {"name": "Wachthuisjes buiten dienst op een gemiddelde dag"},
    },
    "Step-free stops": {
        "fr": {"name": "Arrêts de plain-pied"},
        "nl": {"name": "Drempelvrije haltes"},
    },
}


def _translations(table: dict, text: str) -> dict:
    """The demo variants of `text` in the city's other languages of today (none for a language not in them)."""
    from multilingual.languages import variant_languages

    return {
        language: texts for language, texts in table.get(text, {}).items() if language in variant_languages()
    }


def _money(value: Decimal) -> Decimal:
    return value.quantize(D("0.01"), rounding=ROUND_HALF_UP)


def _baseline(spec, departments: dict[str, Department]) -> tuple[Decimal, dict]:
    """The baseline value and the indicator fields saying where it comes from."""
    if isinstance(spec, Decimal):
        return spec, {"baseline_source": Indicator.BaselineSource.ENTERED}
    _, measure, department_codes, category_code, fallback = spec
    category = AssetCategory.objects.filter(code=category_code).first()
    chosen = [departments[c] for c in department_codes if c in departments]
    if category is not None:
        computed = asset_baseline(measure=measure, departments=chosen, categories=[category])
        if computed.value > 0:
            return _money(computed.value), {
                "baseline_source": Indicator.BaselineSource.ASSETS,
                "baseline_asset_measure": measure,
                "baseline_source_note": computed.note,
                "_m2m": (chosen, [category]),
            }
    return fallback, {"baseline_source": Indicator.BaselineSource.ENTERED}


def _value(spec, baseline: Decimal) -> Decimal:
    if isinstance(spec, tuple):
        return _money(baseline * spec[1])
    return spec


@transaction.atomic
def load(*, log) -> None:
    departments = {d.code: d for d in Department.objects.all()}
    users = {u.username: u for u in get_user_model().objects.filter(username__in=["sam", "luc", "tina"])}
    new_outcomes = new_indicators = new_measurements = 0
    for title, theme, status, owner, contributors, username, description, indicators in OUTCOMES:
        if owner not in departments:
            log(f"skipped “{title}”: department {owner!r} does not exist (run departments.demo first)")
            continue
        actor = users.get(username)
        outcome, created = Outcome.objects.get_or_create(
            title=title,
            defaults={
                "theme": theme,
                "status": status,
                "owner_department": departments[owner],
                "description": description,
                "translations": _translations(OUTCOME_TRANSLATIONS, title),
                "created_by": actor,
            },
        )
        if created:
            new_outcomes += 1
            outcome.contributing_departments.set([departments[c] for c in contributors if c in departments])
            # Written like the services write history: the English sentence and its parameters, so that the
            # history reads in each reader's language (outcomes/history.py).
            params = {"title": title, "status": outcome.status}
            OutcomeEvent.objects.create(
                outcome=outcome,
                actor=actor,
                action="outcome_created",
                summary=english_summary("outcome_created", params),
                data={"summary_params": params},
            )
        for (
            name,
            unit,
            direction,
            baseline_spec,
            target_spec,
            target_date,
            values,
            method,
            source,
            verifier,
        ) in indicators:
            indicator = outcome.indicators.filter(name=name).first()
            if indicator is None:
                baseline, extra = _baseline(baseline_spec, departments)
                m2m = extra.pop("_m2m", None)
                indicator = Indicator(
                    outcome=outcome,
                    name=name,
                    translations=_translations(INDICATOR_TRANSLATIONS, name),
                    unit=unit,
                    direction=direction,
                    scale=scale_for_unit(unit),
                    baseline_value=baseline,
                    baseline_period=BASELINE,
                    target_value=_value(target_spec, baseline),
                    target_date=target_date,
                    measurement_method=method,
                    data_source=source,
                    verified_by=verifier,
                    frequency=Indicator.Frequency.YEARLY,
                    **extra,
                )
                if m2m:
                    indicator.baseline_computed_at = datetime.datetime.now(tz=datetime.UTC)
                indicator.full_clean()
                indicator.save()
                if m2m:
                    indicator.baseline_departments.set(m2m[0])
                    indicator.baseline_categories.set(m2m[1])
                new_indicators += 1
                params = {
                    "name": name,
                    "baseline": str(indicator.baseline_value),
                    "target": str(indicator.target_value),
                    "unit": unit,
                    "date": indicator.target_date.isoformat(),
                }
                OutcomeEvent.objects.create(
                    outcome=outcome,
                    actor=actor,
                    action="indicator_created",
                    summary=english_summary("indicator_created", params),
                    data={"indicator": indicator.pk, "summary_params": params},
                )
            for period, spec in zip(YEARS, values, strict=False):
                if indicator.measurements.filter(period=period).exists():
                    continue
                measurement = Measurement(
                    indicator=indicator,
                    period=period,
                    value=_value(spec, indicator.baseline_value),
                    source=source,
                    recorded_by=actor,
                )
                # recorded_by stays empty when the demo user does not exist (a partial demo city).
                measurement.full_clean(exclude=["recorded_by"])
                measurement.save()
                new_measurements += 1
    log(
        f"{new_outcomes} new outcomes, {new_indicators} new indicators, {new_measurements} new measurements "
        f"({Outcome.objects.count()} outcomes in all)"
    )
