"""Writes of the outcomes app. Each is one transaction, validates with full_clean() and writes history."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from config.tabular import (
    DECIMAL_POINT,
    CellError,
    ErrorCollector,
    ImportRejected,
    Limits,
    add_missing_columns,
    check_columns,
    check_rows,
    decimal_column,
    read_table,
)
from departments.models import AssetCategory, Department
from multilingual import translations as translatable
from multilingual.translations import clean_translations

from . import selectors
from .exceptions import MeasurementImportInvalid, NotAllowed
from .history import english_summary
from .models import Indicator, Measurement, Outcome, OutcomeEvent

# Limits of a measurement import (DESIGN §9: limits are explicit).
IMPORT_MAX_BYTES = 2 * 1024 * 1024
IMPORT_MAX_ROWS = 10_000
IMPORT_REQUIRED_COLUMNS = ("indicator", "period", "value")
IMPORT_OPTIONAL_COLUMNS = ("source", "note")

# `translations`: the title and description (an indicator's name) in the city's other languages (multilingual/).
OUTCOME_FIELDS = ("title", "description", "theme", "owner_department", "status", "translations")
INDICATOR_FIELDS = (
    "name",
    "translations",
    "definition",
    "unit",
    "direction",
    "scale",
    "valid_min",
    "valid_max",
    "baseline_value",
    "baseline_period",
    "baseline_source",
    "baseline_asset_measure",
    "target_value",
    "target_date",
    "measurement_method",
    "data_source",
    "frequency",
    "verified_by",
    "is_retired",
)


def _event(*, outcome: Outcome, actor, action: str, params: dict, data: dict | None = None) -> OutcomeEvent:
    """A history row: its sentence is stored in English and its parameters with it, so that pages show the
    sentence in the reader's language (outcomes/history.py)."""
    return OutcomeEvent.objects.create(
        outcome=outcome,
        actor=actor,
        action=action,
        summary=english_summary(action, params)[:500],
        data={**(data or {}), "summary_params": params},
    )


def _plain(value) -> object:
    """A JSON-friendly form of a field value for the history."""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


# --- Outcomes -------------------------------------------------------------------------------------------------


@transaction.atomic
def outcome_create(
    *,
    actor,
    title: str,
    theme: str,
    owner_department: Department,
    description: str = "",
    status: str = Outcome.Status.PROPOSED,
    contributing_departments: Iterable[Department] = (),
    translations: dict | None = None,
) -> Outcome:
    if not (actor.is_superuser or owner_department.pk in selectors.official_department_ids(user=actor)):
        raise NotAllowed(gettext("Only officials of the owner department may create its outcomes."))
    outcome = Outcome(
        title=title,
        description=description,
        translations=clean_translations(translations, fields=translatable.OUTCOME_FIELDS),
        theme=theme,
        owner_department=owner_department,
        status=status,
        created_by=actor,
    )
    outcome.full_clean()
    outcome.save()
    contributing = [d for d in contributing_departments if d.pk != owner_department.pk]
    outcome.contributing_departments.set(contributing)
    _event(
        outcome=outcome,
        actor=actor,
        action="outcome_created",
        params={"title": title, "status": outcome.status},
        data={
            "contributing_departments": sorted(d.pk for d in contributing),
            "translations": outcome.translations,
        },
    )
    return outcome


@transaction.atomic
def outcome_update(
    *, outcome: Outcome, actor, contributing_departments: Iterable[Department] | None = None, **fields
) -> Outcome:
    """Change an outcome's fields (any of OUTCOME_FIELDS); the history row lists what changed."""
    # Lock the row: two officials editing at once would otherwise each record an incomplete change list.
    outcome = Outcome.objects.select_for_update().get(pk=outcome.pk)
    if not selectors.can_edit_outcome(user=actor, outcome=outcome):
        raise NotAllowed(gettext("Only officials of the owner department may edit this outcome."))
    unknown = set(fields) - set(OUTCOME_FIELDS)
    if unknown:
        raise TypeError(f"Not outcome fields: {sorted(unknown)}")
    if "translations" in fields:
        fields["translations"] = clean_translations(
            fields["translations"], fields=translatable.OUTCOME_FIELDS
        )
    changes = {}
    for name, value in fields.items():
        old = getattr(outcome, name)
        if old != value:
            changes[name] = [_plain(old), _plain(value)]
            setattr(outcome, name, value)
    # created_by may be empty for outcomes loaded by an admin or whose author left; it is not edited here.
    outcome.full_clean(exclude=["created_by"])
    outcome.save()
    if contributing_departments is not None:
        new = {d.pk for d in contributing_departments if d.pk != outcome.owner_department_id}
        old = set(outcome.contributing_departments.values_list("pk", flat=True))
        if new != old:
            outcome.contributing_departments.set(new)
            changes["contributing_departments"] = [sorted(old), sorted(new)]
    if changes:
        params: dict = {"fields": list(changes)}
        if "status" in changes:
            action = "outcome_status_changed"
            params.update(old=changes["status"][0], new=changes["status"][1])
        else:
            action = "outcome_updated"
        _event(outcome=outcome, actor=actor, action=action, params=params, data=changes)
    return outcome


