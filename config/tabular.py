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

Nothing is read that could store a wrong value (issue 12, docs/decisions.md "Imports never store a wrong value"):

- CSV: UTF-8 (with or without a byte-order mark) or UTF-16 with its byte-order mark; any other bytes are refused
  with the offending byte and line. Parsed strictly (Python's csv module): a cell may not contain a line break,
  every row has exactly the header's number of cells, a quote may only open and close a whole cell, and the
  number of data rows read must equal the number of data lines of the file.
- XLSX: before anything is parsed, the unpacked size of the whole archive and the first sheet's row count
  (its `<dimension>`, then a streaming count of `<row>` elements) are checked against the limits, so an
  over-limit file is refused in a fraction of a second. Cells are read from the values the spreadsheet program
  stored (openpyxl, read-only); a formula without a stored value, or a cell showing an error (#N/A…), is refused.
  Numbers are written back as text with the import's decimal separator, to 15 significant digits (what Excel
  shows), so that one number rule applies to CSV and XLSX alike.
- Numbers: one decimal separator per import ("." by default, or ","); the other mark may only group thousands in
  valid groups of three (1,234.50 / 1.234,50), as may a space. A cell whose meaning depends on the separator
  ("1,250" with "." as decimal separator: 1250 or 1.25?) is refused, never guessed.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import posixpath
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO
from xml.etree import ElementTree

import numpy as np
import pandas as pd
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

# A spreadsheet row number of the first data row: the header is row 1.
FIRST_DATA_ROW = 2
# A non-negative amount with at most 16 digits before and 2 after the decimal point (numeric(18, 2)), in the
# canonical form number_text() gives (no thousands separators, "." as decimal point). ASCII digits only: a
# Unicode digit ("٣") would pass Python's \d and then fail in the database.
MONEY_PATTERN = r"[0-9]{1,16}(?:\.[0-9]{0,2})?|\.[0-9]{1,2}"
# A whole number as spreadsheets write it ("12", "+12", "12.0").
INTEGER_PATTERN = r"[+]?[0-9]{1,6}(?:\.0*)?"

# The decimal separators an import may be told to use; "." unless the person importing chooses ",".
DECIMAL_POINT = "."
DECIMAL_COMMA = ","
DECIMAL_SEPARATORS = (DECIMAL_POINT, DECIMAL_COMMA)
DECIMAL_CHOICES = [
    (DECIMAL_POINT, gettext_lazy("Point: 1234.50 (thousands may be grouped as 1,234.50)")),
    (DECIMAL_COMMA, gettext_lazy("Comma: 1234,50 (thousands may be grouped as 1.234,50)")),
]
# Spaces group thousands in many locales (a no-break space and a narrow one are what spreadsheets write); they
# never mark decimals, so they are accepted with either decimal separator.
_GROUP_SPACES = " \u00a0\u202f"

# Problems of a file's structure (bad rows) listed before the rest are only counted.
MAX_STRUCTURE_ERRORS = 1_000
# An XLSX file's unpacked size, when the importer does not say: this many times its upload limit.
DEFAULT_UNZIPPED_FACTOR = 10


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


def count(number: int) -> str:
    """A count in the active language's digits: 12,345 in English, 12 345 in French, 12.345 in Dutch."""
    return number_format(number, force_grouping=True)


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        # Translators: a file size in megabytes (French: Mo)
        return _("%(size)s MB") % {"size": number_format(round(size / 1024 / 1024, 1), 1)}
    # Translators: a file size in kilobytes (French: Ko)
    return _("%(size)s KB") % {"size": number_format(round(size / 1024, 1), 1)}


def sizes_compared(size: int, limit: int) -> tuple[str, str]:
    """Both sizes in words that show the difference: "20.0 MB" against "20.0 MB" would say nothing."""
    shown, limit_shown = human_size(size), human_size(limit)
    if shown == limit_shown and size != limit:
        return (
            ngettext("%(count)s byte", "%(count)s bytes", size) % {"count": count(size)},
            ngettext("%(count)s byte (%(size)s)", "%(count)s bytes (%(size)s)", limit)
            % {"count": count(limit), "size": limit_shown},
        )
    return shown, limit_shown


@dataclass(frozen=True)
class Limits:
    """How big a file one importer accepts, and how it says no.

    Templates may use: too_large {size} {limit} (sizes in words that differ when the sizes do);
    too_large_unzipped {unzipped} {size} {limit}; too_many_rows {rows} {limit}; more_rows_than {limit};
    unreadable {kind} ("CSV"/".xlsx") {error} (the reader's words) {error_class}. Counts are also given as
    {rows_shown} and {limit_shown}, written in the active language's digits. The defaults are translated (lazy).
    """

    max_bytes: int
    max_rows: int
    # What an XLSX file (a zip archive) may unpack to; None: DEFAULT_UNZIPPED_FACTOR × max_bytes.
    max_unzipped_bytes: int | None = None
    too_large: str = gettext_lazy("The file is {size}; the limit is {limit}. Split it into smaller files.")
    too_large_unzipped: str = gettext_lazy(
        "The spreadsheet is {size} but unpacks to {unzipped}; the limit is {limit} unpacked. "
        "Split it into smaller files, or save it as CSV."
    )
    too_many_rows: str = gettext_lazy(
        "The file has {rows_shown} rows; the limit is {limit_shown} per import. Split it into smaller files."
    )
    more_rows_than: str = gettext_lazy(
        "The file has more than {limit_shown} rows; the limit is {limit_shown} per import. "
        "Split it into smaller files."
    )
    unreadable: str = gettext_lazy("The file could not be read as {kind}: {error}")
    empty: str = gettext_lazy("The file is empty: expected a header row and data rows.")
    no_rows: str = gettext_lazy("The file has a header row but no data rows.")

    @property
    def unzipped_limit(self) -> int:
        return self.max_unzipped_bytes or DEFAULT_UNZIPPED_FACTOR * self.max_bytes

    def too_many_rows_message(self, rows: int) -> str:
        return self.too_many_rows.format(
            rows=rows, limit=self.max_rows, rows_shown=count(rows), limit_shown=count(self.max_rows)
        )

    def more_rows_than_message(self) -> str:
        return self.more_rows_than.format(limit=self.max_rows, limit_shown=count(self.max_rows))

    def too_large_message(self, size: int) -> str:
        shown, limit = sizes_compared(size, self.max_bytes)
        return self.too_large.format(size=shown, limit=limit)


def _file_error(message: str, row: int = 0, column: str = "") -> ImportRejected:
    return ImportRejected([CellError(row, column, message)])


def _unreadable(limits: Limits, kind: str, exc: Exception | str, error_class: str = "") -> ImportRejected:
    words = limits.unreadable.format(kind=kind, error=exc, error_class=error_class or type(exc).__name__)
    return _file_error(words)


def _suffix(name: str) -> str:
    return Path(name).suffix.lower()


def _is_xlsx(name: str) -> bool:
    return _suffix(name) in {".xlsx", ".xlsm"}


# --- Reading -------------------------------------------------------------------------------------------------


def read_table(
    source: bytes | IO[bytes] | str | Path,
    *,
    limits: Limits,
    name: str = "",
    size: int | None = None,
    decimal: str = DECIMAL_POINT,
) -> pd.DataFrame:
    """Read a CSV (or, by `name`, XLSX) file as text cells with lower-case, stripped column names.

    Raises ImportRejected when the file is over `limits` (bytes; for XLSX also unpacked bytes and rows, all
    checked before parsing), empty, not readable, not UTF-8/UTF-16, or not a clean table (see the module's
    docstring). The row limit of a CSV is checked by check_rows(), after the header, so that a wrong header is
    reported first. `decimal` is the import's decimal separator, used to write XLSX numbers as text.
    """
    suffix = _suffix(name)
    if suffix not in {".xlsx", ".xlsm", ".csv", ".txt", ""}:
        raise _file_error(f"'{name}' is not a CSV or XLSX file.")
    if decimal not in DECIMAL_SEPARATORS:
        raise ValueError(f"decimal separator {decimal!r}: use one of {DECIMAL_SEPARATORS}")
    if isinstance(source, str | Path):
        with open(source, "rb") as handle:
            return read_table(handle, limits=limits, name=name or str(source), size=size, decimal=decimal)
    if isinstance(source, bytes):
        size = len(source) if size is None else size
        source = io.BytesIO(source)
    if size is not None and size > limits.max_bytes:
        raise _file_error(limits.too_large_message(size))
    if _is_xlsx(name):
        return _frame(*_read_xlsx(source, limits=limits, decimal=decimal, name=name))
    data = source.read(limits.max_bytes + 1)
    if len(data) > limits.max_bytes:
        raise _file_error(limits.too_large_message(size or len(data) + len(source.read())))
    return _read_csv(decode_text(data, limits=limits), limits=limits)


def count_data_rows(source: IO[bytes], *, name: str, limits: Limits) -> int:
    """How many data rows a file has, without parsing it, or ImportRejected if that is over the limits.

    CSV: its line breaks after the header (an upper bound: trailing blank lines count). XLSX: the checks
    read_table makes before parsing (unpacked size, rows of the first sheet). The file is read from its start and
    left at its start. For deciding inline against background work by rows, not by packed bytes.
    """
    source.seek(0)
    try:
        if _is_xlsx(name):
            try:
                with zipfile.ZipFile(source) as archive:
                    return _inspect_xlsx(archive, limits=limits, size=_size_of(source)).data_rows
            except ImportRejected:
                raise
            except Exception as exc:  # noqa: BLE001 — a damaged file fails in many ways (zip, zlib, XML)
                raise _unreadable(limits, _suffix(name), exc) from None
        lines, last = 0, b""
        while chunk := source.read(1024 * 1024):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
        if last not in (b"\n", b""):
            lines += 1  # a last line without a line break
        return max(lines - 1, 0)
    finally:
        source.seek(0)


def _size_of(source: IO[bytes]) -> int:
    position = source.tell()
    end = source.seek(0, io.SEEK_END)
    source.seek(position)
    return end


def _frame(header: list[str], rows: list[list[str]]) -> pd.DataFrame:
    """Text cells, one column per header name (names unique, checked by the readers)."""
    cells = np.array(rows, dtype=object).reshape(len(rows), len(header))
    return pd.DataFrame(
        {name: pd.Series(cells[:, position], dtype=str) for position, name in enumerate(header)},
        columns=header,
    )


def _header(cells: Sequence[str]) -> list[str]:
    """Lower-case, stripped column names; a nameless column is named by its position (and then unknown)."""
    names = [str(c).strip().lower() or f"unnamed: {i}" for i, c in enumerate(cells)]
    seen: set[str] = set()
    errors = []
    for name in names:
        if name in seen:
            errors.append(
                CellError(
                    1, name, _("Column '%(name)s' appears more than once in the header row.") % {"name": name}
                )
            )
        seen.add(name)
    if errors:
        raise ImportRejected(errors)
    return names


class _StructureErrors:
    """Problems with the rows of a file, kept up to MAX_STRUCTURE_ERRORS, then counted."""

    def __init__(self) -> None:
        self.errors: list[CellError] = []
        self.more = 0

    def add(self, row: int, column: str, message: str) -> None:
        if len(self.errors) < MAX_STRUCTURE_ERRORS:
            self.errors.append(CellError(row, column, message))
        else:
            self.more += 1

    def raise_if_any(self) -> None:
        if self.more:
            self.errors.append(
                CellError(
                    0,
                    "",
                    ngettext(
                        "… and %(count)s more row with such problems.",
                        "… and %(count)s more rows with such problems.",
                        self.more,
                    )
                    % {"count": count(self.more)},
                )
            )
        if self.errors:
            raise ImportRejected(self.errors)


# --- CSV -----------------------------------------------------------------------------------------------------

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_UTF32_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)


