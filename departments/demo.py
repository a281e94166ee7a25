"""Demo city, step 1: departments, demo users of every role, asset categories and assets."""

from django.contrib.auth import get_user_model
from django.db import transaction

from .models import Department, Membership

# Documented in README ("Demo accounts"); only ever created in demo mode.
DEMO_PASSWORD = "demo-city-2027"

DEPARTMENTS = [
    ("transport", "Transport", Department.Kind.SERVICE),
    ("lighting", "Street lighting", Department.Kind.SERVICE),
    ("safety", "Public safety", Department.Kind.SERVICE),
    ("parks", "Parks", Department.Kind.SERVICE),
    ("finance", "Central finance office", Department.Kind.CENTRAL_FINANCE),
]

# username, first name, last name, department code, role
USERS = [
    ("tina", "Tina", "Transport", "transport", Membership.Role.OFFICIAL),
    ("luc", "Luc", "Lighting", "lighting", Membership.Role.OFFICIAL),
    ("sam", "Sam", "Safety", "safety", Membership.Role.OFFICIAL),
    ("paula", "Paula", "Parks", "parks", Membership.Role.OFFICIAL),
    ("fiona", "Fiona", "Finance", "finance", Membership.Role.FINANCE),
    ("frank", "Frank", "Finance", "finance", Membership.Role.FINANCE),
    ("theo", "Theo", "Transport Finance", "transport", Membership.Role.FINANCE),
    ("victor", "Victor", "Viewer", "transport", Membership.Role.VIEWER),
]


@transaction.atomic
def load(*, log) -> None:
    departments = {}
    for code, name, kind in DEPARTMENTS:
        departments[code], _ = Department.objects.update_or_create(
            code=code, defaults={"name": name, "kind": kind}
        )
    User = get_user_model()
    for username, first, last, department, role in USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@city.example"},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        Membership.objects.update_or_create(
            user=user, department=departments[department], defaults={"role": role}
        )
    admin, created = User.objects.get_or_create(
        username="admin", defaults={"is_staff": True, "is_superuser": True, "email": "admin@city.example"}
    )
    if created:
        admin.set_password(DEMO_PASSWORD)
        admin.save(update_fields=["password"])
    log(f"{len(DEPARTMENTS)} departments, {len(USERS) + 1} demo users (password {DEMO_PASSWORD!r})")