# --- Indicators -----------------------------------------------------------------------------------------------


def _apply_asset_baseline(
    indicator: Indicator, departments: list[Department], categories: list[AssetCategory]
) -> None:
    """Compute and store the baseline from the asset register, with its source in words and the time."""
    baseline = selectors.asset_baseline(
        measure=indicator.baseline_asset_measure, departments=departments, categories=categories
    )
    indicator.baseline_value = baseline.value
    indicator.baseline_source_note = baseline.note
    indicator.baseline_computed_at = timezone.now()


def _validate_indicator(indicator: Indicator) -> None:
    if indicator.baseline_source == Indicator.BaselineSource.ASSETS and not indicator.baseline_asset_measure:
        raise ValidationError({"baseline_asset_measure": gettext("Choose what to compute from the assets.")})
    indicator.full_clean()


@transaction.atomic
def indicator_create(
    *,
    outcome: Outcome,
    actor,
    baseline_departments: Iterable[Department] = (),
    baseline_categories: Iterable[AssetCategory] = (),
    **fields,
) -> Indicator:
    """Add an indicator; with baseline_source 'assets' the baseline is computed here, not taken from input."""
    if not selectors.can_edit_outcome(user=actor, outcome=outcome):
        raise NotAllowed(gettext("Only officials of the owner department may add indicators."))
    unknown = set(fields) - set(INDICATOR_FIELDS)
    if unknown:
        raise TypeError(f"Not indicator fields: {sorted(unknown)}")
    departments, categories = list(baseline_departments), list(baseline_categories)
    if "translations" in fields:
        fields["translations"] = clean_translations(
            fields["translations"], fields=translatable.INDICATOR_FIELDS
        )
    indicator = Indicator(outcome=outcome, **fields)
    if indicator.baseline_source == Indicator.BaselineSource.ASSETS:
        if not indicator.baseline_asset_measure:
            raise ValidationError(
                {"baseline_asset_measure": gettext("Choose what to compute from the assets.")}
            )
        _apply_asset_baseline(indicator, departments, categories)
    else:
        departments, categories = [], []
        indicator.baseline_asset_measure = ""
        indicator.baseline_source_note = ""
    _validate_indicator(indicator)
    indicator.save()
    indicator.baseline_departments.set(departments)
    indicator.baseline_categories.set(categories)
    _event(
        outcome=outcome,
        actor=actor,
        action="indicator_created",
        params={
            "name": indicator.name,
            "baseline": _plain(indicator.baseline_value),
            "target": _plain(indicator.target_value),
            "unit": indicator.unit,
            "date": indicator.target_date.isoformat(),
        },
        data={
            "indicator": indicator.pk,
            "baseline_source": indicator.baseline_source,
            "baseline_note": indicator.baseline_source_note,
            "translations": indicator.translations,
        },
    )
    return indicator


