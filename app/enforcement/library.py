"""The 执法案例库 (POLICY 三(二)6): entries written when a closed case is catalogued, read as
similar cases (类案同罚), searched by the units, marked typical and published anonymized."""

from __future__ import annotations

import datetime as dt
import re
import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from sqlalchemy import Select, or_, select

from app.clock import utcnow
from app.enforcement.cases import case_data
from app.enforcement.investigators import officers_of
from app.extensions import db
from app.models import Case, CaseLibraryEntry, Document, User
from app.platform import Conflict, Forbidden, InvalidInput, NotFound
from app.platform.anonymize import PartyIdentity, anonymize, text_digest
from app.platform.audit import record
from app.platform.paging import window
from app.platform.regions import in_scope, region_tree, scope_of
from app.reference.enterprise import DOMAIN_LABELS, PARTY_TYPE_LABELS, PartyType
from app.reference.roles import LIBRARY_READERS, Role
from forms.base import N_
from forms.choices import (
    AGGRAVATING,
    EXEMPT_LISTS,
    HARMS,
    MITIGATING_MANDATORY,
    MITIGATING_OPTIONAL,
)

LIBRARY_FORM = "closure.library"
RECENT_SHOWN = 5
MEDIAN_WINDOW = 200  # the latest entries the median is taken over
PAGE = 30

READERS = LIBRARY_READERS
MARKERS = frozenset({Role.UNIT_HEAD, Role.AGENCY_HEAD})  # 典型案例 is the unit's own judgement
PUBLISHERS = frozenset({Role.AGENCY_HEAD, Role.ADMIN})  # publishing speaks for the agency

# The decision documents whose text the library keeps (the latest issued one of the case).
DECISION_DOCUMENTS = ("PENALTY_DECISION", "NO_PENALTY_DECISION")

OUTCOME_LABELS = {
    "PUNISH": N_("行政处罚"),
    "NO_PENALTY": N_("不予行政处罚"),
    "NOT_ESTABLISHED": N_("违法事实不成立"),
    "TRANSFERRED": N_("移送司法机关"),
    "NOT_FILED": N_("不予立案"),
    "OTHER": N_("其他"),
}
LEVEL_LABELS = {
    "NO_PENALTY": N_("不予处罚"),
    "REDUCE": N_("减轻处罚"),
    "LIGHTER": N_("从轻处罚"),
    "NORMAL": N_("一般处罚"),
    "HEAVIER": N_("从重处罚"),
}
LABELS: dict[str, dict[str, str]] = {
    "domain": {d.value: label for d, label in DOMAIN_LABELS.items()},
    "party_type": {p.value: label for p, label in PARTY_TYPE_LABELS.items()},
    "level": LEVEL_LABELS,
    "outcome": OUTCOME_LABELS,
}

# what the head decided (review.head_decision), else how the case was closed (closure.report)
_BY_HEAD_DECISION = {
    "PENALTY": "PUNISH",
    "NO_PENALTY": "NO_PENALTY",
    "NOT_ESTABLISHED": "NOT_ESTABLISHED",
    "CRIMINAL": "TRANSFERRED",
}
_BY_CLOSURE_REASON = {
    "EXECUTED": "PUNISH",
    "TERMINATED": "PUNISH",  # the court ended enforcement of a penalty that was imposed
    "NOT_PUNISHED": "NO_PENALTY",
    "NOT_ESTABLISHED": "NOT_ESTABLISHED",
    "TRANSFERRED": "TRANSFERRED",
    "NOT_FILED": "NOT_FILED",
}


# ------------------------------------------------------------------ similar cases (类案同罚)


@dataclass(frozen=True)
class SimilarCase:
    case_id: int
    case_no: str
    fine: float
    decided_on: dt.date | None


@dataclass(frozen=True)
class SimilarCases:
    violation_type: str
    level: str
    count: int
    median: float | None
    recent: list[SimilarCase]


