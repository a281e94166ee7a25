"""In Chromium, under the site's Content-Security-Policy: pages, htmx swaps and the API docs run without a
single CSP violation (nothing inline is needed anywhere)."""

import re

import pytest

from tests.procurement.fixtures import *  # noqa: F403 — assets in three departments, two indicators

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Recorded in the page before any of its own scripts run (init scripts are not subject to the page's CSP).
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`);
});
"""


@pytest.fixture
def watched(page):
    """The page, with every console error and CSP violation collected."""
    errors: list[str] = []
    page.on(
        "console",
        lambda message: (
            errors.append(f"{message.text} at {message.location.get('url')}")
            if message.type == "error"
            else None
        ),
    )
    # htmx aborts a search superseded by the next one (ERR_ABORTED): that is not a failure of the page.
    page.on(
        "requestfailed",
        lambda request: (
            errors.append(f"{request.failure} {request.url}")
            if "ERR_ABORTED" not in (request.failure or "")
            else None
        ),
    )
    page.on(
        "response",
        lambda response: (
            errors.append(f"{response.status} {response.url}") if response.status >= 400 else None
        ),
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.add_init_script(RECORD_VIOLATIONS)

    def problems() -> list[str]:
        # The browser's own favicon.ico request is not the page's (the site has no favicon).
        found = [e for e in errors if "/favicon.ico" not in e]
        return found + page.evaluate("window.__cspViolations || []")

    page.problems = problems
    return page


def test_pages_with_htmx_and_the_api_docs_run_without_a_csp_violation(
    watched, login_as, transport_official, transport_assets, lighting_assets
):
    from procurement.services.tenders import tender_create

    page = watched
    tender = tender_create(
        actor=transport_official,
        lead_department=transport_official.memberships.get().department,
        title="Bus stops",
    )

    page.goto("/admin/login/")
    page.get_by_role("button", name="Log in").wait_for()
    assert page.problems() == []

    response = page.goto("/tenders/public/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert page.problems() == []

    login_as(transport_official)
    page.goto("/")
    page.get_by_test_id("user-name").wait_for()
    assert page.problems() == []

    # The asset picker searches with htmx (hx-get, swap, push-url) on the tender's assets step.
    page.goto(f"/tenders/{tender.reference}/assets/")
    with page.expect_response(re.compile(r"/assets/\?")):
        page.get_by_label("Area").fill("Route 12")
        page.get_by_role("button", name="Search").click()
    page.get_by_role("button", name=re.compile(r"Add all \d+ matching")).wait_for()
    assert page.evaluate("typeof htmx") == "object"
    assert page.problems() == []

    # Swagger UI renders the operations from the schema, with its start-up script served separately.
    page.goto("/api/docs/")
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() > 3
    assert page.problems() == []
