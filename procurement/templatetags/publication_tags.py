"""Publication panel shown on the tender page (releases, questions)."""

from django import template

register = template.Library()


@register.inclusion_tag("procurement/_tender_publication_panel.html", takes_context=True)
def tender_publication_panel(context, tender):
    return {"tender": tender, "user": context.get("user")}
