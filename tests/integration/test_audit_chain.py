"""The audit trail is hash-chained: `tijian verify-audit` finds a changed, removed or lost entry."""

from __future__ import annotations

import re
import threading
import time

from flask import Flask
from sqlalchemy import func, select, text

from app.extensions import db
from app.models import AuditEvent
from app.platform.audit import record, verify_chain
from app.platform.auth import create_user
from tests.conftest import login
from tests.integration.cases import warning_case
from tests.integration.test_cli import run

LOCK_WAIT_SECONDS = 60


def lift_append_only(backend: str) -> None:
    """What an intruder with the database owner's rights would do first."""
    if backend == "postgresql":
        db.session.execute(text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update"))
    else:
        db.session.execute(text("DROP TRIGGER audit_event_no_update"))
        db.session.execute(text("DROP TRIGGER audit_event_no_delete"))


def verify(app: Flask) -> tuple[int, str]:
    return run(app, "verify-audit")


def test_entries_link_into_a_chain_that_verifies(app: Flask) -> None:
    with app.app_context():
        warning_case()
        seqs = list(db.session.execute(select(AuditEvent.seq).order_by(AuditEvent.id)).scalars())
        assert seqs == list(range(1, len(seqs) + 1)) and len(seqs) > 10
    code, output = verify(app)
    assert code == 0 and f"audit chain intact: {len(seqs)} entries" in output


def test_a_modified_entry_is_found(app: Flask, backend: str) -> None:
    with app.app_context():
        warning_case()
        target = db.session.execute(
            select(AuditEvent.id, AuditEvent.seq).where(AuditEvent.action == "complete_task")
        ).first()
        assert target is not None
        lift_append_only(backend)
        db.session.execute(
            text("UPDATE audit_event SET actor_name = 'someone_else' WHERE id = :id"),
            {"id": target.id},
        )
        db.session.commit()
    code, output = verify(app)
    assert code == 1
    assert f"第 {target.seq} 条（id {target.id}）的内容与其哈希不符（被修改）" in output


def test_a_removed_entry_and_a_lost_tail_are_found(app: Flask, backend: str) -> None:
    with app.app_context():
        warning_case()
        total = db.session.execute(select(func.max(AuditEvent.seq))).scalar_one()
        fourth = db.session.execute(select(AuditEvent.id).where(AuditEvent.seq == 4)).scalar_one()
        lift_append_only(backend)
        db.session.execute(text("DELETE FROM audit_event WHERE seq = 3"))
        db.session.commit()
        report = verify_chain()
        assert not report.intact
        assert report.problems[:2] == [
            "第 3 条至第 3 条缺失",
            f"第 4 条（id {fourth}）与前一条的链接不符",
        ]

        db.session.execute(text("DELETE FROM audit_event WHERE seq >= 3"))
        db.session.commit()
        assert verify_chain().problems == [f"链尾缺失：应有 {total} 条，只找到 2 条"]


def test_the_audit_viewer_filters_pages_and_keeps_to_the_region(app: Flask) -> None:
    with app.app_context():
        case_id = warning_case()
        create_user("sup_bt", "long enough pw", "包头督导", "150200", ["supervisor"])
    client = app.test_client()
    login(client, "supervisor")
    with app.app_context():  # the login is on record too
        total = db.session.execute(select(func.count(AuditEvent.id))).scalar_one()
    page = client.get("/supervision/audit").get_data(as_text=True)
    assert len(re.findall(r'data-seq="\d+"', page)) == min(total, 100)

    mine = client.get(
        "/supervision/audit", query_string={"actor": "credit", "action": "complete_task"}
    ).get_data(as_text=True)
    assert re.findall(r"<td>credit</td>", mine) and "研判风险并选择指导措施" in mine
    assert "<td>officer</td>" not in mine
    by_case = client.get(
        "/supervision/audit", query_string={"object_type": "case", "object_id": str(case_id)}
    ).get_data(as_text=True)
    assert f'href="/cases/{case_id}"' in by_case
    bad = client.get("/supervision/audit", query_string={"since": "2026-13-01"})
    assert bad.status_code == 422 and "日期应为 YYYY-MM-DD" in bad.get_data(as_text=True)

    # keyset paging: the next page starts below the last seq shown
    first = client.get("/supervision/audit", query_string={"before": "6"}).get_data(as_text=True)
    assert re.findall(r'data-seq="(\d+)"', first) == ["5", "4", "3", "2", "1"]

    other = app.test_client()
    login(other, "sup_bt", "long enough pw")  # 包头 sees none of 呼和浩特's entries
    seen = other.get("/supervision/audit").get_data(as_text=True)
    regions = re.findall(r"<td>(15\d{4})</td>", seen)
    assert regions and {r[:4] for r in regions} == {"1502"}
    assert f'href="/cases/{case_id}"' not in seen
    officer = app.test_client()
    login(officer, "officer")
    assert officer.get("/supervision/audit").status_code == 403


def test_a_writer_that_waited_for_the_chain_links_to_the_entry_it_waited_for(
    postgres_app: Flask,
) -> None:
    """The chain position and its tip are read by one statement; on PostgreSQL a writer that
    waited for the counter's lock cannot see the tip written meanwhile in that statement's
    snapshot and must read it again, or it would link to nothing."""
    first_recorded, first_may_commit = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        with postgres_app.app_context():
            try:
                record("set_locale", "user", 1, actor_name="first")
                first_recorded.set()
                first_may_commit.wait(30)
                db.session.commit()
            except BaseException as exc:  # reported below
                errors.append(exc)
                first_recorded.set()

    def second() -> None:
        with postgres_app.app_context():
            try:
                record("set_locale", "user", 2, actor_name="second")
                db.session.commit()
            except BaseException as exc:
                errors.append(exc)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    threads[0].start()
    assert first_recorded.wait(30)
    threads[1].start()
    with postgres_app.app_context():
        # Until the second writer waits for the counter's row lock, which the first holds: only
        # this test's database counts (other tests may be waiting for locks in theirs), and the
        # deadline is generous because a loaded machine may take seconds to start the thread.
        waiting = text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while not db.session.execute(waiting).scalar_one():
            db.session.rollback()  # a fresh snapshot of pg_stat_activity for the next look
            if time.monotonic() > deadline:
                raise AssertionError("the second writer never waited for the chain")
            time.sleep(0.01)
        db.session.rollback()
        first_may_commit.set()
        for thread in threads:
            thread.join(30)
        assert not errors, errors
        entries = {
            e.actor_name: e
            for e in db.session.execute(
                select(AuditEvent).where(AuditEvent.actor_name.in_(["first", "second"]))
            ).scalars()
        }
        assert entries["second"].seq == entries["first"].seq + 1
        assert entries["second"].prev_hash == entries["first"].hash
        assert verify_chain().intact
