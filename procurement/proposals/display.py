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


_PRICE_JOB = [
    (
        re.compile(r"^The price job stopped with an error: (?P<error>.*)$", re.S),
        lambda: _("The price job stopped with an error: %(error)s"),
    ),
]


def price_job_error_display(text: str) -> str:
    """`Evaluation.error_message` as stored by the price job's failure callback, in the reader's language (the
    error itself, from the engine or the database, is shown as it came)."""
    return translate_stored(text, _PRICE_JOB)


# The comments the proposal, evaluation and award services write on TenderEvent rows (history, append-only),
# by action. The tender's history page can show them in the reader's language with
# `tender_event_comment_display(action, comment)`.
_EVENT_COMMENTS: dict[str, list[tuple[re.Pattern[str], Callable[[], str]]]] = {
    "requirements": [
        (
            re.compile(r"^Proposal deadline (?P<deadline>[\d-]+ [\d:]+) UTC \(amendment\)$"),
            lambda: _("Proposal deadline %(deadline)s UTC (amendment)"),
        ),
        (
            re.compile(r"^Proposal deadline (?P<deadline>[\d-]+ [\d:]+) UTC$"),
            lambda: _("Proposal deadline %(deadline)s UTC"),
        ),
    ],
    "proposal_received": [(re.compile(r"^receipt (?P<receipt>\w+)$"), lambda: _("receipt %(receipt)s"))],
    "proposal_replaced": [(re.compile(r"^receipt (?P<receipt>\w+)$"), lambda: _("receipt %(receipt)s"))],
    "proposals_open": [
        (
            re.compile(r"^Opening (?P<count>\d+) of (?P<needed>\d+)$"),
            lambda: _("Opening %(count)s of %(needed)s"),
        )
    ],
    "evaluation_start": [
        (re.compile(r"^(?P<count>\d+) proposal\(s\)$"), lambda: _("%(count)s proposal(s)")),
    ],
    "evaluation_priced": [(re.compile(r"^(?P<count>\d+) priced$"), lambda: _("%(count)s priced"))],
    "evaluation_final": [(re.compile(r"^(?P<count>\d+) ranked$"), lambda: _("%(count)s ranked"))],
    "award_recommend": [
        (
            re.compile(r"^(?P<organisation>.+) \(rank 1, total (?P<total>\S+)\): (?P<comment>.*)$", re.S),
            lambda: _("%(organisation)s (rank 1, total %(total)s): %(comment)s"),
        ),
        (
            re.compile(r"^(?P<organisation>.+) \(rank 1, total (?P<total>\S+)\)$"),
            lambda: _("%(organisation)s (rank 1, total %(total)s)"),
        ),
    ],
    "award": [
        (
            re.compile(r"^Award to (?P<organisation>.+?); budget override: (?P<reason>.*)$", re.S),
            lambda: _("Award to %(organisation)s; budget override: %(reason)s"),
        ),
        (re.compile(r"^Award to (?P<organisation>.+)$"), lambda: _("Award to %(organisation)s")),
    ],
    "sign": [(re.compile(r"^Contract signed$"), lambda: _("Contract signed"))],
}


def tender_event_comment_display(action: str, comment: str) -> str:
    """A TenderEvent comment written by these services, in the reader's language; any other comment (what a
    person typed) is shown as it was."""
    return translate_stored(comment, _EVENT_COMMENTS.get(action, []))
