"""Signing in through the real login form in Chromium, shared by every browser test."""

import re

from playwright.sync_api import expect

from tests.factories import TEST_PASSWORD


def sign_in(page, username: str, password: str = TEST_PASSWORD, login_path: str = "/accounts/login/"):
    """Fill the login form and wait until the signed-in page has loaded: the click returns before the POST is
    answered, and a `goto` made meanwhile would cut it off (the session cookie would never be set)."""
    page.goto(login_path)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile(re.escape(login_path)))
    page.wait_for_load_state()
    return page
