"""The README's first command on a fresh machine: the demo is seeded by a separate process whose
fontconfig knows only the DejaVu fonts (as a machine without fonts-noto-cjk; with no font at all
Pango aborts), at a Monday evening in China — an hour at which the gallery once failed. Every
story must reach its stage, and every issued document must draw its Chinese with the project's
own font (pdffonts, pdftotext); `verify` must name a document issued without it."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from app import create_app
from app.clock import CHINA_TZ
from app.demo.gallery import GALLERY
from app.enforcement.consistency import verify
from app.enforcement.documents import Change, issue
from app.enforcement.pdf import chinese_glyphs
from app.extensions import db
from app.models import Case, Document, HumanTask, User
from tests.conftest import base_config

# `seeded` is built once for the module: under pytest-xdist its tests stay on one worker
# (scripts/test's --dist loadgroup), which builds it once.
pytestmark = pytest.mark.xdist_group("first_run")
MONDAY_EVENING = dt.datetime(2026, 12, 7, 20, 30, tzinfo=CHINA_TZ)
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")

SEED = """
import sys
import datetime as dt
from sqlalchemy import select
from app import create_app
from app.clock import travel_to
from app.database import upgrade
from app.extensions import db
from app.models import Document
from app.demo.seed import seed_demo
from tests.conftest import base_config

url, moment, legacy = sys.argv[1], dt.datetime.fromisoformat(sys.argv[2]), sys.argv[3]
app = create_app(base_config(url))
with app.app_context():
    upgrade()
    with travel_to(moment):
        seed_demo()
    # a document as it was issued before the project shipped its font: the same HTML rendered
    # with whatever fontconfig finds (here DejaVu only, no Chinese glyphs)
    from weasyprint import HTML
    html = db.session.execute(
        select(Document.html).where(Document.doc_type == "PENALTY_DECISION").limit(1)
    ).scalar_one()
    with open(legacy, "wb") as out:
        out.write(HTML(string=html).write_pdf())
"""


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, bytes]]:
    assert DEJAVU.is_dir(), "fontconfig-config depends on the DejaVu fonts"
    folder = tmp_path_factory.mktemp("first-run")
    config = folder / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        f"<dir>{DEJAVU}</dir><cachedir>{folder / 'fc-cache'}</cachedir></fontconfig>"
    )
    url = f"sqlite:///{folder / 'tijian.db'}"
    legacy = folder / "legacy.pdf"
    environment = {**os.environ, "FONTCONFIG_FILE": str(config)}
    subprocess.run(
        [sys.executable, "-c", SEED, url, MONDAY_EVENING.isoformat(), str(legacy)],
        env=environment,
        cwd=Path(__file__).resolve().parents[2],
        check=True,
        timeout=600,
    )
    app = create_app(base_config(url))
    yield app, legacy.read_bytes()
    with app.app_context():
        db.engine.dispose()


def test_every_story_reaches_its_stage(seeded: tuple[Flask, bytes]) -> None:
    app, _ = seeded
    with app.app_context():
        for story in GALLERY:
            case = db.session.execute(select(Case).where(Case.title == story.title)).scalar_one()
            if story.until is None:
                continue
            ready = db.session.execute(
                select(HumanTask.bpmn_id).where(
                    HumanTask.case_id == case.id, HumanTask.state == "READY"
                )
            ).scalars()
            assert story.until in set(ready), story.title


def test_every_document_embeds_the_project_font_and_reads_back_in_chinese(
    seeded: tuple[Flask, bytes], tmp_path: Path
) -> None:
    app, _ = seeded
    with app.app_context():
        documents = db.session.execute(select(Document)).scalars().all()
        assert len(documents) > 50
        kinds = {document.doc_type for document in documents}
        assert {"PENALTY_DECISION", "NO_PENALTY_DECISION", "REPAIR_NOTICE"} <= kinds
        for document in documents:
            path = tmp_path / f"{document.id}.pdf"
            path.write_bytes(document.pdf)
            fonts = _pdf_tool("pdffonts", path)
            embedded = [line for line in fonts.splitlines() if "Tijian-Serif" in line]
            assert embedded and all(" yes " in line for line in embedded), fonts
            text = re.sub(r"\s+", "", _pdf_tool("pdftotext", path, "-"))
            party = db.session.get(Case, document.case_id).enterprise.name  # type: ignore[union-attr]
            assert document.title in text and party in text, text[:200]
            assert chinese_glyphs(document.pdf).readable, document.doc_no
            assert document.font == "Tijian Serif"  # recorded at issue: verify trusts it


def test_verify_names_a_document_issued_without_a_chinese_font(
    seeded: tuple[Flask, bytes],
) -> None:
    app, legacy_pdf = seeded
    assert not chinese_glyphs(legacy_pdf).readable  # the DejaVu rendering has no Chinese glyphs
    with app.app_context():
        assert verify().problems == []
        original = db.session.execute(
            select(Document).where(Document.doc_type == "PENALTY_DECISION").limit(1)
        ).scalar_one()
        legacy = Document(
            case_id=original.case_id,
            doc_type=original.doc_type,
            title=original.title,
            doc_no=original.doc_no + "（旧）",
            version=original.version + 1,
            supersedes_id=original.id,
            html=original.html,
            pdf=legacy_pdf,
            content_hash=hashlib.sha256(legacy_pdf).hexdigest(),
            issued_by_id=original.issued_by_id,
            font=None,  # issued before the font was recorded
        )
        db.session.add(legacy)
        db.session.flush()
        # re-issued under the old behaviour: migration 0038 links the two so
        original.status, original.superseded_by_id = "CORRECTED", legacy.id
        db.session.commit()
        case_no, legacy_no = original_case_no(original), legacy.doc_no
        problems = verify().problems
        assert [p.case_no for p in problems] == [case_no]
        assert "未嵌入中文字体" in problems[0].what and legacy_no in problems[0].what

        # corrected, with a reason and the confirmation: the new version supersedes the
        # unreadable one, which verify leaves be
        user = db.session.get(User, original.issued_by_id)
        assert user is not None
        issue(
            original.case_id,
            original.doc_type,
            user,
            Change("CORRECT", "原件未嵌入中文字体，重新出具", confirmed=True),
        )
        assert verify().problems == []

        # a PDF changed after it was issued no longer matches its digest
        changed = db.session.execute(
            select(Document).where(Document.doc_type == "REPAIR_NOTICE").limit(1)
        ).scalar_one()
        changed_no = changed.doc_no
        changed.pdf = changed.pdf + b"%"
        db.session.commit()
        assert [p.what for p in verify().problems] == [
            f"文书《行政处罚信息信用修复告知书》{changed_no} 的 PDF 与出具时的摘要不符"
        ]


def original_case_no(document: Document) -> str:
    case = db.session.get(Case, document.case_id)
    assert case is not None
    return case.case_no


def _pdf_tool(tool: str, *arguments: object) -> str:
    done = subprocess.run([tool, *map(str, arguments)], capture_output=True, check=True)
    return done.stdout.decode()
