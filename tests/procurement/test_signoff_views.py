"""The department sign-offs panel of the tender page, its buttons' permissions, and the officials' dashboard
panel "Your department in other tenders"."""

from decimal import Decimal

import pytest
from django.urls import reverse

from departments.models import Asset
from procurement.models import DepartmentSignOff
from procurement.selectors.signoffs import tender_sign_off_states
from procurement.services.signoffs import signoff_withdraw
from procurement.services.tenders import tender_assets_add
from tests.factories import AssetFactory


def url(name, tender, *args):
    return reverse(f"procurement:{name}", args=[tender.reference, *args])


def _hash(tender, department) -> str:
    (state,) = [s for s in tender_sign_off_states(tender=tender) if s.department_id == department.pk]
    return state.bundle.snapshot_hash


@pytest.fixture
def waiting_draft(ready_draft, lighting, lighting_official):
    """The ready draft, with Street lighting's sign-off withdrawn: it waits for Lighting."""
    signoff_withdraw(tender=ready_draft, department=lighting, actor=lighting_official)
    return ready_draft


# --- The panel ------------------------------------------------------------------------------------------------


def test_lighting_official_sees_what_they_sign_and_the_button(client_for, waiting_draft, lighting_official):
    page = client_for(lighting_official).get(url("tender-detail", waiting_draft)).content.decode()
    assert "Department sign-offs" in page
    assert "Sign off for Street lighting" in page
    assert "Its part: 2 assets" in page
    assert "Waiting for an official of Street lighting" in page
    assert "Ask for sign-offs" not in page


def test_lead_official_may_ask_but_not_sign_for_lighting(client_for, waiting_draft, transport_official):
    page = client_for(transport_official).get(url("tender-detail", waiting_draft)).content.decode()
    assert "Ask for sign-offs" in page
    assert "Sign off for Street lighting" not in page


def test_the_panel_says_who_signed_and_when_and_whether_it_is_out_of_date(
    client_for, lighting_official, ready_draft, lighting, street_lights, transport_official
):
    client = client_for(transport_official)
    page = client.get(url("tender-detail", ready_draft)).content.decode()
    assert "Signed by Luc Lighting on" in page and "Ask for sign-offs" not in page
    AssetFactory(department=lighting, category=street_lights, external_ref="SL-new")
    tender_assets_add(
        tender=ready_draft, assets=Asset.objects.filter(external_ref="SL-new"), actor=transport_official
    )
    page = client.get(url("tender-detail", ready_draft)).content.decode()
    assert "Out of date" in page and "must be renewed" in page and "Ask for sign-offs" in page


def test_the_review_page_lists_the_missing_sign_off(client_for, waiting_draft, transport_official):
    page = client_for(transport_official).get(url("tender-review", waiting_draft)).content.decode()
    assert "Waiting for the sign-off of their assets and contributions by: Street lighting." in page


# --- The buttons ----------------------------------------------------------------------------------------------


def test_lighting_official_signs_off_through_the_page(client_for, waiting_draft, lighting, lighting_official):
    response = client_for(lighting_official).post(
        url("signoff-give", waiting_draft, lighting.pk), {"snapshot_hash": _hash(waiting_draft, lighting)}
    )
    assert response.status_code == 302 and response.url.endswith("#sign-offs")
    assert DepartmentSignOff.objects.get(tender=waiting_draft).signed_by == lighting_official


def test_signing_what_changed_since_the_page_was_read_is_refused_with_a_message(
    client_for, waiting_draft, lighting, lighting_official
):
    client = client_for(lighting_official)
    response = client.post(
        url("signoff-give", waiting_draft, lighting.pk), {"snapshot_hash": "0" * 64}, follow=True
    )
    assert "changed while you were reading it" in response.content.decode()
    assert not DepartmentSignOff.objects.filter(tender=waiting_draft).exists()


@pytest.mark.parametrize("outsider", ["transport_official", "finance_officer"])
def test_people_who_see_the_tender_but_are_not_lightings_officials_get_403(
    request, client_for, waiting_draft, lighting, outsider, no_seams
):
    client = client_for(request.getfixturevalue(outsider))
    if outsider == "finance_officer":  # central finance sees tenders once submitted; keep it a draft
        from procurement.models import Tender

        Tender.objects.filter(pk=waiting_draft.pk).update(
            submitted_by=request.getfixturevalue("transport_official")
        )
    response = client.post(
        url("signoff-give", waiting_draft, lighting.pk), {"snapshot_hash": _hash(waiting_draft, lighting)}
    )
    assert response.status_code == 403
    assert client.post(url("signoff-withdraw", waiting_draft, lighting.pk)).status_code == 403
    assert not DepartmentSignOff.objects.filter(tender=waiting_draft).exists()


