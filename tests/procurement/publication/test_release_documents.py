"""The documents of a published tender are in its OCDS release with an absolute `url` that anyone can download
from; answered clarification questions are on the public page."""

from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from procurement.models import TenderDocument
from procurement.publication.services import question_answer, question_ask
from procurement.publication.validation import release_errors
from tests.procurement.publication.factories import approved_tender, publish, published_tender

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.SITE_URL = "https://procurement.example-city.org/"
    return tmp_path


def attach_specification(tender) -> TenderDocument:
    return TenderDocument.objects.create(
        tender=tender,
        kind="specification",
        title="Specification",
        file=ContentFile(PDF, name="specification.pdf"),
        original_name="specification.pdf",
        content_type="application/pdf",
        size_bytes=len(PDF),
        sha256="0" * 64,
    )


def test_each_released_document_carries_the_absolute_public_download_url(transport):
    tender = approved_tender(lead=transport)
    document = attach_specification(tender)
    release = publish(tender)
    (published,) = release.data["tender"]["documents"]
    path = reverse("procurement:public-tender-document", args=[tender.reference, document.pk])
    assert published["id"] == str(document.pk)
    assert published["url"] == f"https://procurement.example-city.org{path}"
    assert release_errors(release.data) == []


def test_the_released_url_downloads_the_document_without_signing_in(anonymous, transport):
    tender = approved_tender(lead=transport)
    attach_specification(tender)
    url = publish(tender).data["tender"]["documents"][0]["url"]
    response = anonymous.get(urlsplit(url).path)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


def test_an_answered_question_is_on_the_public_page_and_an_open_one_is_not(
    anonymous, partner, transport, transport_official
):
    tender = published_tender(lead=transport)
    answered = question_ask(
        tender=tender, organisation=partner, question="Is night-time maintenance included?"
    )
    question_answer(question=answered, answer="Yes, between 22:00 and 06:00.", actor=transport_official)
    question_ask(tender=tender, organisation=partner, question="Can we bid as a consortium?")
    page = anonymous.get(reverse("procurement:public-tender-detail", args=[tender.reference]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Is night-time maintenance included?" in text
    assert "Yes, between 22:00 and 06:00." in text
    assert "Can we bid as a consortium?" not in text
