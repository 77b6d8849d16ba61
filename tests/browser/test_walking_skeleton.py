"""The demo officer logs in and completes the skeleton task in a real Chromium."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from app.clock import china_today

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results"


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", "demo")
    page.click("button.primary")


def test_officer_completes_the_skeleton_task(
    page: Page, live_server: str, console_errors: list[str]
) -> None:
    log_in(page, live_server, "officer")
    expect(page.locator("h1")).to_have_text("待办任务")
    page.get_by_role("link", name="填写检查记录").click()
    expect(page.locator("h1")).to_have_text("填写检查记录")

    # Invalid first: htmx swaps the 422 form in place with Chinese messages.
    page.fill("#inspectors", "张三")
    page.click("#task-form button.primary")
    expect(page.locator("#task-form")).to_contain_text("执法人员不少于两人。")
    expect(page.locator("#task-form")).to_contain_text("请填写日期。")

    page.select_option("#inspection_type", "RANDOM")
    page.fill("#inspection_date", china_today().isoformat())
    page.fill("#inspectors", "张三、李四")
    page.fill("#location", "呼和浩特市新城区")
    page.fill("#findings", "现场检查未发现问题。")
    page.select_option("#result", "COMPLIANT")
    page.click("#task-form button.primary")

    expect(page.locator("#case-status")).to_have_text("已办结")
    expect(page.locator(".notice")).to_have_text("任务已提交。")
    diagram = page.locator("#diagram")
    expect(diagram).to_have_attribute("data-rendered", "true")
    expect(page.locator(".bjs-powered-by")).to_be_visible()  # bpmn.io watermark stays visible
    expect(
        page.locator(".djs-element.tj-completed[data-element-id=record_inspection]")
    ).to_have_count(1)

    # Chinese renders with a real CJK font, not tofu.
    assert page.evaluate("document.fonts.check('16px \"Noto Sans CJK SC\"', '检查')")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "skeleton-case.png"), full_page=True)

    page.goto(f"{live_server}/tasks/")
    expect(page.get_by_role("link", name="填写检查记录")).to_have_count(0)
    assert console_errors == []


def test_english_chosen_before_login_is_kept(
    page: Page, live_server: str, console_errors: list[str]
) -> None:
    page.goto(f"{live_server}/login")
    page.select_option("#language", "en")
    page.click("form.inline button")
    expect(page.locator("h1")).to_have_text("Log in")
    log_in(page, live_server, "officer")
    expect(page.locator("nav.mainnav")).to_contain_text("My tasks")
    page.get_by_role("link", name="Cases").click()
    expect(page.locator("h1")).to_have_text("Cases")
    assert console_errors == []


def test_a_process_library_case_shows_its_stage_on_the_diagram(
    page: Page, live_server: str, console_errors: list[str]
) -> None:
    log_in(page, live_server, "supervisor")
    page.get_by_role("link", name="案件").first.click()
    page.get_by_text("夏季烧烤食材冷链风险预警").locator("xpath=..").get_by_role("link").click()
    expect(page.locator(".stage")).to_have_text("A 风险预警与行政指导")
    expect(page.locator("#diagram")).to_have_attribute("data-rendered", "true")
    # the stage in progress (a call activity) is highlighted on the main process
    expect(page.locator(".djs-element.tj-ready[data-element-id=m_a]")).to_have_count(1)
    expect(page.locator(".djs-element.tj-completed[data-element-id=m_start]")).to_have_count(1)
    page.screenshot(path=str(SCREENSHOTS / "library-case.png"), full_page=True)
    assert console_errors == []


def test_inbox_keyboard_shortcuts(page: Page, live_server: str, console_errors: list[str]) -> None:
    log_in(page, live_server, "officer")
    expect(page.locator("body")).to_have_attribute("data-inbox-keys", "on")
    page.keyboard.press("j")
    expect(page.locator("#inbox-rows tr.task-row").first).to_have_class(re.compile("selected"))
    page.keyboard.press("c")  # claim the selected task
    expect(page.locator('.views a[href*="view=mine"] .count')).to_have_text("1")
    # claiming reloads the page: wait until its shortcuts are bound again
    expect(page.locator("body")).to_have_attribute("data-inbox-keys", "on")
    page.keyboard.press("/")
    expect(page.locator("#inbox-search")).to_be_focused()
    page.fill("#inbox-search", "没有这家企业")
    page.keyboard.press("Enter")  # htmx swaps the rows in place
    expect(page.locator("#inbox-rows")).to_contain_text("暂无待办任务")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.goto(f"{live_server}/tasks/")
    page.screenshot(path=str(SCREENSHOTS / "inbox.png"), full_page=True)
    assert console_errors == []
