"""The partners' asset CSV never writes a formula, whatever a department called its assets."""

import csv
import io
from decimal import Decimal

from procurement.models import TenderAsset
from tests.procurement.publication.factories import published_tender

LIST = "/api/v1/tenders/"


def test_partner_asset_csv_neutralises_formula_text_and_keeps_negative_numbers(partner_api, transport):
    tender = published_tender(lead=transport, assets_per_department=1)
    asset = TenderAsset.objects.get(tender=tender).asset
    asset.name = '=HYPERLINK("http://evil.example","Shelter")'
    asset.area = "-2+3"
    asset.longitude = Decimal("-0.127758")
    asset.save()

    response = partner_api.get(f"{LIST}{tender.reference}/assets/")
    (row,) = csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))
    assert row["name"] == '\'=HYPERLINK("http://evil.example","Shelter")'
    assert row["area"] == "'-2+3"
    assert row["longitude"] == "-0.127758"
