"""The designer studio in Chromium (issue #7's done-when): a designer changes a deadline timer in
the modeler and a threshold in a decision table, sees the validation errors of a deliberately
broken model on the diagram, deploys, and running cases stay on the old version while new
cases run on the new one."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.extensions import db
from app.modelling.process_library import active_bundle
from app.models import Case, Job, ProcessVersion
from app.platform.decisions import evaluate
from tests.browser.conftest import Live
from tests.browser.test_walking_skeleton import log_in
from tests.integration.cases import warning_case

pytestmark = pytest.mark.browser
OLD_TIMER = "end_of_day(self_check_due)"
NEW_TIMER = "end_of_day(add_working_days(self_check_due, 2))"


def select_element(page: Page, element_id: str) -> None:
    # as a designer would: scroll the element into the middle of the canvas, away from the
    # palette, and click inside it off-centre (a small event's centre can lie under a flow)
    page.evaluate(
        "id => window.tijianModeler.get('canvas').scrollToElement(id, {top: 250, left: 300})",
        element_id,
    )
    shape = page.locator(f'#canvas g.djs-element[data-element-id="{element_id}"]').first
    box = shape.bounding_box()
    assert box is not None
    shape.click(position={"x": box["width"] * 0.2, "y": box["height"] * 0.5})
    expect(page.locator("#properties-form h2 code")).to_have_text(element_id)


def apply_panel(page: Page) -> None:
    """Apply the panel and wait for the server's answer: the panel may still show the notice of
    the previous apply, so waiting for the text alone could race ahead of this one."""
    previous = page.locator("#properties-form").element_handle()
    page.locator("#properties-form button[type=submit]").click()
    previous.wait_for_element_state("hidden")  # replaced by the answer's panel


def timer_due(case_id: int) -> dt.datetime:
    return db.session.execute(select(Job.due_at).where(Job.case_id == case_id)).scalar_one()


CHECK_WAIT_MS = 20_000  # a wait for the server's answer, not a speed target (see tijian bench)


def test_a_designer_changes_a_timer_and_a_threshold_and_deploys(
    page: Page, live: Live, console_errors: list[str]
) -> None:
    with live.app.app_context():
        running = warning_case()  # waits for the self-check feedback on the current version
        old_bundle = active_bundle()
        assert old_bundle is not None
        old_hash = old_bundle.hash
        assert OLD_TIMER in old_bundle.files["processes/stage_a_warning.bpmn"]
        db.session.commit()

    log_in(page, live.url, "designer")
    page.goto(f"{live.url}/designer/")
    page.locator('tr[data-process="stage_a_warning"] a', has_text="流程图").click()
    expect(page.locator("#modeler")).to_have_attribute("data-rendered", "true")
    expect(page.locator("a.bjs-powered-by")).to_be_visible()  # the bpmn.io licence's watermark

    # The deadline timer: a misspelt helper is refused in the panel and not written.
    select_element(page, "a_feedback_overdue")
    timer = page.locator("#properties-form [name=timer]")
    expect(timer).to_have_value(OLD_TIMER)
    timer.fill("end_of_dya(self_check_due)")
    apply_panel(page)
    expect(page.locator("#properties")).to_contain_text("未知的函数 end_of_dya")
    page.locator("#properties-form [name=timer]").fill(NEW_TIMER)
    apply_panel(page)
    expect(page.locator("#properties")).to_contain_text("已写入流程图")

    # A deliberately broken model: the user task loses its form. Validation names it, and the
    # element is marked on the canvas.
    select_element(page, "a_assess")
    page.locator("#properties-form [name=form_key]").select_option("")
    apply_panel(page)
    expect(page.locator("#properties")).to_contain_text("已写入流程图")
    page.locator("#model-check").click()
    # the check parses the whole library (about a second alone; longer beside other tests)
    expect(page.locator("#model-problems")).to_contain_text(
        "a_assess: 用户任务缺少 formKey", timeout=CHECK_WAIT_MS
    )
    marked = page.locator('#canvas g.djs-element.tj-error[data-element-id="a_assess"]')
    expect(marked).to_be_visible()
    page.locator("#model-deploy").click()  # refused as well: nothing is deployed
    expect(page.locator("#model-problems")).to_contain_text("未部署，当前版本继续运行")

    # a_assess is still selected and its panel open
    page.locator("#properties-form [name=form_key]").select_option("warning.assess")
    apply_panel(page)
    expect(page.locator("#properties")).to_contain_text("已写入流程图")
    page.locator("#model-check").click()
    expect(page.locator("#model-valid")).to_be_visible(timeout=CHECK_WAIT_MS)
    expect(page.locator("#canvas g.djs-element.tj-error")).to_have_count(0)
    page.fill("#model-note", "自查整改期宽限两个工作日")
    page.locator("#model-deploy").click()
    expect(page.locator("#model-deployed")).to_be_visible()

    # The decision table: the summary-procedure threshold for natural persons.
    page.goto(f"{live.url}/designer/")
    page.get_by_role("link", name="procedure", exact=True).click()
    expect(page.locator('[name="rules-1-inputs-3"]')).to_have_value(
        '? <= param("SUMMARY_MAX_NATURAL")'
    )
    page.fill('[name="rules-1-inputs-3"]', "? <= __import__('os')")
    page.get_by_role("button", name="校验", exact=True).click()
    expect(page.locator("#table-problems")).to_contain_text("procedure_r2_i4")
    expect(page.locator('td.has-error [name="rules-1-inputs-3"]')).to_be_visible()
    page.fill('[name="rules-1-inputs-3"]', "? <= 100")
    page.fill('[name="rules-3-inputs-3"]', "? > 100")
    page.fill("#note", "简易程序门槛试点 100 元")
    page.get_by_role("button", name="校验并部署新版本").click()
    expect(page.locator("#table-deployed")).to_be_visible()

    # Running cases stay on their version; a new case starts on the new one.
    with live.app.app_context():
        new_bundle = active_bundle()
        assert new_bundle is not None and new_bundle.hash != old_hash
        files = new_bundle.files
        stage_a = files["processes/stage_a_warning.bpmn"]
        assert NEW_TIMER in stage_a  # the edit, and the extension elements round-tripped:
        assert '<spiffworkflow:property name="formKey" value="warning.assess"' in stage_a
        assert "<spiffworkflow:instructionsForEndUser>" in stage_a
        assert "<spiffworkflow:calledDecisionId>guidance_measure" in stage_a
        assert "? &lt;= 100" in files["decisions/procedure.dmn"]
        fresh = warning_case()
        versions = {
            case_id: db.session.execute(
                select(ProcessVersion.bundle_hash)
                .join(Case, Case.process_version_id == ProcessVersion.id)
                .where(Case.id == case_id)
            ).scalar_one()
            for case_id in (running, fresh)
        }
        assert versions == {running: old_hash, fresh: new_bundle.hash}
        assert timer_due(fresh) - timer_due(running) >= dt.timedelta(days=2)
        fine_of_150 = {"facts_clear": True, "sanctions": ["FINE"], "party_type": "NATURAL"}
        fine_of_150["proposed_fine"] = 150
        assert evaluate("procedure", fine_of_150)["outputs"]["procedure"] == "ORDINARY"
        assert evaluate("procedure", fine_of_150, old_hash)["outputs"]["procedure"] == "SUMMARY"
        db.session.commit()

    page.goto(f"{live.url}/designer/")
    main = page.locator('tr[data-process="enforcement_case"]')
    expect(main.and_(page.locator(".active")).locator("td.number")).to_have_text("1")
    old_row = main.filter(has_text=old_hash[:12])
    assert int(old_row.locator("td.number").inner_text()) >= 1  # the running case and the demo's

    # A trial run of the new version draws its route on the diagram; nothing is stored.
    page.locator('tr[data-process="stage_a_warning"] a', has_text="流程图").click()
    page.locator("#trial-link").click()
    answers = {
        "a_assess": {"situation": "INDIVIDUAL_RISK", "risk_summary": "冷链"},
        "a_issue": {"served_on": "2030-03-04", "document_summary": "提醒书"},
    }
    page.fill("#answers", json.dumps(answers, ensure_ascii=False))
    page.get_by_role("button", name="试运行").click()
    # no feedback given: the self-check period runs out and the clue goes to a case (A6)
    expect(page.locator("#trial-outcome")).to_contain_text("流程结束")
    expect(page.locator("#diagram")).to_have_attribute("data-rendered", "true")
    for element in ("a_assess", "a_issue", "a_feedback_overdue", "a_transfer"):
        done = page.locator(f'#diagram g.djs-element.tj-completed[data-element-id="{element}"]')
        expect(done).to_have_count(1)
    assert console_errors == []


def test_the_modelers_align_menu_draws_its_icons_under_the_pages_style_policy(
    page: Page, live: Live, console_errors: list[str]
) -> None:
    """Why the modeler alone keeps style-src 'unsafe-inline' (app/web/security.py,
    allow_inline_styles): bpmn-js writes the align menu's SVG icons with style attributes, some
    built at run time (no hash can name them); under the policy of every other page Chromium
    refuses each of them with a console error."""
    log_in(page, live.url, "designer")
    page.goto(f"{live.url}/designer/processes/stage_a_warning/model")
    expect(page.locator("#modeler")).to_have_attribute("data-rendered", "true")
    page.evaluate(
        """() => {
        const modeler = window.tijianModeler;
        const tasks = modeler.get('elementRegistry').filter(e => e.type === 'bpmn:UserTask');
        modeler.get('selection').select(tasks.slice(0, 3));
    }"""
    )
    page.locator(".djs-context-pad .entry[data-action='align-elements']").click()
    expect(page.locator(".djs-popup .entry").first).to_be_visible()
    # selecting three elements at once starts and aborts panel loads (htmx logs the abort):
    # what this test is about is the style policy
    refused = [e for e in console_errors if "Content Security Policy" in e or "style-src" in e]
    assert refused == []
