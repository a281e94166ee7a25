"""Concurrency on PostgreSQL: many users requesting and approving against one line at the same moment."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from finance.exceptions import BudgetOvercommitted
from finance.models import BudgetEvent, Contribution
from finance.selectors.budgets import line_usage
from finance.services.budgets import contribution_approve, contribution_request
from tests.factories import BudgetLineFactory, TenderFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

REQUESTERS = 8
APPROVERS = 4


def test_concurrent_requests_and_approvals_never_promise_more_than_the_line(
    tender, transport, transport_official, finance_officer
):
    line = BudgetLineFactory(department=transport, amount=Decimal("1000.00"))
    # Four requests already hold 400.00; 600.00 is left for eight threads asking 100.00 each.
    pending = [
        contribution_request(
            tender=tender, budget_line=line, amount=Decimal("100.00"), actor=transport_official
        )
        for _ in range(APPROVERS)
    ]
    # Each requester drafts its own tender: the race is between tenders competing for the same euro, which
    # only the lock on the budget line serialises (requests for one tender also queue on the tender's lock).
    tenders = [TenderFactory(lead_department=transport) for _ in range(REQUESTERS)]
    barrier = threading.Barrier(REQUESTERS + APPROVERS)
    outcomes: list[tuple[str, object]] = []
    lock = threading.Lock()

    def record(kind, value):
        with lock:
            outcomes.append((kind, value))

    def request_one(own_tender):
        try:
            barrier.wait(timeout=30)
            c = contribution_request(
                tender=own_tender, budget_line=line, amount=Decimal("100.00"), actor=transport_official
            )
            record("requested", c.pk)
        except BudgetOvercommitted:
            record("refused", None)
        except Exception as exc:  # noqa: BLE001 — any other error is a failure the assertions below show
            record("error", repr(exc))
        finally:
            connection.close()

    def approve_one(contribution):
        try:
            barrier.wait(timeout=30)
            record("approved", contribution_approve(contribution=contribution, actor=finance_officer).pk)
        except Exception as exc:  # noqa: BLE001
            record("error", repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=request_one, args=(t,)) for t in tenders]
    threads += [threading.Thread(target=approve_one, args=(c,)) for c in pending]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    kinds = [k for k, _ in outcomes]
    assert kinds.count("error") == 0, outcomes
    assert len(outcomes) == REQUESTERS + APPROVERS  # every thread finished and reported
    assert kinds.count("approved") == APPROVERS
    assert kinds.count("requested") == 6 and kinds.count("refused") == 2
    usage = line_usage(budget_line=line)
    assert usage.committed == Decimal("1000.00") and usage.available == Decimal("0.00")
    # No request lost: every success is a stored row with its audit event.
    stored = set(Contribution.objects.filter(budget_line=line).values_list("pk", flat=True))
    assert {v for k, v in outcomes if k == "requested"} <= stored
    assert len(stored) == APPROVERS + 6
    assert BudgetEvent.objects.filter(budget_line=line, action="requested").count() == APPROVERS + 6
    assert BudgetEvent.objects.filter(budget_line=line, action="approved").count() == APPROVERS
