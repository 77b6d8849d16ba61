"""The supervisor's cockpit in Chromium on the demo gallery: dashboard, filters, export, heatmap."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from tests.browser.conftest import Live
from tests.browser.test_walking_skeleton import SCREENSHOTS, log_in

pytestmark = pytest.mark.browser


def test_supervisor_reads_the_dashboard_and_the_heatmap(
    page: Page, live_gallery: Live, console_errors: list[str]
) -> None:
    live = live_gallery  # the demo gallery: 30 cases in four 盟市
    log_in(page, live.url, "supervisor")
    page.get_by_role("link", name="监管驾驶舱").click()
    expect(page.locator("h1")).to_have_text("监管驾驶舱")
    rates = page.locator("#dashboard-rates li")
    expect(rates.first).to_contain_text("回访率")
    # each chart draws the rows of the table beside it
    stages = page.locator("#figure-stages")
    rows = stages.locator("tbody tr").count()
    assert rows >= 12
    expect(stages.locator("svg rect")).to_have_count(rows)
    units = page.locator("#figure-units tbody tr")
    expect(units).to_have_count(4)

    # a filter redraws the figures in place (htmx) and goes into the address
    page.select_option("#dashboard-filters select[name=unit]", "150200")
    expect(units).to_have_count(1)
    expect(units.first).to_contain_text("包头市")
    assert "unit=150200" in page.url

    with page.expect_download() as download:
        page.locator("#figure-units .exports a", has_text="XLSX").click()
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    assert sheet is not None
    assert [tuple(r) for r in sheet.iter_rows(values_only=True)][1][0] == "包头市"
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "dashboard.png"), full_page=True)

    page.get_by_role("link", name="流程热力图").click()
    heat = page.locator("#heatmap")
    expect(heat).to_have_attribute("data-rendered", "true")
    listed = page.locator("#heatmap-table tr[data-element-id]").count()
    assert listed >= 10
    expect(page.locator(".heat-badge")).to_have_count(listed)
    # a stage opens the heatmap of its own tasks
    page.locator(".djs-element.tj-link[data-element-id=m_e]").click()
    expect(page.locator("#heatmap-filters select[name=process]")).to_have_value("stage_e_review")
    expect(heat).to_have_attribute("data-rendered", "true")
    expect(page.locator(".heat-badge").first).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "heatmap.png"), full_page=True)
    assert console_errors == []


def test_supervisor_reviews_a_drawn_case_file(
    page: Page, live_gallery: Live, console_errors: list[str]
) -> None:
    log_in(page, live_gallery.url, "supervisor")
    page.get_by_role("link", name="案卷评查").click()
    page.fill("#since", "2024-01-01")
    page.fill("#size", "2")
    page.locator("#draw-form button.primary").click()
    expect(page.locator("#reproducible")).to_contain_text("结果相同")
    seed = page.locator("#sample-seed").inner_text()
    assert len(seed) == 16
    files = page.locator("article.review-item")
    expect(files).to_have_count(2)

    first = files.first
    # what the record answers is ticked already; the reviewer confirms or corrects it
    expect(first.locator("tr[data-item=decision] .precheck")).to_contain_text("符合")
    expect(first.locator("tr[data-item=decision] input[value=PASS]")).to_be_checked()
    for row in first.locator("tbody tr").all():
        if not row.locator("input:checked").count():
            row.locator("input[value=NA]").check()
    first.locator("tr[data-item=service] input[value=FLAW]").check()
    first.locator("button").click()
    expect(page.locator("[role=alert]")).to_contain_text("须写明评查意见")  # nothing saved
    first = page.locator("article.review-item").first
    first.locator("tr[data-item=service] input[value=FLAW]").check()
    for row in first.locator("tbody tr").all():
        if not row.locator("input:checked").count():
            row.locator("input[value=NA]").check()
    first.locator("textarea[name=findings]").fill("送达回证签收日期不清")
    first.locator("button").click()
    expect(page.locator("article.review-item .badge")).to_have_count(1)
    expect(page.locator("#unit-report")).to_contain_text("送达 1")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "case-file-review.png"), full_page=True)
    assert console_errors == []
