"""Who is told what, in the city's words: the one place for every notification rule.

Each function is called by the service that makes the change, inside its transaction; mails go out after the
commit (notifications.services.notify). The actor is never told about their own action.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.urls import reverse

from departments.models import Department, Membership

from .models import Notification
from .services import notify

User = get_user_model()


def _people(query: Q, *, actor=None) -> QuerySet:
    people = User.objects.filter(is_active=True).filter(query).distinct()
    if actor is not None:
        people = people.exclude(pk=actor.pk)
    return people


def _finance_of(department_id: int) -> Q:
    """Finance staff of the department and of the central finance office."""
    return Q(memberships__role=Membership.Role.FINANCE) & (
        Q(memberships__department_id=department_id)
        | Q(memberships__department__kind=Department.Kind.CENTRAL_FINANCE)
    )


def _officials_of(department_id: int) -> Q:
    return Q(memberships__role=Membership.Role.OFFICIAL, memberships__department_id=department_id)


def _tender_url(tender) -> str:
    return reverse("procurement:tender-detail", args=[tender.reference])


def on_contribution_requested(*, contribution, actor) -> int:
    line = contribution.budget_line
    tender = contribution.tender
    return notify(
        event_key=f"contribution-requested:{contribution.pk}",
        kind=Notification.Kind.CONTRIBUTION_REQUESTED,
        recipients=_people(_finance_of(line.department_id), actor=actor),
        title=f"{tender.reference} asks {contribution.amount:,.2f} {line.currency} of {line}",
        body=(
            f"{actor.get_full_name() or actor.username} asked {contribution.amount:,.2f} {line.currency} of the "
            f"budget line “{line}” for the tender {tender.reference} “{tender.title}”. "
            "Approve or reject it in the approval queue."
        ),
        url=reverse("finance:approval-queue") + f"?tender={tender.reference}",
    )


def on_tender_transition(*, tender, action: str, actor, comment: str = "") -> int:
    """submit → finance is told an approval waits; return/approve → the lead department's officials."""
    event_key = f"tender-{action}:{tender.pk}:{tender.events.count()}"
    if action == "submit":
        return notify(
            event_key=event_key,
            kind=Notification.Kind.APPROVAL_WAITING,
            recipients=_people(_finance_of(tender.lead_department_id), actor=actor),
            title=f"{tender.reference} waits for finance approval",
            body=f"“{tender.title}” was submitted and waits for a finance decision (approve or return).",
            url=_tender_url(tender),
        )
    if action in ("return", "approve"):
        returned = action == "return"
        recipients = _people(
            _officials_of(tender.lead_department_id)
            | Q(pk=tender.created_by_id)
            | Q(pk=tender.submitted_by_id or 0),
            actor=actor,
        )
        reason = f" Reason: {comment.strip()}" if comment.strip() else ""
        return notify(
            event_key=event_key,
            kind=Notification.Kind.TENDER_RETURNED if returned else Notification.Kind.TENDER_APPROVED,
            recipients=recipients,
            title=f"{tender.reference} was {'returned to draft' if returned else 'approved'}",
            body=(
                f"“{tender.title}” was returned to draft by finance.{reason}"
                if returned
                else f"“{tender.title}” was approved by finance and can now be published.{reason}"
            ),
            url=_tender_url(tender),
        )
    return 0


def on_sign_off_requested(*, tender, department_ids: list[int], actor, event_key: str) -> int:
    """The lead asks departments to sign off what the tender takes from them: their officials are told.

    `event_key` names the request (its history row): asking again later is a new event, told again."""
    names = ", ".join(
        Department.objects.filter(pk__in=department_ids).order_by("name").values_list("name", flat=True)
    )
    officials = Q(memberships__role=Membership.Role.OFFICIAL, memberships__department_id__in=department_ids)
    return notify(
        event_key=event_key,
        kind=Notification.Kind.SIGN_OFF_REQUESTED,
        recipients=_people(officials, actor=actor),
        title=f"{tender.reference} waits for the sign-off of {names}",
        body=(
            f"{actor.get_full_name() or actor.username} ({tender.lead_department.name}) asks {names} to sign off "
            f"what the tender {tender.reference} “{tender.title}” takes from your department: its bundled "
            "assets and its budget contributions. It cannot be submitted before."
        ),
        url=_tender_url(tender) + "#sign-offs",
    )


def on_question_asked(*, question) -> int:
    tender = question.tender
    central = Q(memberships__role=Membership.Role.FINANCE) & Q(
        memberships__department__kind=Department.Kind.CENTRAL_FINANCE
    )
    return notify(
        event_key=f"question-asked:{question.pk}",
        kind=Notification.Kind.QUESTION_ASKED,
        recipients=_people(_officials_of(tender.lead_department_id) | central),
        title=f"A partner asked a question on {tender.reference}",
        body=f"“{question.question[:300]}” Answer it so that every partner sees the answer.",
        url=reverse("procurement:question-list"),
    )


def on_question_answered(*, question, actor) -> int:
    """The asking organisation's people (partner members, where the partner portal has them)."""
    tender = question.tender
    recipients = partner_people(organisation=question.organisation)
    return notify(
        event_key=f"question-answered:{question.pk}",
        kind=Notification.Kind.QUESTION_ANSWERED,
        recipients=recipients,
        title=f"Your question on {tender.reference} was answered",
        body=f"Question: {question.question[:300]}\n\nAnswer: {question.answer[:1000]}",
        url=reverse("partner:tender", args=[tender.reference]),
    )


def partner_people(*, organisation) -> QuerySet:
    """The people of a partner organisation who sign in to the partner portal."""
    return _people(Q(partner_membership__organisation=organisation))
