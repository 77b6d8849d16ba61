"""Two whole cases in Chromium, from clue to closure, each step done by the demo user whose role
the diagram's lane names: an ordinary penalty with a hearing, and a first-offense exemption.

Each user works in a browser context of their own, finds the task in their inbox, fills the
screen and submits. The statutory waits (hearing day, rectification period, publicity before
credit repair) pass by running the worker at the moment the timer falls due. The issued PDFs
are read back as text.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import func, select

from app.clock import CHINA_TZ, china_today
from app.enforcement.worker import run_once
from app.extensions import db
from app.integration.events import record_party_request
from app.models import Case, HumanTask, Job
from tests.browser.conftest import EXPECTED_422, Live
from tests.browser.test_walking_skeleton import SCREENSHOTS, log_in
from tests.integration.cases import account, investigator_ids

pytestmark = pytest.mark.browser
TODAY = china_today()
YEAR = TODAY.year


class Desk:
    """The demo users at their desks: one logged-in browser context each."""

    def __init__(self, browser: Browser, live: Live):
        self.browser, self.live = browser, live
        self.pages: dict[str, Page] = {}
        self.errors: list[str] = []
        self.case_no = ""
        self.case_id = 0

    def page(self, username: str) -> Page:
        if username not in self.pages:
            page = self.browser.new_context(locale="zh-CN").new_page()
            page.on("pageerror", lambda e: self.errors.append(str(e)))
            page.on(
                "console",
                lambda m: (
                    self.errors.append(m.text)
                    if m.type == "error" and EXPECTED_422 not in m.text
                    else None
                ),
            )
            log_in(page, self.live.url, username)
            expect(page.locator("h1")).to_be_visible()
            self.pages[username] = page
        return self.pages[username]

    def open_case(self, username: str, enterprise: str, title: str) -> None:
        page = self.page(username)
        page.goto(f"{self.live.url}/cases/new")
        page.select_option("#process_id", "enforcement_case")
        page.select_option("#entry", "CLUE")
        option = page.locator("#enterprise_id option", has_text=enterprise)
        page.select_option("#enterprise_id", option.get_attribute("value"))
        page.fill("#title", title)
        page.locator("main button.primary").click()
        expect(page.locator("#case-status")).to_be_visible()
        self.case_id = int(page.url.rsplit("/", 1)[1])
        with self.live.app.app_context():
            self.case_no = db.session.get(Case, self.case_id).case_no  # type: ignore[union-attr]

    def task_id(self, bpmn_id: str, state: str = "READY") -> int:
        with self.live.app.app_context():
            task = db.session.execute(
                select(HumanTask).where(
                    HumanTask.case_id == self.case_id,
                    HumanTask.bpmn_id == bpmn_id,
                    HumanTask.state == state,
                )
            ).scalar_one_or_none()
        assert task is not None, f"{bpmn_id} is not ready; ready: {self.ready()}"
        return task.id

    def do(self, username: str, bpmn_id: str, **values: Any) -> None:
        """Find the task in the inbox, fill the screen, submit; the screen must be accepted."""
        task_id = self.task_id(bpmn_id)
        page = self.page(username)
        page.goto(f"{self.live.url}/tasks/?q={self.case_no}")
        page.locator(f"a[href='/tasks/{task_id}']").first.click()
        page.wait_for_url(re.compile(rf"/tasks/{task_id}$"))  # the screen, not the inbox
        task_name = page.locator("h1").inner_text()
        form = page.locator("#task-form")
        for name, value in values.items():
            field = form.locator(f"[name='{name}']")
            kind = field.first.get_attribute("type")
            if field.first.evaluate("e => e.tagName") == "SELECT":
                field.select_option(value)
            elif kind == "radio":
                form.locator(f"[name='{name}'][value='{'yes' if value else 'no'}']").check()
            elif kind == "checkbox" and isinstance(value, list):
                for item in value:
                    form.locator(f"[name='{name}'][value='{item}']").check()
            elif kind == "checkbox":
                field.set_checked(bool(value))
            else:
                field.fill(value.isoformat() if isinstance(value, dt.date) else str(value))
        form.locator("button.primary").click()
        try:  # accepted: the next screen (or the case) replaces this one
            expect(page.locator("h1")).not_to_have_text(task_name)
        except AssertionError:
            shown = page.locator("main").inner_text()[:600]
            raise AssertionError(f"{task_name} was not accepted: {shown}") from None

    def wait_for_timer(self) -> None:
        """The statutory time passes: the worker runs just after the case's next timer."""
        with self.live.app.app_context():
            due = db.session.execute(
                select(func.min(Job.due_at)).where(Job.case_id == self.case_id)
            ).scalar_one()
            assert due is not None, "the case waits for no timer"
            assert run_once("browser-test", due + dt.timedelta(minutes=1)).get("fired") == 1

    def after_next_timer(self) -> dt.date:
        """The statutory time passes and the case's later steps happen then: the worker fires
        the next timer and the served app's clock moves to nine hours after it (a timer at the
        end of a day: 09:00 the next morning). The sessions of the days before have run out
        (30 idle minutes): everyone logs in again."""
        with self.live.app.app_context():
            due = db.session.execute(
                select(func.min(Job.due_at)).where(Job.case_id == self.case_id)
            ).scalar_one()
        self.wait_for_timer()
        fired = (due if due.tzinfo else due.replace(tzinfo=dt.UTC)).astimezone(CHINA_TZ)
        self.live.clock.moment = fired + dt.timedelta(hours=9)
        for page in self.pages.values():
            page.context.close()
        self.pages.clear()
        return self.live.clock.moment.date()

    def issue(self, username: str, code: str) -> dict[str, str]:
        """Issue a document from the case page; returns the text of each PDF the click issued
        (title → text, white space removed)."""
        page = self.page(username)
        page.goto(f"{self.live.url}/cases/{self.case_id}")
        links = page.locator("#document-list a")
        before = links.count()
        page.locator(f"form[action$='/documents/{code}'] button").click()
        expect(links).not_to_have_count(before)
        texts = {}
        for index in range(before, links.count()):
            link = links.nth(index)
            pdf = page.request.get(f"{self.live.url}{link.get_attribute('href')}")
            assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
            done = subprocess.run(
                ["pdftotext", "-", "-"], input=pdf.body(), capture_output=True, check=True
            )
            texts[link.inner_text()] = re.sub(r"\s+", "", done.stdout.decode())
        return texts

    def ready(self) -> list[str]:
        with self.live.app.app_context():
            return list(
                db.session.execute(
                    select(HumanTask.bpmn_id).where(
                        HumanTask.case_id == self.case_id, HumanTask.state == "READY"
                    )
                ).scalars()
            )

    def case(self) -> tuple[str, str | None]:
        with self.live.app.app_context():
            case = db.session.get(Case, self.case_id)
            assert case is not None
            return case.status, case.stage


