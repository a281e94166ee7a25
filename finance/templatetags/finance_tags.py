"""Panels of the finance app shown on other apps' pages (the tender page)."""

from django import template

register = template.Library()


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
        "on_budget_page": context.get("on_budget_page", False),
    }


@register.inclusion_tag("finance/_tender_financing_panel.html", takes_context=True)
def tender_financing_panel(context, tender):
    """Financing scenarios of a tender: latest run, chosen scenario (only for those who may see them)."""
    from finance.selectors import scenarios as sel

    user = context.get("user")
    return {"tender": tender, "user": user, **sel.financing_panel(tender=tender, user=user)}