def test_an_official_of_an_unrelated_department_gets_404(client_for, waiting_draft, lighting, parks_official):
    client = client_for(parks_official)
    assert (
        client.post(url("signoff-give", waiting_draft, lighting.pk), {"snapshot_hash": "0" * 64}).status_code
        == 404
    )
    assert client.post(url("signoff-request", waiting_draft)).status_code == 404
    assert client.post(url("signoff-withdraw", waiting_draft, lighting.pk)).status_code == 404


def test_an_unknown_department_is_404(client_for, waiting_draft, lighting_official):
    response = client_for(lighting_official).post(
        url("signoff-give", waiting_draft, 999999), {"snapshot_hash": "0" * 64}
    )
    assert response.status_code == 404


def test_only_lead_officials_ask_for_sign_offs(
    client_for, waiting_draft, lighting_official, transport_official
):
    assert client_for(lighting_official).post(url("signoff-request", waiting_draft)).status_code == 403
    response = client_for(transport_official).post(url("signoff-request", waiting_draft))
    assert response.status_code == 302
    assert waiting_draft.events.filter(action="signoff_request").count() == 1


def test_lighting_official_withdraws_through_the_page(client_for, ready_draft, lighting, lighting_official):
    response = client_for(lighting_official).post(
        url("signoff-withdraw", ready_draft, lighting.pk), {"comment": "Wait."}
    )
    assert response.status_code == 302
    assert not DepartmentSignOff.objects.filter(tender=ready_draft).exists()


def test_anonymous_visitors_are_sent_to_sign_in(anonymous, ready_draft, lighting):
    response = anonymous.post(url("signoff-give", ready_draft, lighting.pk))
    assert response.status_code == 302 and "login" in response.url


def test_sign_off_pages_take_post_only(client_for, ready_draft, lighting, lighting_official):
    assert client_for(lighting_official).get(url("signoff-give", ready_draft, lighting.pk)).status_code == 405


# --- Dashboard ------------------------------------------------------------------------------------------------


def test_lighting_officials_dashboard_shows_the_transport_tender_waiting_for_their_sign_off(
    client_for, waiting_draft, lighting, lighting_official
):
    response = client_for(lighting_official).get(reverse("home"))
    page = response.content.decode()
    assert "Your department in other tenders" in page
    assert waiting_draft.reference in page and "Sign-off needed" in page
    (row,) = [p for p in response.context["panels"] if "rows" in p][0]["rows"]
    assert row.tender == waiting_draft and row.waiting_for_you and row.state.bundle.asset_count == 2


def test_the_dashboard_says_when_the_sign_off_is_out_of_date_or_done(
    client_for, ready_draft, lighting, lighting_official, street_lights, transport_official
):
    client = client_for(lighting_official)
    assert "Nothing: signed off" in client.get(reverse("home")).content.decode()
    AssetFactory(department=lighting, category=street_lights, external_ref="SL-new")
    tender_assets_add(
        tender=ready_draft, assets=Asset.objects.filter(external_ref="SL-new"), actor=transport_official
    )
    assert "Sign-off out of date: renew it" in client.get(reverse("home")).content.decode()


def test_a_department_that_only_pays_sees_the_tender_too(
    client_for, draft, parks, parks_official, transport_official
):
    from finance.services.budgets import contribution_request
    from tests.factories import BudgetLineFactory

    line = BudgetLineFactory(department=parks)
    contribution_request(tender=draft, budget_line=line, amount=Decimal("1200"), actor=transport_official)
    page = client_for(parks_official).get(reverse("home")).content.decode()
    assert draft.reference in page and "contributions 1,200.00 EUR" in page


def test_the_lead_does_not_see_its_own_tender_there_and_outsiders_see_nothing(
    client_for, waiting_draft, transport_official, parks_official
):
    for official in (transport_official, parks_official):
        response = client_for(official).get(reverse("home"))
        (panel,) = [p for p in response.context["panels"] if "rows" in p]
        assert panel["rows"] == []
        assert "No tender of another department takes assets or budget" in response.content.decode()


def test_the_dashboard_panel_reads_a_fixed_number_of_queries_whatever_the_number_of_tenders(
    lighting_official, transport, lighting, street_lights, django_assert_num_queries
):
    from procurement.selectors.signoffs import departments_in_other_tenders
    from procurement.selectors.tenders import user_roles
    from tests.factories import TenderAssetFactory, TenderFactory

    for n in range(12):
        tender = TenderFactory(lead_department=transport)
        for i in range(3):
            light = AssetFactory(department=lighting, category=street_lights, external_ref=f"SL-{n}-{i}")
            TenderAssetFactory(tender=tender, asset=light)
    user_roles(user=lighting_official)  # once per request, shared by every panel
    with django_assert_num_queries(3):  # the tenders, their departments' bundles, the sign-offs
        rows = departments_in_other_tenders(user=lighting_official)
    assert len(rows) == 12 and all(row.waiting_for_you and row.state.bundle.asset_count == 3 for row in rows)
