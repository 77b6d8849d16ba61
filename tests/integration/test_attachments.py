"""Evidence attachments: sniffed types, limits, safe names, storage outside static/, denials."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from app.extensions import db
from app.models import Attachment
from app.platform.auth import create_user
from tests.conftest import login
from tests.integration.cases import warning_case

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + "证据".encode() * 10


@pytest.fixture
def uploads(app: Flask, tmp_path: Path) -> Path:
    app.config.update(UPLOAD_FOLDER=str(tmp_path), ATTACHMENT_MAX_BYTES=4096)
    return tmp_path


def _zip_bomb() -> bytes:
    """One megabyte of zeros deflated to about a kilobyte."""
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.pdf", b"\0" * 1_000_000)
    return packed.getvalue()


ZIP_BOMB = _zip_bomb()


def upload(
    client: FlaskClient, case_id: int, token: str, name: str, content: bytes
) -> TestResponse:
    return client.post(
        f"/cases/{case_id}/attachments",
        data={"csrf_token": token, "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def stored(app: Flask) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(Attachment)).scalar_one()


def test_upload_list_and_download(app: Flask, client: FlaskClient, uploads: Path) -> None:
    with app.app_context():
        case_id = warning_case()
    token = login(client, "officer")
    response = upload(client, case_id, token, "../../etc/现场照片<1>.png", PNG)
    assert response.status_code == 303 and response.location.endswith("#attachments")
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    link = re.search(r'<a href="(/cases/attachments/\d+)">([^<]*)</a>', page)
    assert link and link.group(2) == "现场照片_1_.png"  # no directories, no markup
    with client.get(link.group(1)) as download:  # a streamed file: close it
        assert download.data == PNG and download.mimetype == "image/png"
        assert download.headers["Content-Disposition"].startswith("attachment")
    files = [p for p in uploads.rglob("*") if p.is_file()]
    assert len(files) == 1 and files[0].read_bytes() == PNG
    assert ".png" not in files[0].name and "static" not in str(files[0])

    assert upload(client, case_id, token, "处罚依据.pdf", PDF).status_code == 303
    assert stored(app) == 2


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("photo.png", b"MZ\x90\x00 renamed executable", "仅支持 PDF、PNG、JPEG"),
        ("empty.pdf", b"", "文件为空"),
        ("", b"", "请选择文件"),  # nothing chosen
        ("big.pdf", b"%PDF-" + b"0" * 5000, "超过大小限制"),
        ("bomb.zip", ZIP_BOMB, "仅支持 PDF、PNG、JPEG"),  # archives are never opened, only refused
        ("bomb.pdf", ZIP_BOMB, "仅支持 PDF、PNG、JPEG"),  # whatever the name says
    ],
)
def test_bad_files_are_refused_and_nothing_is_kept(
    app: Flask, client: FlaskClient, uploads: Path, name: str, content: bytes, message: str
) -> None:
    with app.app_context():
        case_id = warning_case()
    token = login(client, "officer")
    response = upload(client, case_id, token, name, content)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert stored(app) == 0 and not [p for p in uploads.rglob("*") if p.is_file()]


def test_attachments_are_denied_outside_the_region_and_role(
    app: Flask, client: FlaskClient, uploads: Path
) -> None:
    with app.app_context():
        case_id = warning_case()
        create_user("baotou", "long enough pw", "包头执法", "150200", ["officer"])
    token = login(client, "officer")
    assert upload(client, case_id, token, "a.png", PNG).status_code == 303
    with app.app_context():
        attachment_id = db.session.execute(select(Attachment.id)).scalar_one()

    other = app.test_client()
    other_token = login(other, "baotou", "long enough pw")
    assert upload(other, case_id, other_token, "b.png", PNG).status_code == 403
    assert other.get(f"/cases/attachments/{attachment_id}").status_code == 403
    reviewer = app.test_client()
    reviewer_token = login(reviewer, "reviewer")
    assert upload(reviewer, case_id, reviewer_token, "c.png", PNG).status_code == 403  # officers
    with reviewer.get(f"/cases/attachments/{attachment_id}") as allowed:
        assert allowed.status_code == 200
    assert stored(app) == 1
