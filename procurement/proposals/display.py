"""Stored English sentences of the evaluation, shown in the reader's language (docs/decisions.md).

`ProposalScore.compliance_problems` keeps the sentences `evaluation.compliance_problems` wrote, in English: the
rows are never rewritten. They come from a fixed set of patterns, so each is recognised here and translated
when it is shown; a sentence that matches none is shown as it was stored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from django.utils.translation import gettext as _

# (pattern of the stored English sentence, its translation with the same named placeholders)
_PATTERNS: list[tuple[re.Pattern[str], Callable[[], str]]] = [
    (
        re.compile(r"^Financing model (?P<model>.+) is not accepted by the tender\.$"),
        lambda: _("Financing model %(model)s is not accepted by the tender."),
    ),
    (
        re.compile(r"^At-risk share (?P<share>\S+) is below the minimum (?P<minimum>\S+)\.$"),
        lambda: _("At-risk share %(share)s is below the minimum %(minimum)s."),
    ),
    (
        re.compile(r"^No commitment for (?P<indicator>.+)\.$"),
        lambda: _("No commitment for %(indicator)s."),
    ),
    (
        re.compile(r"^The commitment for (?P<indicator>.+) is worse than the tender's target\.$"),
        lambda: _("The commitment for %(indicator)s is worse than the tender's target."),
    ),
]


def translate_stored(text: str, patterns: list[tuple[re.Pattern[str], Callable[[], str]]]) -> str:
    """`text` in the active language when it matches one of `patterns`; unchanged otherwise."""
    for pattern, message in patterns:
        match = pattern.match(text or "")
        if match:
            return message() % match.groupdict()
    return text


def compliance_problem_display(text: str) -> str:
    return translate_stored(text, _PATTERNS)


def compliance_problems_display(problems: Iterable[str]) -> list[str]:
    return [compliance_problem_display(p) for p in problems]
