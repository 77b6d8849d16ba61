"""双随机、一公开: the 抽查事项清单, the inspector and enterprise pools of a 盟市, and draws.

A draw ranks each credit class's pool by SHA-256 of (seed, class, enterprise id) and takes the
first n, n from the `sampling` decision's ratio for the class; each drawn enterprise gets the
two eligible inspectors (active officers holding a 执法证号) ranked first by SHA-256 of (seed,
enterprise id, officer id), named on its case and locked into its inspection record. The seed
is made by the system, never typed, so nobody can try seeds until one suits them; pools, counts,
seed and result are stored and sealed with a digest, so anyone can re-run the draw by hand
(sha256sum is enough) and compare. Class A is drawn only when the draw is a triggered one."""

from __future__ import annotations

import hashlib
import json
import math
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.clock import china_today
from app.enforcement.cases import open_case
from app.enforcement.investigators import name_inspectors
from app.extensions import db
from app.models import (
    CaseFact,
    Enterprise,
    HumanTask,
    InspectionItem,
    InspectorConflict,
    SamplingDraw,
    SamplingTarget,
    User,
    UserRole,
)
from app.platform import Conflict, InvalidInput, NotFound
from app.platform.audit import record, save_fields
from app.platform.decisions import current_bundle, evaluate
from app.platform.regions import region_tree, scope_of
from app.platform.sequences import next_number
from app.reference.enterprise import CreditClass
from app.reference.roles import Role
from forms.base import N_

INSPECTORS_PER_TARGET = 2  # 《行政处罚法》第四十二条: at least two officers
MAX_TARGETS = 200  # every target opens a case in this one request
PROCESS = "enforcement_case"
ALGORITHM = "sha256-rank-v1"
# 容缺受理 (accept an application with a non-essential document missing, to be supplied later)
# is offered to enterprises of good credit: class A (信用风险低).
LENIENT_CLASSES = frozenset({CreditClass.A.value})


@dataclass(frozen=True)
class Pools:
    enterprises: dict[str, list[Enterprise]]  # by credit class
    inspectors: list[User]
    conflicts: set[tuple[int, int]]  # (user id, enterprise id)


def units(user: User) -> list[tuple[str, str]]:
    """The 盟市 the user may draw for."""
    tree, scope = region_tree(), scope_of(user)
    return [(u, tree.names[u]) for u in tree.units if scope is None or u in scope]


def items(domain: str | None = None) -> list[InspectionItem]:
    query = select(InspectionItem).where(InspectionItem.active.is_(True))
    if domain:
        query = query.where(InspectionItem.domain == domain)
    return list(db.session.execute(query.order_by(InspectionItem.code)).scalars())


def pools(unit_code: str, domain: str) -> Pools:
    regions = sorted(region_tree().descendants(unit_code))
    grouped: dict[str, list[Enterprise]] = {c.value: [] for c in CreditClass}
    for enterprise in db.session.execute(
        select(Enterprise)
        .where(
            Enterprise.domain == domain,
            Enterprise.region_code.in_(regions),
            Enterprise.is_association.is_(False),
        )
        .order_by(Enterprise.id)
    ).scalars():
        grouped[enterprise.credit_class].append(enterprise)
    inspectors = list(
        db.session.execute(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(
                UserRole.role == Role.OFFICER.value,
                User.is_active.is_(True),
                User.cert_no.is_not(None),  # 持行政执法证件 (《行政处罚法》第四十二条)
                User.region_code.in_(regions),
            )
            .order_by(User.id)
        ).scalars()
    )
    ids = [u.id for u in inspectors]
    conflicts = {
        (user_id, enterprise_id)
        for user_id, enterprise_id in db.session.execute(
            select(InspectorConflict.user_id, InspectorConflict.enterprise_id).where(
                InspectorConflict.user_id.in_(ids)
            )
        ).all()
    }
    return Pools(grouped, inspectors, conflicts)


