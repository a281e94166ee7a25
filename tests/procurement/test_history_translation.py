"""Stored history sentences are translated when shown, and shown as stored when they are not known (issue 18)."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import translation

from config.numbers import money
from procurement.history import action_label, event_comment, status_label


def shown(action, comment, language):
    with translation.override(language):
        return event_comment(SimpleNamespace(action=action, comment=comment))


@pytest.mark.parametrize(
    "action, stored, french, dutch",
    [
        (
            "edit",
            "Changed: title, contract_term_years",
            "Modifié: Titre, Durée du contrat (années)",
            "Gewijzigd: Titel, Looptijd van het contract (jaren)",
        ),
        ("assets_add", "1 asset(s), replace", "1 équipement, remplacer", "1 asset, vervangen"),
        ("assets_remove", "4 asset(s)", "4 équipements", "4 assets"),
        ("document_add", "Specification: Lot 1", "Cahier des charges: Lot 1", "Bestek: Lot 1"),
        (
            "signoff_request",
            "Sign-off asked of Parks, Street lighting",
            "Accord demandé à: Parks, Street lighting",
            "Akkoord gevraagd aan: Parks, Street lighting",
        ),
        (
            "signoff_withdraw",
            "Parks withdrew its sign-off. Reason: budget cut",
            "Parks a retiré son accord. Motif: budget cut",
            "Parks trok zijn akkoord in. Reden: budget cut",
        ),
    ],
)
def test_known_history_sentences_are_translated_and_english_is_shown_as_stored(action, stored, french, dutch):
    assert shown(action, stored, "fr") == french
    assert shown(action, stored, "nl") == dutch
    assert shown(action, stored, "en") == stored


def test_what_a_person_typed_and_unknown_sentences_are_shown_as_stored():
    assert shown("cancel", "The budget was withdrawn.", "fr") == "The budget was withdrawn."
    assert shown("assets_add", "something else", "nl") == "something else"


def test_action_and_status_codes_are_shown_in_words():
    with translation.override("fr"):
        assert action_label("submit") == "Soumis pour approbation"
        assert action_label("some_new_code") == "some_new_code"
        assert status_label("draft") == "Brouillon" and status_label("") == ""
    with translation.override("nl"):
        assert status_label("published") == "Gepubliceerd"


def test_a_sign_off_sentence_is_translated_with_its_amounts_in_the_readers_number_format():
    stored = (
        "Parks gave its sign-off: 2 asset(s), replacement value 1,500.00 EUR; contributions 2027 OpEx 250.00 EUR "
        "(snapshot 0123456789ab)"
    )
    with translation.override("fr"):
        expected = (
            f"Parks a donné son accord: 2 équipements, valeur de remplacement {money(Decimal('1500'))} EUR; "
            f"contributions 2027 OpEx {money(Decimal('250'))} EUR (instantané 0123456789ab)"
        )
    assert shown("signoff_give", stored, "fr") == expected
    with translation.override("nl"):
        expected = (
            f"Parks gaf zijn akkoord: 2 assets, vervangingswaarde {money(Decimal('1500'))} EUR; "
            f"bijdragen 2027 OpEx {money(Decimal('250'))} EUR (momentopname 0123456789ab)"
        )
    assert shown("signoff_give", stored, "nl") == expected
    assert shown("signoff_give", stored, "en") == stored


def test_the_proposal_and_award_services_sentences_are_translated_on_the_tender_history():
    assert shown("proposals_open", "Opening 1 of 2", "fr") == "Ouverture 1 sur 2"
    assert shown("award", "Award to Bright Streets Ltd", "fr") == "Attribution à Bright Streets Ltd"
    assert shown("award", "Award to Bright Streets Ltd", "nl") == "Gunning aan Bright Streets Ltd"
    assert shown("sign", "Contract signed", "fr") == "Contrat signé"
    assert shown("award", "Award to Bright Streets Ltd", "en") == "Award to Bright Streets Ltd"
