"""tender_get_for_user and tender_visible_to answer exactly what tender_list_for_user (THE visibility rule) answers, for the whole cast
and tenders of every kind of participation and status: its shortcut for the common cases may never widen the rule."""

import pytest
from django.http import Http404

from procurement.models import Tender
from procurement.selectors.tenders import tender_get_for_user, tender_list_for_user, tender_visible_to
from tests.factories import (
    AssetFactory,
    BudgetLineFactory,
    ContributionFactory,
    TenderAssetFactory,
    TenderFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(transport_official, transport_viewer, lighting_official, parks_official, finance_officer):
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    outsider = UserFactory(username="olivia", first_name="Olivia", last_name="Outsider")
    return {
        "Tina (Transport official)": transport_official,
        "Transport's viewer": transport_viewer,
        "Lighting's official": lighting_official,
        "Parks' official": parks_official,
        "central finance": finance_officer,
        "a superuser": admin,
        "a user of no department": outsider,
    }


@pytest.fixture
def tenders(transport, lighting, parks, cast):
    def tender(reference, **fields):
        return TenderFactory(reference=reference, lead_department=transport, **fields)

    bundled = tender("T-2027-0101")
    TenderAssetFactory(tender=bundled, asset=AssetFactory(department=lighting))
    paid_by_parks = tender("T-2027-0102")
    ContributionFactory(tender=paid_by_parks, budget_line=BudgetLineFactory(department=parks))
    made = [
        tender("T-2027-0100"),
        bundled,
        paid_by_parks,
        tender("T-2027-0103", created_by=cast["a user of no department"]),
        tender("T-2027-0104", submitted_by=cast["Tina (Transport official)"]),
        tender("T-2027-0105", status=Tender.Status.SUBMITTED),
        tender("T-2027-0106", status=Tender.Status.CANCELLED),
        *(
            tender(f"T-2027-011{i}", status=status)
            for i, status in enumerate(["published", "awarded", "signed"])
        ),
        TenderFactory(reference="T-2027-0120", lead_department=parks),
    ]
    return made


def visible_by_get(user, tender) -> bool:
    try:
        found = tender_get_for_user(user=user, reference=tender.reference)
    except Http404:
        return False
    assert found.pk == tender.pk
    return True


def test_every_member_of_the_cast_is_answered_the_same_by_the_page_and_by_the_rule(cast, tenders):
    answers = set()
    for who, user in cast.items():
        listed = set(tender_list_for_user(user=user).values_list("pk", flat=True))
        for tender in tenders:
            answer = visible_by_get(user, tender)
            assert answer == (tender.pk in listed), (who, tender.reference, tender.status)
            assert tender_visible_to(user=user, tender=tender) == answer, (who, tender.reference)
            answers.add(answer)
    assert answers == {True, False}


def test_the_rule_is_what_the_cast_expects(cast, tenders):
    def sees(who, reference):
        return visible_by_get(cast[who], next(t for t in tenders if t.reference == reference))

    assert sees("Lighting's official", "T-2027-0101")  # its asset is bundled
    assert not sees("Lighting's official", "T-2027-0100")
    assert sees("Parks' official", "T-2027-0102")  # it pays a part
    assert not sees("Parks' official", "T-2027-0101")
    assert sees("a user of no department", "T-2027-0103")  # drafted it
    assert not sees("a user of no department", "T-2027-0100")
    assert sees("a user of no department", "T-2027-0110")  # published
    assert sees("central finance", "T-2027-0104")  # submitted once, back to draft
    assert not sees("central finance", "T-2027-0100")  # never submitted
    assert sees("Transport's viewer", "T-2027-0106")
    assert not sees("Transport's viewer", "T-2027-0120")
    assert sees("a superuser", "T-2027-0120")


def test_an_anonymous_visitor_and_an_unknown_reference_are_404(tenders, transport_official):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(Http404):
        tender_get_for_user(user=AnonymousUser(), reference="T-2027-0110")
    with pytest.raises(Http404):
        tender_get_for_user(user=transport_official, reference="T-2027-9999")
