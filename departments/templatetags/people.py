"""How people are named on pages."""

from django import template

register = template.Library()


@register.filter
def person(user) -> str:
    """Full name, else username; an em dash when there is no user (e.g. a step taken by the system, not by a person)."""
    if user is None:
        return "—"
    return user.get_full_name() or user.username
