"""Tender documents are stored under random names and handed out only by views that apply the tender's
visibility: a published tender's documents are public, a draft's only for those who may see the draft."""

import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from procurement.models import TenderDocument
from procurement.services.tenders import tender_document_add
from tests.procurement.publication.factories import approved_tender, publish, published_tender

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def draft_document(draft, transport_official):
    return tender_document_add(
        tender=draft,
        kind="specification",
        title="Draft specification",
        uploaded_file=SimpleUploadedFile("Transport budget plan 2027.pdf", PDF),
        actor=transport_official,
    )


@pytest.fixture
def published_document(transport):
    tender = published_tender(lead=transport)
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


def internal_url(document):
    return reverse("procurement:tender-document-download", args=[document.tender.reference, document.pk])


def public_url(document):
    return reverse("procurement:public-tender-document", args=[document.tender.reference, document.pk])


def content(response) -> bytes:
    return b"".join(response.streaming_content)


def test_an_uploaded_document_is_stored_under_a_random_name_and_keeps_its_own_for_display(
    draft_document, media
):
    stored = draft_document.file.name
    assert re.fullmatch(r"tenders/documents/[0-9a-f]{32}\.pdf", stored)
    assert "budget" not in stored.lower()
    assert (media / stored).read_bytes() == PDF
    assert draft_document.original_name == "Transport budget plan 2027.pdf"


def test_two_uploads_of_the_same_name_get_different_stored_names(draft, transport_official):
    names = {
        tender_document_add(
            tender=draft,
            kind="other",
            title="",
            uploaded_file=SimpleUploadedFile("spec.pdf", PDF),
            actor=transport_official,
        ).file.name
        for _ in range(2)
    }
    assert len(names) == 2


def test_the_drafting_official_downloads_the_draft_document_under_its_original_name(
    client_for, transport_official, draft_document
):
    response = client_for(transport_official).get(internal_url(draft_document))
    assert response.status_code == 200
    assert content(response) == PDF
    assert response["Content-Disposition"] == 'attachment; filename="Transport budget plan 2027.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "private" in response["Cache-Control"]


def test_an_official_of_an_unrelated_department_gets_404_for_the_draft_document(
    client_for, parks_official, draft_document
):
    client = client_for(parks_official)
    assert client.get(internal_url(draft_document)).status_code == 404
    assert client.get(public_url(draft_document)).status_code == 404


def test_an_anonymous_visitor_gets_404_for_the_draft_document(anonymous, draft_document):
    assert anonymous.get(public_url(draft_document)).status_code == 404
    # The internal route asks for a login first (it says nothing about the document either way).
    response = anonymous.get(internal_url(draft_document))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_draft_document_is_not_reachable_under_media(
    anonymous, client_for, transport_official, draft_document
):
    stored = draft_document.file.name
    assert anonymous.get(f"/media/{stored}").status_code == 404
    assert client_for(transport_official).get(f"/media/{stored}").status_code == 404


def test_a_published_tender_document_downloads_anonymously_through_the_public_view(
    anonymous, published_document
):
    response = anonymous.get(public_url(published_document))
    assert response.status_code == 200
    assert content(response) == PDF
    assert response["Content-Disposition"] == 'attachment; filename="specification.pdf"'


def test_the_public_page_links_each_published_document_to_the_public_download(anonymous, transport):
    tender = approved_tender(lead=transport)
    # Documents are attached while drafting and published with the tender.
    document = TenderDocument.objects.create(
        tender=tender,
        kind="specification",
        title="Specification",
        file=ContentFile(PDF, name="specification.pdf"),
        original_name="specification.pdf",
        content_type="application/pdf",
        size_bytes=len(PDF),
        sha256="0" * 64,
    )
    publish(tender)
    page = anonymous.get(reverse("procurement:public-tender-detail", args=[tender.reference]))
    assert public_url(document) in page.content.decode()
    assert anonymous.get(public_url(document)).status_code == 200


def test_a_document_of_another_tender_is_404_even_with_a_visible_reference(
    anonymous, published_document, draft_document
):
    forged = reverse(
        "procurement:public-tender-document", args=[published_document.tender.reference, draft_document.pk]
    )
    assert anonymous.get(forged).status_code == 404


def test_a_document_stored_before_names_were_kept_downloads_under_its_stored_name(
    client_for, transport_official, draft
):
    old = TenderDocument.objects.create(
        tender=draft,
        kind="other",
        title="Old upload",
        file=ContentFile(b"plain text", name="notes.txt"),
        content_type="text/plain",
        size_bytes=10,
        sha256="0" * 64,
    )
    TenderDocument.objects.filter(pk=old.pk).update(original_name="")
    response = client_for(transport_official).get(internal_url(old))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{old.file.name.rsplit("/", 1)[-1]}"'


def test_a_document_whose_file_is_gone_is_404_not_500(client_for, transport_official, draft_document, media):
    (media / draft_document.file.name).unlink()
    assert client_for(transport_official).get(internal_url(draft_document)).status_code == 404
