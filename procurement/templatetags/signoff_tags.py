"""Department sign-offs panel of the tender page: three queries (bundles of the other departments, sign-offs)."""

from django import template

from departments.models import Membership
from procurement.models import Tender
from procurement.selectors import signoffs as selectors
from procurement.selectors.tenders import is_lead_official, user_roles

register = template.Library()


@register.inclusion_tag("procurement/_tender_signoffs.html", takes_context=True)
def tender_signoff_panel(context, tender):
    user = context.get("user")
    # The tender page hands over the states it read from its cached bundle (views/tenders.py); elsewhere, read.
    ready = context.get("signoff_states")
    if ready is not None and ready[0] == tender.pk:
        states = ready[1]
    else:
        states = selectors.tender_sign_off_states(tender=tender)
    draft = tender.status == Tender.Status.DRAFT
    mine = user_roles(user=user).departments_with(Membership.Role.OFFICIAL) if user is not None else set()
    rows = [
        {
            "state": state,
            "bundle": state.bundle,
            "contributions": state.bundle.contributions_by_year_and_type(),
            "can_sign": draft and state.department_id in mine,
        }
        for state in states
    ]
    return {
        "tender": tender,
        "request": context.get("request"),
        "rows": rows,
        "draft": draft,
        "can_ask": draft
        and user is not None
        and is_lead_official(user=user, tender=tender)
        and any(state.status != selectors.SIGNED for state in states),
    }