@transaction.atomic
def indicator_update(
    *,
    indicator: Indicator,
    actor,
    baseline_departments: Iterable[Department] | None = None,
    baseline_categories: Iterable[AssetCategory] | None = None,
    **fields,
) -> Indicator:
    """Change an indicator. A computed baseline is recomputed only when its selection changes (a baseline is
    a fixed reference point; the asset register moves on after the baseline period)."""
    indicator = Indicator.objects.select_for_update().select_related("outcome").get(pk=indicator.pk)
    if not selectors.can_edit_outcome(user=actor, outcome=indicator.outcome):
        raise NotAllowed(gettext("Only officials of the owner department may edit indicators."))
    unknown = set(fields) - set(INDICATOR_FIELDS)
    if unknown:
        raise TypeError(f"Not indicator fields: {sorted(unknown)}")
    if "translations" in fields:
        fields["translations"] = clean_translations(
            fields["translations"], fields=translatable.INDICATOR_FIELDS
        )
    old_departments = set(indicator.baseline_departments.values_list("pk", flat=True))
    old_categories = set(indicator.baseline_categories.values_list("pk", flat=True))
    departments = list(baseline_departments) if baseline_departments is not None else None
    categories = list(baseline_categories) if baseline_categories is not None else None
    changes = {}
    for name, value in fields.items():
        old = getattr(indicator, name)
        if old != value:
            changes[name] = [_plain(old), _plain(value)]
            setattr(indicator, name, value)
    if indicator.baseline_source == Indicator.BaselineSource.ASSETS:
        if departments is None:
            departments = list(Department.objects.filter(pk__in=old_departments))
        if categories is None:
            categories = list(AssetCategory.objects.filter(pk__in=old_categories))
        selection_changed = (
            {d.pk for d in departments} != old_departments
            or {c.pk for c in categories} != old_categories
            or "baseline_source" in changes
            or "baseline_asset_measure" in changes
        )
        if not indicator.baseline_asset_measure:
            raise ValidationError(
                {"baseline_asset_measure": gettext("Choose what to compute from the assets.")}
            )
        if selection_changed:
            old_value = (
                indicator.baseline_value if "baseline_value" not in changes else changes["baseline_value"][0]
            )
            _apply_asset_baseline(indicator, departments, categories)
            changes["baseline_value"] = [_plain(old_value), _plain(indicator.baseline_value)]
        elif "baseline_value" in changes:
            # A computed baseline is not typed over: keep the stored figure.
            indicator.baseline_value = Decimal(changes.pop("baseline_value")[0])
    else:
        departments, categories = [], []
        indicator.baseline_asset_measure = ""
        indicator.baseline_source_note = ""
        indicator.baseline_computed_at = None
    _validate_indicator(indicator)
    indicator.save()
    if {d.pk for d in departments} != old_departments:
        indicator.baseline_departments.set(departments)
        changes["baseline_departments"] = [sorted(old_departments), sorted(d.pk for d in departments)]
    if {c.pk for c in categories} != old_categories:
        indicator.baseline_categories.set(categories)
        changes["baseline_categories"] = [sorted(old_categories), sorted(c.pk for c in categories)]
    if changes:
        action = "indicator_retired" if changes.get("is_retired") == [False, True] else "indicator_updated"
        _event(
            outcome=indicator.outcome,
            actor=actor,
            action=action,
            params={"name": indicator.name, "fields": list(changes)},
            data={"indicator": indicator.pk, "changes": changes},
        )
    return indicator


# --- Measurements ---------------------------------------------------------------------------------------------


@transaction.atomic
def measurement_create(
    *,
    indicator: Indicator,
    actor,
    period: datetime.date,
    value: Decimal,
    source: str = "",
    note: str = "",
) -> Measurement:
    outcome = indicator.outcome
    if not selectors.can_record_measurements(user=actor, outcome=outcome):
        raise NotAllowed(
            gettext("Only officials of the owner or a contributing department may record measurements.")
        )
    measurement = Measurement(
        indicator=indicator, period=period, value=value, source=source, note=note, recorded_by=actor
    )
    measurement.full_clean()
    try:
        # A savepoint: two people recording the same period at once both pass full_clean(); the unique
        # constraint stops the second, which then gets the same plain error as a sequential duplicate.
        with transaction.atomic():
            measurement.save()
    except IntegrityError as exc:
        raise ValidationError(gettext("This indicator already has a measurement for that period.")) from exc
    _event(
        outcome=outcome,
        actor=actor,
        action="measurement_recorded",
        params={
            "indicator": indicator.name,
            "value": _plain(value),
            "unit": indicator.unit,
            "period": period.isoformat(),
        },
        data={"indicator": indicator.pk, "measurement": measurement.pk, "period": period.isoformat()},
    )
    return measurement


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int


