"""Who is told what, in the city's words: the one place for every notification rule.

Each rule passes the notification's parameters; what they say, in each reader's language, is in messages.py.

Each function is called by the service that makes the change, inside its transaction; mails go out after the
commit (notifications.services.notify). The actor is never told about their own action.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import translation

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


def _name(user) -> str:
    return user.get_full_name() or user.username


def _line_words(line) -> str:
    """A budget line as its __str__ says it (department, year, CapEx/OpEx, name: the same in every language)."""
    with translation.override("en"):
        return str(line)


def _contribution_words(contribution, actor) -> dict:
    line = contribution.budget_line
    return {
        "tender": contribution.tender.reference,
        "title": contribution.tender.title,
        "amount": str(contribution.amount),
        "currency": line.currency,
        "line": _line_words(line),
        "actor": _name(actor),
    }


def on_contribution_requested(*, contribution, actor) -> int:
    return notify(
        event_key=f"contribution-requested:{contribution.pk}",
        kind=Notification.Kind.CONTRIBUTION_REQUESTED,
        recipients=_people(_finance_of(contribution.budget_line.department_id), actor=actor),
        params=_contribution_words(contribution, actor),
        url=reverse("finance:approval-queue") + f"?tender={contribution.tender.reference}",
    )


def on_contribution_withdrawn(*, contribution, actor) -> int:
    """The finance staff told of the request are told it was withdrawn: it left their approval queue."""
    return notify(
        event_key=f"contribution-withdrawn:{contribution.pk}",
        kind=Notification.Kind.CONTRIBUTION_WITHDRAWN,
        recipients=_people(_finance_of(contribution.budget_line.department_id), actor=actor),
        params=_contribution_words(contribution, actor),
        url=reverse("finance:budget-line-detail", args=[contribution.budget_line.pk]),
    )


def on_tender_transition(*, tender, action: str, actor, comment: str = "") -> int:
    """submit → finance is told an approval waits; return/approve → the lead department's officials."""
    event_key = f"tender-{action}:{tender.pk}:{tender.events.count()}"
    if action == "submit":
        return notify(
            event_key=event_key,
            kind=Notification.Kind.APPROVAL_WAITING,
            recipients=_people(_finance_of(tender.lead_department_id), actor=actor),
            params={"tender": tender.reference, "title": tender.title},
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
        return notify(
            event_key=event_key,
            kind=Notification.Kind.TENDER_RETURNED if returned else Notification.Kind.TENDER_APPROVED,
            recipients=recipients,
            params={"tender": tender.reference, "title": tender.title, "reason": comment.strip()},
            url=_tender_url(tender),
        )
    return 0


def on_sign_off_requested(*, tender, department_ids: list[int], actor, event_key: str) -> int:
    """The lead asks departments to sign off what the tender takes from them: their officials are told.

    `event_key` names the request (its history row): asking again later is a new event, told again."""
    names = list(
        Department.objects.filter(pk__in=department_ids).order_by("name").values_list("name", flat=True)
    )
    officials = Q(memberships__role=Membership.Role.OFFICIAL, memberships__department_id__in=department_ids)
    return notify(
        event_key=event_key,
        kind=Notification.Kind.SIGN_OFF_REQUESTED,
        recipients=_people(officials, actor=actor),
        params={
            "tender": tender.reference,
            "title": tender.title,
            "departments": names,
            "actor": _name(actor),
            "lead": tender.lead_department.name,
        },
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
        params={"tender": tender.reference, "question": question.question[:300]},
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
        params={
            "tender": tender.reference,
            "question": question.question[:300],
            "answer": question.answer[:1000],
        },
        url=reverse("partner:tender", args=[tender.reference]),
    )


def partner_people(*, organisation) -> QuerySet:
    """The people of a partner organisation who sign in to the partner portal."""
    return _people(Q(partner_membership__organisation=organisation))


# --- Contracts: a period's report, its review, its certificate -------------------------------------------------


def on_period_opened(*, period, due) -> int:
    """A period ended: the partner's people are told its report is due (the beat task opens it)."""
    contract = period.contract
    return notify(
        event_key=f"period-opened:{period.pk}",
        kind=Notification.Kind.REPORT_DUE,
        recipients=partner_people(organisation=contract.organisation),
        params={"contract": contract.reference, "period": period.number, "due": due.isoformat()},
        url=reverse("partner_contracts:report", args=[contract.pk, period.number]),
    )


def on_report_submitted(*, report, actor=None) -> int:
    """The partner reported a period: the lead department's officials verify it."""
    period = report.period
    contract = period.contract
    return notify(
        event_key=f"report-submitted:{report.pk}",
        kind=Notification.Kind.REPORT_SUBMITTED,
        recipients=_people(_officials_of(contract.tender.lead_department_id), actor=actor),
        params={
            "contract": contract.reference,
            "period": period.number,
            "partner": contract.organisation.name,
        },
        url=reverse("contracts:detail", args=[contract.pk]),
    )


def on_report_line_rejected(*, report, line: str, reason: str, event_key: str) -> int:
    """A line of a partner's report was rejected: the partner's people are told what and why. `line` is the
    indicator's name, or empty for the period's actual costs."""
    period = report.period
    contract = period.contract
    return notify(
        event_key=event_key,
        kind=Notification.Kind.REPORT_LINE_REJECTED,
        recipients=partner_people(organisation=contract.organisation),
        params={
            "contract": contract.reference,
            "period": period.number,
            "line": line,
            "reason": reason[:1000],
        },
        url=reverse("partner_contracts:detail", args=[contract.pk]),
    )


def on_certificate_computed(*, certificate, actor=None) -> int:
    """A period's certificate was computed: finance of the lead department and central finance approve it."""
    period = certificate.period
    contract = period.contract
    return notify(
        event_key=f"certificate-computed:{certificate.pk}",
        kind=Notification.Kind.CERTIFICATE_WAITING,
        recipients=_people(_finance_of(contract.tender.lead_department_id), actor=actor),
        params={
            "contract": contract.reference,
            "period": period.number,
            "amount": str(certificate.total_payable),
            "currency": contract.tender.currency,
        },
        url=reverse("contracts:certificate", args=[contract.pk, period.number]),
    )
