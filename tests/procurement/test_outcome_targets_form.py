"""The outcomes step (a formset): an impossible target is refused next to its row's field, as typed."""

from decimal import Decimal

from django.urls import reverse

from tests.factories import IndicatorFactory


def _rows(indicator, target):
    return {
        "outcomes-TOTAL_FORMS": "1",
        "outcomes-INITIAL_FORMS": "0",
        "outcomes-MIN_NUM_FORMS": "0",
        "outcomes-MAX_NUM_FORMS": "1000",
        "outcomes-0-indicator": str(indicator.pk),
        "outcomes-0-target_value": target,
        "outcomes-0-payment_weight": "",
    }


def test_an_impossible_target_is_shown_at_its_row_and_linked_from_the_summary(
    client_for, transport_official, draft, transport
):
    share = IndicatorFactory(
        name="Shelters out of service",
        unit="% of shelters",
        scale="percent",
        outcome__owner_department=transport,
        baseline_value=Decimal("12"),
        target_value=Decimal("4"),
    )
    response = client_for(transport_official).post(
        reverse("procurement:tender-outcomes", args=[draft.reference]), _rows(share, "250")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert '<a href="#id_outcomes-0-target_value">Contract target (row 1)</a>' in html
    assert 'id="id_outcomes-0-target_value_error"' in html
    assert "The target 250 is impossible for “Shelters out of service”" in html
    assert 'value="250"' in html and 'aria-invalid="true"' in html
    assert not draft.targeted_outcomes.exists()
