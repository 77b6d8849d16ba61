"""Issuing official documents: HTML preview, PDF (WeasyPrint, Noto CJK), gap-free 文号,
immutable content (a correction is a new version under the same 文号 that references the old
one; the old one is marked corrected or revoked and stays in the file). Rules of 文号 control:
app/enforcement/document_control.py."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from flask import render_template
from sqlalchemy import select

from app.clock import china_today, utcnow
from app.enforcement import document_content
from app.enforcement.cases import case_data, get_case_for_user
from app.enforcement.decision_records import DOCUMENT_DECISIONS, document_data, latest
from app.enforcement.document_control import correction_number, fact_label, fits
from app.enforcement.pdf import FONT_FAMILY, render_pdf
from app.enforcement.signing import sign_pdf
from app.extensions import db
from app.models import Case, Document, User
from app.platform import Conflict, Forbidden, InvalidInput, NotFound
from app.platform.audit import record
from app.platform.regions import ROOT_REGION, region_tree
from app.platform.sequences import next_number
from app.reference.documents import DOCUMENT_TYPES, ISSUABLE, ISSUER_SHORT, DocumentType
from forms.base import N_


def issuer(case: Case) -> tuple[str, str]:
    """(the issuing body's name, its code): the 盟市-level unit of the case's region."""
    tree = region_tree()
    unit = tree.unit_of(case.region_code)
    if unit == ROOT_REGION:
        return "内蒙古自治区市场监督管理局", unit
    return f"{tree.names[unit]}市场监督管理局", unit


def missing_fields(kind: DocumentType, data: dict[str, Any]) -> list[str]:
    """What the case still lacks for the document, as the screens name it."""
    return [fact_label(name) for name in kind.required if data.get(name) in (None, "", [])]


def _context(case: Case, kind: DocumentType, data: dict[str, Any], doc_no: str) -> dict[str, Any]:
    return document_content.context(case, kind, data, doc_no, issuer(case)[1])


def preview(case_id: int, code: str, user: User) -> str:
    case = get_case_for_user(case_id, user)
    kind = _kind(code)
    known = case_data(case)
    _ensure_fits(case, kind, known)
    data = document_data(case, kind.code, kind.title, known)
    return render_template(
        f"documents/{kind.code.lower()}.html", **_context(case, kind, data, "（预览，未编号）")
    )


def _kind(code: str) -> DocumentType:
    if code not in DOCUMENT_TYPES:
        raise NotFound(f"没有文书类型 {code}")
    return DOCUMENT_TYPES[code]


def _doc_no(case: Case, kind: DocumentType) -> str:
    _, unit = issuer(case)
    year = china_today().year  # the Chinese year: 1 January begins at 16:00 UTC
    number = next_number(f"doc:{unit}:{kind.short}:{year}")  # gap-free under the row lock
    return f"{ISSUER_SHORT[unit]}市监{kind.short}〔{year}〕{number}号"


CHANGES = {"CORRECT": N_("更正"), "REVOKE": N_("撤销")}
REASON_MAX = 500


@dataclass(frozen=True)
class Change:
    """What an officer asks of a document already issued: correct (更正) or revoke (撤销) it,
    why, and whether the confirmation screen was seen and confirmed."""

    action: str
    reason: str
    confirmed: bool = False


@dataclass(frozen=True)
class ChangePlan:
    """What a change will do, for the confirmation screen (and the API's refusal without it)."""

    action: str
    reason: str
    documents: list[tuple[Document, str | None]]  # each document changed → its new 文号, if any

    def describe(self) -> list[dict[str, Any]]:
        return [
            {"id": d.id, "title": d.title, "doc_no": d.doc_no, "new_doc_no": new}
            for d, new in self.documents
        ]


def issue(case_id: int, code: str, user: User, change: Change | None = None) -> Document:
    """Issue a document (and its companions) in one transaction; a type already issued for the
    case is only corrected or revoked, with a reason and a confirmation (`change`)."""
    case = get_case_for_user(case_id, user)
    if "officer" not in user.role_names:
        raise Forbidden(N_("只有执法人员可以出具文书。"))
    main = write_document(case, code, user) if change is None else _apply(case, code, user, change)
    db.session.commit()
    return main


def plan_change(case_id: int, code: str, user: User, change: Change) -> ChangePlan:
    """Check a correction or revocation as the issue will, and say what it will do."""
    case = get_case_for_user(case_id, user)
    if "officer" not in user.role_names:
        raise Forbidden(N_("只有执法人员可以更正或撤销文书。"))
    return _plan(case, _kind(code), change, lock=False)


def _plan(case: Case, kind: DocumentType, change: Change, lock: bool) -> ChangePlan:
    if kind.code not in ISSUABLE:
        raise InvalidInput(
            N_("%(title)s随其他文书一并出具，也随其一并更正或撤销。") % {"title": kind.title}
        )
    if change.action not in CHANGES:
        raise InvalidInput(N_("请选择更正或撤销。"))
    reason = change.reason.strip()
    if not reason:
        raise InvalidInput(N_("更正或撤销文书须写明理由。"))
    if len(reason) > REASON_MAX:
        raise InvalidInput(N_("理由不得超过 500 字。"))
    live = live_document(case, kind.code, lock=lock)
    if live is None:
        raise InvalidInput(N_("本案没有在用的%(title)s，无从更正或撤销。") % {"title": kind.title})
    changed = [live, *_companions_of(live, lock)]
    correct = change.action == "CORRECT"
    return ChangePlan(
        change.action, reason, [(d, correction_number(d) if correct else None) for d in changed]
    )


def live_document(case: Case, code: str, lock: bool = False) -> Document | None:
    """The document of the type in force for the case (neither corrected nor revoked); `lock`:
    row-locked until the commit, so two changes of one document queue."""
    query = select(Document).where(
        Document.case_id == case.id, Document.doc_type == code, Document.status == "LIVE"
    )
    if lock:
        query = query.with_for_update()
    return db.session.execute(query.order_by(Document.id.desc()).limit(1)).scalar_one_or_none()


def _companions_of(document: Document, lock: bool) -> list[Document]:
    query = select(Document).where(
        Document.issued_with_id == document.id, Document.status == "LIVE"
    )
    if lock:
        query = query.with_for_update()
    return list(db.session.execute(query.order_by(Document.id)).scalars())


def _apply(case: Case, code: str, user: User, change: Change) -> Document:
    """Correct or revoke the document in force, with its companions: the old versions stay in
    the case file, marked and linked; a correction keeps their 文号 with 更正 (no new number)."""
    kind = _kind(code)
    plan = _plan(case, kind, change, lock=True)
    if not change.confirmed:
        raise Conflict(N_("更正或撤销文书须先确认。"))
    now = utcnow()
    (live, _), *companions = plan.documents
    if plan.action == "REVOKE":
        for document, _ in plan.documents:
            _retire(document, "REVOKED", None, plan.reason, user, now)
        record(
            "revoke_document",
            "case",
            case.id,
            actor=user,
            region_code=case.region_code,
            doc_type=code,
            doc_no=live.doc_no,
            reason=plan.reason,
            with_it=[d.doc_no for d, _ in companions],
        )
        return live
    data = document_data(case, kind.code, kind.title, case_data(case))
    _ensure_complete(kind, data)
    corrected = _make(case, kind, correction_number(live), data, user, live)
    for document, new_no in companions:
        assert new_no is not None  # noqa: S101 - a correction numbers every document it changes
        companion = _make(
            case,
            DOCUMENT_TYPES[document.doc_type],
            new_no,
            data,
            user,
            document,
            issued_with=corrected,
        )
        _retire(document, "CORRECTED", companion, plan.reason, user, now)
    _retire(live, "CORRECTED", corrected, plan.reason, user, now)
    record(
        "correct_document",
        "case",
        case.id,
        actor=user,
        region_code=case.region_code,
        doc_type=code,
        doc_no=corrected.doc_no,
        corrects=live.doc_no,
        version=corrected.version,
        reason=plan.reason,
    )
    return corrected


def _retire(
    document: Document,
    status: str,
    by: Document | None,
    reason: str,
    user: User,
    now: Any,
) -> None:
    document.status = status
    document.superseded_by_id = by.id if by else None
    document.change_reason, document.changed_by_id, document.changed_at = reason, user.id, now


def _ensure_fits(case: Case, kind: DocumentType, data: dict[str, Any]) -> None:
    if not fits(kind, case, data):
        raise InvalidInput(N_("本案当前的阶段和程序不出具%(title)s。") % {"title": kind.title})


def _ensure_complete(kind: DocumentType, data: dict[str, Any]) -> None:
    missing = missing_fields(kind, data)
    if missing:
        raise InvalidInput(
            N_("出具%(title)s前须先填写：%(missing)s")
            % {"title": kind.title, "missing": "、".join(missing)}
        )


def write_document(
    case: Case, code: str, user: User, given: dict[str, Any] | None = None
) -> Document:
    """Number, render and store a document (and its companions) in the caller's transaction;
    who may issue is the caller's check (officers on the case page, a warning batch by role).
    `given`: what the step issuing it decided, over the case's data (a 责令改正 ordered from
    the case page is not yet in the stage's data). A type already in force for the case is
    refused (409): it is corrected or revoked instead."""
    if code not in ISSUABLE:
        raise InvalidInput(N_("%(code)s 随其他文书一并出具，不能单独出具。") % {"code": code})
    kind = _kind(code)
    known = {**case_data(case), **(given or {})}
    _ensure_fits(case, kind, known)
    data = document_data(case, kind.code, kind.title, known)
    _ensure_complete(kind, data)
    # The number first: its row lock queues every other issue of this type in this unit, so the
    # document in force read next cannot change before the commit (two issues at once would
    # otherwise both pass the check). A refusal rolls back and gives the number back.
    doc_no = _doc_no(case, kind)
    live = live_document(case, code)
    if live is not None:
        raise Conflict(
            N_(
                "本案已出具%(title)s（%(doc_no)s）。同一文书不再重新编号出具："
                "如有错误，请更正（写明理由并确认）或先撤销原文书。"
            )
            % {"title": kind.title, "doc_no": live.doc_no}
        )
    main = _make(case, kind, doc_no, data, user, None)
    for companion in kind.companions:
        companion_kind = DOCUMENT_TYPES[companion]
        _make(
            case,
            companion_kind,
            _doc_no(case, companion_kind),
            data,
            user,
            None,
            issued_with=main,
        )
    record(
        "issue_document",
        "case",
        case.id,
        actor=user,
        region_code=case.region_code,
        doc_type=code,
        doc_no=main.doc_no,
        version=main.version,
    )
    return main


def _make(
    case: Case,
    kind: DocumentType,
    doc_no: str,
    data: dict[str, Any],
    user: User,
    corrects: Document | None,
    issued_with: Document | None = None,
) -> Document:
    context = _context(case, kind, data, doc_no)
    if issued_with is not None:  # a companion names the documents served with it
        context.update(document_content.served_with(issued_with))
    html = render_template(f"documents/{kind.code.lower()}.html", **context)
    pdf = sign_pdf(render_pdf(html), *issuer(case))  # the hash covers the signed file
    document = Document(
        case_id=case.id,
        doc_type=kind.code,
        title=kind.title,
        doc_no=doc_no,
        version=(corrects.version + 1) if corrects else 1,
        supersedes_id=corrects.id if corrects else None,
        issued_with_id=issued_with.id if issued_with else None,
        html=html,
        pdf=pdf,
        content_hash=hashlib.sha256(pdf).hexdigest(),
        font=FONT_FAMILY,  # render_pdf refuses a PDF not set in it
        issued_by_id=user.id,
        status="LIVE",
    )
    db.session.add(document)
    db.session.flush()
    return document


def documents_of(case: Case) -> list[Document]:
    return list(
        db.session.execute(
            select(Document).where(Document.case_id == case.id).order_by(Document.id)
        ).scalars()
    )


def get_document_for_user(document_id: int, user: User) -> Document:
    document = db.session.get(Document, document_id)
    if document is None:
        raise NotFound("文书不存在。")
    get_case_for_user(document.case_id, user)  # region check
    return document


@dataclass(frozen=True)
class Offer:
    """A document the case's stage and path call for: what it still lacks, or the version in
    force (then it is corrected or revoked, not issued again)."""

    kind: DocumentType
    missing: list[str]
    live: Document | None


def issuable(case: Case) -> list[Offer]:
    """The document types that fit the case's stage and path, each with what is still missing
    (in the screens' words) and the version in force, if one was issued."""
    data = case_data(case)
    offers = []
    for code in ISSUABLE:
        kind = DOCUMENT_TYPES[code]
        if fits(kind, case, data):
            offers.append(Offer(kind, _still_missing(case, kind, data), live_document(case, code)))
    return offers


def _still_missing(case: Case, kind: DocumentType, data: dict[str, Any]) -> list[str]:
    """What the case lacks for the document; a decision document lacks the decision until one
    is recorded."""
    if kind.code in DOCUMENT_DECISIONS and latest(case, DOCUMENT_DECISIONS[kind.code]) is None:
        return [fact_label("decided_on")]
    return missing_fields(kind, data)
