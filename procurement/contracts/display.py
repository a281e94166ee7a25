"""Stored English texts of contracts, shown in the reader's language (docs/decisions.md "Stored certificate
lines").

A payment certificate keeps every line as computed (`PaymentCertificate.lines`: key, label, amount, words) and
a contract keeps the words of its baseline (`Contract.baseline_source`). The pure calculation
(`procurement.contracts.certificate`) knows no Django and writes English; the rows are never rewritten. Every
such text comes from a fixed set of patterns, so it is recognised here and written again in the active
language; a text that matches none is shown as it was stored.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from config.numbers import money
from procurement.proposals.display import translate_stored

Patterns = list[tuple[re.Pattern[str], Callable[[], str]]]

_AMOUNT = r"-?[\d,]+\.\d{2}"
_PART = r"(?P<part> × (?P<fraction>[\d.]+) of a year)?"


def _amount(text: str) -> str:
    """An amount the calculation wrote as '1,234.50', written again by `config.numbers.money`."""
    try:
        return money(Decimal(text.replace(",", "")))
    except (InvalidOperation, ValueError):
        return text


def _part(match: dict[str, Any]) -> str:
    if not match.get("part"):
        return ""
    # Translators: appended to a formula of a certificate line for a quarterly period, e.g. " × 0.25 of a year".
    return _(" × %(fraction)s of a year") % {"fraction": match["fraction"]}


def _with_amounts(pattern: re.Pattern[str], message: Callable[[], str], amounts: tuple[str, ...] = ()):
    """A (pattern, formatter) pair whose money groups are re-written and whose period part is translated."""

    def render(text: str) -> str | None:
        match = pattern.match(text or "")
        if match is None:
            return None
        values = match.groupdict()
        for name in amounts:
            values[name] = _amount(values[name])
        values["part"] = _part(values)
        if values.get("how") is not None:
            values["how"] = how_display(values["how"])
        return message() % values

    return render


_WORDS = [
    _with_amounts(
        re.compile(rf"^flat (?P<amount>{_AMOUNT}){_PART}$"),
        lambda: _("flat %(amount)s%(part)s"),
        ("amount",),
    ),
    _with_amounts(
        re.compile(rf"^(?P<amount>{_AMOUNT}) at start-year prices × price index (?P<index>[\d.]+){_PART}$"),
        lambda: _("%(amount)s at start-year prices × price index %(index)s%(part)s"),
        ("amount",),
    ),
    _with_amounts(
        re.compile(
            rf"^maintenance (?P<maintenance>{_AMOUNT}) × (?P<price_index>[\d.]+) \+ energy "
            rf"(?P<energy>{_AMOUNT}) × (?P<energy_index>[\d.]+){_PART}$"
        ),
        lambda: _(
            "maintenance %(maintenance)s × %(price_index)s + energy %(energy)s × %(energy_index)s%(part)s"
        ),
        ("maintenance", "energy"),
    ),
    _with_amounts(
        re.compile(r"^share (?P<share>\S+) × max\(0, savings\)$"),
        lambda: _("share %(share)s × max(0, savings)"),
    ),
    _with_amounts(
        re.compile(
            r"^achievement (?P<achievement>[\d.]+) \((?P<how>.*)\), weight (?P<weight>\S+)% × at-risk share "
            rf"(?P<share>\S+) of (?P<base>{_AMOUNT}) → deduction (?P<amount>{_AMOUNT})$"
        ),
        lambda: _(
            "achievement %(achievement)s (%(how)s), weight %(weight)s%% × at-risk share %(share)s of %(base)s "
            "→ deduction %(amount)s"
        ),
        ("base", "amount"),
    ),
    _with_amounts(
        re.compile(r"^a = (?P<formula>.*); payable share (?P<payable>.*)$"),
        lambda: _("a = %(formula)s; payable share %(payable)s"),
    ),
]

_FIXED = {
    "financing charge + indexed operation fee": lambda: _("financing charge + indexed operation fee"),
    "as reported and verified": lambda: _("as reported and verified"),
    "baseline − actual cost": lambda: _("baseline − actual cost"),
    "baseline − actual cost (negative: nothing is shared)": lambda: _(
        "baseline − actual cost (negative: nothing is shared)"
    ),
    "costs not reported or not verified: no savings are shared": lambda: _(
        "costs not reported or not verified: no savings are shared"
    ),
    "rounding of the weighted achievement": lambda: _("rounding of the weighted achievement"),
    "not reported": lambda: _("not reported"),
    "not verified in time": lambda: _("not verified in time"),
}

_HOW: Patterns = [
    (re.compile(r"^measured (?P<value>\S+)(?: (?P<unit>.*))?$"), lambda: _("measured %(value)s %(unit)s")),
    (re.compile(r"^rejected: (?P<reason>.*)$"), lambda: _("rejected: %(reason)s")),
]

_LABELS = {
    "financing_charge": lambda: _("Financing charge A′"),
    "operation_fee": lambda: _("Operation fee O′ indexed"),
    "service_fee": lambda: _("Service fee Fₜ"),
    "baseline": lambda: _("Savings baseline, indexed"),
    "actual_cost": lambda: _("Actual maintenance and energy"),
    "savings": lambda: _("Savings"),
    "shared_savings": lambda: _("Partner's share of savings"),
    "achievement": lambda: _("Weighted achievement a"),
}


def how_display(text: str) -> str:
    """How an indicator's achievement was found ('measured 12 %', 'not reported', 'rejected: …')."""
    if text in _FIXED:
        return _FIXED[text]()
    for pattern, message in _HOW:
        match = pattern.match(text or "")
        if match:
            values = match.groupdict()
            values["unit"] = values.get("unit") or ""
            return (message() % values).rstrip()
    return text


