"""Importing 12315/12345 work orders (CSV, XLSX, or the events API), row by row: each row is
normalized (region → its 盟市, domain, issue type, date) or refused with its reasons; the
accepted rows and the report are stored in one transaction, and nothing else is lost."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import Select, select, tuple_

from app.clock import china_today
from app.extensions import db
from app.models import Complaint, ComplaintImport, Enterprise, User
from app.platform import InvalidInput
from app.platform.audit import record
from app.platform.regions import ROOT_REGION, region_tree, scope_of
from app.platform.spreadsheets import XlsxLimits, xlsx_rows
from app.reference.complaints import (
    COLUMNS,
    ISSUE_LABELS,
    ISSUE_SYNONYMS,
    REQUIRED,
    Channel,
    IssueType,
)
from app.reference.enterprise import DOMAIN_LABELS, Domain, credit_code_error
from forms.base import N_

MAX_BYTES = 20 * 1024 * 1024
_FIELD_LIMITS = {"order_no": 40, "enterprise_name": 200, "summary": 2000}
_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


@dataclass(frozen=True)
class Refused:
    row: int  # as the file numbers it (the header is row 1)
    order_no: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class ImportReport:
    import_id: int
    accepted: int
    refused: tuple[Refused, ...]


def rows_of_file(filename: str, content: bytes) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number, {field: raw value}) of a .csv (UTF-8 or GB18030) or .xlsx file."""
    if len(content) > MAX_BYTES:
        raise InvalidInput(N_("文件超过 20 MB，请拆分后导入。"))
    name = filename.lower()
    if name.endswith(".xlsx"):
        return _xlsx_rows(content)
    if name.endswith(".csv"):
        return _csv_rows(content)
    raise InvalidInput(N_("只接受 .csv 或 .xlsx 文件。"))


def _csv_rows(content: bytes) -> Iterator[tuple[int, dict[str, Any]]]:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InvalidInput(N_("CSV 文件应为 UTF-8 或 GBK 编码。"))
    reader = csv.reader(io.StringIO(text, newline=""))
    return _keyed(enumerate(reader, start=1))


def _xlsx_rows(content: bytes) -> Iterator[tuple[int, dict[str, Any]]]:
    rows = xlsx_rows(content, XlsxLimits.from_config(current_app.config))
    return _keyed(enumerate(rows, start=1))


def _keyed(rows: Iterable[tuple[int, Iterable[Any]]]) -> Iterator[tuple[int, dict[str, Any]]]:
    iterator = iter(rows)
    try:
        _, header = next(iterator)
    except StopIteration:
        raise InvalidInput(N_("文件是空的。")) from None
    fields = [COLUMNS.get(str(name or "").strip()) for name in header]
    missing = [name for name in REQUIRED if name not in fields]
    if missing:
        raise InvalidInput(f"缺少列：{'、'.join(_column_label(name) for name in missing)}")
    for number, row in iterator:
        values = {field: value for field, value in zip(fields, row, strict=False) if field}
        if any(value not in (None, "") for value in values.values()):  # skip blank lines
            yield number, values


def _column_label(field: str) -> str:
    return next(name for name, target in COLUMNS.items() if target == field)


@dataclass
class _Lookups:
    regions: dict[str, str]  # code or unique name → code
    ambiguous: set[str]
    units: dict[str, str]  # region code → its 盟市
    scope: frozenset[str] | None
    domains: dict[str, str]
    issues: dict[str, str]

    @classmethod
    def build(cls, user: User | None) -> _Lookups:
        tree = region_tree()
        regions: dict[str, str] = {}
        ambiguous: set[str] = set()
        for code, name in tree.names.items():
            regions[code] = code
            if name in regions and regions[name] != code:
                ambiguous.add(name)
            regions[name] = code
            parent = tree.parents.get(code)
            if parent and parent != ROOT_REGION:  # "呼和浩特市新城区" is never ambiguous
                regions[tree.names[parent] + name] = code
        return cls(
            regions,
            ambiguous,
            {code: tree.unit_of(code) for code in tree.names},
            scope_of(user) if user else None,
            {
                **{d.value: d.value for d in Domain},
                **{v: k.value for k, v in DOMAIN_LABELS.items()},
            },
            {
                **{i.value: i.value for i in IssueType},
                **{v: k.value for k, v in ISSUE_LABELS.items()},
                **{k: v.value for k, v in ISSUE_SYNONYMS.items()},
            },
        )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # an order number or code Excel stored as a number
    return str(value).strip()


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    match = _DATE.match(_text(value))
    if not match:
        return None
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def _normalize(
    values: Mapping[str, Any], lookups: _Lookups, today: dt.date
) -> tuple[dict[str, Any], list[str]]:
    reasons: list[str] = []
    row = {field: _text(values.get(field)) for field in COLUMNS.values()}
    for field in REQUIRED:
        if not row[field]:
            reasons.append(f"{_column_label(field)}为空")
    for field, limit in _FIELD_LIMITS.items():
        if len(row[field]) > limit:
            reasons.append(f"{_column_label(field)}超过 {limit} 个字符")
    out: dict[str, Any] = {"order_no": row["order_no"], "summary": row["summary"] or None}
    if row["channel"]:
        channel = row["channel"].replace("热线", "").replace("平台", "").strip()
        if channel in {c.value for c in Channel}:
            out["channel"] = channel
        else:
            reasons.append(f"来源「{row['channel']}」应为 12315 或 12345")
    if row["received_on"]:
        received = _date(values.get("received_on"))
        if received is None:
            reasons.append(f"受理日期「{row['received_on']}」无法识别（例：2026-11-24）")
        elif received > today:
            reasons.append(f"受理日期 {received.isoformat()} 晚于今天")
        else:
            out["received_on"] = received
    if row["region"]:
        region = lookups.regions.get(row["region"])
        if row["region"] in lookups.ambiguous:
            reasons.append(f"地区「{row['region']}」重名，请填写行政区划代码或加上盟市名称")
        elif region is None:
            reasons.append(f"地区「{row['region']}」不是内蒙古的行政区划")
        elif lookups.scope is not None and region not in lookups.scope:
            reasons.append(f"地区「{row['region']}」不在本单位辖区")
        else:
            out["region_code"], out["unit_code"] = region, lookups.units[region]
    for field, table, label in (
        ("domain", lookups.domains, "领域"),
        ("issue_type", lookups.issues, "问题类型"),
    ):
        if row[field]:
            found = table.get(row[field]) or table.get(row[field].upper())
            if found is None:
                reasons.append(f"{label}「{row[field]}」不在清单中")
            else:
                out[field] = found
    if row["credit_code"]:
        code = row["credit_code"].upper()
        problem = credit_code_error(code)
        if problem:
            reasons.append(problem)
        else:
            out["credit_code"] = code
    out["enterprise_name"] = row["enterprise_name"] or None
    return out, reasons


