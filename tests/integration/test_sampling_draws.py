"""双随机、一公开: draws by the `sampling` ratios from a recorded seed, two conflict-free inspectors
per target, reproducible and sealed; each target gets its inspection case; results are published
once recorded; refusals change nothing."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.clock import china_today
from app.enforcement import tasks as task_service
from app.enforcement.cases import case_data
from app.extensions import db
from app.models import (
    AuditEvent,
    Case,
    Enterprise,
    HumanTask,
    SamplingDraw,
    SamplingTarget,
    User,
)
from app.prevention import sampling
from tests.conftest import login

FOOD_ITEMS = ["FOOD-JY-01", "FOOD-JY-03"]


def _draw(client: FlaskClient, token: str, trigger: bool = False, **extra: object) -> int:
    data: dict[str, object] = {
        "csrf_token": token,
        "unit_code": "150100",
        "domain": "FOOD",
        "items": FOOD_ITEMS,
        **extra,
    }
    if trigger:
        data["trigger"] = "y"
    return client.post("/prevention/draws", data=data).status_code


def _counts() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model)) or 0
        for model in (SamplingDraw, SamplingTarget, Case)
    )


def test_a_draw_follows_the_ratios_and_opens_assigned_inspection_tasks(
    app: Flask, client: FlaskClient
) -> None:
    token = login(client, "credit")
    page = client.get("/prevention/draws?unit_code=150100&domain=FOOD").get_data(as_text=True)
    assert "可容缺受理" in page  # class A enterprises of the pool are marked
    assert _draw(client, token) == 303
    with app.app_context():
        draw = db.session.execute(select(SamplingDraw)).scalar_one()
        pools = sampling.pools("150100", "FOOD")
        sizes = {c: len(p) for c, p in pools.enterprises.items()}
        plan, _ = sampling.ratios(sizes, trigger=False)
        assert plan["A"]["count"] == 0 and plan["A"]["mode"] == "NOT_DRAWN"
        assert draw.ratios == plan and sum(p["count"] for p in plan.values()) == len(draw.result)
        assert all(t["credit_class"] != "A" for t in draw.result)
        inspectors = {u.id for u in pools.inspectors}
        targets = list(db.session.execute(select(SamplingTarget)).scalars())
        assert len(targets) == len(draw.result) >= 3
        for target, drawn in zip(targets, draw.result, strict=True):
            assert target.enterprise_id == drawn["enterprise_id"]
            pair = drawn["inspector_ids"]
            assert len(set(pair)) == 2 and set(pair) <= inspectors
            task = db.session.execute(
                select(HumanTask).where(
                    HumanTask.case_id == target.case_id, HumanTask.state == "READY"
                )
            ).scalar_one()
            assert task.bpmn_id == "b_record" and task.assignee_id == pair[0]
            case = db.session.get(Case, target.case_id)
            assert case is not None
            data = case_data(case)
            assert data["draw_id"] == draw.draw_no and data["inspection_type"] == "RANDOM"
        check = sampling.verify(draw)
        assert check.same_result and check.digest_ok
        assert db.session.execute(
            select(AuditEvent).where(AuditEvent.action == "sampling_draw")
        ).scalar_one()
    page = client.get(f"/prevention/draws/{draw.id}").get_data(as_text=True)
    assert "结果一致" in page and draw.seed in page


def test_the_same_seed_and_pools_give_the_same_draw_and_class_a_only_on_a_trigger(
    app: Flask, client: FlaskClient
) -> None:
    token = login(client, "credit")
    assert _draw(client, token, trigger=True) == 303
    with app.app_context():
        draw = db.session.execute(select(SamplingDraw)).scalar_one()
        assert draw.trigger and draw.ratios["A"]["count"] >= 1
        assert any(t["credit_class"] == "A" for t in draw.result)
        counts = {c: p["count"] for c, p in draw.ratios.items()}
        conflicts = {(u, e) for u, e in draw.pools["conflicts"]}
        again = sampling.draw_result(
            draw.seed, draw.pools["enterprises"], counts, draw.pools["inspectors"], conflicts
        )
        assert again == draw.result
        others = [
            sampling.draw_result(
                f"{draw.seed}{n}",
                draw.pools["enterprises"],
                counts,
                draw.pools["inspectors"],
                conflicts,
            )
            for n in range(5)
        ]
        assert any(other != draw.result for other in others)  # the seed does decide


def test_a_recorded_draw_cannot_be_changed(app: Flask, client: FlaskClient) -> None:
    token = login(client, "credit")
    assert _draw(client, token) == 303
    with app.app_context():
        draw = db.session.execute(select(SamplingDraw)).scalar_one()
        seed = draw.seed
        draw.seed = "0" * 32
        with pytest.raises(PermissionError):
            db.session.commit()
        db.session.rollback()
        db.session.delete(db.session.get(SamplingDraw, draw.id))
        with pytest.raises(PermissionError):
            db.session.commit()
        db.session.rollback()
        assert db.session.get(SamplingDraw, draw.id).seed == seed  # type: ignore[union-attr]


def test_declared_conflicts_are_never_drawn_and_too_few_inspectors_refuse(
    app: Flask, client: FlaskClient
) -> None:
    token = login(client, "credit")
    with app.app_context():
        pools = sampling.pools("150100", "FOOD")
        enterprises = [e.id for p in pools.enterprises.values() for e in p]
        inspectors = [u.id for u in pools.inspectors]
        assert len(inspectors) == 4
    for officer in inspectors[:2]:  # two declare an interest in every enterprise of the pool
        for enterprise in enterprises:
            response = client.post(
                "/prevention/conflicts?unit_code=150100&domain=FOOD",
                data={
                    "csrf_token": token,
                    "user_id": officer,
                    "enterprise_id": enterprise,
                    "reason": "近亲属任职",
                },
            )
            assert response.status_code == 303
    assert _draw(client, token) == 303
    with app.app_context():
        draw = db.session.execute(select(SamplingDraw)).scalar_one()
        assert all(set(t["inspector_ids"]) == set(inspectors[2:]) for t in draw.result)
        before = _counts()
        for enterprise in enterprises:
            sampling.declare_conflict(_user("credit"), inspectors[2], enterprise, "曾任顾问")
    assert _draw(client, token) == 422  # one conflict-free inspector left: no draw at all
    with app.app_context():
        assert _counts() == before


def _user(name: str) -> User:
    return db.session.execute(select(User).where(User.username == name)).scalar_one()


def test_draw_denials_and_region_scope(app: Flask, client: FlaskClient) -> None:
    token = login(client, "credit")
    assert _draw(client, token) == 303
    with app.app_context():
        draw_id = db.session.execute(select(SamplingDraw.id)).scalar_one()
        before = _counts()
    officer = client.application.test_client()
    officer_token = login(officer, "officer")
    assert officer.get(f"/prevention/draws/{draw_id}").status_code == 200
    assert _draw(officer, officer_token) == 403
    other = client.application.test_client()
    login(other, "officer_bt")
    assert other.get(f"/prevention/draws/{draw_id}").status_code == 404
    assert _draw(client, token, items=["NO-SUCH-ITEM"]) == 422
    assert _draw(client, token, unit_code="150200") == 422  # not a unit of this user
    with app.app_context():
        assert _counts() == before


def test_recorded_results_are_published(app: Flask, client: FlaskClient) -> None:
    token = login(client, "credit")
    assert _draw(client, token) == 303
    public = client.application.test_client()
    assert "暂无已公示的抽查结果" in public.get("/public/inspections").get_data(as_text=True)
    with app.app_context():
        target = db.session.execute(select(SamplingTarget).limit(1)).scalar_one()
        task = db.session.execute(
            select(HumanTask).where(HumanTask.case_id == target.case_id)
        ).scalar_one()
        inspector = db.session.get(User, task.assignee_id)
        assert inspector is not None
        task_service.complete_task(
            task,
            {
                "inspection_type": "RANDOM",
                "draw_id": "",
                "inspection_date": china_today().isoformat(),
                "inspectors": "、".join(target.inspector_names),
                "location": "经营场所",
                "findings": "未发现问题",
                "result": "COMPLIANT",
            },
            inspector,
        )
        name = db.session.get(Enterprise, target.enterprise_id).name  # type: ignore[union-attr]
    text = public.get("/public/inspections").get_data(as_text=True)
    assert name in text and "未发现问题" in text


ITEM = {
    "code": "FOOD-JY-09",
    "domain": "FOOD",
    "name": "食品安全管理人员配备和培训的检查",
    "basis": "《中华人民共和国食品安全法》第四十四条",
    "method": "现场检查",
    "content": "是否配备食品安全管理人员并进行培训、考核。",
    "active": "y",
}


def test_the_inspection_item_list_is_kept_and_retired_items_are_not_drawn(
    app: Flask, client: FlaskClient
) -> None:
    token = login(client, "credit")
    assert client.post("/prevention/items", data={"csrf_token": token, **ITEM}).status_code == 303
    page = client.get("/prevention/draws?unit_code=150100&domain=FOOD").get_data(as_text=True)
    assert "FOOD-JY-09" in page
    with app.app_context():
        item_id = next(i.id for i in sampling.items("FOOD") if i.code == "FOOD-JY-09")
    retired = {k: v for k, v in ITEM.items() if k != "active"}
    answer = client.post(f"/prevention/items?item={item_id}", data={"csrf_token": token, **retired})
    assert answer.status_code == 303
    page = client.get("/prevention/draws?unit_code=150100&domain=FOOD").get_data(as_text=True)
    assert "FOOD-JY-09" not in page
    with app.app_context():
        before = _counts()
    assert _draw(client, token, items=["FOOD-JY-09"]) == 422  # retired: not offered, refused
    duplicate = client.post(
        "/prevention/items", data={"csrf_token": token, **ITEM, "code": "FOOD-JY-01"}
    )
    assert duplicate.status_code == 422 and "事项编码已存在" in duplicate.get_data(as_text=True)
    missing = client.post("/prevention/items", data={"csrf_token": token, **ITEM, "basis": ""})
    assert missing.status_code == 422
    officer = client.application.test_client()
    officer_token = login(officer, "officer")
    assert officer.get("/prevention/items").status_code == 200  # inspectors read the list
    denied = officer.post("/prevention/items", data={"csrf_token": officer_token, **ITEM})
    assert denied.status_code == 403
    with app.app_context():
        assert _counts() == before
        assert len(sampling.all_items()) == 6
        changes = db.session.execute(
            select(AuditEvent).where(AuditEvent.action == "change_inspection_item")
        ).scalars()
        assert [e.detail["changed"] for e in changes][1] == ["active"]
