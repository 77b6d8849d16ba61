"""Evidence attachments: sniffed types, size limits, safe names, stored outside the web root."""

from __future__ import annotations

import hashlib
import re
import secrets
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from sqlalchemy import select

from app.enforcement.cases import get_case_for_user
from app.extensions import db
from app.models import Attachment, Case, User
from app.platform import InvalidInput, NotFound
from app.platform.audit import record
from forms.base import N_

# What evidence may be: recognised by the file's first bytes, never by the name or the
# browser's claim (a renamed executable stays refused).
SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')


def safe_name(name: str) -> str:
    """The name to show and to offer on download: no directories, no control or reserved
    characters, at most 100 characters; Chinese names are kept."""
    base = re.split(r"[/\\]", name)[-1]
    cleaned = _UNSAFE.sub("_", base).strip(" .")
    return cleaned[-100:] or "附件"


def sniff(head: bytes) -> str | None:
    return next((kind for magic, kind in SIGNATURES.items() if head.startswith(magic)), None)


def add_attachment(case_id: int, filename: str, stream: BinaryIO, user: User) -> Attachment:
    case = get_case_for_user(case_id, user)
    limit = int(current_app.config["ATTACHMENT_MAX_BYTES"])
    content = stream.read(limit + 1)
    if not content:
        raise InvalidInput(N_("文件为空。"))
    if len(content) > limit:
        raise InvalidInput(N_("文件超过大小限制。"))
    kind = sniff(content[:16])
    if kind is None:
        raise InvalidInput(N_("仅支持 PDF、PNG、JPEG 格式的证据文件。"))
    stored_name = secrets.token_hex(16)
    path = _path(case, stored_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    attachment = Attachment(
        case_id=case.id,
        filename=safe_name(filename),
        content_type=kind,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        stored_name=stored_name,
        uploaded_by_id=user.id,
    )
    db.session.add(attachment)
    record(
        "add_attachment",
        "case",
        case.id,
        actor=user,
        region_code=case.region_code,
        filename=attachment.filename,
        sha256=attachment.sha256,
    )
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        path.unlink(missing_ok=True)  # no file without its row
        raise
    return attachment


def attachments_of(case: Case) -> list[Attachment]:
    return list(
        db.session.execute(
            select(Attachment).where(Attachment.case_id == case.id).order_by(Attachment.id)
        ).scalars()
    )


def open_attachment(attachment_id: int, user: User) -> tuple[Attachment, Path]:
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None:
        raise NotFound(N_("附件不存在。"))
    case = get_case_for_user(attachment.case_id, user)
    return attachment, _path(case, attachment.stored_name)


def _path(case: Case, stored_name: str) -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"]) / "attachments" / str(case.id) / stored_name
