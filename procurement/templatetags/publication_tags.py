"""Publication panel shown on the tender page (releases, questions)."""

from django import template

from procurement.publication import selectors

register = template.Library()


@register.inclusion_tag("procurement/_tender_publication_panel.html", takes_context=True)
def tender_publication_panel(context, tender):
    user = context.get("user")
    # No query for a tender that cannot have been published yet (draft, submitted, approved).
    published = tender.status in selectors.PUBLIC_STATUSES
    releases = selectors.release_list_for_tender(tender=tender) if published else []
    questions = tender.questions.select_related("organisation").order_by("asked_at", "id") if releases else []
    return {
        "tender": tender,
        "user": user,
        "request": context.get("request"),
        "releases": releases,
        "questions": questions,
        "can_answer": bool(releases) and selectors.user_can_answer_questions(user=user, tender=tender),
    }
