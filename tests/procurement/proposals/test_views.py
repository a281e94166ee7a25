"""Browser pages: the partner portal, the city's proposal pages, and the sealing rule on every URL."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from procurement.proposals.models import ProposalVersion
from procurement.proposals.services import proposal_submit, proposals_open
from tests.factories import TEST_PASSWORD, UserFactory
from tests.procurement.proposals.conftest import MARKER, pass_deadline

pytestmark = pytest.mark.django_db


def test_a_partner_person_signs_in_and_sees_published_tenders(client, open_tender, partner_person):
    response = client.post("/partner/login/", {"username": "pat", "password": TEST_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/partner/"
    page = client.get("/partner/").content.decode()
    assert open_tender.reference in page and "Bright Streets Ltd" in page


def test_city_staff_cannot_use_the_portal(client_for, transport_official):
    assert client_for(transport_official).get("/partner/").status_code == 403


def test_the_portal_form_shows_every_error_next_to_its_field(client_for, open_tender, partner_person):
    indicator = open_tender.targeted_outcomes.get().indicator_id
    response = client_for(partner_person).post(
        f"/partner/tenders/{open_tender.reference}/proposal/",
        {
            "financing_model": "capex",
            "purchase_price": "-3",
            "at_risk_share": "0.1",
            f"committed_{indicator}": "90",
        },
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "must not be negative" in form.errors["purchase_price"][0]
    assert "below the tender's minimum" in form.errors["at_risk_share"][0]
    assert "worse than the tender's target" in form.errors[f"committed_{indicator}"][0]
    assert "Give the guaranteed yearly running cost" in form.errors["running_cost"][0]
    assert not ProposalVersion.objects.exists()


def test_the_portal_submits_shows_the_receipt_and_withdraws(client_for, open_tender, partner_person):
    indicator = open_tender.targeted_outcomes.get().indicator_id
    client = client_for(partner_person)
    response = client.post(
        f"/partner/tenders/{open_tender.reference}/proposal/",
        {
            "financing_model": "opex_service",
            "financing_charge": "900",
            "operation_fee": "200",
            "at_risk_share": "0.25",
            f"committed_{indicator}": "50",
            "summary": MARKER,
        },
        follow=True,
    )
    version = ProposalVersion.objects.get()
    assert version.content_sha256 in response.content.decode()
    assert "Replace proposal" in response.content.decode()
    client.post(f"/partner/tenders/{open_tender.reference}/withdraw/")
    assert ProposalVersion.objects.count() == 2


# --- The sealing rule on every URL -----------------------------------------------------------------------------


def _all_paths(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _all_paths(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def _fill(pattern: str, tender, proposal) -> str | None:
    import re

    path = pattern.lstrip("^").rstrip("$").replace("\\Z", "").replace("\\", "")
    values = {"reference": tender.reference, "pk": str(proposal.pk)}

    def sub(match):
        name = match.group("name")
        return values.get(name, "1")

    path = re.sub(r"<(?:[a-z_]+:)?(?P<name>[a-z_]+)>", sub, path)
    path = re.sub(r"\(\?P<(?P<name>[a-z_]+)>[^)]*\)", sub, path)
    if any(c in path for c in "()[]?*+"):
        return None
    return "/" + path


def test_no_url_shows_proposal_content_to_any_city_role_before_opening(
    client,
    open_tender,
    partner,
    offer,
    transport_official,
    second_transport_official,
    lighting_official,
    parks_official,
    transport_viewer,
    transport_finance,
    finance_officer,
):
    """Every URL pattern of the site, as every city role and a superuser, after the deadline and one opening:
    the unique marker of the proposal never appears."""
    version = proposal_submit(tender=open_tender, organisation=partner, content=offer())
    pass_deadline(open_tender)
    proposals_open(tender=open_tender, actor=transport_official)  # one opening is not enough
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    roles = [
        transport_official,
        second_transport_official,
        lighting_official,
        parks_official,
        transport_viewer,
        transport_finance,
        finance_officer,
        admin,
    ]
    paths = sorted({p for p in (_fill(x, open_tender, version.proposal) for x in _all_paths()) if p})
    admin_paths = [
        f"/admin/procurement/{name}/" for name in ("proposal", "proposalversion", "proposaldocument")
    ] + [
        f"/admin/procurement/proposalversion/{version.pk}/change/",
        f"/admin/procurement/proposal/{version.proposal_id}/change/",
    ]
    checked = 0
    for user in roles:
        client.force_login(user)
        for path in paths + admin_paths:
            response = client.get(path)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            assert MARKER.encode() not in body, (user.username, path)
            checked += 1
    assert checked > 100
    # Control: the walk would see the marker — once a second person opens, the lead official reads it.
    proposals_open(tender=open_tender, actor=finance_officer)
    client.force_login(transport_official)
    assert MARKER in client.get(f"/tenders/{open_tender.reference}/proposals/").content.decode()


def test_the_requirements_step_shows_every_error_next_to_its_field(client_for, draft, transport_official):
    response = client_for(transport_official).post(
        f"/tenders/{draft.reference}/proposals/requirements/",
        {
            "proposal_deadline": "2020-01-01T12:00",
            "clarification_deadline": "2020-02-01T12:00",
            "minimum_at_risk_share": "0.2",
            "price_weight": "60",
            "outcome_weight": "30",
            "standstill_days": "10",
            "criteria": "Plan | 20 | guide\nBroken line",
        },
    )
    form = response.context["form"]
    assert "write name | weight | scoring guide" in form.errors["criteria"][0]
    response = client_for(transport_official).post(
        f"/tenders/{draft.reference}/proposals/requirements/",
        {
            "proposal_deadline": "2020-01-01T12:00",
            "clarification_deadline": "2020-02-01T12:00",
            "minimum_at_risk_share": "0.2",
            "price_weight": "60",
            "outcome_weight": "30",
            "standstill_days": "10",
            "criteria": "Plan | 20 | guide",
        },
    )
    form = response.context["form"]
    assert "must be in the future" in form.errors["proposal_deadline"][0]
    assert "not be after the proposal deadline" in form.errors["clarification_deadline"][0]
    assert "at least one financing model" in form.errors["accepted_models"][0]
    assert "add up to 110" in form.non_field_errors()[0]


def test_the_evaluation_report_exports_csv_and_xlsx(
    client_for,
    open_tender,
    partner,
    rival,
    offer,
    transport_official,
    finance_officer,
    django_capture_on_commit_callbacks,
):
    from procurement.proposals.evaluation import evaluation_finalise, evaluation_start
    from procurement.proposals.models import QualityCriterion

    QualityCriterion.objects.filter(tender=open_tender).delete()
    open_tender.requirements.outcome_weight = 50
    open_tender.requirements.save()
    proposal_submit(tender=open_tender, organisation=partner, content=offer())
    proposal_submit(tender=open_tender, organisation=rival, content=offer("capex"))
    pass_deadline(open_tender)
    proposals_open(tender=open_tender, actor=transport_official)
    proposals_open(tender=open_tender, actor=finance_officer)
    with django_capture_on_commit_callbacks(execute=True):
        evaluation = evaluation_start(tender=open_tender, actor=transport_official)
    evaluation.refresh_from_db()
    evaluation_finalise(evaluation=evaluation, actor=transport_official)
    client = client_for(finance_officer)
    page = client.get(f"/tenders/{open_tender.reference}/evaluation/report/").content.decode()
    assert "<svg" in page and "Lumen Services" in page
    csv_body = client.get(f"/tenders/{open_tender.reference}/evaluation/report.csv").content.decode()
    assert csv_body.splitlines()[0].startswith("rank,organisation,compliant,npv")
    assert len(csv_body.splitlines()) == 3
    xlsx = client.get(f"/tenders/{open_tender.reference}/evaluation/report.xlsx")
    assert xlsx.content[:2] == b"PK"
    pdf = client.get(f"/tenders/{open_tender.reference}/evaluation/report.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    assert b"Lumen Services" in pdf.content and b"Bright Streets Ltd" in pdf.content
    # Someone who is not of the tender gets no report.
    from tests.factories import DepartmentFactory, MembershipFactory

    outsider = UserFactory(username="olga")
    MembershipFactory(user=outsider, department=DepartmentFactory(code="parks2"), role="official")
    assert client_for(outsider).get(f"/tenders/{open_tender.reference}/evaluation/report/").status_code == 403


def test_proposal_documents_are_served_only_under_the_sealing_rule(
    client_for, open_tender, partner, offer, transport_official, finance_officer, parks_official
):
    from procurement.proposals.services import DocumentUpload

    secret = b"%PDF-1.4 " + MARKER.encode()
    version = proposal_submit(
        tender=open_tender,
        organisation=partner,
        content=offer(),
        documents=[DocumentUpload("plan.pdf", secret)],
    )
    url = f"/tenders/{open_tender.reference}/proposals/{version.proposal_id}/documents/0/"
    pass_deadline(open_tender)
    proposals_open(tender=open_tender, actor=transport_official)
    assert client_for(transport_official).get(url).status_code == 404  # one opening is not enough
    proposals_open(tender=open_tender, actor=finance_officer)
    response = client_for(transport_official).get(url)
    assert response.status_code == 200 and response.content == secret
    assert response["Content-Type"] == "application/pdf"
    assert client_for(parks_official).get(url).status_code == 404  # not of the tender


def test_a_partner_person_signing_in_on_the_city_login_lands_in_the_portal(client, partner_person):
    response = client.post("/accounts/login/", {"username": "pat", "password": TEST_PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/partner/"
