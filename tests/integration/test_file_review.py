"""案卷评查 on the demo gallery: a recorded, reproducible draw; checks answered from the record;
scores with findings; the per-unit report; region and role checks."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from app.clock import china_today
from app.extensions import db
from app.models import Case, CaseFact, ReviewItem, ReviewSample, User
from app.supervision import file_review as review
from tests.conftest import login


def test_a_random_draw_is_recorded_reproducible_and_scored(gallery_app: Flask) -> None:
    app, client = gallery_app, gallery_app.test_client()
    with app.app_context():
        closed = set(
            db.session.execute(
                select(Case.id)
                .join(CaseFact, CaseFact.case_id == Case.id)
                .where(Case.status == "CLOSED", CaseFact.decision.is_not(None))
            ).scalars()
        )
        assert len(closed) >= 3
    token = login(client, "supervisor")
    since = "2024-01-01"
    drawn = client.post(
        "/review/",
        data={"csrf_token": token, "since": since, "until": china_today().isoformat(), "size": "2"},
    )
    assert drawn.status_code == 303
    sample_id = int(drawn.location.rstrip("/").rsplit("/", 1)[1])
    with app.app_context():
        sample = db.session.get(ReviewSample, sample_id)
        assert sample is not None and sample.method == "RANDOM" and sample.seed
        assert set(sample.candidates) == closed  # every closed, decided case file could be drawn
        items = (
            db.session.execute(select(ReviewItem).where(ReviewItem.sample_id == sample_id))
            .scalars()
            .all()
        )
        assert len(items) == 2 and {i.case_id for i in items} <= closed
        # anyone can repeat the draw from what was recorded
        assert review.repeat_draw(sample.candidates, sample.seed, 2) == sorted(
            i.case_id for i in items
        )
        # the mechanical checks agree with the record: a case with a visit passes "回访"
        for item in items:
            fact = db.session.get(CaseFact, item.case_id)
            assert fact is not None
            assert item.prechecks["visit"] is (fact.visited_on is not None)
            assert item.prechecks["decision"] is True  # the decision document was issued
        item_id = items[0].id
    page = client.get(f"/review/{sample_id}").get_data(as_text=True)
    assert "是：以同一种子从同一候选案件重抽，结果相同" in page
    assert page.count('class="review-item"') == 2

    scores = {code: "PASS" for code in review.ITEM_CODES}
    flawed = client.post(
        f"/review/items/{item_id}",
        data={"csrf_token": token, **scores, "service": "FLAW", "findings": ""},
    )
    assert flawed.status_code == 422 and "须写明评查意见" in flawed.get_data(as_text=True)
    incomplete = client.post(
        f"/review/items/{item_id}", data={"csrf_token": token, "filing": "PASS"}
    )
    assert incomplete.status_code == 422
    with app.app_context():
        assert db.session.get(ReviewItem, item_id).scores is None  # type: ignore[union-attr]
    done = client.post(
        f"/review/items/{item_id}",
        data={"csrf_token": token, **scores, "service": "FLAW", "findings": "送达回证签收日期不清"},
    )
    assert done.status_code == 303
    report = client.get(f"/review/{sample_id}").get_data(as_text=True)
    assert "送达 1" in report  # where the problems are, per unit
    with app.app_context():
        results = review.unit_report(
            db.session.execute(
                select(ReviewItem).where(ReviewItem.sample_id == sample_id)
            ).scalars()
        )
        assert sum(r.reviewed for r in results) == 1 and sum(r.files for r in results) == 2
        assert sum(r.counts.get("FLAW", 0) for r in results) == 1
        assert sum(r.counts.get("FAIL", 0) for r in results) == 0
        assert [dict(r.failing_items) for r in results if r.reviewed] == [{"service": 1}]

    # 呼和浩特 has one closed case file: a sample of two holds another 盟市's file
    other = app.test_client()
    login(other, "reviewer")
    assert other.get(f"/review/{sample_id}").status_code == 403
    officer = app.test_client()
    officer_token = login(officer, "officer")
    assert officer.get("/review/").status_code == 403
    assert officer.post("/review/", data={"csrf_token": officer_token}).status_code == 403


def test_a_targeted_draw_takes_exactly_the_named_closed_files(gallery_app: Flask) -> None:
    app, client = gallery_app, gallery_app.test_client()
    with app.app_context():
        closed = (
            db.session.execute(
                select(Case.case_no)
                .join(CaseFact, CaseFact.case_id == Case.id)
                .where(Case.status == "CLOSED", CaseFact.decision.is_not(None))
                .order_by(Case.id)
            )
            .scalars()
            .all()
        )
        open_case = (
            db.session.execute(select(Case.case_no).where(Case.status == "OPEN")).scalars().first()
        )
        before = db.session.execute(select(func.count(ReviewSample.id))).scalar_one()
    token = login(client, "supervisor")
    form = {"csrf_token": token, "since": "2024-01-01", "until": china_today().isoformat()}
    refused = client.post("/review/", data={**form, "case_numbers": f"{closed[0]}\n{open_case}"})
    assert refused.status_code == 422 and str(open_case) in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(select(func.count(ReviewSample.id))).scalar_one() == before
    taken = client.post("/review/", data={**form, "case_numbers": "\n".join(closed[:2])})
    assert taken.status_code == 303
    with app.app_context():
        sample = (
            db.session.execute(select(ReviewSample).order_by(ReviewSample.id.desc()))
            .scalars()
            .first()
        )
        assert sample is not None and sample.method == "TARGETED" and sample.seed is None
        numbers = (
            db.session.execute(
                select(Case.case_no)
                .join(ReviewItem, ReviewItem.case_id == Case.id)
                .where(ReviewItem.sample_id == sample.id)
            )
            .scalars()
            .all()
        )
        assert sorted(numbers) == sorted(closed[:2])
        supervisor = db.session.execute(
            select(User).where(User.username == "supervisor")
        ).scalar_one()
        assert review.samples(supervisor)[0].id == sample.id