def _import_limits() -> Limits:
    """The limits of a measurement import, with their messages in the active language."""
    return Limits(
        max_bytes=IMPORT_MAX_BYTES,
        max_rows=IMPORT_MAX_ROWS,
        too_large=gettext("The file is larger than %(megabytes)s MB.")
        % {"megabytes": IMPORT_MAX_BYTES // 1024 // 1024},
        # Translators: {rows} and {limit} are filled in later; keep them as they are.
        too_many_rows=gettext("The file has {rows} rows; at most {limit} are allowed."),
        # Translators: {error_class} is filled in later (a technical name); keep it as it is.
        unreadable=gettext("The file is not a readable UTF-8 CSV table ({error_class})."),
        empty=gettext("The file is not a readable UTF-8 CSV table ({error_class})."),
        no_rows=gettext("The file has no data rows."),
    )


# Model fields as the file's columns, for the model's own validation messages.
_FIELD_COLUMNS = {
    "indicator": "indicator",
    "period": "period",
    "value": "value",
    "source": "source",
    "note": "note",
}


@transaction.atomic
def measurement_import(
    *, outcome: Outcome, actor, content: bytes, decimal: str = DECIMAL_POINT
) -> ImportResult:
    """Import measurements of an outcome's indicators from CSV; all rows or nothing.

    Columns: indicator (its id or exact name), period (YYYY-MM-DD), value, and optionally source, note.
    Rows are numbered as in a spreadsheet (the header is row 1). A row for a period that already has a
    measurement corrects its value (counted as updated). Raises MeasurementImportInvalid with every bad cell.
    Reading, limits, the header check and error collection are the shared rules of config/tabular.py; `decimal`
    is the file's decimal separator ("." or ",").
    """
    if not selectors.can_record_measurements(user=actor, outcome=outcome):
        raise NotAllowed(
            gettext("Only officials of the owner or a contributing department may record measurements.")
        )
    try:
        limits = _import_limits()
        table = read_table(content, limits=limits)
    except ImportRejected as rejected:
        raise MeasurementImportInvalid(rejected.as_dicts()) from None
    problems = check_columns(
        list(table.columns), required=IMPORT_REQUIRED_COLUMNS, missing=gettext("This column is missing.")
    )
    problems = problems or check_rows(table, limits=limits)
    if problems:
        raise MeasurementImportInvalid([e.as_dict() for e in problems])
    table = add_missing_columns(table.reset_index(drop=True), IMPORT_OPTIONAL_COLUMNS)
    table = table.apply(lambda col: col.str.strip())

    indicators = list(outcome.indicators.select_related("outcome"))
    by_id = {str(i.pk): i for i in indicators}
    by_name = {i.name.casefold(): i for i in indicators}
    existing = {(m.indicator_id, m.period): m for m in Measurement.objects.filter(indicator__outcome=outcome)}

    errors = ErrorCollector()
    names = table["indicator"]
    indicator_of = names.map(lambda text: by_id.get(text) or by_name.get(text.casefold()))
    errors.add_mask(names == "", "indicator", gettext("The indicator is missing."))
    errors.add_mask(
        (names != "") & indicator_of.isna(),
        "indicator",
        lambda i: gettext("“%(name)s” is not an indicator of this outcome.") % {"name": names.iat[i]},
    )
    # A cell that is not an ISO date becomes NaT and is reported.
    period_text = table["period"]
    periods = pd.to_datetime(period_text, format="%Y-%m-%d", errors="coerce")
    errors.add_mask(period_text == "", "period", gettext("The period is missing."))
    errors.add_mask(
        (period_text != "") & periods.isna(),
        "period",
        lambda i: gettext("“%(text)s” is not a date; write it as YYYY-MM-DD.") % {"text": period_text.iat[i]},
    )
    values = decimal_column(
        table["value"],
        "value",
        errors,
        label=gettext("Value"),
        decimal=decimal,
        missing=gettext("The value is missing."),
        # Translators: {value} is the cell as written in the file; keep it as it is.
        invalid=gettext("“{value}” is not a number."),
    )

    # Row by row what needs the rows before it (duplicates) or the model's rules (full_clean).
    seen: dict[tuple[int, datetime.date], int] = {}
    to_save: list[Measurement] = []
    for position in range(len(table)):
        row = position + 2
        indicator = indicator_of.iat[position]
        period = None if pd.isna(periods.iat[position]) else periods.iat[position].date()
        if indicator is not None and period is not None:
            key = (indicator.pk, period)
            if key in seen:
                errors.add(
                    CellError(
                        row,
                        "period",
                        gettext("Row %(row)s already gives this indicator and period.") % {"row": seen[key]},
                    )
                )
            else:
                seen[key] = row
        if errors.has_errors_at(position):
            continue
        measurement = existing.get((indicator.pk, period)) or Measurement(indicator=indicator, period=period)
        measurement.value = values.iat[position]
        measurement.source = table["source"].iat[position]
        measurement.note = table["note"].iat[position]
        measurement.recorded_by = actor
        try:
            # The model's rules (retired indicator, period before the baseline, future, digits); uniqueness
            # is handled by the upsert above and the FK is known to exist.
            measurement.full_clean(exclude=["indicator"], validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                column = _FIELD_COLUMNS.get(field, "indicator" if field == "__all__" else field)
                errors.extend([CellError(row, column, m) for m in messages])
        else:
            to_save.append(measurement)
    if errors:
        errors.sort()  # by row; within a row in the order the checks ran
        raise MeasurementImportInvalid([e.as_dict() for e in errors.errors])

    created = [m for m in to_save if m.pk is None]
    updated = [m for m in to_save if m.pk is not None]
    Measurement.objects.bulk_create(created)
    if updated:
        Measurement.objects.bulk_update(updated, ["value", "source", "note", "recorded_by"])
    _event(
        outcome=outcome,
        actor=actor,
        action="measurements_imported",
        params={"created": len(created), "updated": len(updated)},
        data={
            "created": len(created),
            "updated": len(updated),
            "rows": [
                {"indicator": m.indicator_id, "period": m.period.isoformat(), "value": _plain(m.value)}
                for m in to_save[:500]
            ],
        },
    )
    return ImportResult(created=len(created), updated=len(updated))