def import_rows(
    rows: Iterable[tuple[int, Mapping[str, Any]]], source: str, actor: User | None
) -> ImportReport:
    """Normalize every row; add the good ones and the report to the session (the caller
    commits: a file import by itself, an API event together with its event record)."""
    lookups = _Lookups.build(actor)
    today = china_today()
    max_rows = int(current_app.config["IMPORT_MAX_ROWS"])
    accepted: list[tuple[int, dict[str, Any]]] = []
    refused: list[Refused] = []
    seen: dict[tuple[str, str], int] = {}
    for count, (number, values) in enumerate(rows, start=1):
        if count > max_rows:
            raise InvalidInput(f"一次最多导入 {max_rows} 行，请拆分文件。")
        row, reasons = _normalize(values, lookups, today)
        key = (row.get("channel", ""), row["order_no"])
        if not reasons and key in seen:
            reasons.append(f"与第 {seen[key]} 行的工单编号重复")
        if reasons:
            refused.append(Refused(number, row["order_no"], tuple(reasons)))
        else:
            seen[key] = number
            accepted.append((number, row))
    stored = _already_stored({key for key in seen})
    fresh = []
    for number, row in accepted:
        if (row["channel"], row["order_no"]) in stored:
            refused.append(Refused(number, row["order_no"], ("该工单已导入过",)))
        else:
            fresh.append(row)
    refused.sort(key=lambda item: item.row)
    batch = ComplaintImport(
        source=source[:200],
        imported_by_id=actor.id if actor else None,
        accepted=len(fresh),
        rejected=len(refused),
        rejected_rows=[
            {"row": item.row, "order_no": item.order_no, "reasons": list(item.reasons)}
            for item in refused
        ],
    )
    db.session.add(batch)
    db.session.flush()
    credit_codes = {row["credit_code"] for row in fresh if row.get("credit_code")}
    enterprises = dict(
        db.session.execute(
            select(Enterprise.credit_code, Enterprise.id).where(
                Enterprise.credit_code.in_(credit_codes)
            )
        ).all()
    )
    db.session.add_all(
        Complaint(
            **row,
            enterprise_id=enterprises.get(row.get("credit_code") or ""),
            import_id=batch.id,
        )
        for row in fresh
    )
    record(
        "import_complaints",
        "complaint_import",
        batch.id,
        actor=actor,
        actor_name=None if actor else "api",
        source=source[:200],
        accepted=len(fresh),
        rejected=len(refused),
    )
    return ImportReport(batch.id, len(fresh), tuple(refused))


def _already_stored(keys: set[tuple[str, str]]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    ordered = sorted(keys)
    for start in range(0, len(ordered), 500):  # bounded IN lists
        chunk = ordered[start : start + 500]
        found |= {
            (channel, order_no)
            for channel, order_no in db.session.execute(
                select(Complaint.channel, Complaint.order_no).where(
                    tuple_(Complaint.channel, Complaint.order_no).in_(chunk)
                )
            ).all()
        }
    return found


def import_file(filename: str, content: bytes, actor: User) -> ImportReport:
    """One transaction: the accepted rows and the report, or nothing."""
    report = import_rows(rows_of_file(filename, content), filename, actor)
    db.session.commit()
    return report


def visible_imports(user: User) -> Select[Any]:
    """The imports made by people of the user's regions (all of them for the 自治区局)."""
    query = select(ComplaintImport.id)
    scope = scope_of(user)
    if scope is not None:
        query = query.join(User, User.id == ComplaintImport.imported_by_id).where(
            User.region_code.in_(sorted(scope))
        )
    return query


def recent_imports(user: User, limit: int = 20) -> list[ComplaintImport]:
    return list(
        db.session.execute(
            select(ComplaintImport)
            .where(ComplaintImport.id.in_(visible_imports(user)))
            .order_by(ComplaintImport.id.desc())
            .limit(limit)
        ).scalars()
    )
