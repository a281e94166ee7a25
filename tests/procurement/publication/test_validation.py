import copy
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from procurement.publication import validation
from tests.procurement.publication.factories import approved_tender, publish

pytestmark = pytest.mark.django_db


def test_schema_is_the_copy_shipped_inside_the_repository():
    assert validation.schema_dir() == Path(settings.BASE_DIR) / "procurement/publication/schema/ocds-1.1.5"
    schema = validation.release_schema()
    # Both extensions are merged into the core schema.
    assert "budgetBreakdown" in schema["definitions"]["Budget"]["properties"]
    assert "targets" in schema["definitions"]["Tender"]["properties"]


def test_a_missing_schema_directory_fails_clearly(settings, tmp_path):
    settings.OCDS_SCHEMA_DIR = tmp_path / "nowhere"
    with pytest.raises(ImproperlyConfigured, match="OCDS schema not found"):
        validation.release_schema()


def test_a_code_outside_a_closed_codelist_is_rejected(transport):
    data = copy.deepcopy(publish(approved_tender(lead=transport)).data)
    data["tender"]["status"] = "draft"
    data["tender"]["procurementMethod"] = "auction"
    errors = validation.release_errors(data)
    assert any("tender/status" in e and "tenderStatus.csv" in e for e in errors)
    assert any("tender/procurementMethod" in e for e in errors)


def test_every_code_we_write_is_listed_even_in_open_codelists(transport):
    # sourceParty is listed only by the budget breakdown extension's +partyRole.csv.
    data = copy.deepcopy(publish(approved_tender(lead=transport)).data)
    assert validation.release_errors(data, strict=True) == []
    data["parties"][0]["roles"].append("investor")
    assert validation.release_errors(data) == []
    assert any("partyRole.csv" in e for e in validation.release_errors(data, strict=True))


def test_a_release_missing_required_fields_is_rejected():
    errors = validation.release_errors({"ocid": "x", "id": "1"})
    assert any("'date' is a required property" in e for e in errors)
    assert any("'initiationType' is a required property" in e for e in errors)
