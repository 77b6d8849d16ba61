"""Complaint hotspots (POLICY 三(二)4): what people complain about most, where, in which domain
and season, what grows against the previous period of the same length, and which enterprises
draw complaints again and again. Read by aggregate queries over the imported work orders."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.sql import ColumnElement

from app.extensions import db
from app.models import CaseFact, Complaint, User
from app.platform import decisions
from app.platform.regions import region_tree, scope_of
from app.reference.complaints import ISSUE_LABELS, IssueType
from app.reference.enterprise import DOMAIN_LABELS, Domain
from forms.base import N_

SEASONS = (("春", (3, 4, 5)), ("夏", (6, 7, 8)), ("秋", (9, 10, 11)), ("冬", (12, 1, 2)))
FREQUENT_MIN = 3  # complaints in the period that make an enterprise a frequent target
PERIODS = (30, 90, 180, 365)
DOMAIN_CODES = frozenset(d.value for d in Domain)


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    count: int
    previous: int

    @property
    def growth(self) -> float | None:
        """Percent against the previous period; None when there was nothing before."""
        return (self.count - self.previous) * 100 / self.previous if self.previous else None


@dataclass(frozen=True)
class Chart:
    title: str
    rows: list[tuple[str, int]]  # (label, count), as the bar chart macro reads them


@dataclass(frozen=True)
class Ranking:
    id: str
    title: str
    rows: list[Row]

    @property
    def chart(self) -> Chart:
        return Chart(self.title, [(row.label, row.count) for row in self.rows[:10] if row.count])


@dataclass(frozen=True)
class Frequent:
    name: str
    credit_code: str | None
    enterprise_id: int | None
    count: int
    issues: str  # the issue types, most frequent first


@dataclass(frozen=True)
class Hotspots:
    start: dt.date
    end: dt.date
    previous_start: dt.date
    unit: str | None  # the 盟市 looked at (None: the whole scope)
    total: int
    previous_total: int
    rankings: list[Ranking]  # by issue type, by 盟市, by domain
    seasons: list[tuple[str, list[int]]]  # issue label → counts per season (春夏秋冬), last year
    frequent: list[Frequent]


def _where(user: User, unit: str | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    scope = scope_of(user)
    if user.region_code in region_tree().units:  # a 盟市: its rows by the (unit, date) index
        conditions.append(Complaint.unit_code == user.region_code)
    elif scope is not None:
        conditions.append(Complaint.region_code.in_(sorted(scope)))
    if unit:
        conditions.append(Complaint.unit_code == unit)
    return conditions


def hotspots(user: User, end: dt.date, days: int = 90, unit: str | None = None) -> Hotspots:
    start = end - dt.timedelta(days=days - 1)
    previous_start = start - dt.timedelta(days=days)
    where = _where(user, unit)
    current = case((Complaint.received_on >= start, 1), else_=0)
    before = case((Complaint.received_on < start, 1), else_=0)
    window = [Complaint.received_on >= previous_start, Complaint.received_on <= end, *where]

    def grouped(column: Any, labels: dict[str, str]) -> list[Row]:
        rows = db.session.execute(
            select(column, func.sum(current), func.sum(before)).where(*window).group_by(column)
        ).all()
        found = [Row(k, labels.get(k, k), int(now or 0), int(was or 0)) for k, now, was in rows]
        return sorted(
            (row for row in found if row.count or row.previous),
            key=lambda row: (-row.count, -row.previous, row.key),
        )

    tree = region_tree()
    by_issue = grouped(Complaint.issue_type, {k.value: v for k, v in ISSUE_LABELS.items()})
    by_unit = grouped(Complaint.unit_code, tree.names)
    by_domain = grouped(Complaint.domain, {k.value: v for k, v in DOMAIN_LABELS.items()})
    return Hotspots(
        start,
        end,
        previous_start,
        unit,
        sum(row.count for row in by_issue),
        sum(row.previous for row in by_issue),
        [
            Ranking("by-issue", N_("问题类型"), by_issue),
            Ranking("by-unit", N_("盟市"), by_unit),
            Ranking("by-domain", N_("领域"), by_domain),
        ],
        _seasons(where, end, [row.key for row in by_issue[:6]]),
        _frequent(where, start, end),
    )


def _seasons(
    where: list[ColumnElement[bool]], end: dt.date, issues: list[str]
) -> list[tuple[str, list[int]]]:
    """The top issues' counts per season over the twelve months up to `end`."""
    if not issues:
        return []
    month = func.extract("month", Complaint.received_on)
    rows = db.session.execute(
        select(Complaint.issue_type, month, func.count())
        .where(
            Complaint.received_on > end - dt.timedelta(days=365),
            Complaint.received_on <= end,
            Complaint.issue_type.in_(issues),
            *where,
        )
        .group_by(Complaint.issue_type, month)
    ).all()
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * len(SEASONS))
    for issue, number, count in rows:
        season = next(i for i, (_, months) in enumerate(SEASONS) if int(number) in months)
        counts[issue][season] += int(count)
    return [(ISSUE_LABELS[IssueType(issue)], counts[issue]) for issue in issues]


