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


def test_no_browser_test_asserts_on_an_immediate_reading_of_the_page():
    offending = [
        f"{path.name}:{number}: {line.strip()}"
        for path in sorted(Path(__file__).parent.glob("test_*.py"))
        if path.name != Path(__file__).name
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if IMMEDIATE_READING.search(line)
    ]
    assert offending == [], "assert with expect(...) instead:\n" + "\n".join(offending)


def test_the_check_catches_an_immediate_reading():
    assert IMMEDIATE_READING.search('    assert page.get_by_role("alert").is_visible()')
    assert IMMEDIATE_READING.search('    assert "x" in page.locator(".message").inner_text()')
    assert not IMMEDIATE_READING.search('    expect(page.get_by_role("alert")).to_be_visible()')
