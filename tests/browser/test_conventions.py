"""The browser tests read the page only through assertions that wait for it.

A click that submits a form returns before the next page has loaded; `is_visible()`, `inner_text()` and their kind
read whatever page is there at that instant, so an assertion made with them right after a click sometimes reads
the page being left (CI failed once on exactly that: the wrong-password test read the login page before the
error came back). `expect(locator)` retries until the page shows what is asserted, or the timeout passes.
"""

import re
from pathlib import Path

IMMEDIATE_READING = re.compile(
    r"\bassert\b.*\.(is_visible|is_hidden|is_checked|is_enabled|inner_text|text_content|input_value|content)\("
)


TESTS = Path(__file__).resolve().parents[1]


def browser_test_files() -> list[Path]:
    """Every test module that drives Chromium: tests/browser/ and the browser tests beside the code they test."""
    return sorted(
        path
        for path in TESTS.rglob("test_*.py")
        if path != Path(__file__).resolve() and "pytest.mark.browser" in path.read_text()
    )


def test_no_browser_test_asserts_on_an_immediate_reading_of_the_page():
    offending = [
        f"{path.relative_to(TESTS)}:{number}: {line.strip()}"
        for path in browser_test_files()
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if IMMEDIATE_READING.search(line)
    ]
    assert offending == [], "assert with expect(...) instead:\n" + "\n".join(offending)


def test_the_browser_tests_outside_tests_browser_are_checked_too():
    found = {path.relative_to(TESTS).as_posix() for path in browser_test_files()}
    assert "browser/test_login.py" in found
    assert "departments/test_browser_import.py" in found
    assert "outcomes/test_browser_chart.py" in found


def test_the_check_catches_an_immediate_reading():
    assert IMMEDIATE_READING.search('    assert page.get_by_role("alert").is_visible()')
    assert IMMEDIATE_READING.search('    assert "x" in page.locator(".message").inner_text()')
    assert not IMMEDIATE_READING.search('    expect(page.get_by_role("alert")).to_be_visible()')