def decode_text(data: bytes, *, limits: Limits) -> str:
    """The text of a CSV file: UTF-8 (a byte-order mark is dropped) or UTF-16 with its byte-order mark.

    Anything else is refused, naming the first byte that is not UTF-8 and its line. Latin-1 (Windows "CSV")
    cannot be told apart from other 8-bit encodings with certainty, so it is never guessed.
    """
    if data.startswith(_UTF32_BOMS):  # before UTF-16: the UTF-32 LE mark starts like the UTF-16 LE one
        encoding = "utf-32"
    elif data.startswith(_UTF16_BOMS):
        encoding = "utf-16"  # Excel's "Unicode text"; the codec reads the mark and drops it
    else:
        encoding = "utf-8"
        # Excel writes a byte-order mark in "CSV UTF-8"; dropped here so that error offsets are the file's.
        data = data.removeprefix(codecs.BOM_UTF8)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        if encoding != "utf-8":
            # Translators: the kind of file that could not be read, e.g. "UTF-16 text"
            raise _unreadable(limits, _("%(encoding)s text") % {"encoding": encoding.upper()}, exc) from None
        line = data.count(b"\n", 0, exc.start) + 1
        raise _file_error(
            _(
                "The file is not UTF-8 (byte 0x%(byte)s at line %(line)s). "
                "Save it as UTF-8 (CSV UTF-8) and upload again."
            )
            % {"byte": f"{data[exc.start]:02X}", "line": line},
            row=line,
        ) from None
    nul = text.find("\x00")
    if nul >= 0:
        # UTF-16 without its byte-order mark decodes as "UTF-8" full of NULs; a NUL is never a value anyway.
        line = text.count("\n", 0, nul) + 1
        raise _file_error(
            _(
                "The file contains a NUL byte at line %(line)s: it is not a UTF-8 text file (UTF-16 without a "
                "byte-order mark?). Save it as UTF-8 (CSV UTF-8) and upload again."
            )
            % {"line": line},
            row=line,
        )
    return text


