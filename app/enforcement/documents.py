"""Issuing official documents: HTML preview, PDF (WeasyPrint, Noto CJK), gap-free 文号,
immutable rows (a correction is a new version that references the old one)."""

from __future__ import annotations

import hashlib
from typing import Any

from flask import render_template
from sqlalchemy import select

from app.clock import china_today
from app.enforcement import document_content
from app.enforcement.cases import case_data, get_case_for_user
from app.enforcement.decision_records import DOCUMENT_DECISIONS, document_data, latest
from app.enforcement.pdf import FONT_FAMILY, render_pdf
from app.extensions import db
from app.models import Case, Document, User
from app.platform import Forbidden, InvalidInput, NotFound
from app.platform.audit import record
from app.platform.regions import ROOT_REGION, region_tree
from app.platform.sequences import next_number
from app.reference.documents import DOCUMENT_TYPES, ISSUABLE, ISSUER_SHORT, DocumentType
from forms import field_label


def issuer(case: Case) -> tuple[str, str]:
    """(the issuing body's name, its code): the 盟市-level unit of the case's region."""
    tree = region_tree()
    unit = tree.unit_of(case.region_code)
    if unit == ROOT_REGION:
        return "内蒙古自治区市场监督管理局", unit
    return f"{tree.names[unit]}市场监督管理局", unit


def missing_fields(kind: DocumentType, data: dict[str, Any]) -> list[str]:
    """What the case still lacks for the document, as the screens name it."""
    return [field_label(name) for name in kind.required if data.get(name) in (None, "", [])]


def _context(case: Case, kind: DocumentType, data: dict[str, Any], doc_no: str) -> dict[str, Any]:
    return document_content.context(case, kind, data, doc_no, issuer(case)[1])


def preview(case_id: int, code: str, user: User) -> str:
    case = get_case_for_user(case_id, user)
    kind = _kind(code)
    data = document_data(case, kind.code, kind.title, case_data(case))
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


def issue(case_id: int, code: str, user: User) -> Document:
    """Issue a document (and its companions) in one transaction."""
    case = get_case_for_user(case_id, user)
    if "officer" not in user.role_names:
        raise Forbidden("只有执法人员可以出具文书。")
    main = write_document(case, code, user)
    db.session.commit()
    return main


def write_document(
    case: Case, code: str, user: User, given: dict[str, Any] | None = None
) -> Document:
    """Number, render and store a document (and its companions) in the caller's transaction;
    who may issue is the caller's check (officers on the case page, a warning batch by role).
    `given`: what the step issuing it decided, over the case's data (a 责令改正 ordered from
    the case page is not yet in the stage's data)."""
    if code not in ISSUABLE:
        raise InvalidInput(f"{code} 随其他文书一并出具，不能单独出具。")
    kind = _kind(code)
    data = document_data(case, kind.code, kind.title, {**case_data(case), **(given or {})})
    missing = missing_fields(kind, data)
    if missing:
        raise InvalidInput(f"出具{kind.title}前须先填写：{'、'.join(missing)}")
    # The number first: its row lock queues every other issue of this type in this unit, so the
    # latest version read next cannot change before the commit (two corrections at once would
    # otherwise both become version 2).
    doc_no = _doc_no(case, kind)
    previous = db.session.execute(
        select(Document)
        .where(Document.case_id == case.id, Document.doc_type == code)
        .order_by(Document.version.desc())
        .limit(1)
    ).scalar_one_or_none()
    main = _make(case, kind, doc_no, data, user, previous)
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
    previous: Document | None,
    issued_with: Document | None = None,
) -> Document:
    context = _context(case, kind, data, doc_no)
    if issued_with is not None:  # a companion names the documents served with it
        context.update(document_content.served_with(issued_with))
    html = render_template(f"documents/{kind.code.lower()}.html", **context)
    pdf = render_pdf(html)
    document = Document(
        case_id=case.id,
        doc_type=kind.code,
        title=kind.title,
        doc_no=doc_no,
        version=(previous.version + 1) if previous else 1,
        supersedes_id=previous.id if previous else None,
        issued_with_id=issued_with.id if issued_with else None,
        html=html,
        pdf=pdf,
        content_hash=hashlib.sha256(pdf).hexdigest(),
        font=FONT_FAMILY,  # render_pdf refuses a PDF not set in it
        issued_by_id=user.id,
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


def issuable(case: Case) -> list[tuple[DocumentType, list[str]]]:
    """The document types an officer can issue for the case, each with what is still missing."""
    data = case_data(case)
    return [(DOCUMENT_TYPES[c], _still_missing(case, DOCUMENT_TYPES[c], data)) for c in ISSUABLE]


def _still_missing(case: Case, kind: DocumentType, data: dict[str, Any]) -> list[str]:
    """What the case lacks for the document; a decision document lacks the decision until one
    is recorded."""
    if kind.code in DOCUMENT_DECISIONS and latest(case, DOCUMENT_DECISIONS[kind.code]) is None:
        return [field_label("decided_on")]
    return missing_fields(kind, data)
