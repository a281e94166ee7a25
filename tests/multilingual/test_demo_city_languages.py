"""The demo city speaks English (its main language) with French and Dutch variants of its public content."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from outcomes import demo as outcomes_demo
from outcomes.models import Indicator, Outcome
from procurement import demo as procurement_demo
from procurement import demo_publication
from procurement.models import Tender
from procurement.publication.selectors import tender_list_published

pytestmark = pytest.mark.django_db


def test_every_demo_tender_outcome_and_indicator_has_french_and_dutch_variants(anonymous):
    call_command("load_demo_city", stdout=StringIO())

    tenders = list(Tender.objects.all())
    assert len(tenders) == 3
    for tender in tenders:
        assert set(tender.translations) == {"fr", "nl"}, tender.title
        for texts in tender.translations.values():
            assert texts["title"] and texts["description"]
    assert Outcome.objects.count() == 4 and Indicator.objects.count() == 6
    for outcome in Outcome.objects.all():
        assert {language: set(texts) for language, texts in outcome.translations.items()} == {
            "fr": {"title", "description"},
            "nl": {"title", "description"},
        }, outcome.title
    for indicator in Indicator.objects.all():
        assert set(indicator.translations) == {"fr", "nl"}, indicator.name

    # The English demo text is unchanged: it is the main language.
    assert {t.title for t in tenders} == {title for title, *_ in procurement_demo.TENDERS} | {
        demo_publication.TITLE
    }
    assert {o.title for o in Outcome.objects.all()} == {row[0] for row in outcomes_demo.OUTCOMES}

    # The published tender carries them in its releases and shows them to a French or Dutch reader.
    (published,) = tender_list_published()
    release = published.releases.order_by("date").first().data
    assert release["language"] == "en"
    assert release["tender"]["title_fr"] == demo_publication.TITLE_TRANSLATIONS["fr"]
    assert release["tender"]["title_nl"] == demo_publication.TITLE_TRANSLATIONS["nl"]
    assert all("title_fr" in metric and "title_nl" in metric for metric in release["tender"]["targets"])
    french = anonymous.get(
        reverse("procurement:public-tender-list"), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert "Des arrêts de bus sûrs, éclairés et accessibles, sous forme de service" in french
    dutch = anonymous.get(
        reverse("procurement:public-tender-detail", args=[published.reference]), HTTP_ACCEPT_LANGUAGE="nl"
    ).content.decode()
    assert "Veilige, verlichte en toegankelijke bushaltes als dienst" in dutch
    assert "Nachtelijke incidenten aan bushaltes" in dutch
