"""In-app inbox plus one email per person and event: who is told what, never twice, never the actor."""

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from notifications.models import Notification
from notifications.services import notification_emails_send, notify
from procurement.services.tenders import tender_transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def people_with_email(transport_official, second_transport_official, finance_officer, transport_finance):
    for user in (transport_official, second_transport_official, finance_officer, transport_finance):
        user.email = f"{user.username}@city.example"
        user.save(update_fields=["email"])


def _inbox(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_a_contribution_request_tells_the_lines_finance_staff_and_central_finance_not_the_requester(
    draft,
    transport,
    transport_official,
    transport_finance,
    finance_officer,
    parks_official,
    people_with_email,
    django_capture_on_commit_callbacks,
):
    from finance.services.budgets import contribution_request
    from tests.factories import BudgetLineFactory

    line = BudgetLineFactory(department=transport, amount=Decimal("100000"))
    with django_capture_on_commit_callbacks(execute=True):
        contribution_request(tender=draft, budget_line=line, amount=Decimal("1000"), actor=transport_official)
    assert _inbox(transport_finance) == ["contribution_requested"]
    assert _inbox(finance_officer) == ["contribution_requested"]
    assert _inbox(transport_official) == [] and _inbox(parks_official) == []
    notice = Notification.objects.get(recipient=finance_officer)
    assert draft.reference in notice.title and "1,000.00" in notice.title
    assert notice.url == f"/finance/approvals/?tender={draft.reference}"  # the queue filters by reference
    # Mailed once, after the commit (tasks run inline in tests).
    assert sorted(m.to[0] for m in mail.outbox) == ["fiona@city.example", "theo@city.example"]


def test_submission_tells_finance_and_a_return_tells_the_drafters_with_the_reason(
    ready_draft, transport_official, second_transport_official, finance_officer, transport_finance, no_seams
):
    tender_transition(tender=ready_draft, action="submit", actor=second_transport_official)
    assert _inbox(finance_officer) == ["approval_waiting"]
    assert _inbox(transport_finance) == ["approval_waiting"]
    tender_transition(tender=ready_draft, action="return", actor=finance_officer, comment="Add the cameras.")
    returned = Notification.objects.get(recipient=transport_official, kind="tender_returned")
    assert "Add the cameras." in returned.body
    assert _inbox(second_transport_official) == ["tender_returned"]
    assert "tender_returned" not in _inbox(finance_officer)  # the actor is never told of their own action


def test_a_second_submission_after_a_return_is_a_new_event(
    ready_draft, second_transport_official, finance_officer, no_seams
):
    tender_transition(tender=ready_draft, action="submit", actor=second_transport_official)
    tender_transition(tender=ready_draft, action="return", actor=finance_officer, comment="Fix it.")
    tender_transition(tender=ready_draft, action="submit", actor=second_transport_official)
    assert _inbox(finance_officer).count("approval_waiting") == 2


def test_the_same_event_never_notifies_or_mails_anyone_twice(
    finance_officer, people_with_email, django_capture_on_commit_callbacks
):
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            notify(event_key="demo:1", kind="approval_waiting", recipients=[finance_officer], title="Waiting")
    assert Notification.objects.filter(recipient=finance_officer).count() == 1
    assert len(mail.outbox) == 1
    assert notification_emails_send(event_key="demo:1") == 0
    assert len(mail.outbox) == 1


def test_a_question_tells_the_lead_officials(transport, transport_official, finance_officer):
    from procurement.publication.services import question_ask
    from tests.factories import PartnerOrganisationFactory
    from tests.procurement.publication.factories import published_tender

    tender = published_tender(lead=transport)
    question_ask(tender=tender, organisation=PartnerOrganisationFactory(), question="Is LED required?")
    assert _inbox(transport_official) == ["question_asked"]
    assert _inbox(finance_officer) == ["question_asked"]


def test_the_inbox_shows_only_ones_own_and_marks_read(client_for, transport_official, finance_officer):
    notify(event_key="e:1", kind="approval_waiting", recipients=[finance_officer], title="For Fiona", url="/")
    notify(event_key="e:2", kind="approval_waiting", recipients=[transport_official], title="For Tina")
    client = client_for(finance_officer)
    html = client.get(reverse("notifications:inbox")).content.decode()
    assert "For Fiona" in html and "For Tina" not in html
    assert 'data-testid="inbox-link"' in html and 'aria-label="1 unread"' in html
    tina_notice = Notification.objects.get(recipient=transport_official)
    assert client.post(reverse("notifications:mark-read", args=[tina_notice.pk])).status_code == 404
    fiona_notice = Notification.objects.get(recipient=finance_officer)
    response = client.post(reverse("notifications:mark-read", args=[fiona_notice.pk]), {"open": "1"})
    assert response.status_code == 302 and response.url == "/"
    fiona_notice.refresh_from_db()
    assert fiona_notice.read_at is not None


def test_an_empty_inbox_says_so(client_for, transport_official):
    assert "Nothing is waiting for you." in client_for(transport_official).get("/inbox/").content.decode()


@pytest.mark.redis
@pytest.mark.postgres
def test_the_real_worker_mails_each_notification_once(celery_worker, finance_officer, transport_finance):
    import time

    from django.db import transaction

    finance_officer.email, transport_finance.email = "fiona@city.example", "theo@city.example"
    finance_officer.save(), transport_finance.save()
    for _ in range(2):  # the event handled twice (e.g. a retried request)
        with transaction.atomic():
            notify(
                event_key="worker:1",
                kind="approval_waiting",
                recipients=[finance_officer, transport_finance],
                title="Waiting on the worker",
            )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if not Notification.objects.filter(event_key="worker:1", emailed_at__isnull=True).exists():
            break
        time.sleep(0.2)
    rows = Notification.objects.filter(event_key="worker:1")
    assert rows.count() == 2
    assert all(row.emailed_at is not None for row in rows)


def test_an_answer_tells_the_asking_organisations_partner_people(transport, transport_official):
    from procurement.proposals.models import PartnerMembership
    from procurement.publication.services import question_answer, question_ask
    from tests.factories import PartnerOrganisationFactory, UserFactory
    from tests.procurement.publication.factories import published_tender

    tender = published_tender(lead=transport)
    asking, other = PartnerOrganisationFactory(name="Asks Ltd"), PartnerOrganisationFactory(name="Other Ltd")
    pat, olga = UserFactory(username="pat"), UserFactory(username="olga")
    PartnerMembership.objects.create(user=pat, organisation=asking)
    PartnerMembership.objects.create(user=olga, organisation=other)
    question = question_ask(tender=tender, organisation=asking, question="Is LED required?")
    question_answer(question=question, answer="Yes.", actor=transport_official)
    notice = Notification.objects.get(recipient=pat, kind="question_answered")
    assert "Yes." in notice.body and notice.url == f"/partner/tenders/{tender.reference}/"
    assert not Notification.objects.filter(recipient=olga).exists()
