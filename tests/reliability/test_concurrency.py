"""Concurrency on the real stack: two `tijian serve` processes (two gunicorn workers each) on
different loopback ports, one PostgreSQL database, requests released together by a barrier."""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence

from sqlalchemy import func, select

from app.bench.http import TASK_DATA, Client, open_warning_cases, serving
from app.clock import china_today
from app.demo.seed import DEMO_PASSWORD
from app.enforcement.consistency import verify
from app.extensions import db
from app.models import AuditEvent, Document, HumanTask, WorkflowInstance
from app.platform.auth import create_user
from app.platform.workflows import engine
from tests.figures import count
from tests.integration.cases import account, ready, rectify_inspection_case, warning_case

from .conftest import in_app

Post = tuple[Client, str, dict[str, str]]


def colleague(username: str, of: str) -> None:
    """A second account with the same role and region as `of`."""
    model = account(of)
    create_user(
        username,
        DEMO_PASSWORD,
        f"{model.display_name}（二）",
        model.region_code,
        model.role_names,
        is_demo=True,
    )


def at_once(posts: Sequence[Post]) -> list[tuple[int, str]]:
    """Send every POST at the same moment (one thread each); status and body of each."""
    barrier = threading.Barrier(len(posts))
    answers: list[tuple[int, str]] = [(0, "")] * len(posts)

    def send(n: int, client: Client, path: str, fields: dict[str, str]) -> None:
        barrier.wait()
        try:
            status, _, body = client.post_form(path, fields)
            answers[n] = (status, body.decode())
        except OSError as exc:  # reported in the answers: the assertions name it
            answers[n] = (-1, repr(exc))

    threads = [threading.Thread(target=send, args=(n, *post)) for n, post in enumerate(posts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    count("requests_under_load", len(posts))
    return answers


def test_the_same_task_completed_by_two_users_at_once_advances_once(pg_url: str) -> None:
    with in_app(pg_url):
        colleague("credit2", "credit")
        task_ids = open_warning_cases(8)
        db.session.commit()
    with serving(pg_url, 2) as first, serving(pg_url, 2) as second:
        with Client(first.port) as one, Client(second.port) as other:
            one.log_in("credit")
            other.log_in("credit2")
            outcomes = [
                at_once([(one, f"/tasks/{t}", TASK_DATA), (other, f"/tasks/{t}", TASK_DATA)])
                for t in task_ids
            ]
    winners = []
    for task_id, answers in zip(task_ids, outcomes, strict=True):
        statuses = sorted(status for status, _ in answers)
        assert statuses == [303, 409], (task_id, answers)
        loser = next(body for status, body in answers if status == 409)
        assert "已被他人处理" in loser
        winners.append("credit" if answers[0][0] == 303 else "credit2")
        count("conflicts_answered_409")
    with in_app(pg_url):
        for task_id, winner in zip(task_ids, winners, strict=True):
            task = db.session.get(HumanTask, task_id)
            assert task is not None and task.state == "COMPLETED"
            assert task.completed_by_id == account(winner).id
            assert [t.bpmn_id for t in ready(task.case_id)] == ["a_issue"]  # advanced once
            completions = db.session.execute(
                select(func.count(AuditEvent.id)).where(
                    AuditEvent.action == "complete_task", AuditEvent.object_id == str(task.case_id)
                )
            ).scalar_one()
            assert completions == 1
        assert verify().problems == []


PUBLISH = {"published_on": china_today().isoformat(), "publish_channel": "GSXT"}
ORDER = {
    "order_served_on": china_today().isoformat(),
    "rectify_days": "10",
    "requirements": "限期补正标签",
}


def inspection_case() -> tuple[int, int, int]:
    """A case waiting on two parallel branches; the case and both task ids."""
    case_id = rectify_inspection_case()
    tasks = {t.bpmn_id: t.id for t in ready(case_id)}
    return case_id, tasks["b_publish"], tasks["b_order"]


def test_parallel_branches_completed_at_once_are_both_kept(pg_url: str) -> None:
    with in_app(pg_url):
        cases = [inspection_case() for _ in range(6)]
        db.session.commit()
    with serving(pg_url, 2) as first, serving(pg_url, 2) as second:
        with Client(first.port) as one, Client(second.port) as other:
            one.log_in("credit")  # publicity is the credit officer's
            other.log_in("officer")  # the rectification order the officer's
            outcomes = [
                at_once([(one, f"/tasks/{publish}", PUBLISH), (other, f"/tasks/{order}", ORDER)])
                for _, publish, order in cases
            ]
    for answers in outcomes:
        assert [status for status, _ in answers] == [303, 303], answers
    with in_app(pg_url):
        for case_id, publish, order in cases:
            rows = {t: db.session.get(HumanTask, t) for t in (publish, order)}
            assert all(row is not None and row.state == "COMPLETED" for row in rows.values())
            state = db.session.execute(
                select(WorkflowInstance.state).where(WorkflowInstance.case_id == case_id)
            ).scalar_one()
            states = engine().read(state).element_states["stage_b_inspection"]
            assert {"b_publish", "b_order"} <= set(states["COMPLETED"])
            assert states["WAITING"] == ["b_join", "b_recheck_overdue"]  # the re-check deadline
            # each branch kept its own answer: neither step ran on a state without the other
            published = engine().task_data(state, rows[publish].task_guid)  # type: ignore[union-attr]
            ordered = engine().task_data(state, rows[order].task_guid)  # type: ignore[union-attr]
            assert published["published_on"] == PUBLISH["published_on"]
            assert ordered["requirements"] == ORDER["requirements"]
        assert verify().problems == []


ISSUES = 50
CASES = 10


def test_fifty_issues_at_once_give_each_case_one_document_and_gap_free_numbers(
    pg_url: str,
) -> None:
    """Five officers' clicks per case at once: one issue per case, the others refused (409, a
    second issue is a correction); the refused ones give their numbers back."""
    with in_app(pg_url):
        case_ids = [warning_case() for _ in range(CASES)]
        db.session.commit()
        earlier = db.session.execute(
            select(func.count(Document.id)).where(Document.doc_type == "WARNING_NOTICE")
        ).scalar_one()
    with serving(pg_url, 2) as first, serving(pg_url, 2) as second:
        clients = [Client((first, second)[n % 2].port) for n in range(ISSUES)]
        for client in clients:
            client.log_in("officer")
        answers = at_once(
            [
                (client, f"/cases/{case_ids[n % CASES]}/documents/WARNING_NOTICE", {})
                for n, client in enumerate(clients)
            ]
        )
        for client in clients:
            client.connection.close()
    statuses = sorted(status for status, _ in answers)
    assert statuses == [303] * CASES + [409] * (ISSUES - CASES), answers
    with in_app(pg_url):
        issued = db.session.execute(
            select(Document.case_id, Document.doc_no, Document.version).where(
                Document.case_id.in_(case_ids), Document.doc_type == "WARNING_NOTICE"
            )
        ).all()
    numbers = sorted(int(re.search(r"〕(\d+)号", doc_no).group(1)) for _, doc_no, _ in issued)  # type: ignore[union-attr]
    assert numbers == list(range(earlier + 1, earlier + CASES + 1))  # unique and gap-free
    for case_id in case_ids:  # and each case has the one document, never a silent re-issue
        assert [v for c, _, v in issued if c == case_id] == [1]
