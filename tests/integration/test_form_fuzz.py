"""Bad input through every task screen of the demo gallery and the case file's own forms:
wrong types, huge and empty strings, invalid UTF-8, control characters, negative, overflowing
and non-numeric amounts, impossible dates, markup and SQL. Whatever arrives, the answer is a
4xx with a Chinese message or a completed step — never a server error — and a refused post
stores nothing."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote

from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.clock import china_today
from app.extensions import db
from app.models import AuditEvent, HumanTask, User
from app.platform.regions import in_scope
from tests.conftest import login
from tests.figures import count
from tests.integration.cases import complete, investigated_case, ready

EXAMPLES_PER_FORM = 6
NASTY = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            "x" * 300_000,
            "-1",
            "-0.01",
            "1e309",
            "99999999999999999999999999",
            "NaN",
            "２０２６－１１－２４",
            "2026-02-30",
            "0000-00-00",
            "9999-12-31",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "\x1b[31m",
            "\u202e反转",
            "%FF%FE",  # sent as raw bytes below: invalid UTF-8
            "\x00",
        ]
    ),
)
NAME = re.compile(r'name="([a-z_][a-z0-9_]*)"')


def _body(csrf: str, fields: dict[str, str]) -> bytes:
    parts = [f"csrf_token={quote(csrf)}"]
    for name, value in fields.items():
        # "%FF%FE" stays percent-encoded on purpose: bytes that are not UTF-8
        encoded = value if value == "%FF%FE" else quote(value, safe="")
        parts.append(f"{name}={encoded}")
    return "&".join(parts).encode()


def _stored(task_id: int | None) -> tuple[int, str | None, object]:
    audit = db.session.execute(select(func.count(AuditEvent.id))).scalar_one()
    if task_id is None:
        return audit, None, None
    task = db.session.get(HumanTask, task_id)
    assert task is not None
    db.session.refresh(task)
    return audit, task.state, task.submitted_data


def _fuzz(app: Flask, client: FlaskClient, screen: str, target: str, task_id: int | None) -> int:
    """Post generated fields to `target`; the screen gives the field names and the token."""
    page = client.get(screen).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, screen
    names = sorted(set(NAME.findall(page)) - {"csrf_token"}) or ["value"]
    tried = 0
    finished = False

    @given(st.dictionaries(st.sampled_from(names), NASTY, min_size=1))
    @settings(
        max_examples=EXAMPLES_PER_FORM,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def post(fields: dict[str, str]) -> None:
        nonlocal tried, finished
        if finished:  # a generated post was valid and completed the step: nothing left to try
            return
        with app.app_context():
            before = _stored(task_id)
        response = client.post(
            target,
            data=_body(token.group(1), fields),
            content_type="application/x-www-form-urlencoded",
        )
        tried += 1
        status = response.status_code
        assert status < 500, (target, fields)
        if status in (303, 302):
            finished = True
            return
        assert status in (400, 409, 413, 422), (target, status)
        assert re.search(r"[\u4e00-\u9fff]", response.get_data(as_text=True)), "a Chinese message"
        with app.app_context():
            assert _stored(task_id) == before, (target, fields)  # refused: nothing kept

    post()
    return tried


def test_no_bad_input_breaks_a_screen_or_is_half_stored(gallery_app: Flask) -> None:
    app = gallery_app
    with app.app_context():
        tasks = db.session.execute(
            select(HumanTask).where(HumanTask.state == "READY").order_by(HumanTask.id)
        ).scalars()
        by_form: dict[str, tuple[int, str, str, int]] = {}
        users = list(db.session.execute(select(User)).scalars())
        for task in tasks:
            if task.form_key in by_form:
                continue
            who = next(
                (u for u in users if task.lane in u.role_names and in_scope(u, task.region_code)),
                None,
            )
            if who is not None and task.form_key:
                by_form[task.form_key] = (task.id, who.username, task.region_code, task.case_id)
    assert len(by_form) >= 15  # the gallery has most screens waiting somewhere
    tried = 0
    for task_id, username, _, _ in by_form.values():
        client = app.test_client()
        login(client, username)
        tried += _fuzz(app, client, f"/tasks/{task_id}", f"/tasks/{task_id}", task_id)
    # the case file's own forms, as an officer of the case's region
    officer = app.test_client()
    login(officer, "officer")
    with app.app_context():
        case_id = next(c for t, u, r, c in by_form.values() if r.startswith("1501"))
    for target in ("comments", "party-requests", "attachments"):
        tried += _fuzz(app, officer, f"/cases/{case_id}", f"/cases/{case_id}/{target}", None)
    tried += _fuzz(app, officer, "/cases/new", "/cases/new", None)
    tried += _fuzz(app, officer, "/cases/", "/cases/filters", None)
    count("bad_inputs_tried", tried)
    assert tried >= len(by_form) * 2


def test_what_the_fuzzer_found_stays_fixed(app: Flask, client: FlaskClient) -> None:
    """A "%" or markup in a value that an error message repeats (a 500, and the message was
    trusted as markup); an amount beyond float range (a 500 in the decision check); text where
    a file belongs (a 500 in the upload); the last representable day in a search period."""
    with app.app_context():
        case_id = investigated_case()
        report = next(t.id for t in ready(case_id) if t.bpmn_id == "e_report")
    token = login(client, "officer")
    answer = client.post(
        f"/tasks/{report}",
        data={
            "csrf_token": token,
            "sanctions": "<script>alert(1)</script>%d",
            "proposed_fine": "1E309",
        },
    )
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "&lt;script&gt;alert(1)&lt;/script&gt;%d" in page and "<script>alert" not in page
    for amount in ("INFINITY", "-Infinity", "NaN", "sNaN"):  # found by the fuzzer: a 500
        refused = client.post(
            f"/tasks/{report}", data={"csrf_token": token, "proposed_fine": amount}
        )
        assert refused.status_code == 422, amount
    upload = client.post(f"/cases/{case_id}/attachments", data={"csrf_token": token, "file": "0"})
    assert upload.status_code == 422 and "请选择文件" in upload.get_data(as_text=True)
    for edge in ("9999-12-31", "0001-01-01"):  # found by the fuzzer: the day after overflowed
        saved = client.post(
            "/cases/filters", data={"csrf_token": token, "name": edge, "until": edge, "since": edge}
        )
        assert saved.status_code < 500, edge
        assert client.get(f"/cases/?until={edge}&since={edge}").status_code == 200, edge


def test_a_test_report_cannot_arrive_before_the_sample_was_sent(
    app: Flask, client: FlaskClient
) -> None:
    """Found by the random walks: the engine then computed a negative suspension and failed."""
    today = china_today()
    with app.app_context():
        case_id = investigated_case(next_action="TEST")
        complete(case_id, "d_test_sent", "officer", sent_on=today.isoformat(), test_item="菌落总数")
        received = next(t.id for t in ready(case_id) if t.bpmn_id == "d_test_received")
    token = login(client, "officer")
    early = (today - dt.timedelta(days=1)).isoformat()
    answer = client.post(
        f"/tasks/{received}",
        data={"csrf_token": token, "received_on": early, "test_conclusion": "合格"},
    )
    assert answer.status_code == 422
    assert "收到报告日期不能早于送检日期" in answer.get_data(as_text=True)
    with app.app_context():
        assert [t.bpmn_id for t in ready(case_id)] == ["d_test_received"]  # nothing moved