@pytest.fixture
def desk(browser: Browser, live: Live) -> Iterator[Desk]:
    desk = Desk(browser, live)
    yield desk
    for page in desk.pages.values():
        # let in-flight requests finish: a request cut off by closing the browser leaves the
        # live server's open file to the garbage collector, warning in a later test
        page.wait_for_load_state("networkidle")
        page.context.close()


def file_and_investigate(desk: Desk, fine: int) -> None:
    desk.do(
        "officer",
        "c_register",
        source="COMPLAINT",
        found_on=TODAY,
        clue_summary="消费者投诉购买到过期酸奶",
    )
    desk.do(
        "officer",
        "c_verify",
        evidence_initial=True,
        should_punish=True,
        within_jurisdiction=True,
        within_limitation=True,
        facts_clear=False,
        sanctions=["FINE"],
        proposed_fine=fine,
        verify_notes="现场检查笔录已制作",
    )
    desk.do("agency_head", "c_filing_approval", approved=True, opinion="同意立案")
    with desk.live.app.app_context():  # two certified officers of 呼和浩特, by account
        team = [str(i) for i in investigator_ids()]
    desk.do("unit_head", "c_assign", case_officers=team)
    desk.do(
        "officer",
        "d_investigate",
        evidence_summary="询问笔录2份、现场照片12张",
        next_action="CONCLUDE",
    )


