"""Demo city step after finance: the Route 12 tender, now with a chosen scenario, asks its funders' lines for the
rest of the chosen scenario's need and is submitted through the lifecycle — so finance finds a submission
waiting for approval. Idempotent: a tender already submitted is left as it is."""

from django.db import transaction

from finance.exceptions import FinanceError
from procurement.exceptions import TenderError
from procurement.models import Tender

from . import demo
from .demo_publication import DemoSkipped, demo_user, fund_chosen_need


def load(*, log) -> None:
    title = next(title for title, _, _, submit in demo.TENDERS if submit)
    tender = Tender.objects.filter(title=title).first()
    if tender is None:
        log(f"“{title}” missing (run procurement.demo first)")
        return
    if tender.status != Tender.Status.DRAFT:
        log(f"{tender.reference} is {tender.get_status_display().lower()}")
        return
    tina = demo_user("tina")
    if tina is None:
        log("skipped: demo user 'tina' missing")
        return
    from departments.models import Department

    departments = {d.code: d for d in Department.objects.filter(code__in=["transport", "lighting", "safety"])}
    try:
        with transaction.atomic():
            fund_chosen_need(tender=tender, tina=tina, approvers=[], departments=departments, log=log)
            state = demo.submit_if_ready(tender=tender, official=tina, log=log)
            if state != "submitted":
                raise DemoSkipped("not submitted")
    except (DemoSkipped, TenderError, FinanceError) as reason:
        log(f"{tender.reference} stays a draft: {reason}")
        return
    log(f"{tender.reference} submitted: it waits for finance approval")
