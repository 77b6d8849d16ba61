"""The people named on a case: its investigators (办案人员), designated from the accounts when the
case is filed, and the inspectors a 双随机 draw chose. Both are accounts holding the officer role
and a 行政执法证号 (《行政处罚法》第四十二条: at least two officers holding enforcement
certificates; 《市场监督管理行政处罚程序规定》第十九条: two or more investigators designated at
filing). What the case file prints — name and certificate number — is kept as it was when named."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.clock import china_today
from app.enforcement.cases import case_data
from app.enforcement.numbers import filing_number
from app.extensions import db
from app.models import Case, CaseOfficer, User, UserRole
from app.platform import Conflict, InvalidFields
from app.platform.regions import in_scope, region_tree
from app.reference.roles import Role

INVESTIGATOR, INSPECTOR = "INVESTIGATOR", "INSPECTOR"
FILING_FORM = "filing.assign"  # 指定办案人员: the step that files the case (立案号, investigators)
INSPECTION_FORM = "inspection.record"
FIELD = "case_officers"
MIN_OFFICERS = 2  # 《行政处罚法》第四十二条


def label(user: User) -> str:
    """How a screen offers an account: its name and certificate number."""
    return f"{user.display_name}（执法证号 {user.cert_no}）"


def candidates(case: Case) -> list[User]:
    """The accounts that may investigate the case: active officers of its unit holding a 执法证号
    whose region covers the case's."""
    unit = region_tree().unit_of(case.region_code)
    users = db.session.execute(
        select(User)
        .join(UserRole)
        .where(
            UserRole.role == Role.OFFICER.value,
            User.is_active.is_(True),
            User.cert_no.is_not(None),
            User.region_code.in_(region_tree().descendants(unit)),
        )
        .order_by(User.id)
    ).scalars()
    return [u for u in users if in_scope(u, case.region_code)]


def _refusal(case: Case, user: User | None, account_id: int) -> str | None:
    if user is None:
        return f"账号 {account_id} 不存在"
    if not user.is_active:
        return f"{user.display_name} 的账号已停用"
    if Role.OFFICER.value not in user.role_names:
        return f"{user.display_name} 不是执法人员"
    if not user.cert_no:
        return f"{user.display_name} 没有登记行政执法证号，不具备执法资格"
    unit = region_tree().unit_of(case.region_code)
    if region_tree().unit_of(user.region_code) != unit or not in_scope(user, case.region_code):
        names = region_tree().names
        return (
            f"{user.display_name}（{names.get(user.region_code, user.region_code)}）"
            f"不是本案所在地区（{names.get(case.region_code, case.region_code)}）的执法人员"
        )
    return None


@dataclass(frozen=True)
class Team:
    members: tuple[User, ...]

    @property
    def names(self) -> str:
        return "、".join(u.display_name for u in self.members)


def check_team(case: Case, account_ids: Sequence[Any]) -> Team:
    """The accounts as the case's investigators, or InvalidFields (422) naming every account
    that may not be one and why. Reads only: the caller writes after claiming the task."""
    ids = list(dict.fromkeys(i for i in account_ids if isinstance(i, int)))
    found = {u.id: u for u in db.session.execute(select(User).where(User.id.in_(ids))).scalars()}
    problems = [p for i in ids if (p := _refusal(case, found.get(i), i)) is not None]
    if not problems and len(ids) < MIN_OFFICERS:
        problems.append("执法人员不少于两人（《行政处罚法》第四十二条）")
    if problems:
        raise InvalidFields({FIELD: "；".join(problems) + "。"})
    return Team(tuple(found[i] for i in ids))


def team_data(team: Team) -> dict[str, Any]:
    """What the case data holds of the team: the names as the case file has always printed them
    (masked in the 案例库 like any name), and the accounts."""
    return {FIELD: team.names, "investigator_ids": [u.id for u in team.members]}


def file_case(case: Case, team: Team) -> str:
    """Name the team as the case's investigators and give the case its 立案号, in the caller's
    transaction (which has claimed the filing task: no one else files the case meanwhile)."""
    if case.filing_no is not None or officers_of(case.id, INVESTIGATOR):
        raise Conflict("本案已立案并指定办案人员。")
    _name(case, team.members, INVESTIGATOR)
    case.filing_no = filing_number(case.region_code, china_today().year)
    return case.filing_no


def name_inspectors(case: Case, users: Sequence[User]) -> None:
    """The inspectors a draw chose for the case, locked into its record."""
    _name(case, users, INSPECTOR)


def _name(case: Case, users: Sequence[User], duty: str) -> None:
    db.session.add_all(
        CaseOfficer(
            case_id=case.id,
            user_id=u.id,
            duty=duty,
            position=position,
            display_name=u.display_name,
            cert_no=u.cert_no or "",
        )
        for position, u in enumerate(users)
    )
    db.session.flush()


def officers_of(case_id: int, duty: str | None = None) -> list[CaseOfficer]:
    query = select(CaseOfficer).where(CaseOfficer.case_id == case_id)
    if duty is not None:
        query = query.where(CaseOfficer.duty == duty)
    return list(
        db.session.execute(query.order_by(CaseOfficer.duty, CaseOfficer.position)).scalars()
    )


def typed_investigators(case: Case) -> str | None:
    """The investigators of a case filed before they were chosen from the accounts, as typed
    then (migration 0029 keeps them so); None for every other case."""
    if case.filing_no is None or officers_of(case.id, INVESTIGATOR):
        return None
    typed = case_data(case).get(FIELD)
    return typed if isinstance(typed, str) and typed else None


_SEPARATORS = re.compile(r"[、，,;；\s]+")


def lock_drawn_inspectors(
    case_id: int, known: dict[str, Any], data: dict[str, Any]
) -> dict[str, Any]:
    """The inspection record of a drawn inspection names the drawn inspectors and the draw, and
    nobody else (typed replacements are refused, 422); other inspections are left as typed."""
    drawn = officers_of(case_id, INSPECTOR)
    if not drawn:
        return data
    names = "、".join(o.display_name for o in drawn)
    typed = [n for n in _SEPARATORS.split(str(data.get("inspectors") or "")) if n]
    problems = {}
    if sorted(typed) != sorted(o.display_name for o in drawn):
        problems["inspectors"] = f"双随机抽查的检查人员由抽取结果确定（{names}），不能更换或增减。"
    if data.get("inspection_type") != "RANDOM":
        problems["inspection_type"] = "本次检查由双随机抽取产生，检查方式只能是双随机抽查。"
    if data.get("draw_id") not in (None, "", known.get("draw_id")):
        problems["draw_id"] = f"抽取结果编号为 {known.get('draw_id')}，不能更改。"
    if problems:
        raise InvalidFields(problems)
    return {**data, "inspectors": names, "draw_id": known.get("draw_id")}
