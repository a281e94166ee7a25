import pytest

pytestmark = pytest.mark.django_db


def test_openapi_schema_lists_the_v1_routes(api):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/tenders/",
        "/api/v1/tenders/{reference}/",
        "/api/v1/tenders/{reference}/releases/",
        "/api/v1/tenders/{reference}/record/",
        "/api/v1/tenders/{reference}/questions/",
        "/api/v1/tenders/{reference}/assets/",
        "/api/v1/tenders/{reference}/scenario/",
        "/api/v1/releases/",
    ):
        assert path in paths


def test_interactive_docs_are_served_locally_without_a_cdn(api):
    response = api.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()
    assert "/static/drf_spectacular_sidecar/" in html


def test_docs_and_schema_work_for_a_partner_sending_a_token(partner_api):
    assert partner_api.get("/api/docs/").status_code == 200
    assert partner_api.get("/api/schema/").status_code == 200
