from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# The main navigation: (label, URL name, who sees it). A menu item is shown only to users who may use the page
# behind it (the page itself still checks on the server); an entry whose page does not exist is left out.
#   "member": anyone with a membership (or a superuser); "finance": finance staff; "official": officials;
#   "planner": officials and finance staff.
NAVIGATION = [
    (_("Departments"), "departments:department-list", "member"),
    (_("Assets"), "departments:asset-list", "member"),
    (_("Outcomes"), "outcomes:outcome-list", "member"),
    (_("Tenders"), "procurement:tender-list", "member"),
    (_("Budgets"), "finance:budget-line-list", "member"),
    (_("Approvals"), "finance:approval-queue", "finance"),
    (_("Opportunities"), "finder:finder", "planner"),
    (_("Contracts"), "contracts:list", "member"),
]
PUBLIC_NAVIGATION = [
    (_("Published tenders"), "procurement:public-tender-list"),
    (pgettext_lazy("navigation", "API"), "api-docs"),
]


def _resolve(entries):
    items = []
    for label, name in entries:
        try:
            items.append({"label": label, "url": reverse(name)})
        except NoReverseMatch:
            continue
    return items


def navigation_for(*, user, roles: set[str]) -> list[dict]:
    """The menu items a user holding these membership roles may use."""
    from departments.models import Membership

    if user is None or not user.is_authenticated:
        return []
    allowed = {"member"} if roles or user.is_superuser else set()
    if Membership.Role.FINANCE in roles or user.is_superuser:
        allowed.add("finance")
    if Membership.Role.OFFICIAL in roles:
        allowed.add("official")
    if {"official", "finance"} & allowed:
        allowed.add("planner")
    return _resolve([(label, name) for label, name, audience in NAVIGATION if audience in allowed])


def site(request):
    """City name, navigation and the signed-in user's roles for the layout of every page."""
    labels, roles, unread = [], set(), 0
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from departments.selectors import user_memberships
        from notifications.selectors import unread_count

        unread = unread_count(user=user)
        memberships = user_memberships(user=user)
        # "Official · Transport": the role's label is translated where the role is defined.
        labels = [f"{m.get_role_display()} · {m.department.name}" for m in memberships]
        roles = {m.role for m in memberships}
    return {
        "city_name": settings.CITY_NAME,
        "demo_mode": settings.DEMO_MODE,
        "user_roles": labels,
        "unread_notifications": unread,
        "navigation": navigation_for(user=user, roles=roles),
        "public_navigation": _resolve(PUBLIC_NAVIGATION),
    }