def _frequent(where: list[ColumnElement[bool]], start: dt.date, end: dt.date) -> list[Frequent]:
    """Enterprises with FREQUENT_MIN or more complaints in the period (by credit code, else by
    the name on the work orders)."""
    who = func.coalesce(Complaint.credit_code, Complaint.enterprise_name)
    rows = db.session.execute(
        select(
            who,
            func.max(Complaint.enterprise_name),
            func.max(Complaint.credit_code),
            func.max(Complaint.enterprise_id),
            Complaint.issue_type,
            func.count(),
        )
        .where(
            Complaint.received_on >= start,
            Complaint.received_on <= end,
            who.is_not(None),
            *where,
        )
        .group_by(who, Complaint.issue_type)
    ).all()
    grouped: dict[str, list[tuple[str | None, str | None, int | None, str, int]]] = defaultdict(
        list
    )
    for key, name, code, enterprise_id, issue, count in rows:
        grouped[key].append((name, code, enterprise_id, issue, int(count)))
    found = []
    for key, parts in grouped.items():
        total = sum(part[4] for part in parts)
        if total < FREQUENT_MIN:
            continue
        parts.sort(key=lambda part: -part[4])
        name = next((part[0] for part in parts if part[0]), key)
        issues = "、".join(f"{ISSUE_LABELS[IssueType(p[3])]} {p[4]}" for p in parts)
        found.append(Frequent(name, parts[0][1], parts[0][2], total, issues))
    return sorted(found, key=lambda item: (-item.count, item.name))[:20]


@dataclass(frozen=True)
class RiskItem:
    unit_code: str
    unit: str
    domain: str
    domain_label: str
    complaints: int
    previous: int
    findings: int  # inspections in the period that found problems (rectification or a clue)
    level: int  # 1–3 (3 highest), by the risk_grade decision table
    public: bool
    rule: str  # the table's annotation of the rule that graded it
    issues: str  # the most frequent issue types, for the warning text


@dataclass(frozen=True)
class RiskList:
    start: dt.date
    end: dt.date
    items: list[RiskItem]  # level 1 and above, highest first
    decision_version: str  # the SHA-256 of the risk_grade table used


def risk_list(user: User, end: dt.date, days: int = 90) -> RiskList:
    """违法风险预警分级清单: every 盟市 × domain with work orders or inspection findings in the
    period, graded by the designer-editable decision table `risk_grade`."""
    start = end - dt.timedelta(days=days - 1)
    previous_start = start - dt.timedelta(days=days)
    where = _where(user, None)
    now = func.sum(case((Complaint.received_on >= start, 1), else_=0))
    was = func.sum(case((Complaint.received_on < start, 1), else_=0))
    counts = {
        (unit, domain): (int(current or 0), int(before or 0))
        for unit, domain, current, before in db.session.execute(
            select(Complaint.unit_code, Complaint.domain, now, was)
            .where(Complaint.received_on >= previous_start, Complaint.received_on <= end, *where)
            .group_by(Complaint.unit_code, Complaint.domain)
        ).all()
    }
    scope = scope_of(user)
    found = select(CaseFact.unit_code, CaseFact.domain, func.count()).where(
        CaseFact.inspected_on >= start,
        CaseFact.inspected_on <= end,
        CaseFact.inspection_result.in_(("RECTIFY", "CLUE")),
    )
    if scope is not None:
        found = found.where(CaseFact.unit_code.in_(sorted(scope)))
    findings = {
        (unit, domain): int(count)
        for unit, domain, count in db.session.execute(
            found.group_by(CaseFact.unit_code, CaseFact.domain)
        ).all()
    }
    issues = _top_issues(where, start, end)
    tree = region_tree()
    items = []
    version = ""
    bundle = decisions.current_bundle()  # once: every row is graded by the same table
    for key in sorted(set(counts) | set(findings)):
        current, before = counts.get(key, (0, 0))
        inputs = {"complaints": current, "previous": before, "findings": findings.get(key, 0)}
        graded = decisions.evaluate("risk_grade", inputs, bundle, public_only=False)
        version = graded["version"]
        level = int(graded["outputs"]["level"] or 0)
        if level < 1:
            continue
        unit, domain = key
        items.append(
            RiskItem(
                unit,
                tree.names.get(unit, unit),
                domain,
                DOMAIN_LABELS.get(Domain(domain), domain) if domain in DOMAIN_CODES else domain,
                current,
                before,
                inputs["findings"],
                level,
                bool(graded["outputs"]["public"]),
                graded["matched_rules"][0]["annotation"] or "",
                issues.get(key, ""),
            )
        )
    items.sort(key=lambda item: (-item.level, -item.complaints, item.unit_code, item.domain))
    return RiskList(start, end, items, version)


def _top_issues(
    where: list[ColumnElement[bool]], start: dt.date, end: dt.date
) -> dict[tuple[str, str], str]:
    rows = db.session.execute(
        select(Complaint.unit_code, Complaint.domain, Complaint.issue_type, func.count())
        .where(Complaint.received_on >= start, Complaint.received_on <= end, *where)
        .group_by(Complaint.unit_code, Complaint.domain, Complaint.issue_type)
    ).all()
    grouped: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
    for unit, domain, issue, count in rows:
        grouped[(unit, domain)].append((int(count), issue))
    return {
        key: "、".join(
            f"{ISSUE_LABELS[IssueType(issue)]} {count}" for count, issue in sorted(parts)[::-1][:3]
        )
        for key, parts in grouped.items()
    }
