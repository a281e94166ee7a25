"""Concurrency on PostgreSQL: batches of different tenders asking the same two lines, listed in opposite orders,
at the same moment. The batch locks its lines in id order, so none deadlocks, and no euro is promised twice."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from finance.exceptions import BatchInvalid
from finance.selectors.budgets import line_usage
from finance.services.pooling import BatchRow, contributions_request_batch
from tests.factories import BudgetLineFactory, TenderFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BATCHES = 6


def test_concurrent_batches_on_shared_lines_neither_deadlock_nor_overcommit(transport, transport_official):
    first = BudgetLineFactory(department=transport, fiscal_year=2027, amount=Decimal("300.00"))
    second = BudgetLineFactory(department=transport, fiscal_year=2028, amount=Decimal("300.00"))
    tenders = [TenderFactory(lead_department=transport) for _ in range(BATCHES)]
    barrier = threading.Barrier(BATCHES)
    outcomes: list[tuple[str, object]] = []
    lock = threading.Lock()

    def batch(index, tender):
        lines = (first, second) if index % 2 else (second, first)  # half of them list the lines the other way
        try:
            barrier.wait(timeout=30)
            created = contributions_request_batch(
                tender=tender,
                rows=[BatchRow(lines[0], "100.00"), BatchRow(lines[1], "100.00")],
                actor=transport_official,
            )
            result = ("requested", len(created))
        except BatchInvalid as exc:
            result = ("refused", exc.errors)
        except Exception as exc:  # noqa: BLE001 — a deadlock or any other error fails the assertions below
            result = ("error", repr(exc))
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=batch, args=(i, t)) for i, t in enumerate(tenders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    kinds = [k for k, _ in outcomes]
    assert kinds.count("error") == 0, outcomes
    assert len(outcomes) == BATCHES
    # Room for three batches of 100 on each 300 line: three succeed whole, three are refused whole.
    assert kinds.count("requested") == 3 and kinds.count("refused") == 3
    for line in (first, second):
        assert line_usage(budget_line=line).requested == Decimal("300.00")
