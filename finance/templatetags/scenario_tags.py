"""Small template helpers of the scenario pages."""

from django import template
from django.utils.translation import gettext as _

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
        # Translators: a contract term in the sensitivity table, e.g. "12 years" (a decimal number is possible).
        return _("%(value)s years") % {"value": measure(value)}
    return percent(value, 2)


@register.filter
def run_error_lines(run) -> list[str]:
    """Why a failed run failed, one line per problem, in the reader's language (finance.scenario_text)."""
    from finance.scenario_text import run_failure_lines

    return run_failure_lines(error_message=run.error_message or "", summary=run.summary)
