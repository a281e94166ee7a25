"""The shared rules of every tabular (CSV/XLSX) import: read, check the shape, report every bad cell.

DESIGN: imports "follow the same validation rules as asset import: every bad cell reported (row, column,
message), nothing half-saved". This module is the domain-free half of that rule; each importer keeps what a
valid row is, and how it is written, in its own app (departments/imports.py, finance/services/budget_import.py,
outcomes/services.py).

Rows are numbered as a spreadsheet shows them: the header is row 1, the first data row row 2. Row 0 means the
file as a whole (too large, unreadable, too many rows). Cells are read as text, never guessed: numbers are parsed
here with exact rules (Decimal or a pattern), never through float, and every bad cell gets its own message.
Messages are `str.format` templates; each importer passes its own plain words (they predate this module and
users know them).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

# A spreadsheet row number of the first data row: the header is row 1.
FIRST_DATA_ROW = 2
# A non-negative amount with at most 16 digits before and 2 after the decimal point (numeric(18, 2)).
MONEY_PATTERN = r"\d{1,16}(?:\.\d{0,2})?|\.\d{1,2}"
# A whole number as spreadsheets write it ("12", "+12", "12.0").
INTEGER_PATTERN = r"[+]?\d{1,6}(?:\.0*)?"


@dataclass(frozen=True)
class CellError:
    row: int  # as in the file: header = 1, first data row = 2; 0 = the file as a whole
    column: str  # "" when the problem is not one column's
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


class ImportRejected(Exception):
    """The file cannot be imported; `errors` lists every reason found, as CellErrors."""

    def __init__(self, errors: list[CellError]):
        self.errors = errors
        super().__init__("; ".join(e.message for e in errors))

    def as_dicts(self) -> list[dict]:
        return [e.as_dict() for e in self.errors]


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    return f"{size / 1024:.1f} KB"


@dataclass(frozen=True)
class Limits:
    """How big a file one importer accepts, and how it says no.

    Templates may use: too_large {size} {limit} (human sizes); too_many_rows {rows} {limit};
    unreadable {kind} ("CSV"/".xlsx") {error} (the reader's words) {error_class}.
    """

    max_bytes: int
    max_rows: int
    too_large: str = "The file is {size}; the limit is {limit}. Split it into smaller files."
    too_many_rows: str = (
        "The file has {rows:,} rows; the limit is {limit:,} per import. Split it into smaller files."
    )
    unreadable: str = "The file could not be read as {kind}: {error}"
    empty: str = "The file is empty: expected a header row and data rows."
    no_rows: str = "The file has a header row but no data rows."

    def too_large_message(self, size: int) -> str:
        return self.too_large.format(size=human_size(size), limit=human_size(self.max_bytes))


def read_table(
    source: bytes | IO[bytes] | str | Path, *, limits: Limits, name: str = "", size: int | None = None
) -> pd.DataFrame:
    """Read a CSV (or, by `name`, XLSX) file as text cells with lower-case, stripped column names.

    Raises ImportRejected when the file is over `limits.max_bytes` (checked before reading when `size` is
    given or `source` is bytes), empty, or not readable. The row limit is checked by check_rows(), after the
    header, so that a wrong header is reported first.
    """
    if isinstance(source, bytes):
        size = len(source) if size is None else size
        source = io.BytesIO(source)
    if size is not None and size > limits.max_bytes:
        raise ImportRejected([CellError(0, "", limits.too_large_message(size))])
    suffix = Path(name).suffix.lower()
    try:
        if suffix in {".xlsx", ".xlsm"}:
            frame = pd.read_excel(source, dtype=str, engine="openpyxl", keep_default_na=False)
        elif suffix in {".csv", ".txt", ""}:
            frame = pd.read_csv(
                source,
                dtype=str,
                keep_default_na=False,
                skipinitialspace=True,
                encoding="utf-8-sig",  # Excel writes a byte-order mark in "CSV UTF-8"
                engine="c",
            )
        else:
            raise ImportRejected([CellError(0, "", f"'{name}' is not a CSV or XLSX file.")])
    except pd.errors.EmptyDataError as exc:
        raise ImportRejected([CellError(1, "", _unreadable(limits.empty, suffix, exc))]) from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError, OSError) as exc:
        raise ImportRejected([CellError(0, "", _unreadable(limits.unreadable, suffix, exc))]) from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    return frame


def _unreadable(template: str, suffix: str, exc: Exception) -> str:
    return template.format(kind=suffix or "CSV", error=exc, error_class=exc.__class__.__name__)


def check_columns(
    columns: Sequence[str],
    *,
    required: Sequence[str],
    allowed: Sequence[str] | None = None,
    missing: str = "Required column '{column}' is missing from the header row.",
    unknown: str = "Unknown column '{column}'. Expected columns: {expected}.",
) -> list[CellError]:
    """Every required column that is missing, then (if `allowed` is given) every column not allowed."""
    errors = [CellError(1, c, missing.format(column=c)) for c in required if c not in columns]
    if allowed is not None:
        expected = ", ".join(allowed)
        errors += [
            CellError(1, c, unknown.format(column=c, expected=expected)) for c in columns if c not in allowed
        ]
    return errors


def check_rows(frame: pd.DataFrame, *, limits: Limits) -> list[CellError]:
    """A file with a header but no data, or with more rows than the importer accepts."""
    if len(frame) == 0:
        return [CellError(FIRST_DATA_ROW, "", limits.no_rows)]
    if len(frame) > limits.max_rows:
        return [CellError(0, "", limits.too_many_rows.format(rows=len(frame), limit=limits.max_rows))]
    return []


def add_missing_columns(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Optional columns absent from the file read as empty cells."""
    for column in columns:
        if column not in frame.columns:
            frame[column] = ""
    return frame


class ErrorCollector:
    """Every bad cell of a file, collected column by column over all rows at once (pandas masks).

    `max_kept` bounds the messages stored (a file with every row wrong would otherwise store millions);
    `count` still counts them all.
    """

    def __init__(self, *, max_kept: int | None = None) -> None:
        self.errors: list[CellError] = []
        self.count = 0
        self.max_kept = max_kept
        self._bad_positions: set[int] = set()

    def add_mask(self, mask: pd.Series, column: str, message: str | Callable[[int], str]) -> None:
        """Report `message` at every row where `mask` is true (positions of a frame with a fresh index).

        A callable message is called with the row's position (0 = first data row) to name the bad value.
        """
        bad = np.flatnonzero(mask.to_numpy(dtype=bool, na_value=False))
        if not len(bad):
            return
        self.count += len(bad)
        self._bad_positions.update(bad.tolist())
        room = len(bad) if self.max_kept is None else max(self.max_kept - len(self.errors), 0)
        for position in bad[:room]:
            text = message(int(position)) if callable(message) else message
            self.errors.append(CellError(int(position) + FIRST_DATA_ROW, column, text))

    def add(self, error: CellError) -> None:
        self.count += 1
        if error.row >= FIRST_DATA_ROW:
            self._bad_positions.add(error.row - FIRST_DATA_ROW)
        if self.max_kept is None or len(self.errors) < self.max_kept:
            self.errors.append(error)

    def extend(self, errors: Sequence[CellError]) -> None:
        for error in errors:
            self.add(error)

    def has_errors_at(self, position: int) -> bool:
        """Whether the data row at `position` (0 = first data row) has any error so far."""
        return position in self._bad_positions

    def clean_rows(self, length: int) -> np.ndarray:
        """A boolean array: true for each of `length` data rows with no error so far."""
        clean = np.ones(length, dtype=bool)
        clean[list(self._bad_positions)] = False
        return clean

    def sort(self, columns: Sequence[str] = ()) -> None:
        """Order like the file: by row, then by `columns` order (stable, so other ties keep their order)."""
        order = {c: i for i, c in enumerate(columns)}
        self.errors.sort(key=lambda e: (e.row, order.get(e.column, -1)) if order else e.row)

    def __bool__(self) -> bool:
        return self.count > 0


# --- Parsing columns (each returns the parsed values and reports every bad cell) ---------------------------


def integer_column(
    values: pd.Series,
    column: str,
    errors: ErrorCollector,
    *,
    label: str,
    minimum: int,
    maximum: int,
    pattern: str = INTEGER_PATTERN,
    missing: str = "{label} is missing.",
    not_whole: str = "{label} must be a whole number.",
    too_small: str = "{label} must be at least {minimum}.",
    too_large: str = "{label} must be at most {maximum}.",
) -> pd.Series:
    """Whole numbers in [minimum, maximum]; returns floats (NaN where bad or empty), one message per bad cell."""
    words = {"label": label, "minimum": minimum, "maximum": maximum}
    text = values.str.strip()
    well_formed = text.str.fullmatch(pattern)
    numbers = pd.to_numeric(text.where(well_formed), errors="coerce")
    errors.add_mask(text == "", column, missing.format(**words))
    errors.add_mask((text != "") & ~well_formed, column, not_whole.format(**words))
    errors.add_mask(well_formed & (numbers < minimum), column, too_small.format(**words))
    errors.add_mask(well_formed & (numbers > maximum), column, too_large.format(**words))
    return numbers


def money_column(
    values: pd.Series,
    column: str,
    errors: ErrorCollector,
    *,
    label: str,
    thousands: bool = True,
    missing: str = "{label} is missing.",
    negative: str = "{label} must not be negative.",
    invalid: str = "{label} '{value}' is not an amount (digits with at most two decimals, e.g. 1250.00).",
) -> pd.Series:
    """Non-negative amounts with at most two decimals (numeric(18, 2)), checked as text.

    Returns the cleaned text (thousands separators removed when `thousands`): exact, ready for Decimal() or for
    the database to parse, never through float. `{value}` in `invalid` is the cell as written.
    """
    text = values.str.strip()
    value = text.str.replace(",", "", regex=False) if thousands else text
    well_formed = value.str.fullmatch(MONEY_PATTERN)
    is_negative = value.str.fullmatch(r"-\s*(?:" + MONEY_PATTERN + ")")
    errors.add_mask(value == "", column, missing.format(label=label))
    errors.add_mask(is_negative, column, negative.format(label=label))
    errors.add_mask(
        (value != "") & ~well_formed & ~is_negative,
        column,
        lambda i: invalid.format(label=label, value=text.iat[i]),
    )
    return value


def parse_decimal(text: str) -> Decimal | None:
    """A finite Decimal from a cell (spaces between digit groups allowed), or None."""
    try:
        value = Decimal(text.replace(" ", ""))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def decimal_column(
    values: pd.Series,
    column: str,
    errors: ErrorCollector,
    *,
    label: str,
    missing: str = "{label} is missing.",
    invalid: str = "{label} '{value}' is not a number.",
) -> pd.Series:
    """Any finite decimal number (sign and precision are the importer's rule); None where bad or empty."""
    text = values.str.strip()
    numbers = text.map(parse_decimal)
    errors.add_mask(text == "", column, missing.format(label=label))
    errors.add_mask(
        (text != "") & numbers.isna(), column, lambda i: invalid.format(label=label, value=text.iat[i])
    )
    return numbers
