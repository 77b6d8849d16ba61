"""A penalty screen in Chromium: the decision-support panel follows the typing, drafts keep it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Live
from tests.browser.test_walking_skeleton import SCREENSHOTS, log_in
from tests.integration.cases import investigated_case, ready

pytestmark = pytest.mark.browser


def test_decision_support_follows_the_screen_and_drafts_survive_a_reload(
    page: Page, live: Live, console_errors: list[str]
) -> None:
    with live.app.app_context():
        task_id = next(t.id for t in ready(investigated_case()) if t.bpmn_id == "e_report")
    log_in(page, live.url, "officer")
    page.goto(f"{live.url}/tasks/{task_id}")
    expect(page.locator("#decision-support")).to_contain_text("是否处罚（DMN-P1）")
    expect(page.locator("#fine-band")).to_have_count(0)

    page.fill("input[name=fine_min]", "5000")
    page.fill("input[name=fine_max]", "100000")
    page.fill("input[name=proposed_fine]", "8000")
    page.locator("input[name=fine_max]").dispatch_event("change")
    expect(page.locator("#fine-band")).to_contain_text("¥33,500.00")
    expect(page.locator("#fine-outside-band")).to_be_visible()

    # a first offense (the 体检档案 pre-ticked it: no earlier decision), corrected, slight harm
    expect(page.locator("input[name=first_offense_2y]")).to_be_checked()
    page.check("input[name=corrected]")
    page.select_option("select[name=harm]", "SLIGHT")
    expect(page.locator("[data-output=outcome]")).to_have_text("可以不予处罚")

    page.fill("textarea[name=facts]", "销售超过保质期的乳制品12盒")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator("#task-form")).to_contain_text("草稿已保存")
    page.reload()
    expect(page.locator("textarea[name=facts]")).to_have_value("销售超过保质期的乳制品12盒")
    expect(page.locator("input[name=proposed_fine]")).to_have_value("8000")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "penalty-report.png"), full_page=True)
    assert console_errors == []