def test_an_ordinary_penalty_with_a_hearing_from_clue_to_closure(desk: Desk) -> None:
    desk.open_case("officer", "呼和浩特市青城乳业", "销售超过保质期的乳制品")
    file_and_investigate(desk, 150000)
    desk.do(
        "officer",
        "e_report",
        facts="当事人销售超过保质期的乳制品共120箱",
        legal_basis="《中华人民共和国食品安全法》第一百二十四条",
        sanctions=["FINE"],
        proposed_fine=150000,
        confiscation_value=0,
        fine_min=50000,
        fine_max=1000000,
        harm="GENERAL",
        on_exempt_list="NONE",
        adopt_exemption=True,
        discretion_reason="货值较大，依裁量基准从中处罚",
    )
    desk.do("reviewer", "e_case_review", approved=True, opinion="事实清楚，证据确凿")
    # nothing calls for a separate legal review (no hearing yet, not major): the head decides
    assert desk.ready() == ["e_head_decision"]
    desk.do("agency_head", "e_head_decision", head_decision="PENALTY", head_opinion="同意")

    notice = desk.issue("officer", "PENALTY_NOTICE")["行政处罚告知书"]
    assert f"呼市监罚告〔{YEAR}〕1号" in notice and "呼和浩特市青城乳业有限公司" in notice
    assert "听证" in notice  # a fine this large gives the right to a hearing
    desk.do("officer", "f_serve_notice", served_on=TODAY, service_method="DIRECT")

    # the party asks for a hearing; the officer records it on the case page
    officer = desk.page("officer")
    officer.goto(f"{desk.live.url}/cases/{desk.case_id}")
    officer.select_option("#party-form select[name=kind]", "hearing_request")
    officer.fill("#party-form textarea[name=summary]", "当事人书面申请听证，认为罚款过高")
    officer.locator("#party-form button").click()
    expect(officer.locator(".timeline")).to_contain_text("当事人书面申请听证")
    assert desk.ready() == []  # the window stays open to its end
    later = desk.after_next_timer()  # five working days on: the rest happens from then

    hearing_day = later + dt.timedelta(days=21)
    desk.do(
        "hearing",
        "f_schedule_hearing",
        hearing_date=hearing_day,
        hearing_notice_served_on=later,
        hearing_location="本局第一听证室",
    )
    assert desk.ready() == []  # waits for the hearing day
    desk.wait_for_timer()
    desk.do(
        "hearing",
        "f_hold_hearing",
        party_attended=True,
        hearing_summary="当事人对事实无异议，请求从轻",
        proposed_fine=120000,
    )
    desk.do("reviewer", "f_post_hearing_review", approved=True, opinion="听证程序合法")
    desk.do(
        "officer",
        "f_review_statement",
        statement_adopted=True,
        proposed_fine=120000,
        material_change=False,
        review_notes="采纳部分意见，罚款降至12万元",
    )
    # not complex or major: no collective talk; the head approves the decision (第五十七条)
    assert desk.ready() == ["f_head_approval"]
    desk.do(
        "agency_head",
        "f_head_approval",
        head_approved=True,
        approved_sanctions=["FINE"],
        approved_fine=120000,
        head_approval_opinion="同意罚款人民币拾贰万元",
    )
    desk.do(
        "officer",
        "g_penalty_decision",
        decided_on=later,
        sanctions=["FINE"],
        fine=120000,
        decision_summary="罚款人民币拾贰万元",
    )

    # 两书同达: the decision, the credit-repair notice and one 送达回证 issued together
    issued = desk.issue("officer", "PENALTY_DECISION")
    assert set(issued) == {"行政处罚决定书", "行政处罚信息信用修复告知书", "送达回证"}
    decision = issued["行政处罚决定书"]
    assert f"呼市监处罚〔{later.year}〕1号" in decision and "呼和浩特市青城乳业有限公司" in decision
    assert "罚款人民币壹拾贰万元整（¥120,000.00）" in decision
    assert f"呼市监修复〔{later.year}〕1号" in issued["行政处罚信息信用修复告知书"]
    receipt = issued["送达回证"]
    assert "行政处罚决定书" in receipt and "行政处罚信息信用修复告知书" in receipt

    desk.do(
        "officer",
        "g_serve_two",
        served_on=later,
        repair_notice_served=True,
        service_method="DIRECT",
    )
    desk.do("credit", "g_publish", published_on=later)
    desk.do("credit", "g_serious_list", serious_list=False)
    desk.do("officer", "h_payment", payment_status="PAID", paid_on=later, amount_paid=120000)
    desk.do(
        "officer",
        "i_order",
        order_served_on=later,
        rectify_days=10,
        requirements="下架全部过期产品，建立临期食品管理制度",
    )
    desk.wait_for_timer()  # the rectification period ends
    desk.do("officer", "i_verify", verify_result="PASS", verify_notes="复查合格")
    desk.do(  # visited side by side with the payment and the check; the case closes after
        "officer",
        "k_visit",
        visited_on=later,
        rectification_ok=True,
        conduct_ok=True,
        rights_informed=True,
        integrity_ok=True,
    )
    desk.do("officer", "j_report", closure_reason="EXECUTED")
    desk.do("agency_head", "j_approval", approved=True, opinion="同意结案")
    desk.do("officer", "j_archive", archive_no=f"{desk.case_no}-卷1")
    assert desk.case() == ("OPEN", "L 信用修复")  # publicity runs before repair is possible

    # two timers run out: the relief periods (诉讼 6 months from service) end unused beside
    # stage L, and the minimum publicity period passes; then the party's application (the
    # portal's message) is awaited
    desk.wait_for_timer()
    assert desk.case() == ("OPEN", "L 信用修复")
    desk.wait_for_timer()
    with desk.live.app.app_context():
        record_party_request(desk.case_id, "repair_application", "申请书", account("credit"))
    desk.do("credit", "l_accept", repair_accepted=True, answered_on=later, fast_track=False)
    desk.do("credit", "l_verify", verification_method="ONLINE")
    desk.do(
        "agency_head",
        "l_decide",
        repair_approved=True,
        repair_decided_on=later,
        decision_reason="符合修复条件",
    )
    repair = desk.issue("officer", "REPAIR_DECISION")["信用修复决定书"]
    assert f"呼市监修复决〔{later.year}〕1号" in repair and "准予信用修复" in repair
    desk.do("credit", "l_stop_publicity", stopped_on=later, shared_with_credit_china=True)
    assert desk.case() == ("CLOSED", "信用修复结束")

    page = desk.page("supervisor")
    page.goto(f"{desk.live.url}/cases/{desk.case_id}")
    expect(page.locator("#case-status")).to_have_text("已办结")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "penalty-with-hearing.png"), full_page=True)
    assert desk.errors == []


