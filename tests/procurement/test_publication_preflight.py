"""Submission and approval build and validate what would be published: a bad value is a message, never a 500."""

import pytest
from django.urls import reverse

from procurement.exceptions import TransitionBlocked
from procurement.models import Tender
from procurement.services.tenders import tender_transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready_draft_with_a_bad_currency(ready_draft, transport_official):
    from tests.procurement.fixtures import choose_a_scenario

    choose_a_scenario(ready_draft, transport_official)
    # Written past the form (an old row, an admin script): the model and form now refuse "XYZ" themselves.
    Tender.objects.filter(pk=ready_draft.pk).update(currency="XYZ")
    ready_draft.refresh_from_db()
    return ready_draft


def test_submission_is_blocked_by_what_publication_would_refuse(
    ready_draft_with_a_bad_currency, transport_official
):
    with pytest.raises(TransitionBlocked) as caught:
        tender_transition(tender=ready_draft_with_a_bad_currency, action="submit", actor=transport_official)
    assert any("publication would be refused" in p and "XYZ" in p for p in caught.value.problems)
    ready_draft_with_a_bad_currency.refresh_from_db()
    assert ready_draft_with_a_bad_currency.status == Tender.Status.DRAFT


def test_approval_runs_the_same_preflight(ready_draft_with_a_bad_currency, finance_officer):
    Tender.objects.filter(pk=ready_draft_with_a_bad_currency.pk).update(status=Tender.Status.SUBMITTED)
    with pytest.raises(TransitionBlocked) as caught:
        tender_transition(tender=ready_draft_with_a_bad_currency, action="approve", actor=finance_officer)
    assert any("XYZ" in p for p in caught.value.problems)


def test_the_page_shows_the_refusal_in_plain_words(
    client_for, ready_draft_with_a_bad_currency, transport_official
):
    response = client_for(transport_official).post(
        reverse("procurement:tender-transition", args=[ready_draft_with_a_bad_currency.reference]),
        {"action": "submit"},
        follow=True,
    )
    assert response.status_code == 200
    assert "publication would be refused" in response.content.decode()


def test_a_publication_refused_at_the_last_step_is_a_message_not_a_server_error(
    client_for, ready_draft_with_a_bad_currency, second_transport_official
):
    # Approved before the rule existed: publishing must still answer with a message and change nothing.
    Tender.objects.filter(pk=ready_draft_with_a_bad_currency.pk).update(status=Tender.Status.APPROVED)
    response = client_for(second_transport_official).post(
        reverse("procurement:tender-transition", args=[ready_draft_with_a_bad_currency.reference]),
        {"action": "publish"},
        follow=True,
    )
    assert response.status_code == 200
    assert "was not changed" in response.content.decode()
    ready_draft_with_a_bad_currency.refresh_from_db()
    assert ready_draft_with_a_bad_currency.status == Tender.Status.APPROVED
    assert not ready_draft_with_a_bad_currency.releases.exists()
