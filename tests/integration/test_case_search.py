"""Case search over the demo gallery, within the region scope; saved filters per user."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.enforcement import case_search
from app.extensions import db
from app.models import Case, Enterprise, SavedFilter, User
from tests.conftest import login


def case_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-case-id="(\d+)"', html)]


def test_search_finds_by_every_field_within_the_scope(gallery_app: Flask) -> None:
    app, client = gallery_app, gallery_app.test_client()
    login(client, "supervisor")

    def found(**args: str) -> list[int]:
        response = client.get("/cases/", query_string=args)
        assert response.status_code == 200
        return case_ids(response.get_data(as_text=True))

    with app.app_context():

        def sql(*conditions: object) -> list[int]:
            return sorted(
                db.session.execute(
                    select(Case.id)
                    .join(Enterprise, Enterprise.id == Case.enterprise_id)
                    .where(*conditions)  # type: ignore[arg-type]
                ).scalars(),
                reverse=True,
            )

        total = db.session.execute(select(func.count(Case.id))).scalar_one()
        some = db.session.execute(select(Case).where(Case.stage == "E 审核")).scalars().first()
        assert some is not None
        code = some.enterprise.credit_code
        expected = {
            "all": sql(),
            "stage": sql(Case.stage == "E 审核"),
            "closed": sql(Case.status == "CLOSED"),
            "code": sql(Enterprise.credit_code == code),
            "name": sql(Enterprise.name.like("%羊绒%")),
            "number": [some.id],
            "officer": sql(
                Case.opened_by_id.in_(select(User.id).where(User.username == "officer_es"))
            ),
        }
    assert len(expected["all"]) == total >= 30 and found() == expected["all"]
    assert found(stage="E 审核") == expected["stage"]
    assert found(status="CLOSED") == expected["closed"] != []
    assert found(q=code) == expected["code"]
    assert found(q="羊绒") == expected["name"] != []
    assert found(q=some.case_no) == expected["number"]
    # a text that matches more parties than are looked up one by one: the same cases
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(case_search, "FEW_PARTIES", 0)
        assert found(q="羊绒") == expected["name"]
        assert found(q=code) == expected["code"]
    assert found(officer="officer_es") == expected["officer"] != []
    assert found(since="2099-01-01") == []
    assert client.get("/cases/", query_string={"since": "tomorrow"}).status_code == 422

    other = gallery_app.test_client()
    login(other, "officer_bt")  # 包头 sees 包头's cases only
    with app.app_context():
        baotou = sql(Case.region_code.like("1502%"))
    assert case_ids(other.get("/cases/").get_data(as_text=True)) == baotou


def test_a_user_saves_applies_and_deletes_filters_of_their_own(gallery_app: Flask) -> None:
    client = gallery_app.test_client()
    token = login(client, "supervisor")
    saved = client.post(
        "/cases/filters",
        data={"csrf_token": token, "name": "E 审核在办", "stage": "E 审核", "status": "OPEN"},
    )
    assert saved.status_code == 303
    filter_id = int(saved.location.rsplit("=", 1)[1])
    applied = client.get(f"/cases/?filter={filter_id}").get_data(as_text=True)
    assert 'id="saved-filters"' in applied and "E 审核在办" in applied
    assert case_ids(applied) == case_ids(
        client.get("/cases/", query_string={"stage": "E 审核", "status": "OPEN"}).get_data(
            as_text=True
        )
    )
    empty = client.post("/cases/filters", data={"csrf_token": token, "name": "空"})
    assert empty.status_code == 422 and "没有可保存的筛选条件" in empty.get_data(as_text=True)

    other = gallery_app.test_client()
    other_token = login(other, "designer")
    assert other.get(f"/cases/?filter={filter_id}").status_code == 404  # not theirs
    assert (
        other.post(
            f"/cases/filters/{filter_id}/delete", data={"csrf_token": other_token}
        ).status_code
        == 404
    )
    gone = client.post(f"/cases/filters/{filter_id}/delete", data={"csrf_token": token})
    assert gone.status_code == 303
    with gallery_app.app_context():
        assert db.session.execute(select(func.count(SavedFilter.id))).scalar_one() == 0


ATTACKS = ["' OR 1=1 --", '" OR ""="', "1; DROP TABLE enforcement_case; --", "%' OR '%'='"]


@pytest.mark.parametrize("attack", ATTACKS)
def test_sql_injection_strings_find_nothing_and_harm_nothing(
    gallery_app: Flask, attack: str
) -> None:
    client = gallery_app.test_client()
    login(client, "officer_bt")  # a region's view: an injection must not widen it either
    with gallery_app.app_context():
        before = db.session.execute(select(func.count(Case.id))).scalar_one()
    visible = set(case_ids(client.get("/cases/").get_data(as_text=True)))
    searched = client.get("/cases/", query_string={"q": attack})
    assert searched.status_code == 200 and case_ids(searched.get_data(as_text=True)) == []
    for name in ("status", "stage", "region", "domain", "officer", "page"):
        response = client.get("/cases/", query_string={name: attack})
        assert response.status_code in (200, 422)
        assert set(case_ids(response.get_data(as_text=True))) <= visible
    with gallery_app.app_context():
        assert db.session.execute(select(func.count(Case.id))).scalar_one() == before


def test_an_overlong_or_wildcard_search_is_answered_plainly(gallery_app: Flask) -> None:
    client = gallery_app.test_client()
    token = login(client, "officer")
    # SQLite refuses LIKE patterns over 50,000 bytes: a long text is refused before it gets there
    response = client.get("/cases/", query_string={"q": "某" * 20000})
    assert response.status_code == 422 and "搜索内容过长" in response.get_data(as_text=True)
    saved = client.post(
        "/cases/filters", data={"csrf_token": token, "name": "长", "officer": "x" * 101}
    )
    assert saved.status_code == 422 and "搜索内容过长" in saved.get_data(as_text=True)
    # % and _ are searched for as they are, not as wildcards matching every party
    assert case_ids(client.get("/cases/", query_string={"q": "%"}).get_data(as_text=True)) == []
    assert case_ids(client.get("/cases/", query_string={"q": "_"}).get_data(as_text=True)) == []
