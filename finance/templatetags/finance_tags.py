"""Panels of the finance app shown on other apps' pages (the tender page)."""

from django import template

register = template.Library()


@register.inclusion_tag("finance/_tender_budget_panel.html", takes_context=True)
def tender_budget_panel(context, tender):
    """Pooled budget and contributions of a tender."""
    return {"tender": tender, "user": context.get("user")}


@register.inclusion_tag("finance/_tender_financing_panel.html", takes_context=True)
def tender_financing_panel(context, tender):
    """Financing scenarios of a tender: latest run, chosen scenario."""
    return {"tender": tender, "user": context.get("user")}