def similar_cases(violation_type: str, level: str, exclude_case: int) -> SimilarCases:
    """Fined cases of the same violation type and discretion level, newest first."""
    rows = db.session.execute(
        select(
            CaseLibraryEntry.case_id,
            Case.case_no,
            CaseLibraryEntry.fine,
            CaseLibraryEntry.decided_on,
        )
        .join(Case, Case.id == CaseLibraryEntry.case_id)
        .where(
            CaseLibraryEntry.violation_type == violation_type,
            CaseLibraryEntry.level == level,
            CaseLibraryEntry.fine.is_not(None),
            CaseLibraryEntry.case_id != exclude_case,
        )
        .order_by(CaseLibraryEntry.decided_on.desc(), CaseLibraryEntry.id.desc())
        .limit(MEDIAN_WINDOW)
    ).all()
    cases = [
        SimilarCase(case_id, case_no, fine, on)
        for case_id, case_no, fine, on in rows
        if fine is not None  # filtered above; this tells the type checker
    ]
    return SimilarCases(
        violation_type,
        level,
        len(cases),
        statistics.median(c.fine for c in cases) if cases else None,
        cases[:RECENT_SHOWN],
    )


# ------------------------------------------------------------------ cataloguing a closed case


def add_entry(case: Case, data: Mapping[str, Any], submitted: Mapping[str, Any]) -> None:
    """Catalogue the case (in the caller's transaction): level, fine and decision date, the
    search columns, the 情节, and the decision's text with the party masked."""
    fine = data.get("fine")
    decided_on = data.get("decided_on")
    party = party_identity(case, data)
    summary = submitted.get("library_summary")
    decision = latest_decision_text(case.id)
    # masked too, as it is shown publicly; a type never names a party, so the similar-case
    # lookups, which match it exactly, see the value typed
    violation_type = anonymize(str(submitted.get("violation_type") or "").strip(), party)
    db.session.add(
        CaseLibraryEntry(
            case_id=case.id,
            region_code=case.region_code,
            violation_type=violation_type[:100],
            level=data.get("level"),
            # the case data carries 0 when no fine was imposed: not a data point for medians
            fine=float(fine) if isinstance(fine, int | float) and fine > 0 else None,
            decided_on=dt.date.fromisoformat(decided_on) if isinstance(decided_on, str) else None,
            # the summary is free text the reviewer typed: it may name the party too
            summary=anonymize(summary, party) if isinstance(summary, str) else None,
            domain=case.enterprise.domain,
            party_type=case.enterprise.party_type,
            outcome=case_outcome(data),
            circumstances=circumstances_text(data),
            anonymized_decision=anonymize(decision, party) if decision else None,
        )
    )


def case_outcome(data: Mapping[str, Any]) -> str:
    """The library's outcome code: the head's decision, else how the case was closed, else
    what the discretion tables concluded (the summary procedure has no head decision)."""
    by_head = _BY_HEAD_DECISION.get(str(data.get("head_decision")))
    if by_head:
        return by_head
    by_closure = _BY_CLOSURE_REASON.get(str(data.get("closure_reason")))
    if by_closure:
        return by_closure
    if data.get("level") == "NO_PENALTY":
        return "NO_PENALTY"
    if data.get("outcome") == "PUNISH" and (data.get("sanctions") or data.get("fine")):
        return "PUNISH"
    return "OTHER"


_HARM_LABELS = dict(HARMS)
_EXEMPT_LIST_LABELS = dict(EXEMPT_LISTS)
_FLAGS = (  # the report's yes/no facts that are 情节 too (the labels of forms/review.py)
    ("first_offense_2y", N_("初次违法（两年内无同类违法）")),
    ("minor", N_("违法行为轻微")),
    ("corrected", N_("及时改正")),
)


def circumstances_text(data: Mapping[str, Any]) -> str | None:
    """The 情节 the discretion screens recorded, one line per kind, in Chinese; None when the
    case never reached them (no investigation report)."""
    if not any(
        name in data
        for name in ("harm", "mitigating_mandatory", "mitigating_optional", "aggravating")
    ):
        return None
    lines = []
    harm = data.get("harm")
    if harm:
        lines.append(f"危害后果：{_HARM_LABELS.get(str(harm), str(harm))}")
    mandatory = _labelled(data.get("mitigating_mandatory"), dict(MITIGATING_MANDATORY))
    if data.get("significant_mitigation"):
        mandatory.append("减轻情节显著")
    groups = (
        ("应当从轻或减轻的情节", mandatory),
        ("可以从轻的情节", _labelled(data.get("mitigating_optional"), dict(MITIGATING_OPTIONAL))),
        ("从重情节", _labelled(data.get("aggravating"), dict(AGGRAVATING))),
    )
    for title, items in groups:
        if items:
            lines.append(f"{title}：{'；'.join(items)}")
    if not any(items for _, items in groups):
        lines.append("无从轻、减轻或从重情节")
    flags = [label for name, label in _FLAGS if data.get(name) is True]
    if flags:
        lines.append(f"其他情节：{'；'.join(flags)}")
    listed = data.get("on_exempt_list")
    if listed and listed != "NONE":
        lines.append(f"免罚清单：{_EXEMPT_LIST_LABELS.get(str(listed), str(listed))}")
    return "\n".join(lines)


