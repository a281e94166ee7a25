"""Every page carries a Content-Security-Policy that allows scripts and styles only from our own files."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in policy.split(";") if part.strip())}


@pytest.mark.parametrize("path", ["/accounts/login/", "/tenders/public/", "/api/v1/tenders/", "/api/docs/"])
def test_anonymous_pages_carry_the_policy_without_inline_scripts(anonymous, path):
    response = anonymous.get(path)
    assert response.status_code == 200
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["style-src"] and "'unsafe-eval'" not in policy["script-src"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]


def test_signed_in_pages_carry_the_policy_too(client_for, transport_official):
    response = client_for(transport_official).get(reverse("home"))
    assert directives(response)["script-src"] == ["'self'"]


def test_only_the_api_docs_page_allows_data_images_for_swagger_ui(anonymous):
    assert directives(anonymous.get("/api/docs/"))["img-src"] == ["'self'", "data:"]
    assert directives(anonymous.get("/tenders/public/"))["img-src"] == ["'self'"]


def test_the_api_docs_start_up_code_is_a_script_of_its_own_not_inline(anonymous):
    page = anonymous.get("/api/docs/")
    page.render()
    html = page.content.decode()
    assert re.search(r"<script>", html) is None and "<style>" not in html
    script = anonymous.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


@pytest.mark.parametrize(
    "template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES))
)
def test_no_template_has_an_inline_script_handler_or_style(template):
    text = re.sub(r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}", "", template.read_text(), flags=re.S)
    assert re.search(r"<script(?![^>]*\ssrc=)[^>]*>", text) is None, "inline <script>: move it to static/js"
    assert re.search(r"\son[a-z]+\s*=", text) is None, "on*= handler attribute: use static/js instead"
    assert re.search(r"\sstyle\s*=|<style", text) is None, "inline style: use static/css instead"
