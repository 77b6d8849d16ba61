"""Every issued PDF carries its issuer's PAdES signature; `tijian verify` validates each one and
names a document whose bytes changed, even when its stored hash was rewritten to match."""

from __future__ import annotations

import asyncio
import hashlib
import stat
from concurrent.futures import ThreadPoolExecutor
from contextvars import copy_context
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from flask import Flask
from sqlalchemy import select, update

from app.cli import main
from app.enforcement.consistency import verify
from app.enforcement.documents import issuer
from app.enforcement.signing import DEMO_ORGANISATION, check_signature, sign_pdf
from app.extensions import db
from app.models import Case, Document
from app.platform import Unavailable


def test_every_document_is_signed_by_its_issuer_and_a_changed_byte_is_named(
    gallery_app: Flask,
) -> None:
    with gallery_app.app_context():
        documents = db.session.execute(select(Document)).scalars().all()
        for document in documents:
            case = db.session.get(Case, document.case_id)
            assert case is not None
            body, unit = issuer(case)
            check = check_signature(document.pdf)
            assert check.problem is None, (document.doc_no, check.problem)
            # the demo certificate of the document's own issuing body, marked as demo
            assert f"{body}（演示）" in check.signer and unit in check.signer
            assert DEMO_ORGANISATION in check.signer
        assert verify().problems == []

        # one byte of the text changed, the stored hash rewritten to match: only the
        # signature can tell
        superseded = {d.supersedes_id for d in documents}
        document = next(
            d for d in documents if d.doc_type == "PENALTY_DECISION" and d.id not in superseded
        )
        owner = db.session.get(Case, document.case_id)
        assert owner is not None
        named, case_no = document.doc_no, owner.case_no
        tampered = bytearray(document.pdf)
        tampered[len(tampered) // 3] ^= 0x01
        db.session.execute(  # verify() let go of the loaded rows: an UPDATE, as an intruder's
            update(Document)
            .where(Document.id == document.id)
            .values(pdf=bytes(tampered), content_hash=hashlib.sha256(tampered).hexdigest())
        )
        db.session.commit()
        assert check_signature(bytes(tampered)).problem is not None
        problems = [(p.case_no, p.what) for p in verify().problems]
        assert len(problems) == 1 and problems[0][0] == case_no
        assert named in problems[0][1] and "电子签名未通过验证" in problems[0][1]

    result = gallery_app.test_cli_runner().invoke(main, ["verify"])
    assert result.exit_code == 1
    assert f"problem: {case_no}: 文书《行政处罚决定书》{named}：电子签名未通过验证" in result.output


def test_a_signature_from_an_untrusted_key_or_none_at_all_fails(
    gallery_app: Flask, tmp_path: Path
) -> None:
    with gallery_app.app_context():
        document = db.session.execute(select(Document).limit(1)).scalar_one()
        case = db.session.get(Case, document.case_id)
        assert case is not None
        body, unit = issuer(case)
        unsigned = _first_revision(document.pdf)
        assert check_signature(unsigned).problem == "未经电子签名"
        # the same document signed by the demo CA of another installation
        original = gallery_app.config["SIGNING_DIR"]
        gallery_app.config["SIGNING_DIR"] = str(tmp_path / "elsewhere")
        foreign = sign_pdf(unsigned, body, unit)
        assert check_signature(foreign).problem is None  # valid where that CA is trusted
        gallery_app.config["SIGNING_DIR"] = original
        assert check_signature(foreign).problem == "签名证书不能追溯到受信任的根证书"
        assert check_signature(sign_pdf(unsigned, body, unit)).problem is None


def test_the_demo_keys_are_private_and_production_needs_its_own(
    gallery_app: Flask, tmp_path: Path
) -> None:
    with gallery_app.app_context():
        folder = Path(gallery_app.config["SIGNING_DIR"])
        keys = list(folder.glob("*.p12"))
        assert keys and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in keys)
        document = db.session.execute(select(Document).limit(1)).scalar_one()
        case = db.session.get(Case, document.case_id)
        assert case is not None
        body, unit = issuer(case)
        pdf = _first_revision(document.pdf)

        # outside demo mode nothing is generated: the issuer's own certificate is required
        gallery_app.config.update(TIJIAN_DEMO=False, SIGNING_DIR=str(tmp_path))
        with pytest.raises(Unavailable, match="电子签名证书未配置"):
            sign_pdf(pdf, body, unit)
        assert not list(tmp_path.iterdir())

        # a PKCS#12 file with its passphrase, per issuing body
        demo_key, certificate, chain = pkcs12.load_key_and_certificates(
            (folder / f"{unit}.p12").read_bytes(), None
        )
        assert demo_key is not None and certificate is not None
        assert certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == (
            DEMO_ORGANISATION
        )
        (tmp_path / f"{unit}.p12").write_bytes(
            pkcs12.serialize_key_and_certificates(
                b"issuer",
                demo_key,  # type: ignore[arg-type]
                certificate,
                chain,
                serialization.BestAvailableEncryption(b"s3cret"),
            )
        )
        roots = [c for c in chain if c.subject == c.issuer]
        (tmp_path / "trust-roots.pem").write_bytes(
            b"".join(c.public_bytes(serialization.Encoding.PEM) for c in roots)
        )
        gallery_app.config["SIGNING_PASSPHRASES"] = {unit: "wrong"}
        with pytest.raises(Unavailable, match="电子签名证书无法读取"):
            sign_pdf(pdf, body, unit)
        gallery_app.config["SIGNING_PASSPHRASES"] = {unit: "s3cret"}
        signed = sign_pdf(pdf, body, unit)
        assert check_signature(signed).problem is None
        assert isinstance(certificate, x509.Certificate)


def _first_revision(pdf: bytes) -> bytes:
    """The PDF as rendered, before the signature's incremental update."""
    end = pdf.index(b"%%EOF") + len(b"%%EOF")
    return pdf[: end + 1] if pdf[end : end + 1] == b"\n" else pdf[:end]


def test_signing_and_checking_work_where_an_event_loop_is_running(gallery_app: Flask) -> None:
    """pyHanko's synchronous wrappers call asyncio.run, which fails in a thread whose event loop
    runs (an async server, or a test process after a Playwright browser test: the suite's
    whole document path failed that way)."""
    with gallery_app.app_context():
        document = db.session.execute(select(Document).limit(1)).scalar_one()
        case = db.session.get(Case, document.case_id)
        assert case is not None
        body, unit = issuer(case)
        unsigned = _first_revision(document.pdf)

        async def inside_a_loop() -> str | None:
            return check_signature(sign_pdf(unsigned, body, unit)).problem

        # in a thread of its own: this one may run Playwright's loop already
        with ThreadPoolExecutor(max_workers=1) as apart:
            found = apart.submit(copy_context().run, asyncio.run, inside_a_loop()).result()
        assert found is None