def _labelled(codes: Any, labels: Mapping[str, str]) -> list[str]:
    if not isinstance(codes, list | tuple):
        return []
    return [labels.get(str(code), str(code)) for code in codes]


def latest_decision_text(case_id: int) -> str | None:
    """The plain text of the case's latest issued 处罚 or 不予处罚 decision, if any."""
    html = db.session.execute(
        select(Document.html)
        .where(Document.case_id == case_id, Document.doc_type.in_(DECISION_DOCUMENTS))
        .order_by(Document.issued_at.desc(), Document.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    return html_to_text(html) if html else None


_WHITESPACE = re.compile(r"\s")


class _TextOfHtml(HTMLParser):
    """Collects the text a reader sees: the parser decodes entities and drops every tag, so
    nothing of the markup survives (the result is escaped again wherever it is shown)."""

    SKIPPED = frozenset({"head", "title", "style", "script", "template", "noscript"})
    BLOCKS = frozenset(
        {"p", "div", "br", "hr", "li", "tr", "table", "section", "article", "dl", "dt", "dd"}
        | {"ul", "ol", "header", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIPPED:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:  # a line break in the source is a space, as a browser shows it
            self.parts.append(_WHITESPACE.sub(" ", data))


def html_to_text(html: str) -> str:
    """The text of an HTML document, one line per block, runs of whitespace made one space."""
    parser = _TextOfHtml()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)


# ------------------------------------------------------------------ anonymizing


PEOPLE_FIELDS = ("case_officers", "inspectors")  # the case data's lists of names (顿号-separated)
_NAME_SEPARATORS = re.compile(r"[、，,;；/\s]+")
_UNIT_SUFFIX = re.compile(r"（[^（）]*）$")


def party_identity(case: Case, data: Mapping[str, Any]) -> PartyIdentity:
    """What the case knows of its party and people (see app/platform/anonymize.py)."""
    enterprise = case.enterprise
    names = {enterprise.name, str(data.get("enterprise_name") or "")}
    named: list[str] = []
    for field in PEOPLE_FIELDS:
        value = data.get(field)
        if isinstance(value, str):
            named.extend(_NAME_SEPARATORS.split(value))
    # and the investigators and inspectors as the case file names them
    named.extend(officer.display_name for officer in officers_of(case.id))
    people: list[str] = []
    for person in named:
        # an account's name may carry its unit (王执法（呼和浩特）); texts name the person
        people.extend((person, _UNIT_SUFFIX.sub("", person)))
    return PartyIdentity(
        names=tuple(sorted(n for n in names if n)),
        credit_code=enterprise.credit_code,
        address=enterprise.address or "",
        legal_representative=enterprise.legal_representative or "",
        natural_person=enterprise.party_type == PartyType.NATURAL.value,
        people=tuple(p for p in people if p),
    )


# ------------------------------------------------------------------ search


@dataclass(frozen=True)
class LibraryPage:
    entries: list[CaseLibraryEntry]
    next_before: int | None  # keyset: the id to continue below


@dataclass(frozen=True)
class SearchOptions:
    """What the search form offers the user: the 盟市 of their scope, the violation types."""

    regions: list[tuple[str, str]]
    violation_types: list[str]


FILTERS = ("q", "violation_type", "domain", "region", "party_type", "level", "outcome", "typical")


def search(user: User, args: Mapping[str, str]) -> LibraryPage:
    """Entries of the user's region scope, newest first, filtered as the form asks."""
    query = _filtered(select(CaseLibraryEntry), args)
    scope = scope_of(user)
    if scope is not None:
        query = query.where(CaseLibraryEntry.region_code.in_(scope))
    return _page(query, args)


def search_options(user: User) -> SearchOptions:
    tree = region_tree()
    scope = scope_of(user)
    regions = [(code, tree.names[code]) for code in tree.units if scope is None or code in scope]
    types = (
        select(CaseLibraryEntry.violation_type).distinct().order_by(CaseLibraryEntry.violation_type)
    )
    if scope is not None:
        types = types.where(CaseLibraryEntry.region_code.in_(scope))
    found = db.session.execute(types.limit(300)).scalars()
    return SearchOptions(regions, [t for t in found if t])


_UNIT_TEXTS = (CaseLibraryEntry.violation_type, CaseLibraryEntry.summary)
# the public search reads the text as published (masked), never the units' columns
_PUBLIC_TEXTS = (
    CaseLibraryEntry.public_violation_type,
    CaseLibraryEntry.public_summary,
    CaseLibraryEntry.public_decision,
)


def _filtered(
    query: Select[Any], args: Mapping[str, str], texts: tuple[Any, ...] = _UNIT_TEXTS
) -> Select[Any]:
    text = (args.get("q") or "").strip()[:100]
    if text:
        query = query.where(or_(*(column.contains(text, autoescape=True) for column in texts)))
    for name, column in (
        ("violation_type", CaseLibraryEntry.violation_type),
        ("domain", CaseLibraryEntry.domain),
        ("party_type", CaseLibraryEntry.party_type),
        ("level", CaseLibraryEntry.level),
        ("outcome", CaseLibraryEntry.outcome),
    ):
        value = (args.get(name) or "").strip()
        if value:  # an unknown code simply matches nothing
            query = query.where(column == value)
    region = (args.get("region") or "").strip()
    if region:
        query = query.where(CaseLibraryEntry.region_code.in_(region_tree().descendants(region)))
    if args.get("typical"):
        query = query.where(CaseLibraryEntry.typical.is_(True))
    return query


def _page(query: Select[Any], args: Mapping[str, str]) -> LibraryPage:
    before = window(args).before  # refuses a page key that is not a number (422)
    if before is not None:
        query = query.where(CaseLibraryEntry.id < min(before, 2**31))
    rows = list(
        db.session.execute(query.order_by(CaseLibraryEntry.id.desc()).limit(PAGE + 1)).scalars()
    )
    more = len(rows) > PAGE
    return LibraryPage(rows[:PAGE], rows[PAGE - 1].id if more else None)


def region_label(code: str) -> str:
    """盟市 and 旗县区 of an entry (呼和浩特市 玉泉区)."""
    tree = region_tree()
    unit = tree.unit_of(code)
    names = [tree.names.get(unit, unit)]
    if code != unit:
        names.append(tree.names.get(code, code))
    return " ".join(names)


# ------------------------------------------------------------------ one entry


@dataclass(frozen=True)
class EntryView:
    entry: CaseLibraryEntry
    case_no: str
    published_by: str | None
    may_mark: bool
    may_publish: bool


def entry_for_user(user: User, entry_id: int) -> EntryView:
    entry = _entry_in_scope(user, entry_id)
    case_no = db.session.execute(select(Case.case_no).where(Case.id == entry.case_id)).scalar_one()
    publisher = db.session.get(User, entry.published_by_id) if entry.published_by_id else None
    return EntryView(
        entry,
        case_no,
        publisher.display_name if publisher else None,
        may_mark=bool(user.role_names & MARKERS),
        may_publish=bool(user.role_names & PUBLISHERS),
    )


def _entry_in_scope(user: User, entry_id: int, for_update: bool = False) -> CaseLibraryEntry:
    entry = db.session.get(CaseLibraryEntry, entry_id, with_for_update=for_update)
    if entry is None:
        raise NotFound(N_("案例不存在。"))
    if not in_scope(user, entry.region_code):
        raise Forbidden(N_("无权查看其他地区的案例。"))
    return entry


def set_typical(user: User, entry_id: int, typical: bool) -> CaseLibraryEntry:
    """Mark (or unmark) the entry as a 典型案例: a unit head or agency head of its region."""
    if not user.role_names & MARKERS:
        raise Forbidden(N_("只有办案机构负责人或机关负责人可以标记典型案例。"))
    entry = _entry_in_scope(user, entry_id, for_update=True)  # no race with a publication
    if entry.typical == typical:
        return entry  # nothing changes: nothing to audit
    if not typical and entry.published_at is not None:
        raise Conflict(N_("该典型案例已公开发布，请先撤回发布再取消标记。"))
    entry.typical = typical
    record(
        "mark_typical" if typical else "unmark_typical",
        "case_library_entry",
        entry.id,
        actor=user,
        region_code=entry.region_code,
        case_id=entry.case_id,
    )
    db.session.commit()
    return entry


@dataclass(frozen=True)
class PublicText:
    """What the public page of an entry shows of its free text, masked: the publisher reads it
    on the preview and confirms exactly this text (its digest)."""

    violation_type: str
    summary: str | None
    decision: str | None

    @property
    def digest(self) -> str:
        return text_digest(self.violation_type, self.summary, self.decision)


def public_text(entry: CaseLibraryEntry) -> PublicText:
    """The entry's texts masked again with everything the case knows now, and with the masks
    for what no case knows (numbers, addresses, introduced names)."""
    case = db.session.get(Case, entry.case_id)
    party = party_identity(case, case_data(case)) if case is not None else None
    return PublicText(
        anonymize(entry.violation_type, party)[:100],  # an address mask may be longer
        anonymize(entry.summary, party) if entry.summary else None,
        anonymize(entry.anonymized_decision, party) if entry.anonymized_decision else None,
    )


def publication_preview(user: User, entry_id: int) -> tuple[EntryView, PublicText]:
    """The entry and the text its public page would show, for the publisher to confirm."""
    view = entry_for_user(user, entry_id)
    if not view.may_publish:
        raise Forbidden(N_("只有机关负责人可以发布典型案例。"))
    _check_publishable(view.entry)
    return view, public_text(view.entry)


def _check_publishable(entry: CaseLibraryEntry) -> None:
    if not entry.typical:
        raise Conflict(N_("只有标记为典型案例的条目才能公开发布。"))
    if not entry.anonymized_decision:
        raise Conflict(N_("该案例没有可公开的决定书文本，不能发布。"))


def set_published(
    user: User, entry_id: int, published: bool, confirmed_digest: str = ""
) -> CaseLibraryEntry:
    """Publish a typical case on the public pages (or withdraw it): an agency head of the
    entry's region, or an administrator. Publishing takes the digest of the masked text the
    publisher previewed: the text published is exactly that one, or nothing is published."""
    if not user.role_names & PUBLISHERS:
        raise Forbidden(N_("只有机关负责人可以发布典型案例。"))
    entry = _entry_in_scope(user, entry_id, for_update=True)
    if (entry.published_at is not None) == published:
        return entry
    shown = None
    if published:
        _check_publishable(entry)
        if not confirmed_digest:
            raise InvalidInput(N_("请先预览隐去个人信息后的公开文本，确认后再发布。"))
        shown = public_text(entry)
        if confirmed_digest != shown.digest:
            raise Conflict(N_("预览后公开文本已发生变化，请重新预览并确认。"))
    entry.published_at = utcnow() if published else None
    entry.published_by_id = user.id if published else None
    # the public page and the public search read these columns only
    entry.public_violation_type = shown.violation_type if shown else None
    entry.public_summary = shown.summary if shown else None
    entry.public_decision = shown.decision if shown else None
    entry.public_digest = shown.digest if shown else None
    record(
        "publish_case" if published else "unpublish_case",
        "case_library_entry",
        entry.id,
        actor=user,
        region_code=entry.region_code,
        case_id=entry.case_id,
        **({"digest": shown.digest} if shown else {}),
    )
    db.session.commit()
    return entry


# ------------------------------------------------------------------ the public pages


def _published() -> Select[Any]:
    return select(CaseLibraryEntry).where(
        CaseLibraryEntry.typical.is_(True), CaseLibraryEntry.published_at.is_not(None)
    )


def published_entries(args: Mapping[str, str]) -> LibraryPage:
    """Published typical cases, newest first (domain and text filters only)."""
    kept = {k: v for k, v in args.items() if k in ("q", "domain", "before")}
    return _page(_filtered(_published(), kept, _PUBLIC_TEXTS), kept)


def published_entry(entry_id: int) -> CaseLibraryEntry:
    entry: CaseLibraryEntry | None = db.session.execute(
        _published().where(CaseLibraryEntry.id == entry_id)
    ).scalar_one_or_none()
    if entry is None:  # unpublished or never typical: not there for the public
        raise NotFound(N_("案例不存在或尚未公开发布。"))
    return entry


def library_entry_of(case_id: int) -> int:
    """The id of a case's library entry (NotFound when it was never catalogued)."""
    found = db.session.execute(
        select(CaseLibraryEntry.id).where(CaseLibraryEntry.case_id == case_id)
    ).scalar_one_or_none()
    if found is None:
        raise NotFound(N_("案件尚未入执法案例库。"))
    return int(found)
