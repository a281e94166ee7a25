"""Reads of the departments app: who may see and do what lives here and in services."""

from .models import Membership


def role_labels_for_user(*, user) -> list[str]:
    """'Finance · Central finance', 'Official · Transport' … for the page header."""
    memberships = Membership.objects.filter(user=user).select_related("department")
    return [f"{m.get_role_display()} · {m.department.name}" for m in memberships]
