"""The tender history in the reader's language (procurement.history): `{{ event|event_action }}`,
`{{ event|event_comment }}`, `{{ code|status_label }}`."""

from django import template

from procurement import history

register = template.Library()


@register.filter
def event_action(event) -> str:
    return history.action_label(event.action)


@register.filter
def event_comment(event) -> str:
    return history.event_comment(event)


@register.filter
def status_label(code: str) -> str:
    return history.status_label(code or "")
