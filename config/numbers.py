"""How numbers are written, on pages and in CSV files — one rule each, used everywhere.

* money: thousands separators and two decimals on pages (``138,526.27``); in CSV cells two decimals and no
  separators (``138526.27``, ``money_cell``), so that every spreadsheet reads the cell as a number.
* percent: rates are stored as fractions and shown (and entered) as percentages (``0.035`` → ``3.5 %``).
* measure: indicator values, targets and measurements without padding zeros (``-10``, ``12.5``), with thousands
  separators, never in exponent notation (``Decimal("1E+2")`` is ``100``).

On pages, the separators are those of the active language (Django's locale formats): ``138,526.27`` in English,
``138 526,27`` in French (a non-breaking space), ``138.526,27`` in Dutch. The digits and the rounding are computed
once, in the English form, and only the two separator characters are swapped — so a number is never rounded
twice or differently per language. CSV cells, form input values (``plain_number``) and imports never follow the
language: imports have their own explicit separator rule (departments/imports.py).

These are template builtins (config.settings TEMPLATES ``builtins``): no ``{% load %}`` needed.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils.formats import get_format

register = template.Library()

CENT = Decimal("0.01")
DASH = "—"
_PLAIN_NUMBER = re.compile(r"^-?\d+\.\d*$")


def as_decimal(value: Any) -> Decimal | None:
    """``value`` as a finite Decimal, or None when it is empty or not a number."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() else None


def _cents(number: Decimal) -> Decimal:
    return number.quantize(CENT, rounding=ROUND_HALF_UP) + 0  # "+ 0" turns -0.00 into 0.00


def localized(text: str) -> str:
    """An English-form number ('-1,234.5') written with the active language's separators ('-1.234,5' in Dutch)."""
    thousands, decimal = get_format("THOUSAND_SEPARATOR"), get_format("DECIMAL_SEPARATOR")
    if (thousands, decimal) == (",", "."):
        return text
    return text.translate(str.maketrans({",": thousands, ".": decimal}))


@register.filter
def money(value: Any) -> str:
    """1234567.891 → '1,234,567.89'; None or not a number → '—'."""
    number = as_decimal(value)
    if number is None:
        return DASH
    return localized(f"{_cents(number):,.2f}")


def money_cell(value: Any) -> Any:
    """A money cell of a CSV/XLSX export: a Decimal with two places (written '-1234567.89': no separators,
    so spreadsheets parse it; a number, not text, so a negative amount is not taken for a formula by
    config/spreadsheets.py). Anything that is not a number (None, text) is returned unchanged."""
    number = as_decimal(value) if isinstance(value, Decimal | float | int) else None
    return value if number is None else _cents(number)


@register.filter
def percent(value: Any, digits: int | str = 1) -> str:
    """A fraction as a percentage: 0.0712 → '7.1 %' (``|percent:2`` → '7.12 %'); None → '—'."""
    number = as_decimal(value)
    if number is None:
        return DASH
    places = Decimal(1).scaleb(-int(digits))
    return localized(f"{(number * 100).quantize(places, rounding=ROUND_HALF_UP) + 0:,}") + " %"


def plain(number: Decimal) -> str:
    """A Decimal without padding zeros and never in exponent notation: 100.0000 → '100', 0.50 → '0.5'."""
    text = f"{number:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@register.filter
def measure(value: Any) -> str:
    """An indicator value, target or measurement: -10.0000 → '-10', 12345.5000 → '12,345.5'; None → '—'."""
    number = as_decimal(value)
    if number is None:
        return DASH
    text = plain(number)
    whole, _, fraction = text.partition(".")
    whole = f"{int(whole):,}" if whole != "-0" else "-0"
    return localized(f"{whole}.{fraction}" if fraction else whole)


@register.filter
def plain_number(value: Any) -> str:
    """The value of a number input: '138526.270000000' → '138526.27', '-10.0000' → '-10'; anything else (what
    a user typed, e.g. '12,5' or 'abc') unchanged, so a refused form shows exactly what was entered."""
    text = str(value)
    if _PLAIN_NUMBER.match(text):
        return plain(Decimal(text))
    return text
