"""The elements an issued document must state, read from the PDF's own text (not from the case's
data): what 案卷评查 checks (第五十九条要素齐全 for a 决定书) and one place to list, per type, the
phrases and values a reviewer looks for. A PDF whose Chinese printed as empty boxes (no font
drew it) states nothing, whatever its text layer says.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from app.clock import CHINA_TZ
from app.enforcement.cases import case_data
from app.enforcement.decision_records import document_data
from app.enforcement.document_content import provisions
from app.enforcement.documents import issuer
from app.enforcement.pdf import chinese_glyphs
from app.extensions import db
from app.i18n import cn_day, cn_money
from app.models import Case, Document
from app.platform.parameters import issuer_settings
from forms.base import N_


@dataclass(frozen=True)
class Written:
    """What the checks read: the document as issued and the facts it was written from."""

    document: Document
    case: Case
    data: Mapping[str, Any]


@dataclass(frozen=True)
class Element:
    name: str  # as the reviewer reads it
    text: Callable[[Written], str | None]  # what the PDF must say; None: not for this case


def _fixed(name: str, phrase: str) -> Element:
    return Element(name, lambda w: phrase)


def _value(name: str, field: str, shown: Callable[[Any], str] = str) -> Element:
    return Element(name, lambda w: shown(w.data[field]) if w.data.get(field) else None)


def _fine(w: Written) -> str | None:
    fined = "FINE" in (w.data.get("sanctions") or []) and w.data.get("fine")
    return cn_money(w.data["fine"]) if fined else None


def _issuer(w: Written, field: str) -> str:
    """An issuer setting (复议机关, court) as in force on the day the document was issued."""
    at = (
        w.document.issued_at
        if w.document.issued_at.tzinfo
        else w.document.issued_at.replace(tzinfo=UTC)
    )
    return issuer_settings(issuer(w.case)[1], at.astimezone(CHINA_TZ).date())[field]


COMMON = (
    Element(N_("文书名称"), lambda w: w.document.title),
    Element(N_("文号"), lambda w: w.document.doc_no),
    Element(N_("作出决定的行政机关名称"), lambda w: _issuer(w, "name")),
    Element(N_("当事人名称"), lambda w: w.case.enterprise.name),
    Element(N_("统一社会信用代码"), lambda w: w.case.enterprise.credit_code or None),
)
FACTS = _value(N_("违法事实"), "facts")
VIOLATED = Element(N_("违反的规定"), lambda w: provisions(w.case, w.data)[1])
BASIS = Element(N_("处罚依据"), lambda w: provisions(w.case, w.data)[2])
REMEDIES = (
    Element(N_("申请行政复议的途径"), lambda w: f"向{_issuer(w, 'reconsideration')}申请行政复议"),
    _fixed(N_("申请行政复议的期限"), "六十日内"),
    Element(N_("提起行政诉讼的途径"), lambda w: f"向{_issuer(w, 'court')}提起行政诉讼"),
    _fixed(N_("提起行政诉讼的期限"), "六个月内"),
)
DECIDED_ON = _value(N_("作出决定的日期"), "decided_on", cn_day)

# document type → the elements its text must contain besides COMMON (《行政处罚法》第五十九条 for
# the 决定书, 第四十四条 for the 告知书, 第二十八条 for the 责令改正通知书)
ELEMENTS: dict[str, tuple[Element, ...]] = {
    "PENALTY_DECISION": (
        FACTS,
        VIOLATED,
        BASIS,
        Element(N_("罚款数额"), _fine),
        _fixed(N_("履行方式和期限"), "十五日"),
        Element(N_("罚款缴纳账号"), lambda w: _issuer(w, "account_no") if _fine(w) else None),
        *REMEDIES,
        DECIDED_ON,
    ),
    "NO_PENALTY_DECISION": (
        FACTS,
        VIOLATED,
        _fixed(N_("不予行政处罚的决定"), "不予行政处罚"),
        *REMEDIES,
        DECIDED_ON,
    ),
    "CHANGED_DECISION": (Element(N_("变更后的罚款数额"), _fine), DECIDED_ON),
    "PENALTY_NOTICE": (
        FACTS,
        VIOLATED,
        BASIS,
        _fixed(N_("陈述、申辩的权利"), "陈述和申辩"),
    ),
    "RECTIFY_ORDER": (_value(N_("改正内容"), "requirements"),),
}


def _flat(text: str) -> str:
    """Text without white space: a PDF breaks Chinese lines anywhere."""
    return re.sub(r"\s+", "", text)


def pdf_text(pdf: bytes) -> str:
    from pypdf import PdfReader

    return _flat("".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages))


def missing_elements(document: Document) -> list[str]:
    """The required elements the issued PDF does not state, by name; every one when its Chinese
    is not drawn (empty boxes)."""
    case = db.session.get(Case, document.case_id)
    assert case is not None  # noqa: S101 - a document belongs to a case
    written = Written(
        document, case, document_data(case, document.doc_type, document.title, case_data(case))
    )
    elements = (*COMMON, *ELEMENTS.get(document.doc_type, ()))
    if not chinese_glyphs(document.pdf).readable:
        return [N_("中文字形（文书中文未能显示，呈方框）")] + [e.name for e in elements]
    text = pdf_text(document.pdf)
    return [
        e.name
        for e in elements
        if (wanted := e.text(written)) is not None and _flat(wanted) not in text
    ]
