"""Small template helpers of the scenario pages."""

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """{{ mapping|get_item:key }} — a dict lookup with a variable key (None if missing)."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def percent(value, digits=1):
    """0.0712 -> '7.1 %' (rates and probabilities are stored as fractions)."""
    if value is None:
        return "—"
    return f"{float(value) * 100:.{int(digits)}f} %"
