"""The region tree and a user's region scope (a unit sees itself and the 旗县区 below it)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models import Region, User

ROOT_REGION = "150000"


@dataclass(frozen=True)
class RegionTree:
    names: dict[str, str]
    parents: dict[str, str | None]
    units: tuple[str, ...]

    def descendants(self, code: str) -> frozenset[str]:
        found = {code}
        changed = True
        while changed:
            more = {c for c, p in self.parents.items() if p in found and c not in found}
            changed = bool(more)
            found |= more
        return frozenset(found)

    def unit_of(self, code: str) -> str:
        """The 盟市-level unit a code belongs to (itself for a unit, the root for the bureau)."""
        while self.parents.get(code) not in (None, ROOT_REGION):
            code = self.parents[code] or ROOT_REGION
        return code


def region_tree() -> RegionTree:
    # Regions change only by migration: read them once per process.
    tree: RegionTree | None = current_app.extensions.get("tijian_region_tree")
    if tree is None:
        rows = db.session.execute(select(Region).order_by(Region.sort_order)).scalars().all()
        tree = RegionTree(
            names={r.code: r.name for r in rows},
            parents={r.code: r.parent_code for r in rows},
            units=tuple(r.code for r in rows if r.level == "UNIT"),
        )
        current_app.extensions["tijian_region_tree"] = tree
    return tree


def scope_of(user: User) -> frozenset[str] | None:
    """Region codes the user may see; None means every region (the 自治区局)."""
    if user.region_code == ROOT_REGION:
        return None
    return region_tree().descendants(user.region_code)


def in_scope(user: User, region_code: str) -> bool:
    scope = scope_of(user)
    return scope is None or region_code in scope
