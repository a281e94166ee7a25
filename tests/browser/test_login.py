import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_login_page_renders(page):
    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_user_logs_in_and_sees_their_name_and_role(page, login_as, transport_official):
    login_as(transport_official)
    expect(page.get_by_test_id("user-name")).to_have_text("Tina Transport")
    expect(page.locator(".user-roles")).to_contain_text("Official · Transport")


def test_wrong_password_shows_an_error(page, transport_official):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("tina")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("correct username and password")
    expect(page.get_by_role("alert")).to_be_visible()
