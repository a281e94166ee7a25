"""Notifications are written for their reader: the inbox in the reader's language, each e-mail in its
recipient's language (their profile's, else the site's); the stored row keeps the English words."""

import html as markup
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import translation

from accounts.models import Profile
from notifications.models import Notification
from notifications.services import notify
from procurement.services.tenders import tender_transition

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_again_afterwards():
    """A request in French or Dutch leaves its language active in the test's thread: the next test starts in
    English again, as a new request without a language would."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def fiona_reads_dutch_and_theo_french(finance_officer, transport_finance):
    for user, language in ((finance_officer, "nl"), (transport_finance, "fr")):
        user.email = f"{user.username}@city.example"
        user.save(update_fields=["email"])
        Profile.objects.update_or_create(user=user, defaults={"language": language})


def _mail_to(address):
    return next(message for message in mail.outbox if message.to == [address])


def test_a_contribution_request_is_mailed_in_dutch_to_a_dutch_reader_and_in_french_to_a_french_one(
    draft,
    transport,
    transport_official,
    finance_officer,
    transport_finance,
    fiona_reads_dutch_and_theo_french,
    django_capture_on_commit_callbacks,
):
    from finance.services.budgets import contribution_request
    from tests.factories import BudgetLineFactory

    line = BudgetLineFactory(department=transport, amount=Decimal("100000"))
    with django_capture_on_commit_callbacks(execute=True):
        contribution_request(tender=draft, budget_line=line, amount=Decimal("1000"), actor=transport_official)

    dutch = _mail_to("fiona@city.example")
    assert f"{draft.reference} vraagt" in dutch.subject
    assert "Keur de bijdrage goed of wijs ze af in de goedkeuringswachtrij." in dutch.body
    french = _mail_to("theo@city.example")
    assert f"{draft.reference} demande" in french.subject
    assert "Approuvez-la ou refusez-la dans la file d'approbation." in french.body
    # The stored row keeps the English words (the admin, and the source of every translation).
    stored = Notification.objects.get(recipient=finance_officer)
    assert f"{draft.reference} asks" in stored.title and "approval queue" in stored.body
    assert stored.params["tender"] == draft.reference


def test_a_return_is_mailed_in_each_drafters_language_with_the_reason_as_written(
    ready_draft,
    transport_official,
    second_transport_official,
    finance_officer,
    no_seams,
    django_capture_on_commit_callbacks,
):
    for user, language in ((transport_official, "nl"), (second_transport_official, "fr")):
        user.email = f"{user.username}@city.example"
        user.save(update_fields=["email"])
        Profile.objects.update_or_create(user=user, defaults={"language": language})
    tender_transition(tender=ready_draft, action="submit", actor=second_transport_official)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        tender_transition(
            tender=ready_draft, action="return", actor=finance_officer, comment="Add the cameras."
        )
    dutch = _mail_to(transport_official.email)
    assert "is teruggezet naar concept" in dutch.subject
    assert "Reden: Add the cameras." in dutch.body
    french = [m for m in mail.outbox if m.to == [second_transport_official.email]]
    assert french and "a été renvoyé en brouillon" in french[0].subject
    assert "Motif: Add the cameras." in french[0].body


def test_someone_without_a_chosen_language_is_mailed_in_the_sites_language(
    finance_officer, django_capture_on_commit_callbacks
):
    finance_officer.email = "fiona@city.example"
    finance_officer.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            event_key="lang:1",
            kind="approval_waiting",
            recipients=[finance_officer],
            params={"tender": "T-2026-0001", "title": "Street lights"},
        )
    assert mail.outbox[0].subject.endswith("T-2026-0001 waits for finance approval")


@pytest.mark.parametrize(
    ("language", "title", "body", "page_words"),
    [
        (
            "fr",
            "T-2026-0001 attend l'approbation des finances",
            "« Street lights » a été soumis et attend une décision des finances",
            ["Boîte de réception", "Tout marquer comme lu", "nouveau"],
        ),
        (
            "nl",
            "T-2026-0001 wacht op goedkeuring door financiën",
            "“Street lights” is ingediend en wacht op een beslissing van financiën",
            ["Alles als gelezen markeren", "Als gelezen markeren", "nieuw"],
        ),
    ],
)
def test_the_inbox_follows_the_readers_language(
    client_for, finance_officer, language, title, body, page_words
):
    notify(
        event_key="lang:2",
        kind="approval_waiting",
        recipients=[finance_officer],
        params={"tender": "T-2026-0001", "title": "Street lights"},
        url="/",
    )
    response = client_for(finance_officer).get(reverse("notifications:inbox"), HTTP_ACCEPT_LANGUAGE=language)
    html = markup.unescape(response.content.decode())
    assert title in html and body in html
    for words in page_words:
        assert words in html
    assert "waits for finance approval" not in html and "Mark all as read" not in html


def test_a_notification_written_before_translations_is_shown_as_it_was_written(client_for, finance_officer):
    notify(
        event_key="lang:3",
        kind="approval_waiting",
        recipients=[finance_officer],
        title="Old words",
        body="As stored.",
    )
    html = (
        client_for(finance_officer)
        .get(reverse("notifications:inbox"), HTTP_ACCEPT_LANGUAGE="nl")
        .content.decode()
    )
    assert "Old words" in html and "As stored." in html


@pytest.mark.parametrize(
    ("language", "empty"), [("fr", "Rien ne vous attend."), ("nl", "Er wacht niets op u.")]
)
def test_an_empty_inbox_says_so_in_the_readers_language(client_for, transport_official, language, empty):
    response = client_for(transport_official).get("/inbox/", HTTP_ACCEPT_LANGUAGE=language)
    assert empty in markup.unescape(response.content.decode())
