"""Case search (case number, enterprise, credit code, officer, stage, status, dates) within the
user's region scope, newest first with keyset paging; and each user's saved filters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import or_, select, union

from app.extensions import db
from app.models import Case, Enterprise, SavedFilter, User
from app.platform import InvalidInput, NotFound
from app.platform.audit import record
from app.platform.paging import narrowed
from app.platform.regions import scope_of
from forms.base import N_

PAGE = 50
FEW_PARTIES = 200  # matched by a search text: looked up by id rather than scanned for
FIELDS = ("q", "officer", "stage", "status", "since", "until")  # what a saved filter keeps
MAX_FILTERS = 30
MAX_TEXT = 100  # a search text longer than any name or number is refused, not sent to LIKE


@dataclass(frozen=True)
class CasePage:
    cases: list[Case]
    next_before: int | None  # keyset: the id to continue below


def search(user: User, args: Mapping[str, str]) -> CasePage:
    query = select(Case).order_by(Case.id.desc()).limit(PAGE + 1)
    scope = scope_of(user)
    if scope is not None:
        query = query.where(Case.region_code.in_(scope))
    text = (args.get("q") or "").strip()
    officer = (args.get("officer") or "").strip()
    if len(text) > MAX_TEXT or len(officer) > MAX_TEXT:
        raise InvalidInput(N_("搜索内容过长（不超过 100 字）。"))
    if text:
        # A whole case number, or any part of the party's name, or its credit code: each an
        # index or the (much smaller) enterprise table, never a scan of a province's cases.
        # (two selects, so that the name is matched on its index, not the enterprise rows)
        parties = union(
            select(Enterprise.id).where(Enterprise.name.contains(text, autoescape=True)),
            select(Enterprise.id).where(Enterprise.credit_code == text.upper()),
        )
        found = db.session.execute(parties.limit(FEW_PARTIES + 1)).scalars().all()
        # A few parties: their cases by the party index. Given only a subquery, PostgreSQL
        # expected hundreds of cases and walked the province's cases newest first for a party
        # that had three (230 ms at 1M). Many parties: newest first finds a page soon.
        matching = found if len(found) <= FEW_PARTIES else select(parties.subquery().c.id)
        query = query.where(or_(Case.case_no == text.upper(), Case.enterprise_id.in_(matching)))
    if officer:
        opened_by = select(User.id).where(
            or_(User.username == officer, User.display_name.contains(officer, autoescape=True))
        )
        query = query.where(Case.opened_by_id.in_(opened_by))
    if args.get("stage"):
        query = query.where(Case.stage == args["stage"])
    if args.get("status") in ("OPEN", "CLOSED"):
        query = query.where(Case.status == args["status"])
    query = narrowed(query, args, Case.opened_at, Case.id)
    rows = list(db.session.execute(query).scalars())
    more = len(rows) > PAGE
    return CasePage(rows[:PAGE], rows[PAGE - 1].id if more else None)


def filters_of(user: User) -> list[SavedFilter]:
    return list(
        db.session.execute(
            select(SavedFilter).where(SavedFilter.user_id == user.id).order_by(SavedFilter.name)
        ).scalars()
    )


def save_filter(user: User, name: str, args: Mapping[str, str]) -> SavedFilter:
    name = name.strip()
    if not name or len(name) > 60:
        raise InvalidInput(N_("请填写筛选名称（不超过 60 字）。"))
    kept = {k: args[k].strip() for k in FIELDS if (args.get(k) or "").strip()}
    if not kept:
        raise InvalidInput(N_("没有可保存的筛选条件。"))
    search(user, kept)  # refuses what the search itself would refuse
    mine = filters_of(user)
    existing = next((f for f in mine if f.name == name), None)
    if existing is None and len(mine) >= MAX_FILTERS:
        raise InvalidInput(N_("最多保存 30 个筛选。"))
    saved = existing or SavedFilter(user_id=user.id, name=name)
    saved.query = urlencode(kept)
    db.session.add(saved)
    record("save_filter", "user", user.id, actor=user, name=name, query=saved.query)
    db.session.commit()
    return saved


def delete_filter(user: User, filter_id: int) -> None:
    saved = db.session.get(SavedFilter, filter_id)
    if saved is None or saved.user_id != user.id:  # another user's filter is not there for you
        raise NotFound(N_("筛选不存在。"))
    db.session.delete(saved)
    record("delete_filter", "user", user.id, actor=user, name=saved.name)
    db.session.commit()


def saved_args(user: User, filter_id: int) -> dict[str, str]:
    """The search a saved filter stands for (only the user's own)."""
    saved = db.session.get(SavedFilter, filter_id)
    if saved is None or saved.user_id != user.id:
        raise NotFound(N_("筛选不存在。"))
    return {k: v for k, v in parse_qsl(saved.query) if k in FIELDS}
