"""合规指引清单: maintained per domain by credit officers, published on a public page, attached
to the risk-warning notices of the same domain."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import ComplianceItem, User, utcnow
from app.platform import NotFound
from app.platform.audit import save_fields
from app.reference.enterprise import DOMAIN_LABELS, Domain

FIELDS = (
    "domain",
    "matter",
    "legal_basis",
    "requirement",
    "common_violations",
    "penalty",
    "self_check",
    "exemption",
    "sort_order",
    "published",
)


def items(published_only: bool, domain: str | None = None) -> list[ComplianceItem]:
    query = select(ComplianceItem).order_by(
        ComplianceItem.domain, ComplianceItem.sort_order, ComplianceItem.id
    )
    if published_only:
        query = query.where(ComplianceItem.published.is_(True))
    if domain:
        query = query.where(ComplianceItem.domain == domain)
    return list(db.session.execute(query).scalars())


def by_domain(found: list[ComplianceItem]) -> list[tuple[str, list[ComplianceItem]]]:
    """(domain label, its items) in the order of the domain enumeration."""
    groups: dict[str, list[ComplianceItem]] = {}
    for item in found:
        groups.setdefault(item.domain, []).append(item)
    return [(DOMAIN_LABELS[d], groups[d.value]) for d in Domain if d.value in groups]


def get(item_id: int) -> ComplianceItem:
    item = db.session.get(ComplianceItem, item_id)
    if item is None:
        raise NotFound("指引事项不存在。")
    return item


def save(item_id: int | None, values: Mapping[str, Any], actor: User) -> ComplianceItem:
    """Add or change an item (one transaction, audited)."""
    item = get(item_id) if item_id is not None else ComplianceItem()
    item.updated_at, item.updated_by_id = utcnow(), actor.id
    save_fields(
        item, {**values, "sort_order": values["sort_order"] or 0}, FIELDS, "change_guidance", actor
    )
    db.session.commit()
    return item
