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
from app.extensions import db
from app.models import Case, CaseLibraryEntry, Document, User
from app.platform import Conflict, Forbidden, NotFound
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


@dataclass(frozen=True)
class PartyIdentity:
    """What identifies the party (and the people) of a case, to be masked."""

    names: tuple[str, ...]  # the party's name(s): as registered now and as the case opened
    credit_code: str = ""
    address: str = ""
    legal_representative: str = ""
    natural_person: bool = False  # the name is a person's name: masked as one (李某)
    people: tuple[str, ...] = ()  # everyone else the case data names (officers, inspectors)


PEOPLE_FIELDS = ("case_officers", "inspectors")  # the case data's lists of names (顿号-separated)
_NAME_SEPARATORS = re.compile(r"[、，,;；/\s]+")
_UNIT_SUFFIX = re.compile(r"（[^（）]*）$")
CODE_MASK = "＊＊＊＊"
ADDRESS_MASK = "＊＊＊＊"
# Organisational endings kept in a party's mask (某某有限公司), longest matched first.
_ENDINGS = sorted(
    (
        "股份有限公司",
        "有限责任公司",
        "有限公司",
        "分公司",
        "公司",
        "专业合作社",
        "合作社",
        "经销部",
        "经营部",
        "门市部",
        "服务部",
        "加工厂",
        "厂",
        "大药房",
        "药房",
        "药店",
        "超市",
        "商店",
        "商行",
        "饭店",
        "酒店",
        "宾馆",
        "店",
        "馆",
        "中心",
        "站",
        "所",
        "社",
    ),
    key=len,
    reverse=True,
)
# An administrative-division prefix of a name (内蒙古…, 呼和浩特市, 玉泉区, 土默特左旗).
_PLACE_PREFIX = re.compile(
    r"内蒙古(?:自治区)?|[\u4e00-\u9fff]{1,6}?(?:自治区|自治旗|市|盟|区|县|旗)"
)
_COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 令狐 端木 独孤 南宫".split()
)
CORE_MIN = 3  # a shorter name core (乳业) is too common a word to mask everywhere


def party_identity(case: Case, data: Mapping[str, Any]) -> PartyIdentity:
    enterprise = case.enterprise
    names = {enterprise.name, str(data.get("enterprise_name") or "")}
    people: list[str] = []
    for name in PEOPLE_FIELDS:
        value = data.get(name)
        if isinstance(value, str):
            for person in _NAME_SEPARATORS.split(value):
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


def anonymize(text: str, party: PartyIdentity) -> str:
    """`text` with the party's name, credit code, address, legal representative and the other
    people's names masked (某某有限公司, ＊＊＊＊, 李某). One pass over the text, longest
    identifier first, so that a mask is never masked again and a name inside a longer one
    (a person's name in the shop's name) does not split it."""
    masks = _masks(party)
    if not masks:
        return text
    pattern = re.compile(
        "|".join(re.escape(found) for found in sorted(masks, key=len, reverse=True)),
        re.IGNORECASE,  # credit codes typed in lower case
    )
    folded = {found.casefold(): mask for found, mask in masks.items()}
    return pattern.sub(lambda match: folded[match.group(0).casefold()], text)


def _masks(party: PartyIdentity) -> dict[str, str]:
    masks: dict[str, str] = {}
    for name in party.names:
        name = name.strip()
        if not name:
            continue
        if party.natural_person:
            masks[name] = person_mask(name)
            continue
        masks[name] = party_mask(name)
        core = name_core(name)
        if core and core not in masks:
            masks[core] = "某某"
    for person in (party.legal_representative, *party.people):
        person = person.strip()
        if len(person) >= 2:  # one character is not a name worth masking everywhere
            masks.setdefault(person, person_mask(person))
    if party.credit_code.strip():
        masks[party.credit_code.strip()] = CODE_MASK
    if party.address.strip():
        masks[party.address.strip()] = ADDRESS_MASK
    return masks


def party_mask(name: str) -> str:
    """某某 with the name's organisational ending: 某某有限公司, 某某店."""
    ending = next((e for e in _ENDINGS if name.endswith(e) and len(name) > len(e)), "")
    return f"某某{ending}"


def person_mask(name: str) -> str:
    """The surname and 某 (李某, 欧阳某); a name in Latin letters or with a middle dot (巴特尔·
    孟和) keeps only its first character."""
    if name[:2] in _COMPOUND_SURNAMES and len(name) > 2:
        return f"{name[:2]}某"
    first = name[0]
    return f"{first}某" if "\u4e00" <= first <= "\u9fff" else "某"


def name_core(name: str) -> str:
    """The distinctive middle of a party's name, as a text may use it alone: without the
    organisational ending and the place prefixes (呼和浩特市青城乳业有限公司 → 青城乳业)."""
    core = name
    ending = next((e for e in _ENDINGS if core.endswith(e) and len(core) > len(e)), "")
    core = core[: len(core) - len(ending)]
    while True:
        prefix = _PLACE_PREFIX.match(core)
        if not prefix or len(core) - prefix.end() < 2:
            break
        core = core[prefix.end() :]
    return core if len(core) >= CORE_MIN and core != name else ""


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


def _filtered(query: Select[Any], args: Mapping[str, str]) -> Select[Any]:
    text = (args.get("q") or "").strip()[:100]
    if text:
        query = query.where(
            or_(
                CaseLibraryEntry.violation_type.contains(text, autoescape=True),
                CaseLibraryEntry.summary.contains(text, autoescape=True),
            )
        )
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


def set_published(user: User, entry_id: int, published: bool) -> CaseLibraryEntry:
    """Publish a typical case on the public pages (or withdraw it): an agency head of the
    entry's region, or an administrator."""
    if not user.role_names & PUBLISHERS:
        raise Forbidden(N_("只有机关负责人可以发布典型案例。"))
    entry = _entry_in_scope(user, entry_id, for_update=True)
    if (entry.published_at is not None) == published:
        return entry
    if published:
        if not entry.typical:
            raise Conflict(N_("只有标记为典型案例的条目才能公开发布。"))
        if not entry.anonymized_decision:
            raise Conflict(N_("该案例没有可公开的决定书文本，不能发布。"))
    entry.published_at = utcnow() if published else None
    entry.published_by_id = user.id if published else None
    record(
        "publish_case" if published else "unpublish_case",
        "case_library_entry",
        entry.id,
        actor=user,
        region_code=entry.region_code,
        case_id=entry.case_id,
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
    return _page(_filtered(_published(), kept), kept)


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
