"""In Chromium, the whole market flow: a partner submits in the portal, two officials open the box, two
evaluators score, finance approves the award, and the losing partner sees its scores."""

import re

import pytest
from playwright.sync_api import expect

from procurement.proposals.services import proposal_submit
from tests.procurement.proposals.conftest import pass_deadline
from tests.signing_in import sign_in

pytestmark = [pytest.mark.browser]


@pytest.fixture
def as_user(browser, live_server):
    """as_user(user, login_path) -> a page of a fresh browser context, signed in through the real form."""
    contexts = []

    def _open(user, login_path="/accounts/login/"):
        context = browser.new_context(base_url=live_server.url)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        return sign_in(page, user.username, login_path=login_path)

    yield _open
    for context in contexts:
        context.close()


def test_the_whole_market_flow(
    as_user,
    open_tender,
    partner_person,
    rival,
    rival_person,
    offer,
    transport_official,
    second_transport_official,
    finance_officer,
):
    reference = open_tender.reference

    # A partner submits in the portal; a mistake is explained next to its field, then the receipt is shown.
    pat = as_user(partner_person, "/partner/login/")
    pat.get_by_role("link", name=f"{reference} · {open_tender.title}").click()
    pat.get_by_label("Financing model").select_option("opex_service")
    pat.get_by_label("Financing charge").fill("900")
    pat.get_by_label("Operation fee").fill("200")
    pat.get_by_label("At risk share").fill("0.1")
    pat.get_by_label("Committed: ").fill("50")
    pat.get_by_role("button", name="Submit proposal").click()
    expect(pat.get_by_role("alert").first).to_contain_text("below the tender's minimum")
    pat.get_by_label("At risk share").fill("0.3")
    pat.get_by_role("button", name="Submit proposal").click()
    expect(pat.get_by_text("Receipt (sha256)")).to_be_visible()
    expect(pat.get_by_test_id("receipt").first).to_have_text(re.compile(r"^[0-9a-f]{64}$"))

    # A rival answers through its machine (the service the API calls); then the deadline passes.
    proposal_submit(tender=open_tender, organisation=rival, content=offer("capex", committed="45"))
    pass_deadline(open_tender)

    # Two officials open the box.
    tina = as_user(transport_official)
    tina.goto(f"/tenders/{reference}/proposals/")
    expect(tina.get_by_test_id("proposal-count")).to_contain_text("2 proposal(s)")
    tina.get_by_role("button", name="Open the proposals").click()
    expect(tina.get_by_role("button", name="Open the proposals")).to_have_count(0)
    fiona = as_user(finance_officer)
    fiona.goto(f"/tenders/{reference}/proposals/")
    fiona.get_by_role("button", name="Open the proposals").click()
    expect(fiona.get_by_role("heading", name="Opened proposals")).to_be_visible()

    # The lead official starts the evaluation with two evaluators; the engine prices at once (inline here).
    tina.goto(f"/tenders/{reference}/proposals/")
    tina.get_by_label("Tina Transport").check()
    tina.get_by_label("Tom Transport").check()
    tina.get_by_role("button", name="Start the evaluation").click()
    expect(tina.get_by_test_id("evaluation-status")).to_have_text("Quality scoring")

    tom = as_user(second_transport_official)
    for evaluator, points in ((tina, "8"), (tom, "6")):
        evaluator.goto(f"/tenders/{reference}/evaluation/")
        evaluator.get_by_role("button", name="Declare no conflict").click()
        for organisation in ("Bright Streets Ltd", "Lumen Services"):
            evaluator.get_by_label(f"Service plan (0–10) for {organisation}").fill(points)
            evaluator.get_by_label(f"Reason: Service plan for {organisation}").fill("Credible plan")
        evaluator.get_by_role("button", name="Save my scores").click()
        expect(evaluator.get_by_text("Your scores are in.")).to_be_visible()

    tina.goto(f"/tenders/{reference}/evaluation/")
    tina.get_by_role("button", name="Finalise the report").click()
    expect(tina.get_by_test_id("evaluation-status")).to_have_text("Final report")
    tina.get_by_role("link", name="Evaluation report").click()
    expect(tina.locator("svg.chart")).to_be_visible()
    tina.goto(f"/tenders/{reference}/evaluation/")
    tina.get_by_role("button", name="Recommend the top proposal").click()
    expect(tina.get_by_test_id("award-status")).to_contain_text("Recommended")

    # Finance approves: the payments do not fit the pooled budget, so a reasoned override is needed.
    fiona.goto(f"/tenders/{reference}/evaluation/")
    fiona.get_by_role("button", name="Approve the award").click()
    expect(fiona.get_by_text("The winner's yearly payments do not fit the pooled budget")).to_be_visible()
    fiona.get_by_label("Budget override reason").fill("The council voted the extra OpEx line.")
    fiona.get_by_role("button", name="Approve the award").click()
    expect(fiona.get_by_test_id("award-status")).to_contain_text("Approved (standstill)")

    # The losing partner sees its own scores and the winner's.
    rita = as_user(rival_person, "/partner/login/")
    rita.goto(f"/partner/tenders/{reference}/")
    scores = rita.get_by_test_id("own-scores")
    expect(scores).to_contain_text("Yours")
    expect(scores).to_contain_text("Winner")
