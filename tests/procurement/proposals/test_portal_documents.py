"""The portal takes the same documents as the API: up to five per proposal, each checked, refused before reading."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from procurement.proposals.models import ProposalDocument, ProposalVersion

pytestmark = pytest.mark.django_db


def _proposal(tender, **extra) -> dict:
    indicator = tender.targeted_outcomes.get().indicator_id
    return {
        "financing_model": "opex_service",
        "financing_charge": "900",
        "operation_fee": "200",
        "at_risk_share": "0.25",
        f"committed_{indicator}": "50",
        **extra,
    }


def _pdf(name: str, size: int = 0) -> SimpleUploadedFile:
    data = b"%PDF-1.4 plan " + b"x" * size
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def _submit(client, tender, files):
    return client.post(f"/partner/tenders/{tender.reference}/proposal/", _proposal(tender, documents=files))


def test_a_proposal_from_the_portal_carries_several_documents(client_for, open_tender, partner_person):
    response = _submit(client_for(partner_person), open_tender, [_pdf("plan.pdf"), _pdf("method.pdf")])
    assert response.status_code == 302
    version = ProposalVersion.objects.get()
    assert ProposalDocument.objects.filter(version=version).count() == 2


def test_six_documents_are_refused_beside_the_field_and_nothing_is_received(
    client_for, open_tender, partner_person
):
    response = _submit(client_for(partner_person), open_tender, [_pdf(f"part-{n}.pdf") for n in range(6)])
    assert response.status_code == 400
    assert response.context["form"].errors["documents"] == ["At most 5 documents per proposal."]
    assert not ProposalVersion.objects.exists()


def test_a_document_over_10_mb_is_refused_by_its_size_before_anything_is_read(
    client_for, open_tender, partner_person, monkeypatch
):
    from procurement.proposals import views
    from procurement.services import tenders

    monkeypatch.setattr(tenders, "MAX_DOCUMENT_BYTES", 1024)  # a small limit stands in for 10 MB
    reached = []
    monkeypatch.setattr(views.services, "proposal_submit", lambda **kwargs: reached.append(kwargs))

    response = _submit(
        client_for(partner_person), open_tender, [_pdf("small.pdf"), _pdf("big.pdf", size=2048)]
    )

    assert response.status_code == 400
    [error] = response.context["form"].errors["documents"]
    assert error.startswith("“big.pdf” is ") and error.endswith("the limit is 10 MB.")
    assert reached == []  # refused by the form: no file read, the service never called
    assert not ProposalVersion.objects.exists()


def test_a_document_that_is_not_what_its_name_says_is_refused_beside_the_field(
    client_for, open_tender, partner_person
):
    fake = SimpleUploadedFile("plan.pdf", b"not a pdf at all", content_type="application/pdf")
    response = _submit(client_for(partner_person), open_tender, [fake])
    assert response.status_code == 400
    assert "not a valid .pdf file" in response.context["form"].errors["documents"][0]
    assert not ProposalVersion.objects.exists()
