"""The case file in Chromium: stage progress, evidence upload, comments, the 体检档案 link."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import FilePayload, Page, expect

from tests.browser.conftest import Live
from tests.browser.test_walking_skeleton import SCREENSHOTS, log_in
from tests.integration.cases import warning_case

pytestmark = pytest.mark.browser
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_officer_works_on_the_case_file(
    page: Page, live: Live, console_errors: list[str], tmp_path: Path
) -> None:
    live.app.config["UPLOAD_FOLDER"] = str(tmp_path)
    log_in(page, live.url, "officer")
    page.get_by_role("link", name="案件").first.click()
    page.get_by_text("夏季烧烤食材冷链风险预警").locator("xpath=..").get_by_role("link").click()
    expect(page.locator("#stage-progress li.stage-active")).to_have_text("A 风险预警与行政指导")

    # the active stage's own diagram: a click on the call activity opens it, marked
    expect(page.locator("#diagram")).to_have_attribute("data-rendered", "true")
    page.locator(".djs-element.tj-link[data-element-id=m_a]").click()
    expect(page.locator("#diagram-caption")).to_contain_text("子流程：A 风险预警与行政指导")
    expect(page.locator("#diagram")).to_have_attribute("data-rendered", "true")
    expect(page.locator(".djs-element.tj-ready[data-element-id=a_assess]")).to_have_count(1)
    page.get_by_role("link", name="返回主流程").click()
    expect(page.locator("#diagram-caption")).to_have_count(0)

    page.set_input_files(
        "#attachment-form input[type=file]",
        files=FilePayload(name="冷库温度记录.png", mimeType="image/png", buffer=PNG),
    )
    page.locator("#attachment-form button").click()
    expect(page.locator("#attachment-list")).to_contain_text("冷库温度记录.png")
    assert len([p for p in tmp_path.rglob("*") if p.is_file()]) == 1

    page.fill("#comment-form textarea", "请补充冷库温度记录")
    page.locator("#comment-form button").click()
    expect(page.locator(".comments")).to_contain_text("请补充冷库温度记录")

    page.locator("dl.facts a[href^='/enterprises/']").first.click()
    expect(page.locator("h1")).to_contain_text("体检档案")
    expect(page.locator("#enterprise-cases")).to_contain_text("夏季烧烤食材冷链风险预警")
    # the demo warning is still being assessed: nothing issued, no decision on record
    expect(page.locator("#health-checks")).to_contain_text("暂无记录")
    expect(page.locator("#first-offense")).to_contain_text("近2年内无处罚或免罚决定")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "enterprise-record.png"), full_page=True)
    assert console_errors == []


def test_a_document_preview_keeps_its_own_stylesheet_under_the_style_policy(
    page: Page, live: Live, console_errors: list[str]
) -> None:
    """The 文书 preview's <style> is allowed by its hash (app/web/security.py, with_own_styles):
    the page is set as the PDF will be, and Chromium refuses nothing."""
    with live.app.app_context():
        case_id = warning_case()
    log_in(page, live.url, "officer")
    page.goto(f"{live.url}/cases/{case_id}/documents/WARNING_NOTICE/preview")
    expect(page.locator("p.issuer")).to_have_css("color", "rgb(204, 0, 0)")
    expect(page.locator("h1")).to_have_css("text-align", "center")
    # (the bare document page names no icon: Chromium's /favicon.ico is the one 404 it logs)
    assert [e for e in console_errors if "Content Security Policy" in e] == []
