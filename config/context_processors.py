from django.conf import settings
from django.urls import NoReverseMatch, reverse

# The main navigation. An entry whose page does not exist (yet) is left out rather than breaking every page.
NAVIGATION = [
    ("Departments", "departments:department-list"),
    ("Assets", "departments:asset-list"),
    ("Outcomes", "outcomes:outcome-list"),
    ("Tenders", "procurement:tender-list"),
    ("Budgets", "finance:budget-line-list"),
    ("Approvals", "finance:approval-queue"),
    ("Opportunities", "finder:finder"),
]
PUBLIC_NAVIGATION = [("Published tenders", "procurement:public-tender-list"), ("API", "api-docs")]


def _resolve(entries):
    items = []
    for label, name in entries:
        try:
            items.append({"label": label, "url": reverse(name)})
        except NoReverseMatch:
            continue
    return items


def site(request):
    """City name, navigation and the signed-in user's roles for the layout of every page."""
    roles = []
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from departments.selectors import role_labels_for_user

        roles = role_labels_for_user(user=user)
    return {
        "city_name": settings.CITY_NAME,
        "demo_mode": settings.DEMO_MODE,
        "user_roles": roles,
        "navigation": _resolve(NAVIGATION),
        "public_navigation": _resolve(PUBLIC_NAVIGATION),
    }
