"""Partners ask clarification questions in the portal, as through the API: the answer is published to every partner."""

import pytest

from notifications.models import Notification
from procurement.models import ClarificationQuestion
from procurement.publication.services import question_answer
from tests.procurement.proposals.conftest import pass_deadline

pytestmark = pytest.mark.django_db


def _page(tender) -> str:
    return f"/partner/tenders/{tender.reference}/"


def _ask(tender) -> str:
    return f"/partner/tenders/{tender.reference}/questions/"


def test_a_partner_asks_in_the_portal_and_sees_its_question_waiting(
    client_for, open_tender, partner_person, partner, transport_official
):
    client = client_for(partner_person)
    assert 'name="question"' in client.get(_page(open_tender)).text

    response = client.post(_ask(open_tender), {"question": "Are the shelters' roofs included?"}, follow=True)

    assert response.redirect_chain[-1][0] == _page(open_tender)
    assert "Your question was sent." in response.text
    question = ClarificationQuestion.objects.get(tender=open_tender)
    assert (question.organisation, question.question) == (partner, "Are the shelters' roofs included?")
    assert "Are the shelters&#x27; roofs included?" in response.text
    assert "Your question: waiting for the city" in response.text
    # The city is told, as for a question sent through the API.
    assert Notification.objects.filter(kind="question_asked", recipient=transport_official).exists()


def test_another_partner_sees_the_question_only_once_it_is_answered(
    client_for, open_tender, partner_person, rival_person, transport_official
):
    client_for(partner_person).post(_ask(open_tender), {"question": "Is night work allowed?"})
    rival = client_for(rival_person)
    assert "Is night work allowed?" not in rival.get(_page(open_tender)).text

    question_answer(
        question=ClarificationQuestion.objects.get(), answer="Yes, from 22:00.", actor=transport_official
    )
    page = rival.get(_page(open_tender)).text
    assert "Is night work allowed?" in page and "Yes, from 22:00." in page


@pytest.mark.parametrize(
    ("question", "error"),
    [("   ", "This field is required."), ("x" * 5001, "at most 5000 characters")],
)
def test_a_refused_question_is_shown_next_to_its_field_and_nothing_is_saved(
    client_for, open_tender, partner_person, question, error
):
    response = client_for(partner_person).post(_ask(open_tender), {"question": question})
    assert response.status_code == 400
    assert error in response.context["question_form"].errors["question"][0]
    assert 'id="id_question_error"' in response.text  # rendered beside the field
    assert not ClarificationQuestion.objects.exists()


def test_after_the_clarification_deadline_the_portal_says_so_and_takes_no_question(
    client_for, open_tender, partner_person
):
    pass_deadline(open_tender)
    client = client_for(partner_person)
    page = client.get(_page(open_tender)).text
    assert 'name="question"' not in page
    assert "The clarification deadline has passed" in page

    response = client.post(_ask(open_tender), {"question": "Too late?"})
    assert response.status_code == 400
    assert "clarification deadline has passed" in response.context["question_form"].errors["question"][0]
    assert not ClarificationQuestion.objects.exists()


def test_city_staff_and_anonymous_visitors_cannot_ask_in_the_portal(
    client, client_for, open_tender, finance_officer
):
    response = client.post(_ask(open_tender), {"question": "Anyone?"})
    assert response.status_code == 302 and "/partner/login/" in response["Location"]
    assert client_for(finance_officer).post(_ask(open_tender), {"question": "Staff?"}).status_code == 403
    assert not ClarificationQuestion.objects.exists()


def test_a_tender_that_is_not_published_takes_no_question(client_for, partner_person, transport):
    from tests.procurement.publication.factories import approved_tender

    draft = approved_tender(lead=transport)
    assert client_for(partner_person).post(_ask(draft), {"question": "Hello?"}).status_code == 404
    assert not ClarificationQuestion.objects.exists()


def test_twenty_questions_waiting_for_an_answer_are_the_limit_for_an_organisation(
    client_for, open_tender, partner_person, rival_person, transport_official, monkeypatch
):
    from procurement.publication import services

    monkeypatch.setattr(services, "QUESTIONS_WAITING_LIMIT", 2)  # stands in for 20
    client = client_for(partner_person)
    for number in (1, 2):
        client.post(_ask(open_tender), {"question": f"Question {number}?"})

    response = client.post(_ask(open_tender), {"question": "Question 3?"})

    assert response.status_code == 400
    assert (
        "2 of your questions on this tender are still waiting for an answer"
        in (response.context["question_form"].errors["question"][0])
    )
    assert ClarificationQuestion.objects.count() == 2
    # Another organisation is not held back, and an answer makes room again.
    assert client_for(rival_person).post(_ask(open_tender), {"question": "Ours?"}).status_code == 302
    question_answer(
        question=ClarificationQuestion.objects.get(question="Question 1?"),
        answer="Yes.",
        actor=transport_official,
    )
    assert client_for(partner_person).post(_ask(open_tender), {"question": "Question 3?"}).status_code == 302