def _read_csv(text: str, *, limits: Limits) -> pd.DataFrame:
    """The cells of a CSV text, refusing anything that could shift or merge cells (see _read_csv_strictly)."""
    if '"' not in text:
        frame = _read_csv_without_quotes(text)
        if frame is not None:
            return frame
    return _frame(*_read_csv_strictly(text, limits=limits))


def _read_csv_without_quotes(text: str) -> pd.DataFrame | None:
    """The fast path (pandas's C reader, ~4× Python's csv module) for a file without any double quote.

    Without quotes a line is a row and a comma a cell boundary, so counting both is a full check of the shape:
    when every line has the header's number of commas, pandas reads exactly those cells. Anything else (a blank
    line, a short or long row) returns None, and the strict reader finds and words the problem.
    """
    body = text.rstrip("\r\n")
    if not body:
        return None
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")  # as csv and pandas split lines
    header = _header(lines[0].split(","))
    commas = len(header) - 1
    if len(lines) < 2 or any(line.count(",") != commas for line in lines):
        return None
    try:
        frame = pd.read_csv(
            io.StringIO(body),
            header=None,
            skiprows=1,
            names=header,
            dtype=str,
            keep_default_na=False,
            skipinitialspace=True,
            engine="c",
        )
    except (pd.errors.ParserError, ValueError):
        return None
    return frame if len(frame) == len(lines) - 1 else None


