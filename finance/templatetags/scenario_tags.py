"""Small template helpers of the scenario pages."""

from django import template

from config.numbers import percent

register = template.Library()


@register.filter
def get_item(mapping, key):
    """{{ mapping|get_item:key }} — a dict lookup with a variable key (None if missing)."""
    return mapping.get(key) if hasattr(mapping, "get") else None


# The site-wide rule (config/numbers.py); registered here too, as pages load it with this library.
register.filter("percent", percent)
