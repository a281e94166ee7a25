"""Four finance users decide at the same moment on the embedded SQLite database (`make run`'s mode).

Run as a separate process by tests/config/test_sqlite_concurrency.py (the test suite itself runs on an in-memory
or PostgreSQL database, where this cannot be reproduced):

    python tests/config/sqlite_decisions.py /tmp/some/db.sqlite3

Migrates a fresh SQLite file, requests eight small contributions, then in two rounds four threads released by
one barrier approve: four different contributions (all must be approved), then one same contribution (one
approval, three clear "already approved" refusals). Prints one JSON line: {"different": [...], "same": [...]},
each item the outcome of one thread ("approved", the domain error's class name, or the unexpected error).
"""

import json
import os
import sys
import threading
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
THREADS = 4


def main(database: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from departments.models import Department, Membership
    from finance.exceptions import FinanceError
    from finance.models import BudgetLine, Contribution
    from finance.services.budgets import contribution_approve, contribution_request
    from procurement.models import Tender

    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model

    User = get_user_model()
    transport = Department.objects.create(code="transport", name="Transport")
    central = Department.objects.create(
        code="finance", name="Central finance", kind=Department.Kind.CENTRAL_FINANCE
    )
    official = User.objects.create(username="tina")
    Membership.objects.create(user=official, department=transport, role="official")
    approvers = []
    for i in range(THREADS):
        user = User.objects.create(username=f"finance-{i}")
        Membership.objects.create(user=user, department=central, role="finance")
        approvers.append(user)
    line = BudgetLine.objects.create(
        department=transport, fiscal_year=2027, budget_type="opex", name="Stops", amount=Decimal("1000.00")
    )
    tender = Tender.objects.create(
        reference="T-2027-0001", title="Bus stops", lead_department=transport, created_by=official
    )
    contributions = [
        contribution_request(tender=tender, budget_line=line, amount=Decimal("10.00"), actor=official)
        for _ in range(THREADS + 1)
    ]
    connection.close()

    def round_of(targets: list[Contribution]) -> list[str]:
        barrier = threading.Barrier(THREADS)
        outcomes = [""] * THREADS

        def decide(i: int) -> None:
            try:
                barrier.wait(timeout=30)
                contribution_approve(contribution=targets[i], actor=approvers[i], comment="ok")
                outcomes[i] = "approved"
            except FinanceError as error:
                outcomes[i] = type(error).__name__
            except Exception as error:  # noqa: BLE001 — reported, the test fails on it
                outcomes[i] = f"{type(error).__name__}: {error}"
            finally:
                connection.close()

        threads = [threading.Thread(target=decide, args=(i,)) for i in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        return outcomes

    different = round_of(contributions[:THREADS])
    same = round_of([contributions[THREADS]] * THREADS)
    print(json.dumps({"different": different, "same": same}))


if __name__ == "__main__":
    main(sys.argv[1])