def _read_csv_strictly(text: str, *, limits: Limits) -> tuple[list[str], list[list[str]]]:
    """Header and data rows of a CSV text, refusing anything that could shift or merge cells."""
    reader = csv.reader(io.StringIO(text, newline=""), skipinitialspace=True, strict=True)
    problems = _StructureErrors()
    header: list[str] | None = None
    rows: list[list[str]] = []
    blank_lines: list[int] = []  # blank lines are refused unless they are all at the end
    last_line = 0  # the line the previous record ended on
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            first = last_line + 1
            last_line = reader.line_num
            _csv_error(problems, exc, first, last_line, limits)
            continue
        first, last_line = last_line + 1, reader.line_num
        if not record:
            blank_lines.append(first)
            continue
        if blank_lines:
            for line in blank_lines:
                problems.add(line, "", _("Row %(row)s is empty (a blank line): remove it.") % {"row": line})
            blank_lines = []
        if header is None:
            if last_line > first:
                problems.add(
                    1, "", _("The header row runs over a line break: a column name may not contain one.")
                )
            header = _header(record)
            continue
        if last_line > first:
            problems.add(first, _column_with_break(record, header), _line_break_message(first, last_line))
        elif len(record) != len(header):
            problems.add(first, "", _cell_count_message(first, len(record), len(header)))
        else:
            rows.append(record)
    if header is None:
        raise _file_error(
            limits.empty.format(kind="CSV", error=_("no header row"), error_class="EmptyDataError"), row=1
        )
    problems.raise_if_any()
    # Every line after the header is one row: anything else means cells were merged or split somewhere.
    data_lines = last_line - len(blank_lines) - 1
    if len(rows) != data_lines:
        raise _file_error(
            _(
                "The file has %(lines)s lines after the header but %(rows)s rows were read: "
                'a double quote (") is probably not closed. Nothing was imported.'
            )
            % {"lines": count(data_lines), "rows": count(len(rows))}
        )
    return header, rows


def _csv_error(problems: _StructureErrors, exc: csv.Error, first: int, last: int, limits: Limits) -> None:
    words = str(exc)
    if first == last:
        lines = _("line %(line)s") % {"line": first}
    else:
        lines = _("lines %(first)s to %(last)s") % {"first": first, "last": last}
    if "expected after" in words:
        problems.add(
            first,
            "",
            _(
                'Row %(row)s (%(lines)s): a double quote (") is followed by other text. A cell in quotes must '
                'end with its closing quote, and a quote inside a cell is written twice (""). Probably a quote '
                "is not closed, or stray."
            )
            % {"row": first, "lines": lines},
        )
    elif "unexpected end of data" in words:
        problems.add(
            first,
            "",
            _('Row %(row)s: a double quote (") opened on line %(line)s is never closed.')
            % {"row": first, "line": first},
        )
    else:  # e.g. a cell over the csv module's field size limit (131,072 characters)
        where = _("line %(line)s: %(error)s") % {"line": first, "error": words}
        problems.errors.append(_unreadable(limits, "CSV", where, "Error").errors[0])


def _column_with_break(record: list[str], header: list[str]) -> str:
    for position, cell in enumerate(record):
        if "\n" in cell or "\r" in cell:
            return header[position] if position < len(header) else ""
    return ""


def _line_break_message(first: int, last: int) -> str:
    return _(
        "Row %(row)s runs over a line break (lines %(first)s to %(last)s): a cell may not contain a line "
        'break. Probably a double quote (") is not closed, so the next line was read into this row.'
    ) % {"row": first, "first": first, "last": last}


def _cell_count_message(row: int, cells: int, expected: int) -> str:
    return _(
        "Row %(row)s has %(cells)s cells; the header row has %(expected)s. A cell that contains a comma must "
        'be in double quotes ("a, b").'
    ) % {"row": row, "cells": cells, "expected": expected}


# --- XLSX ----------------------------------------------------------------------------------------------------

