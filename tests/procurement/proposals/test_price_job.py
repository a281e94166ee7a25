"""The price job runs on the `scenarios` queue in a real worker, is idempotent and re-queued when stuck."""

import datetime
import time

import pytest
from django.utils import timezone

from procurement.proposals.evaluation import evaluation_price, evaluation_start, evaluations_requeue_stuck
from procurement.proposals.models import Evaluation
from procurement.proposals.services import proposal_submit, proposals_open
from tests.procurement.proposals.conftest import pass_deadline


@pytest.fixture
def opened_two(open_tender, partner, rival, offer, transport_official, finance_officer):
    proposal_submit(tender=open_tender, organisation=partner, content=offer())
    proposal_submit(tender=open_tender, organisation=rival, content=offer("capex"))
    pass_deadline(open_tender)
    proposals_open(tender=open_tender, actor=transport_official)
    proposals_open(tender=open_tender, actor=finance_officer)
    return open_tender


@pytest.mark.postgres
@pytest.mark.redis
def test_a_real_worker_prices_the_proposals(celery_worker, opened_two, transport_official):
    evaluation = evaluation_start(tender=opened_two, actor=transport_official)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        evaluation.refresh_from_db()
        if evaluation.status != Evaluation.Status.PRICING:
            break
        time.sleep(0.05)
    assert evaluation.status == Evaluation.Status.SCORING, evaluation.error_message
    assert evaluation.scores.filter(npv__isnull=False).count() == 2


@pytest.mark.django_db
def test_the_job_is_idempotent_and_stuck_jobs_are_requeued(opened_two, transport_official, monkeypatch):
    evaluation = evaluation_start(tender=opened_two, actor=transport_official, enqueue=False)
    queued = []
    monkeypatch.setattr(
        "procurement.proposals.evaluation.evaluation_enqueue",
        lambda *, evaluation_id: queued.append(evaluation_id),
    )
    later = timezone.now() + datetime.timedelta(hours=1)
    assert evaluations_requeue_stuck(now=later) == [evaluation.pk] and queued == [evaluation.pk]
    evaluation_price(evaluation.pk)
    npvs = list(evaluation.scores.order_by("id").values_list("npv", flat=True))
    again = evaluation_price(evaluation.pk)  # a redelivered message
    assert again.status == Evaluation.Status.SCORING and again.attempts == 1
    assert list(evaluation.scores.order_by("id").values_list("npv", flat=True)) == npvs
    assert evaluations_requeue_stuck(now=later) == []


@pytest.mark.django_db
def test_a_failed_job_shows_its_reason_and_the_lead_official_restarts_it(
    client_for, opened_two, transport_official, lighting_official, django_capture_on_commit_callbacks
):
    from procurement.proposals.evaluation import evaluation_mark_failed, evaluation_retry
    from procurement.proposals.exceptions import EvaluationRefused

    evaluation = evaluation_start(tender=opened_two, actor=transport_official, enqueue=False)
    evaluation_mark_failed(evaluation_id=evaluation.pk, message="The price job stopped with an error: boom")
    page = client_for(transport_official).get(f"/tenders/{opened_two.reference}/evaluation/").content.decode()
    assert "boom" in page and "Run the price job again" in page
    with pytest.raises(EvaluationRefused):
        evaluation_retry(evaluation=evaluation, actor=lighting_official)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(transport_official).post(f"/tenders/{opened_two.reference}/evaluation/retry/")
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.SCORING and evaluation.error_message == ""
