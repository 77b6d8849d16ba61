"""Issued official documents (文书). A row's content is never changed: a correction (更正) is a new
version that names the one it corrects; the corrected or revoked (撤销) row only records what
happened to it, why, by whom and when, and stays in the case file."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class Document(Base):
    __tablename__ = "document"
    __table_args__ = (UniqueConstraint("doc_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_case.id"), index=True)
    doc_type: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(100))
    doc_no: Mapped[str] = mapped_column(String(60))  # 文号, e.g. 呼市监处罚〔2026〕12号
    version: Mapped[int] = mapped_column(default=1)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))  # it corrects
    issued_with_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))  # 两书同达
    html: Mapped[str] = mapped_column(Text)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    content_hash: Mapped[str] = mapped_column(String(64))  # SHA-256 of the PDF
    # the font family the PDF is set in, checked at issue; none on documents issued before
    font: Mapped[str | None] = mapped_column(String(60))
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    # LIVE | CORRECTED (a later version replaces it) | REVOKED (撤销, nothing replaces it)
    status: Mapped[str] = mapped_column(String(10), default="LIVE")
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
    change_reason: Mapped[str | None] = mapped_column(Text)  # why it was corrected or revoked
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    changed_at: Mapped[datetime | None]


class Attachment(Base):
    """Evidence uploaded to a case file; the bytes live under UPLOAD_FOLDER, never in static/."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_case.id"), index=True)
    filename: Mapped[str] = mapped_column(String(120))  # as shown, made safe
    content_type: Mapped[str] = mapped_column(String(60))  # sniffed from the bytes
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)  # random, on disk
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class DecisionRecord(Base):
    """A decision as it was taken on the server, within what the head approved: the only source
    of the decision documents' content (never the case's changing data). Never changed; a case
    decided again gets a new row and its documents follow the newest."""

    __tablename__ = "decision_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_case.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # PENALTY | NO_PENALTY | SUMMARY | CHANGED
    decided_on: Mapped[date]
    # what the decision documents print: sanctions, fine, facts, legal basis, reasons…
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    # the head's approval it rests on (None: an exemption or an on-the-spot decision)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    task_id: Mapped[int] = mapped_column(ForeignKey("human_task.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
