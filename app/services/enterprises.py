"""经营主体 records: validated on the way in (credit code, enumerations, region)."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Enterprise, Region, User
from app.reference.enterprise import CreditClass, Domain, PartyType, credit_code_error
from forms.base import N_

from . import InvalidInput
from .audit import record


def add_enterprise(
    credit_code: str,
    name: str,
    party_type: str,
    domain: str,
    credit_class: str,
    region_code: str,
    *,
    actor: User | None = None,
    address: str | None = None,
    legal_representative: str | None = None,
) -> Enterprise:
    """Add an enterprise in the caller's transaction; every problem is reported at once."""
    code = credit_code.strip().upper()
    problems = [p for p in (credit_code_error(code),) if p]
    if not name.strip():
        problems.append(N_("请填写经营主体名称。"))
    for value, allowed, label in (
        (party_type, PartyType, "主体类型"),
        (domain, Domain, "监管领域"),
        (credit_class, CreditClass, "信用风险分类"),
    ):
        if value not in {member.value for member in allowed}:
            problems.append(f"{label}无效: {value}")
    if db.session.get(Region, region_code) is None:
        problems.append(f"未知区域代码: {region_code}")
    if (
        not problems
        and db.session.execute(select(Enterprise.id).where(Enterprise.credit_code == code)).first()
    ):
        problems.append(f"统一社会信用代码已登记: {code}")
    if problems:
        raise InvalidInput("；".join(problems))
    enterprise = Enterprise(
        credit_code=code,
        name=name.strip(),
        party_type=party_type,
        domain=domain,
        credit_class=credit_class,
        region_code=region_code,
        address=address,
        legal_representative=legal_representative,
    )
    db.session.add(enterprise)
    db.session.flush()
    record(
        "register_enterprise",
        "enterprise",
        enterprise.id,
        actor=actor,
        actor_name=None if actor else "system",
        region_code=region_code,
        credit_code=code,
    )
    return enterprise


def register_enterprise(
    credit_code: str,
    name: str,
    party_type: str,
    domain: str,
    credit_class: str,
    region_code: str,
    *,
    actor: User | None = None,
    address: str | None = None,
    legal_representative: str | None = None,
) -> Enterprise:
    enterprise = add_enterprise(
        credit_code,
        name,
        party_type,
        domain,
        credit_class,
        region_code,
        actor=actor,
        address=address,
        legal_representative=legal_representative,
    )
    db.session.commit()
    return enterprise