def test_a_first_offense_exemption_from_clue_to_closure(desk: Desk) -> None:
    desk.open_case("officer", "内蒙古北疆医药连锁", "网店未公示营业执照信息")
    file_and_investigate(desk, 2000)
    # the enterprise record shows no decision in two years: the screen ticks 初次违法 itself
    page = desk.page("officer")
    page.goto(f"{desk.live.url}/tasks/?q={desk.case_no}")
    page.locator(f"a[href='/tasks/{desk.task_id('e_report')}']").first.click()
    expect(page.locator("#task-form [name=first_offense_2y]")).to_be_checked()
    desk.do(
        "officer",
        "e_report",
        facts="当事人网店首页未公示营业执照信息，发现后当日改正",
        legal_basis="《中华人民共和国电子商务法》第七十六条",
        sanctions=["FINE"],
        proposed_fine=2000,
        confiscation_value=0,
        fine_min=0,
        fine_max=10000,
        harm="SLIGHT",
        corrected=True,
        on_exempt_list="NATIONAL_FIRST",
        adopt_exemption=True,
        discretion_reason="初次违法，危害后果轻微并及时改正",
    )
    desk.do("reviewer", "e_case_review", approved=True, opinion="符合首违不罚")
    desk.do("agency_head", "e_head_decision", head_decision="NO_PENALTY", head_opinion="同意")
    desk.do(
        "officer",
        "g_no_penalty_decision",
        decided_on=TODAY,
        education_done=True,
        decision_summary="首违不罚，批评教育",
    )
    decision = desk.issue("officer", "NO_PENALTY_DECISION")["不予行政处罚决定书"]
    assert f"呼市监不罚〔{YEAR}〕1号" in decision and "不予行政处罚决定书" in decision
    assert "内蒙古北疆医药连锁有限公司" in decision and "第三十三条" in decision

    desk.do("officer", "g_serve_no_penalty", served_on=TODAY, guidance_attached=True)
    desk.do(
        "officer",
        "i_order",
        order_served_on=TODAY,
        rectify_days=5,
        requirements="在网店首页显著位置持续公示营业执照信息",
    )
    order = desk.issue("officer", "RECTIFY_ORDER")["责令改正通知书"]
    assert f"呼市监责改〔{YEAR}〕1号" in order and "责令改正通知书" in order
    desk.wait_for_timer()
    desk.do("officer", "i_verify", verify_result="PASS")
    desk.do(
        "officer",
        "k_visit",
        visited_on=TODAY,
        rectification_ok=True,
        conduct_ok=True,
        rights_informed=True,
        integrity_ok=True,
    )
    visit = desk.issue("officer", "VISIT_RECORD")["案件回访记录"]
    assert f"呼市监回访〔{YEAR}〕1号" in visit
    desk.do("officer", "j_report", closure_reason="NOT_PUNISHED")
    desk.do("agency_head", "j_approval", approved=True)
    desk.do("officer", "j_archive", archive_no=f"{desk.case_no}-卷1")
    desk.do(
        "reviewer",
        "j_library",
        violation_type="未公示营业执照信息",
        library_summary="首违不罚典型案例",
    )
    assert desk.case() == ("CLOSED", "案件办结")
    assert desk.errors == []

    # another region's officer can neither see the case nor its tasks
    outsider = desk.page("officer_bt")
    denied = outsider.goto(f"{desk.live.url}/cases/{desk.case_id}")
    assert denied is not None and denied.status == 403
    expect(outsider.locator("body")).to_contain_text("无权")
    task = outsider.goto(f"{desk.live.url}/tasks/{desk.task_id('k_visit', state='COMPLETED')}")
    assert task is not None and task.status == 403
