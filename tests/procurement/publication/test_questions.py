import pytest
from django.urls import reverse

from procurement.models import ClarificationQuestion
from procurement.publication.exceptions import QuestionNotAllowed
from procurement.publication.services import question_answer, question_ask
from tests.procurement.publication.factories import published_tender

pytestmark = pytest.mark.django_db


@pytest.fixture
def asked(partner, transport):
    tender = published_tender(lead=transport)
    return question_ask(tender=tender, organisation=partner, question="Are cameras in scope?")


def test_official_of_lead_department_answers_in_the_browser(client_for, transport_official, asked, anonymous):
    client = client_for(transport_official)
    page = client.get(reverse("procurement:question-list"))
    assert "Are cameras in scope?" in page.content.decode()
    response = client.post(
        reverse("procurement:question-answer", args=[asked.pk]), {"answer": "Yes, at stops."}
    )
    assert response.status_code == 302
    asked.refresh_from_db()
    assert asked.answer == "Yes, at stops." and asked.answered_by == transport_official
    client.logout()
    public = anonymous.get(reverse("procurement:public-tender-detail", args=[asked.tender.reference]))
    assert "Yes, at stops." in public.content.decode()


def test_finance_officer_may_answer_too(client_for, finance_officer, asked):
    client_for(finance_officer).post(
        reverse("procurement:question-answer", args=[asked.pk]), {"answer": "Yes."}
    )
    asked.refresh_from_db()
    assert asked.answered_by == finance_officer


def test_official_of_other_department_cannot_answer(client_for, parks_official, asked):
    client = client_for(parks_official)
    assert "Are cameras in scope?" not in client.get(reverse("procurement:question-list")).content.decode()
    response = client.post(reverse("procurement:question-answer", args=[asked.pk]), {"answer": "Sure"})
    assert response.status_code == 403
    asked.refresh_from_db()
    assert asked.answer == ""


def test_anonymous_visitor_is_sent_to_login(anonymous, asked):
    response = anonymous.post(reverse("procurement:question-answer", args=[asked.pk]), {"answer": "x"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert ClarificationQuestion.objects.get().answer == ""


def test_empty_answer_is_refused_with_a_message(client_for, transport_official, asked):
    response = client_for(transport_official).post(
        reverse("procurement:question-answer", args=[asked.pk]), {"answer": "  "}, follow=True
    )
    assert "The answer is empty." in response.content.decode()
    asked.refresh_from_db()
    assert asked.answered_at is None


def test_a_question_is_answered_once(transport_official, lighting_official, finance_officer, asked):
    question_answer(question=asked, answer="First", actor=transport_official)
    with pytest.raises(QuestionNotAllowed, match="already been answered"):
        question_answer(question=asked, answer="Second", actor=finance_officer)
    asked.refresh_from_db()
    assert asked.answer == "First"


def test_answer_never_redirects_off_site(client_for, transport_official, asked):
    response = client_for(transport_official).post(
        reverse("procurement:question-answer", args=[asked.pk]), {"answer": "Yes.", "next": "//evil.example/"}
    )
    assert response["Location"] == reverse("procurement:question-list")


def test_an_empty_answer_is_refused_at_that_questions_answer_field(client_for, transport_official, transport):
    from procurement.models import ClarificationQuestion
    from tests.factories import PartnerOrganisationFactory

    tender = published_tender(lead=transport)
    asked = ClarificationQuestion.objects.create(
        tender=tender, organisation=PartnerOrganisationFactory(), question="LED?"
    )
    response = client_for(transport_official).post(
        reverse("procurement:question-answer", args=[asked.pk]), {"answer": "  "}, follow=True
    )
    html = response.content.decode()
    field = html.split(f'for="answer-{asked.pk}"')[1].split("</textarea>")[0]
    assert "The answer is empty." in field and 'aria-invalid="true"' in field
