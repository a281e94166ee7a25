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
