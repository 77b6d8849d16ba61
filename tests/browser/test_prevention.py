"""The prevention side in Chromium (issue #9's done-when, first part): the demo credit officer
downloads the sample work-order file, imports it, sees the bad rows reported and the rest
imported, and sees the hotspots."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from app.services.demo_complaints import BAD_ROWS, SAMPLE
from tests.browser.conftest import Live
from tests.browser.test_walking_skeleton import log_in

pytestmark = pytest.mark.browser


def test_the_credit_officer_imports_work_orders_and_sees_the_hotspots(
    page: Page, live: Live, console_errors: list[str], tmp_path: Path
) -> None:
    log_in(page, live.url, "credit")
    page.get_by_role("link", name="投诉热点").first.click()
    page.get_by_role("link", name="导入工单").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="下载样例文件").click()
    sample = tmp_path / download.value.suggested_filename
    download.value.save_as(sample)
    assert sample.suffix == ".csv"
    page.set_input_files("#import-form input[type=file]", sample)
    page.locator("#import-form button").click()
    expect(page.locator("#accepted")).to_have_text(str(len(SAMPLE)))
    expect(page.locator("#rejected")).to_have_text(str(len(BAD_ROWS)))
    expect(page.locator("#rejected-rows tbody tr")).to_have_count(len(BAD_ROWS))
    expect(page.locator("#rejected-rows")).to_contain_text("不在本单位辖区")

    page.get_by_role("link", name="查看投诉热点").click()
    issues = page.locator("#by-issue")
    expect(issues.locator('tr[data-key="FOOD_SAFETY"] td').nth(1)).not_to_have_text("0")
    expect(page.locator("#frequent")).to_contain_text("新城区鲜味烧烤店")
    expect(page.locator("svg.chart").first).to_be_visible()
    page.select_option("select[name=days]", "365")
    page.get_by_role("button", name="查看").click()
    expect(page.locator("#by-season tbody tr").first).to_be_visible()
    assert console_errors == []