def ratios(pool_sizes: Mapping[str, int], trigger: bool) -> tuple[dict[str, Any], str]:
    """Per class: the `sampling` decision's mode and ratios and the number to draw."""
    bundle = current_bundle()
    planned: dict[str, Any] = {}
    version = ""
    for credit_class in (c.value for c in CreditClass):
        answer = evaluate(
            "sampling",
            {"credit_class": credit_class, "key_domain": False, "trigger": False},
            bundle,
        )
        version = answer["version"]
        out = answer["outputs"]
        drawn = credit_class not in LENIENT_CLASSES or trigger
        ratio = float(out["ratio_max"] or 0)
        size = pool_sizes.get(credit_class, 0)
        planned[credit_class] = {
            "mode": out["mode"] if drawn else "NOT_DRAWN",
            "ratio_min": out["ratio_min"],
            "ratio_max": out["ratio_max"],
            # up to the ratio, rounded up so that a small pool still gets its inspection
            "count": min(size, math.ceil(size * ratio)) if drawn else 0,
            "pool": size,
        }
    return planned, version


def _rank(*parts: object) -> str:
    return hashlib.sha256(":".join(str(p) for p in parts).encode()).hexdigest()


def draw_result(
    seed: str,
    enterprise_pools: Mapping[str, Sequence[int]],
    counts: Mapping[str, int],
    inspector_ids: Sequence[int],
    conflicts: set[tuple[int, int]],
) -> list[dict[str, Any]]:
    """The pure draw: the same inputs always give the same result."""
    result = []
    for credit_class in sorted(enterprise_pools):
        pool = sorted(enterprise_pools[credit_class], key=lambda e: _rank(seed, credit_class, e))
        for enterprise_id in pool[: counts.get(credit_class, 0)]:
            eligible = [u for u in inspector_ids if (u, enterprise_id) not in conflicts]
            if len(eligible) < INSPECTORS_PER_TARGET:
                raise InvalidInput(
                    f"可选检查人员不足 {INSPECTORS_PER_TARGET} 人（已排除有利害关系的人员），"
                    "无法抽取。请先补充执法检查人员名录库。"
                )
            chosen = sorted(eligible, key=lambda u: _rank(seed, enterprise_id, u))
            result.append(
                {
                    "enterprise_id": enterprise_id,
                    "credit_class": credit_class,
                    "inspector_ids": chosen[:INSPECTORS_PER_TARGET],
                }
            )
    return result


