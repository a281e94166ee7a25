import pytest

pytestmark = pytest.mark.browser


def test_login_page_renders(page):
    page.goto("/accounts/login/")
    assert page.get_by_role("heading", name="Sign in").is_visible()


def test_user_logs_in_and_sees_their_name_and_role(page, login_as, transport_official):
    login_as(transport_official)
    assert page.get_by_test_id("user-name").inner_text() == "Tina Transport"
    assert "Official · Transport" in page.locator(".user-roles").inner_text()


def test_wrong_password_shows_an_error(page, transport_official):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("tina")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").is_visible()
    assert "correct username and password" in page.get_by_role("alert").inner_text()