def words_display(text: str) -> str:
    if text in _FIXED:
        return _FIXED[text]()
    for render in _WORDS:
        rendered = render(text)
        if rendered is not None:
            return rendered
    return text


def label_display(line: dict[str, Any]) -> str:
    key = line.get("key", "")
    if key == "deduction":
        if line.get("indicator"):
            return _("Deduction: %(indicator)s") % {"indicator": line["indicator"]}
        return _("Deduction")
    if key in _LABELS:
        return _LABELS[key]()
    return line.get("label", "")


def certificate_lines_display(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The stored lines with `label` and `words` in the active language (copies: the row is not touched)."""
    shown = []
    for line in lines:
        line = dict(line)
        if line.get("kind") == "achievement":
            line["words"] = how_display(line.get("words", ""))
        else:
            line["label"] = label_display(line)
            line["words"] = words_display(line.get("words", ""))
        shown.append(line)
    return shown


_BASELINE: Patterns = [
    (
        re.compile(
            rf"^Sum of the yearly maintenance \((?P<maintenance>{_AMOUNT})\) and energy \((?P<energy>{_AMOUNT})\) "
            r"cost of the (?P<count>\d+) bundled assets in the departments' asset inventory on (?P<date>[\d-]+), "
            r"frozen at signature as start-year prices\.$"
        ),
        lambda: _(
            "Sum of the yearly maintenance (%(maintenance)s) and energy (%(energy)s) cost of the %(count)s "
            "bundled assets in the departments' asset inventory on %(date)s, frozen at signature as start-year "
            "prices."
        ),
    ),
]


def baseline_source_display(text: str) -> str:
    for pattern, message in _BASELINE:
        match = pattern.match(text or "")
        if match:
            values = match.groupdict()
            values["maintenance"] = _amount(values["maintenance"])
            values["energy"] = _amount(values["energy"])
            return message() % values
    return text


_CERTIFICATE_ERRORS: Patterns = [
    (
        re.compile(r"^The inflation of contract year (?P<year>\d+) is missing\.$"),
        lambda: _("The inflation of contract year %(year)s is missing."),
    ),
    (
        re.compile(r"^The energy price change of contract year (?P<year>\d+) is missing\.$"),
        lambda: _("The energy price change of contract year %(year)s is missing."),
    ),
    (re.compile(r"^Shares must add to more than zero\.$"), lambda: _("Shares must add to more than zero.")),
    (re.compile(r"^The contract year starts at 0\.$"), lambda: _("The contract year starts at 0.")),
    (
        re.compile(r"^The at-risk share is between 0 and 1\.$"),
        lambda: _("The at-risk share is between 0 and 1."),
    ),
    (
        re.compile(r"^The savings share is between 0 and 1\.$"),
        lambda: _("The savings share is between 0 and 1."),
    ),
    (
        re.compile(r"^The indicator weights add to (?P<total>\S+)%, not 100%\.$"),
        lambda: _("The indicator weights add to %(total)s%%, not 100%%."),
    ),
]


def certificate_error_display(text: str) -> str:
    """An error of the pure calculation (English, no Django) in the active language."""
    return translate_stored(text, _CERTIFICATE_ERRORS)
