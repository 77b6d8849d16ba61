"""The tokens screen on a phone (390 px wide): an officer creates a token, reads its details and
revokes it, and nothing on the list is wider than the screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from tests.browser.test_walking_skeleton import SCREENSHOTS, log_in

pytestmark = pytest.mark.browser

PHONE: ViewportSize = {"width": 390, "height": 844}


def test_an_officer_creates_and_revokes_a_token_on_a_phone(
    page: Page, live_server: str, console_errors: list[str]
) -> None:
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "officer")
    page.goto(f"{live_server}/supervision/tokens")
    expect(page.locator("h1")).to_have_text("接口令牌")
    page.fill("#own-name", "移动执法终端")
    page.get_by_role("button", name="创建令牌").click()
    secret = page.locator("#new-token code")
    expect(secret).to_contain_text("tjn_")
    card = page.locator("#own-tokens .token").first
    expect(card).to_contain_text("移动执法终端")
    expect(card).to_contain_text("从未使用")
    expect(card).to_contain_text("officer")  # the creator: the officer themself
    for box in (card.bounding_box(), secret.bounding_box()):
        assert box is not None and box["x"] + box["width"] <= PHONE["width"]
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "tokens-phone.png"), full_page=True)
    card.get_by_role("button", name="吊销").click()
    expect(page.locator("#new-token")).to_have_count(0)  # the secret is never shown again
    expect(page.locator("#own-tokens .token").first).to_contain_text("已吊销")
    assert console_errors == []
