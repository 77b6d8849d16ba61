"""Stored and reflected markup in Chromium: what officers type comes back as text, no script
runs (and the Content-Security-Policy has nothing to block, so the console stays clean)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from playwright.sync_api import Dialog, Page, expect

from tests.browser.conftest import Live
from tests.browser.test_walking_skeleton import log_in

pytestmark = pytest.mark.browser
PAYLOADS = (
    "<script>window.__xss=1</script>",
    '<img src=x onerror="window.__xss=2">',
    '"><svg onload="window.__xss=3">',
    "{{7*7}}${7*7}",
    "' OR 1=1 --",
)


def test_markup_typed_anywhere_comes_back_as_text_and_never_runs(
    page: Page, live: Live, console_errors: list[str]
) -> None:
    dialogs: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    log_in(page, live.url, "officer")
    page.get_by_role("link", name="案件").first.click()
    page.get_by_text("夏季烧烤食材冷链风险预警").locator("xpath=..").get_by_role("link").click()
    case_page = page.url
    comment = "\n".join(PAYLOADS)
    page.fill("#comment-form textarea", comment)
    page.locator("#comment-form button").click()
    for payload in PAYLOADS:
        expect(page.locator(".comments")).to_contain_text(payload)
    page.goto(case_page)  # stored: rendered again from the database
    for payload in PAYLOADS:
        expect(page.locator(".comments")).to_contain_text(payload)

    for payload in PAYLOADS:  # reflected: the search box shows what was searched
        page.goto(f"{live.url}/cases/?q={quote(payload)}")
        expect(page.get_by_role("textbox", name="搜索")).to_have_value(payload)

    assert page.evaluate("() => window.__xss === undefined")
    assert dialogs == []
    assert console_errors == []