_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
# A tag with any (or no) namespace prefix, followed by what may follow a tag name.
_ROOT_TAG = re.compile(rb"<([A-Za-z_][\w.-]*:)?worksheet[\s>]")
_DIMENSION = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?dimension\s+ref="[A-Z]*[0-9]*(?::[A-Z]*([0-9]+))?"')
_SHEET_DATA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sheetData[\s/>]")
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class _SheetShape:
    path: str  # of the first worksheet inside the archive
    data_rows: int  # <row> elements after the header's (an upper bound: formatted empty rows count)
    has_formulas: bool


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _first_worksheet(archive: zipfile.ZipFile) -> str:
    """The path of the workbook's first worksheet (what openpyxl's `worksheets[0]` reads)."""
    package = ElementTree.fromstring(archive.read("_rels/.rels"))
    book = next(r.get("Target", "") for r in package if r.get("Type", "").endswith("/officeDocument")).lstrip(
        "/"
    )
    folder, file = posixpath.split(book)
    relations = ElementTree.fromstring(archive.read(posixpath.join(folder, "_rels", file + ".rels")))
    targets = {
        r.get("Id"): r.get("Target", "") for r in relations if r.get("Type", "").endswith("/worksheet")
    }
    names = set(archive.namelist())
    for element in ElementTree.fromstring(archive.read(book)).iter():
        if _local(element.tag) != "sheet":
            continue
        target = targets.get(element.get(f"{{{_RELATIONSHIPS}}}id"))
        if not target:
            continue  # a chart sheet
        path = (
            target.lstrip("/")
            if target.startswith("/")
            else posixpath.normpath(posixpath.join(folder, target))
        )
        if path in names:
            return path
    raise ValueError("the workbook has no worksheet")


def _inspect_xlsx(archive: zipfile.ZipFile, *, limits: Limits, size: int) -> _SheetShape:
    """Unpacked size and rows of the first sheet against the limits, before anything is parsed.

    The central directory gives every member's unpacked size (zipfile refuses to unpack more than it says), so
    a "zip bomb" is refused without unpacking it. Rows: the sheet's <dimension> when it says too many, then a
    streaming count of <row> elements that stops as soon as there are too many (a dimension may be missing or
    wrong). The same pass notes whether the sheet has formulas at all.
    """
    unzipped = sum(member.file_size for member in archive.infolist())
    if unzipped > limits.unzipped_limit:
        shown, limit = sizes_compared(unzipped, limits.unzipped_limit)
        raise _file_error(
            limits.too_large_unzipped.format(unzipped=shown, size=human_size(size), limit=limit)
        )
    path = _first_worksheet(archive)
    rows = 0
    has_formulas = False
    dimension_checked = False
    tail = b""
    tags: re.Pattern[bytes] | None = None
    with archive.open(path) as stream:
        while True:
            chunk = stream.read(_CHUNK)
            buffer = tail + chunk
            if tags is None:
                # <row …> and <f …> with the prefix the sheet uses for its namespace, if any; one regex pass
                # (findall, no Python per match) reads ~0.5 GB/s.
                root = _ROOT_TAG.search(buffer)
                prefix = re.escape((root.group(1) or b"") if root else b"")
                tags = re.compile(b"<" + prefix + rb"(r)ow[\s>]|<" + prefix + rb"f[\s>/]")
            if not dimension_checked:
                dimension = _DIMENSION.search(buffer)
                if dimension and dimension.group(1):
                    dimension_checked = True
                    data_rows = int(dimension.group(1)) - 1
                    if data_rows > limits.max_rows:
                        raise _file_error(limits.too_many_rows_message(data_rows))
                elif _SHEET_DATA.search(buffer) or not chunk:
                    dimension_checked = True  # no dimension before the cells: only the count tells
            # Up to the last "<": no tag can be cut in two there; the rest is read with the next chunk.
            cut = len(buffer) if not chunk else buffer.rfind(b"<")
            cut = len(buffer) if cut < 0 else cut
            found = tags.findall(buffer, 0, cut)
            row_tags = found.count(b"r")
            rows += row_tags
            has_formulas = has_formulas or len(found) > row_tags
            if rows - 1 > limits.max_rows:
                raise _file_error(limits.more_rows_than_message())
            if not chunk:
                break
            tail = buffer[cut:]
    return _SheetShape(path=path, data_rows=max(rows - 1, 0), has_formulas=has_formulas)


def _formulas_without_values(archive: zipfile.ZipFile, path: str) -> list[tuple[int, int]]:
    """(row, column) of every formula cell that has no stored result.

    A program that does not calculate (a script writing with openpyxl, some converters) writes the formula and
    no value; openpyxl's data_only reading then gives None, which would be imported as an empty cell. A formula
    whose result is the empty text has t="str" and a <v/>: that is a value.
    """
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    found: list[tuple[int, int]] = []
    row, column = 0, 0
    with archive.open(path) as stream:
        for event, element in ElementTree.iterparse(stream, events=("start", "end")):
            tag = _local(element.tag)
            if event == "start":
                if tag == "row":
                    row, column = int(element.get("r") or row + 1), 0
                continue
            if tag == "c":
                reference = element.get("r")
                if reference:
                    letters, row = coordinate_from_string(reference)
                    column = column_index_from_string(letters)
                else:
                    column += 1
                children = {_local(child.tag): child for child in element}
                value = children.get("v")
                stored = value is not None and (bool(value.text) or element.get("t") == "str")
                if "f" in children and not stored:
                    found.append((row, column))
                element.clear()
            elif tag == "row":
                element.clear()
    return found


