"""Separation of duties on a case: its investigation is done by the investigators designated at
filing (《市场监督管理行政处罚程序规定》第十九条), and whoever investigated it or wrote its
report may not review, hear or approve it. The hearing is presided over by someone who did not
investigate the case (《行政处罚法》第六十四条第（四）项); the legal review is a check by others
on the investigators' work (第五十八条); the head reviews the investigation's results (第五十七条).
Checked on the server when a task is saved or completed, whatever the diagram or the account's
roles.

A listing on the serious-violation list needs the consent of the deciding body's upper level
(DOMAIN.md G3'). The deciding body is the case's 盟市-level unit (the documents' issuer), so the
upper level is the 自治区局: its agency head consents. The 自治区局's own cases have no upper
level in the system; the 自治区局's head gives the consent there too."""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, select

from app.enforcement.investigators import INVESTIGATOR, officers_of
from app.extensions import db
from app.models import HumanTask, User
from app.platform import Forbidden
from app.platform.regions import ROOT_REGION
from app.reference.roles import Role

# the task screens of those who investigate: 核查, 调查取证 and its measures, the 调查终结报告,
# the 复核 of the party's statement
INVESTIGATING_FORMS = frozenset({"filing.verify", "review.report", "notice.statement_review"})
INVESTIGATING_PREFIX = "investigation."
# the lanes whose work must be independent of the investigation, as the refusal names them
INDEPENDENT_LANES = {
    Role.LEGAL_REVIEWER.value: "审核人员",
    Role.HEARING_OFFICER.value: "听证主持人",
    Role.AGENCY_HEAD.value: "审批负责人",
}


def investigating(form_key: str | None) -> bool:
    key = form_key or ""
    return key in INVESTIGATING_FORMS or key.startswith(INVESTIGATING_PREFIX)


def ensure_assigned(task: HumanTask, user: User) -> None:
    """Forbidden when the task is investigating work in the officers' lane (调查取证 and its
    measures, the 调查终结报告, the 复核) of a case whose investigators were designated, and
    `user` is not one of them. Cases filed before investigators were accounts have none."""
    if task.lane != Role.OFFICER.value or not investigating(task.form_key):
        return
    team = officers_of(task.case_id, INVESTIGATOR)
    if team and user.id not in {o.user_id for o in team}:
        names = "、".join(o.display_name for o in team)
        raise Forbidden(
            f"「{task.name}」是本案的调查工作，只能由立案时指定的办案人员（{names}）办理"
            "（《市场监督管理行政处罚程序规定》第十九条）。"
        )


def ensure_independent(task: HumanTask, user: User) -> None:
    """Forbidden when the task is a review, a hearing or an approval and `user` did investigating
    work on the task's case or is one of its designated investigators."""
    role = INDEPENDENT_LANES.get(task.lane or "")
    if role is None:
        return
    done = db.session.execute(
        select(HumanTask.form_key, HumanTask.name)
        .where(
            HumanTask.case_id == task.case_id,
            HumanTask.completed_by_id == user.id,
            HumanTask.state == "COMPLETED",
            # investigating work is the officers' (a head's step on an investigation screen,
            # such as the collective discussion of an extension, is not)
            HumanTask.lane == Role.OFFICER.value,
        )
        .order_by(HumanTask.id)
    ).all()
    for form_key, name in done:
        if investigating(form_key):
            raise Forbidden(
                f"您在本案中办理过「{name}」，是本案的调查人员，不能担任本案的{role}"
                "（调查与审核、听证、审批相分离）。请由其他人员办理。"
            )
    if user.id in {o.user_id for o in officers_of(task.case_id, INVESTIGATOR)}:
        raise Forbidden(
            f"您是本案立案时指定的办案人员，不能担任本案的{role}"
            "（调查与审核、听证、审批相分离）。请由其他人员办理。"
        )


UPPER_CONSENT_FORM = "decision.upper_consent"


def ensure_upper_level(task: HumanTask, user: User) -> None:
    """Forbidden when the task is the upper level's consent to a listing and `user` is not of
    the 自治区局 (whatever the account's roles)."""
    if task.form_key == UPPER_CONSENT_FORM and user.region_code != ROOT_REGION:
        raise Forbidden(
            "列入严重违法失信名单须报经上一级市场监督管理部门同意，"
            "只能由内蒙古自治区市场监督管理局的机关负责人办理。"
        )


def upper_level_only(user: User) -> ColumnElement[bool] | None:
    """For the inbox: the consent tasks show only to the 自治区局 (None: no condition)."""
    if user.region_code == ROOT_REGION:
        return None
    return or_(HumanTask.form_key.is_(None), HumanTask.form_key != UPPER_CONSENT_FORM)
