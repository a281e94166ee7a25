"""Small template helpers of the scenario pages."""

from django import template

from config.numbers import measure, percent

register = template.Library()


@register.filter
def get_item(mapping, key):
    """{{ mapping|get_item:key }} — a dict lookup with a variable key (None if missing)."""
    return mapping.get(key) if hasattr(mapping, "get") else None


# The site-wide rule (config/numbers.py); registered here too, as pages load it with this library.
register.filter("percent", percent)


@register.filter
def assumption_value(value, parameter: str) -> str:
    """A tornado row's low/high value as a person reads it: the contract term in years, every rate as a
    percentage (0.02 → '2.00 %'), never a raw fraction like 0.0200."""
    if parameter == "contract_term":
        return f"{measure(value)} years"
    return percent(value, 2)
