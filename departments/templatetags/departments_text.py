"""Stored English sentences (history, finder notes and failures) shown in the reader's language."""

from django import template

from departments import stored_text as texts

register = template.Library()


@register.filter
def audit_text(event) -> str:
    """{{ event|audit_text }}: an AuditEvent's summary, translated when it is one of the known sentences."""
    return texts.audit_text(event)


@register.filter
def stored_text(text) -> str:
    """{{ note|stored_text }}: a stored sentence (a finder run's note), translated when it is a known one."""
    return texts.translate_stored(text)


@register.filter
def stored_lines(text) -> list[str]:
    """A stored text of one sentence a line (a failed run's reasons), each line translated."""
    return [texts.translate_stored(line) for line in (text or "").splitlines()]
