"""The prevention side in Chromium (issue #9's done-when): the demo credit officer downloads the
sample work-order file, imports it, sees the bad rows reported and the rest imported, sees the
hotspots, publishes a graded warning batch that opens warning cases with their 提醒书, and runs a
reproducible 双随机 draw that opens inspection tasks."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from app.prevention.work_order_sample import BAD_ROWS, SAMPLE
from tests.browser.conftest import Live
from tests.browser.test_walking_skeleton import log_in

pytestmark = pytest.mark.browser


def test_the_credit_officer_imports_warns_and_draws(
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

    # the graded list: 呼和浩特 food (six orders of the sample) is a level-1 risk
    page.get_by_role("link", name="违法风险预警分级清单").click()
    food = page.locator('tr[data-risk="150100-FOOD"]')
    expect(food).to_have_attribute("data-level", "1")
    food.locator("input[type=checkbox]").check()
    page.get_by_role("button", name="预览送达对象").click()
    expect(page.locator("#recipients")).to_contain_text("呼和浩特市餐饮行业协会")
    count = int(page.locator("#recipient-count").inner_text().split()[1])
    page.get_by_role("button", name="发布预警").click()
    expect(page.locator("#batch-recipients")).to_have_text(str(count))
    expect(page.locator("#batch-cases tbody tr")).to_have_count(count)
    page.locator("#batch-cases tbody tr").first.get_by_role("link").first.click()
    expect(page.locator("#documents + *")).to_contain_text("违法风险预警提醒书")

    # the draw: two items, the pool by credit class, a sealed result with its inspection cases
    page.goto(f"{live.url}/prevention/draws?unit_code=150100&domain=FOOD")
    expect(page.locator('#sampling-plan tr[data-class="A"]')).to_contain_text("不抽查")
    page.locator("#draw-form").get_by_label("FOOD-JY-01", exact=False).check()
    page.get_by_role("button", name="随机抽取并派发检查任务").click()
    expect(page.locator("#draw-check")).to_contain_text("结果一致")
    targets = page.locator("#draw-targets tbody tr")
    expect(targets.first).to_be_visible()
    assert targets.count() >= 3
    seed = page.locator("#draw-seed").inner_text()
    assert len(seed) == 32
    targets.first.get_by_role("link", name="案件").click()
    expect(page.locator("body")).to_contain_text("现场检查并制作检查记录")
    assert console_errors == []