def _digest(draw: SamplingDraw) -> str:
    sealed = {
        "draw_no": draw.draw_no,
        "unit_code": draw.unit_code,
        "domain": draw.domain,
        "item_codes": draw.item_codes,
        "trigger": draw.trigger,
        "seed": draw.seed,
        "pools": draw.pools,
        "ratios": draw.ratios,
        "result": draw.result,
    }
    return hashlib.sha256(
        json.dumps(sealed, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()


def make_draw(
    user: User, unit_code: str, domain: str, item_codes: Sequence[str], trigger: bool
) -> SamplingDraw:
    """Draw, record and open one inspection case per target (assigned to its first inspector),
    in one transaction."""
    if unit_code not in dict(units(user)):
        raise NotFound(N_("无权在该盟市组织抽查。"))
    known = {item.code: item for item in items(domain)}
    if not item_codes or any(code not in known for code in item_codes):
        raise InvalidInput(N_("请选择本领域抽查事项清单中的事项。"))
    found = pools(unit_code, domain)
    planned, version = ratios({c: len(p) for c, p in found.enterprises.items()}, trigger)
    seed = secrets.token_hex(16)
    enterprise_ids = {c: [e.id for e in p] for c, p in found.enterprises.items()}
    inspector_ids = [u.id for u in found.inspectors]
    counts = {c: int(plan["count"]) for c, plan in planned.items()}
    result = draw_result(seed, enterprise_ids, counts, inspector_ids, found.conflicts)
    if not result:
        raise InvalidInput(N_("按抽查比例本次没有抽中经营主体（检查对象名录库为空或比例为零）。"))
    if len(result) > MAX_TARGETS:
        raise InvalidInput(
            f"本次抽中 {len(result)} 户，超过每次 {MAX_TARGETS} 户的上限，请按领域分次抽取。"
        )
    year = china_today().year
    tree = region_tree()
    draw = SamplingDraw(
        draw_no=f"双随机〔{year}〕{unit_code}-{next_number(f'draw:{unit_code}:{year}'):03d}",
        unit_code=unit_code,
        domain=domain,
        item_codes=list(item_codes),
        trigger=trigger,
        seed=seed,
        pools={
            "enterprises": enterprise_ids,
            "inspectors": inspector_ids,
            "conflicts": sorted([u, e] for u, e in found.conflicts),
            "algorithm": ALGORITHM,
        },
        ratios=planned,
        result=result,
        digest="",
        rule_version=version,
        drawn_by_id=user.id,
    )
    draw.digest = _digest(draw)
    db.session.add(draw)
    db.session.flush()
    by_id = {u.id: u for u in found.inspectors}
    matters = "、".join(known[code].name for code in item_codes)
    try:
        for target in result:
            drawn = [by_id[i] for i in target["inspector_ids"]]
            inspectors = [u.display_name for u in drawn]
            case, _ = open_case(
                user,
                PROCESS,
                target["enterprise_id"],
                f"双随机抽查：{matters}（{draw.draw_no}）",
                entry="INSPECTION",
                known={
                    "inspection_type": "RANDOM",
                    "draw_id": draw.draw_no,
                    "inspectors": "、".join(inspectors),
                },
            )
            name_inspectors(case, drawn)  # locked into the inspection record
            first = db.session.execute(
                select(HumanTask).where(HumanTask.case_id == case.id, HumanTask.state == "READY")
            ).scalars()
            for task in first:  # the inspection record is the first inspector's to make
                task.assignee_id = target["inspector_ids"][0]
            db.session.add(
                SamplingTarget(
                    draw_id=draw.id,
                    enterprise_id=target["enterprise_id"],
                    case_id=case.id,
                    credit_class=target["credit_class"],
                    inspector_names=inspectors,
                )
            )
    except Exception:
        db.session.rollback()
        raise
    record(
        "sampling_draw",
        "sampling_draw",
        draw.id,
        actor=user,
        region_code=unit_code,
        draw_no=draw.draw_no,
        unit=tree.names[unit_code],
        domain=domain,
        targets=len(result),
        digest=draw.digest,
    )
    db.session.commit()
    return draw


@dataclass(frozen=True)
class Verification:
    same_result: bool
    digest_ok: bool


def verify(draw: SamplingDraw) -> Verification:
    """Re-run the draw from what was recorded and compare."""
    conflicts = {(u, e) for u, e in draw.pools["conflicts"]}
    counts = {c: int(plan["count"]) for c, plan in draw.ratios.items()}
    again = draw_result(
        draw.seed, draw.pools["enterprises"], counts, draw.pools["inspectors"], conflicts
    )
    return Verification(again == draw.result, _digest(draw) == draw.digest)


def draws(user: User, limit: int = 50) -> list[SamplingDraw]:
    query = select(SamplingDraw).order_by(SamplingDraw.id.desc()).limit(limit)
    scope = scope_of(user)
    if scope is not None:
        query = query.where(SamplingDraw.unit_code.in_(sorted(scope)))
    return list(db.session.execute(query).scalars())


@dataclass(frozen=True)
class TargetRow:
    target: SamplingTarget
    enterprise: Enterprise
    inspected_on: Any
    result: str | None


def draw_for_user(draw_id: int, user: User) -> tuple[SamplingDraw, list[TargetRow]]:
    draw = db.session.get(SamplingDraw, draw_id)
    scope = scope_of(user)
    if draw is None or (scope is not None and draw.unit_code not in scope):
        raise NotFound(N_("抽取记录不存在。"))
    return draw, _targets([draw.id])


def _targets(draw_ids: Sequence[int]) -> list[TargetRow]:
    rows = db.session.execute(
        select(SamplingTarget, Enterprise, CaseFact.inspected_on, CaseFact.inspection_result)
        .join(Enterprise, Enterprise.id == SamplingTarget.enterprise_id)
        .outerjoin(CaseFact, CaseFact.case_id == SamplingTarget.case_id)
        .where(SamplingTarget.draw_id.in_(draw_ids))
        .order_by(SamplingTarget.draw_id.desc(), SamplingTarget.id)
    ).all()
    return [TargetRow(t, e, on, result) for t, e, on, result in rows]


def published_results(limit: int = 500) -> list[tuple[SamplingDraw, TargetRow]]:
    """一公开: every drawn enterprise whose inspection result is recorded, newest draw first."""
    recent = list(
        db.session.execute(
            select(SamplingDraw).order_by(SamplingDraw.id.desc()).limit(50)
        ).scalars()
    )
    by_id = {d.id: d for d in recent}
    rows = [r for r in _targets(list(by_id)) if r.result is not None]
    return [(by_id[r.target.draw_id], r) for r in rows[:limit]]


def declare_conflict(actor: User, user_id: int, enterprise_id: int, reason: str) -> None:
    """Record that an officer must not inspect an enterprise (回避); audited, one transaction."""
    officer = db.session.get(User, user_id)
    enterprise = db.session.get(Enterprise, enterprise_id)
    scope = scope_of(actor)
    if officer is None or enterprise is None:
        raise NotFound(N_("人员或经营主体不存在。"))
    if scope is not None and (
        officer.region_code not in scope or enterprise.region_code not in scope
    ):
        raise NotFound(N_("人员或经营主体不存在。"))
    exists = db.session.execute(
        select(InspectorConflict.id).where(
            InspectorConflict.user_id == user_id, InspectorConflict.enterprise_id == enterprise_id
        )
    ).first()
    if exists:
        raise Conflict(N_("该利害关系已登记。"))
    db.session.add(InspectorConflict(user_id=user_id, enterprise_id=enterprise_id, reason=reason))
    record(
        "declare_conflict",
        "enterprise",
        enterprise_id,
        actor=actor,
        region_code=enterprise.region_code,
        officer=officer.username,
        reason=reason,
    )
    db.session.commit()


def lenient(enterprise: Enterprise) -> bool:
    """容缺受理 may be offered (good credit)."""
    return enterprise.credit_class in LENIENT_CLASSES


ITEM_FIELDS = ("code", "domain", "name", "basis", "method", "content", "active")


def all_items() -> list[InspectionItem]:
    return list(
        db.session.execute(
            select(InspectionItem).order_by(InspectionItem.domain, InspectionItem.code)
        ).scalars()
    )


def get_item(item_id: int) -> InspectionItem:
    item = db.session.get(InspectionItem, item_id)
    if item is None:
        raise NotFound(N_("抽查事项不存在。"))
    return item


def save_item(item_id: int | None, values: Mapping[str, Any], actor: User) -> InspectionItem:
    """Add or change an item of the 抽查事项清单 (one transaction, audited). Draws keep the codes
    they were made with, so an item is retired by `active`, never deleted."""
    item = get_item(item_id) if item_id is not None else InspectionItem()
    code = str(values["code"]).strip()
    taken = db.session.execute(
        select(InspectionItem.id).where(InspectionItem.code == code)
    ).scalar_one_or_none()
    if taken is not None and taken != item_id:
        raise InvalidInput(N_("事项编码已存在。"))
    save_fields(item, {**values, "code": code}, ITEM_FIELDS, "change_inspection_item", actor)
    db.session.commit()
    return item