def _xlsx_text(value: object, decimal: str) -> str:
    """A cell's value as the text a CSV of it would hold, numbers with the import's decimal separator."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # 15 significant digits, as Excel shows (and stores typed) numbers: 95.499999999999986 is 95.5.
        text = format(Decimal(format(value, ".15g")), "f")
        return text.replace(".", decimal) if decimal != DECIMAL_POINT else text
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def _read_xlsx(
    source: IO[bytes], *, limits: Limits, decimal: str, name: str
) -> tuple[list[str], list[list[str]]]:
    import openpyxl

    kind = _suffix(name) or ".xlsx"
    try:
        with zipfile.ZipFile(source) as archive:
            shape = _inspect_xlsx(archive, limits=limits, size=_size_of(source))
            no_value = _formulas_without_values(archive, shape.path) if shape.has_formulas else []
        source.seek(0)
        book = openpyxl.load_workbook(source, read_only=True, data_only=True)
        try:
            return _xlsx_rows(book.worksheets[0], no_value, limits=limits, decimal=decimal)
        finally:
            book.close()
    except ImportRejected:
        raise
    except Exception as exc:  # noqa: BLE001 — a damaged file fails in many ways (zip, zlib, XML, openpyxl)
        raise _unreadable(limits, kind, exc) from None


def _xlsx_rows(
    sheet, no_value: list[tuple[int, int]], *, limits: Limits, decimal: str
) -> tuple[list[str], list[list[str]]]:
    problems = _StructureErrors()
    sheet.reset_dimensions()  # a wrong <dimension> would otherwise cut rows off silently
    rows: list[list[str]] = []
    header: list[str] | None = None
    width = 0
    trailing_empty = 0
    for number, cells in enumerate(sheet.rows, start=1):
        texts = []
        for cell in cells:
            if cell.data_type == "e" and cell.value is not None:
                column = header[len(texts)] if header and len(texts) < width else _letter(len(texts) + 1)
                problems.add(
                    number,
                    column,
                    _("The cell shows the error %(error)s: correct it in the spreadsheet.")
                    % {"error": cell.value},
                )
            texts.append(_xlsx_text(cell.value, decimal))
        if header is None:
            while texts and texts[-1].strip() == "":
                texts.pop()
            if not texts:
                raise _file_error(
                    limits.empty.format(kind="XLSX", error=_("no header row"), error_class="EmptyDataError"),
                    row=1,
                )
            header, width = _header(texts), len(texts)
            continue
        if len(texts) > width:
            extra = [i for i, text in enumerate(texts[width:], start=width + 1) if text.strip()]
            if extra:
                problems.add(
                    number,
                    "",
                    _(
                        "Row %(row)s has a value in column %(column)s, right of the header's last column "
                        "(%(last)s). Give the column a name or clear the cell."
                    )
                    % {"row": number, "column": _letter(extra[0]), "last": _letter(width)},
                )
            texts = texts[:width]
        texts += [""] * (width - len(texts))
        rows.append(texts)
        trailing_empty = trailing_empty + 1 if not any(t.strip() for t in texts) else 0
        if len(rows) - trailing_empty > limits.max_rows:
            raise _file_error(limits.more_rows_than_message())
    if header is None:
        raise _file_error(
            limits.empty.format(kind="XLSX", error=_("no rows"), error_class="EmptyDataError"), row=1
        )
    for row, column in no_value:
        problems.add(
            row,
            header[column - 1] if row > 1 and column <= width else _letter(column),
            _(
                "The cell holds a formula without a calculated value (the program that saved the file does not "
                "calculate). Open the file in Excel or LibreOffice and save it again, or replace the formula by "
                "its value."
            ),
        )
    problems.errors.sort(key=lambda e: e.row)
    problems.raise_if_any()
    # Empty rows at the end are formatting, not data (spreadsheets keep them); empty rows between data are
    # kept, so their missing cells are reported with their row number.
    return header, rows[: len(rows) - trailing_empty]


def _letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(column)


def check_columns(
    columns: Sequence[str],
    *,
    required: Sequence[str],
    allowed: Sequence[str] | None = None,
    missing: str = gettext_lazy("Required column '{column}' is missing from the header row."),
    unknown: str = gettext_lazy("Unknown column '{column}'. Expected columns: {expected}."),
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
        return [CellError(FIRST_DATA_ROW, "", str(limits.no_rows))]
    if len(frame) > limits.max_rows:
        return [CellError(0, "", limits.too_many_rows_message(len(frame)))]
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


def _number_patterns(decimal: str, thousands: bool) -> tuple[str, str]:
    """(a well-formed number, a number whose meaning depends on the separator rule) for one decimal separator."""
    point = re.escape(decimal)
    group = re.escape(DECIMAL_COMMA if decimal == DECIMAL_POINT else DECIMAL_POINT)
    whole = ["[0-9]+"]
    if thousands:
        # Valid groups only: 1 to 3 digits (not starting with 0), then groups of exactly 3, one kind of mark.
        whole += [
            rf"[1-9][0-9]{{0,2}}(?:{group}[0-9]{{3}})+",
            rf"[1-9][0-9]{{0,2}}(?:[{_GROUP_SPACES}][0-9]{{3}})+",
        ]
    number = rf"[+-]?\s*(?:(?:{'|'.join(whole)})(?:{point}[0-9]*)?|{point}[0-9]+)"
    # "1,250" (decimal "."): one group mark, no decimals. It reads as 1250 here and as 1.25 with the other
    # separator, and both are plausible: refuse it rather than guess.
    ambiguous = rf"[+-]?\s*[1-9][0-9]{{0,2}}{group}[0-9]{{3}}" if thousands else r"(?!)"
    return number, ambiguous


def _other(decimal: str) -> str:
    return DECIMAL_COMMA if decimal == DECIMAL_POINT else DECIMAL_POINT


def separator_message(label: str, value: str, decimal: str, *, ambiguous: bool) -> str:
    """Plain words for a cell that is a number only with the other decimal separator, or with either."""
    words = {"label": label, "value": value}
    if ambiguous:
        words["whole"] = re.sub(r"[^0-9+-]", "", value)
        if decimal == DECIMAL_POINT:
            return (
                _(
                    "%(label)s “%(value)s” is ambiguous: with the decimal point of this import the comma can only "
                    "group thousands (%(whole)s), but it may be meant as a decimal comma. Write %(whole)s without a "
                    "thousands separator, or with decimals (“%(value)s.00”)."
                )
                % words
            )
        return (
            _(
                "%(label)s “%(value)s” is ambiguous: with the decimal comma of this import the point can only "
                "group thousands (%(whole)s), but it may be meant as a decimal point. Write %(whole)s without a "
                "thousands separator, or with decimals (“%(value)s,00”)."
            )
            % words
        )
    if decimal == DECIMAL_POINT:
        return (
            _(
                "%(label)s “%(value)s” has a decimal comma, but this import's decimal separator is the point (the "
                "comma may only group thousands, as in 1,234.50). Write it with a point, or choose the decimal "
                "comma when you upload the file."
            )
            % words
        )
    return (
        _(
            "%(label)s “%(value)s” has a decimal point, but this import's decimal separator is the comma (the "
            "point may only group thousands, as in 1.234,50). Write it with a comma, or choose the decimal point "
            "when you upload the file."
        )
        % words
    )


@dataclass(frozen=True)
class _Numbers:
    canonical: pd.Series  # "-1234.50" (no grouping, "." as decimal point) where well-formed, "" where empty
    empty: pd.Series
    ambiguous: pd.Series  # a number either way, a different one with the other separator ("1,250")
    other_decimal: pd.Series  # a number only with the other decimal separator ("12,50" when "." is chosen)
    invalid: pd.Series  # not a number at all


def _numbers(text: pd.Series, decimal: str, thousands: bool) -> _Numbers:
    """Classify every cell. Most cells are plain ("1234.50": digits and at most the decimal separator): one
    regex pass settles them, and only the others (grouped, signed with a space, wrong) take the full rules."""
    empty = text == ""
    plain = text.str.fullmatch(rf"[+-]?[0-9]+(?:{re.escape(decimal)}[0-9]*)?|[+-]?{re.escape(decimal)}[0-9]+")
    canonical = text if decimal == DECIMAL_POINT else text.str.replace(decimal, ".", regex=False)
    others = ~plain & ~empty
    no = pd.Series(False, index=text.index)
    numbers = _Numbers(
        canonical=canonical.where(plain, ""),
        empty=empty,
        ambiguous=no,
        other_decimal=no.copy(),
        invalid=no.copy(),
    )
    if others.any():
        rest = _numbers_in_full(text[others], decimal, thousands)
        for name in ("canonical", "ambiguous", "other_decimal", "invalid"):
            getattr(numbers, name).loc[others] = getattr(rest, name)
    return numbers


def _numbers_in_full(text: pd.Series, decimal: str, thousands: bool) -> _Numbers:
    number, ambiguous_pattern = _number_patterns(decimal, thousands)
    empty = text == ""
    well_formed = text.str.fullmatch(number)
    ambiguous = well_formed & text.str.fullmatch(ambiguous_pattern)
    other = _other(decimal)
    other_decimal = (
        ~well_formed
        & text.str.contains(other, regex=False)
        & text.str.fullmatch(_number_patterns(other, thousands)[0])
    )
    canonical = text.str.replace(rf"[\s{re.escape(other)}]", "", regex=True)
    if decimal != DECIMAL_POINT:
        canonical = canonical.str.replace(decimal, ".", regex=False)
    good = well_formed & ~ambiguous
    return _Numbers(
        canonical=canonical.where(good, "").where(~empty, ""),
        empty=empty,
        ambiguous=ambiguous,
        other_decimal=other_decimal,
        invalid=~empty & ~well_formed & ~other_decimal,
    )


def _report_separators(
    numbers: _Numbers, text: pd.Series, column: str, errors: ErrorCollector, label: str, decimal: str
) -> None:
    errors.add_mask(
        numbers.ambiguous, column, lambda i: separator_message(label, text.iat[i], decimal, ambiguous=True)
    )
    errors.add_mask(
        numbers.other_decimal,
        column,
        lambda i: separator_message(label, text.iat[i], decimal, ambiguous=False),
    )


def number_text(
    values: pd.Series,
    column: str,
    errors: ErrorCollector,
    *,
    label: str,
    decimal: str = DECIMAL_POINT,
    thousands: bool = True,
    invalid: str = gettext_lazy("{label} '{value}' is not a number."),
    stripped: bool = False,
) -> pd.Series:
    """Every cell as a canonical number text ("-1234.50": no grouping, "." as decimal point); "" when empty.

    Cells that are not numbers under the import's rule are reported (one message each) and come back as None:
    a cell written with the other decimal separator, or one whose meaning depends on which separator is meant,
    gets a message that says so; anything else `invalid` (`{label}`, `{value}` as written). `stripped`: the
    caller has stripped the cells already.
    """
    text = values if stripped else values.str.strip()
    numbers = _numbers(text, decimal, thousands)
    _report_separators(numbers, text, column, errors, label, decimal)
    errors.add_mask(numbers.invalid, column, lambda i: invalid.format(label=label, value=text.iat[i]))
    bad = numbers.ambiguous | numbers.other_decimal | numbers.invalid
    return numbers.canonical.where(~bad, None)


def integer_column(
    values: pd.Series,
    column: str,
    errors: ErrorCollector,
    *,
    label: str,
    minimum: int,
    maximum: int,
    pattern: str = INTEGER_PATTERN,
    decimal: str = DECIMAL_POINT,
    missing: str = gettext_lazy("{label} is missing."),
    not_whole: str = gettext_lazy("{label} must be a whole number."),
    too_small: str = gettext_lazy("{label} must be at least {minimum}."),
    too_large: str = gettext_lazy("{label} must be at most {maximum}."),
    stripped: bool = False,
) -> pd.Series:
    """Whole numbers in [minimum, maximum]; returns floats (NaN where bad or empty), one message per bad cell.

    `pattern` is written with "." as decimal point; with the decimal comma "12,0" is whole and "1.000" is not
    (it would be 1 with a point and 1000 with a comma).
    """
    words = {"label": label, "minimum": minimum, "maximum": maximum}
    text = values if stripped else values.str.strip()
    candidate = text
    if decimal != DECIMAL_POINT:
        candidate = text.where(~text.str.contains(DECIMAL_POINT, regex=False), "\x00").str.replace(
            decimal, DECIMAL_POINT, regex=False
        )
    well_formed = candidate.str.fullmatch(pattern)
    numbers = pd.to_numeric(candidate.where(well_formed), errors="coerce")
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
    decimal: str = DECIMAL_POINT,
    thousands: bool = True,
    missing: str = gettext_lazy("{label} is missing."),
    negative: str = gettext_lazy("{label} must not be negative."),
    invalid: str = gettext_lazy(
        "{label} '{value}' is not an amount (digits with at most two decimals, e.g. 1250.00)."
    ),
    stripped: bool = False,
) -> pd.Series:
    """Non-negative amounts with at most two decimals (numeric(18, 2)), checked as text.

    Returns the canonical text (see number_text; thousands separators accepted in valid groups when
    `thousands`): exact, ready for Decimal() or for the database to parse, never through float. `{value}` in
    `invalid` is the cell as written. A bad cell comes back as None. `stripped`: the caller has stripped the cells
    (an import strips every cell once; stripping again is 100,000 calls per column of a large file).
    """
    text = values if stripped else values.str.strip()
    numbers = _numbers(text, decimal, thousands)
    _report_separators(numbers, text, column, errors, label, decimal)
    value = numbers.canonical
    well_formed = value.str.fullmatch(MONEY_PATTERN)
    minus = value.str.startswith("-")
    is_negative = minus & value.str.fullmatch(r"-(?:" + MONEY_PATTERN + ")") if minus.any() else minus
    errors.add_mask(numbers.empty, column, missing.format(label=label))
    errors.add_mask(is_negative, column, negative.format(label=label))
    errors.add_mask(
        numbers.invalid | ((value != "") & ~well_formed & ~is_negative),
        column,
        lambda i: invalid.format(label=label, value=text.iat[i]),
    )
    return value.where(well_formed, None)


def parse_decimal(text: str) -> Decimal | None:
    """A finite Decimal from a canonical number text (see number_text), or None."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def decimal_column(
    values: pd.Series,
    column: str,
    errors: ErrorCollector,
    *,
    label: str,
    decimal: str = DECIMAL_POINT,
    missing: str = gettext_lazy("{label} is missing."),
    invalid: str = gettext_lazy("{label} '{value}' is not a number."),
) -> pd.Series:
    """Any finite decimal number (sign and precision are the importer's rule); None where bad or empty."""
    text = values.str.strip()
    canonical = number_text(text, column, errors, label=label, decimal=decimal, invalid=invalid)
    errors.add_mask(text == "", column, missing.format(label=label))
    return canonical.map(lambda c: parse_decimal(c) if isinstance(c, str) and c else None)
