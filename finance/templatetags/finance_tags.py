"""Panels of the finance app shown on other apps' pages (the tender page)."""

import re

from django import template
from django.utils.translation import gettext

register = template.Library()

# "2027 opex": the comment a need event stores (finance.services.budgets.tender_need_set).
_NEED_COMMENT = re.compile(r"^(?P<year>[0-9]{4}) (?P<type>capex|opex)$")


def _known_event_comments() -> frozenset[str]:
    """The comments our code writes on budget events (stored in English, marked with gettext_noop)."""
    from finance.demo_budgets import DEMO_APPROVAL_COMMENT
    from finance.services.budget_import import IMPORT_COMMENT
    from finance.services.budgets import CANCELLED_COMMENT
    from finance.services.pooling import POOLED_COMMENT

    return frozenset({IMPORT_COMMENT, CANCELLED_COMMENT, POOLED_COMMENT, DEMO_APPROVAL_COMMENT})


@register.filter
def stored_comment(comment: str) -> str:
    """A comment stored on a budget event or a decision, in the reader's language when our code wrote it.

    The comments our code writes are a fixed set of English sentences, translated here when shown (the rows
    are append-only history: never rewritten); anything else is what a person typed, shown as it is.
    """
    comment = comment or ""
    return gettext(comment) if comment in _known_event_comments() else comment


@register.filter
def event_comment(event) -> str:
    """A budget event's comment in the reader's language (see `stored_comment`); a need event's "2027 opex"
    shows the budget type's label."""
    comment = event.comment or ""
    if comment in _known_event_comments():
        return gettext(comment)
    match = _NEED_COMMENT.match(comment) if event.action == "need_set" else None
    if match:
        from finance.models import BudgetType

        return f"{match['year']} {BudgetType(match['type']).label}"
    return comment


@register.inclusion_tag("finance/_tender_budget_panel.html", takes_context=True)
def tender_budget_panel(context, tender):
    """Pooled budget and contributions of a tender: table + SVG chart, funding gaps, contributions, events."""
    from finance.charts import pooled_budget_chart
    from finance.selectors import budgets as sel

    # Few queries (the tender page has a budget of 20): the tender's contributions are read once and give
    # the pooled budget, the coverage of the need and the list; the override is read from the audit events.
    user = context.get("user")
    contributions = sel.tender_contributions(tender=tender)
    pooled = sel.pooled_budget(tender=tender, contributions=contributions)
    need, need_source = sel.tender_need_with_source(tender=tender)
    events = list(sel.budget_events(tender=tender)[: sel.PANEL_EVENTS])
    override = next((e for e in events if e.action == "override"), None)
    if override is None and len(events) == sel.PANEL_EVENTS:
        override = sel.budget_events(tender=tender).filter(action="override").first()
    return {
        "tender": tender,
        "user": user,
        "pooled": pooled,
        "chart": pooled_budget_chart(rows=pooled["rows"]),
        "gaps": sel.funding_gaps(
            tender=tender, statuses=(sel.Status.APPROVED,), need=need, contributions=contributions
        ),
        "need_source": need_source,
        "override": override,
        "contributions": contributions,
        "events": events,
        "can_request": user is not None and sel.can_request_for(user=user, tender=tender),
        # A request still waiting can be withdrawn by the same people while the tender is open (the service
        # checks both again).
        "can_withdraw": user is not None
        and sel.can_request_for(user=user, tender=tender)
        and sel.tender_is_open(tender=tender),
        "on_budget_page": context.get("on_budget_page", False),
    }


@register.inclusion_tag("finance/_tender_financing_panel.html", takes_context=True)
def tender_financing_panel(context, tender):
    """Financing scenarios of a tender: latest run, chosen scenario (only for those who may see them)."""
    from finance.selectors import scenarios as sel

    user = context.get("user")
    return {"tender": tender, "user": user, **sel.financing_panel(tender=tender, user=user)}
