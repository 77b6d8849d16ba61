"""The issuer's electronic signature (PAdES baseline B-B, pyHanko) on every issued PDF, and its
validation by `tijian verify`.

Each issuing body (盟市 unit, or the autonomous region's bureau) signs with its own key and
certificate: `<SIGNING_DIR>/<unit code>.p12` (PKCS#12, passphrase TIJIAN_SIGNING_PASSPHRASE_<code>
or TIJIAN_SIGNING_PASSPHRASE); signatures are validated against the certificates in
`<SIGNING_DIR>/trust-roots.pem`. In demo mode a missing unit is given a certificate of a demo
CA generated on first use into the same folder (subjects O=演示 DEMO: no legal effect).

The signature is an incremental update that leaves the PDF/A document as rendered (an invisible,
printable signature field), so the signed file stays PDF/A-2b. Private keys and passphrases
stay in the signing folder and the configuration: never in the database or a log line.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import fcntl
import io
import os
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import copy_context
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from flask import current_app

from app.clock import utcnow
from app.platform import Unavailable

FIELD = "签章"  # the signature field's name
ECDSA_SLACK = 16  # bytes reserved beyond a dummy signature's size
T = TypeVar("T")
TRUST_ROOTS = "trust-roots.pem"
DEMO_CA = "demo-ca.p12"
DEMO_ORGANISATION = "演示 DEMO"
# Demo certificates hold for any date a demo replays (the gallery issues documents in the past).
DEMO_VALIDITY = (dt.datetime(2000, 1, 1, tzinfo=dt.UTC), dt.datetime(2100, 1, 1, tzinfo=dt.UTC))
NOT_CONFIGURED = "本机关（{unit}）的电子签名证书未配置（{path}），文书未出具。请联系系统管理员。"
UNREADABLE = "本机关（{unit}）的电子签名证书无法读取（{path}），文书未出具。请联系系统管理员。"


def sign_pdf(pdf: bytes, body: str, unit: str) -> bytes:
    """The PDF with the issuing body's signature appended (an incremental update)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    meta = signers.PdfSignatureMetadata(
        field_name=FIELD,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        name=body,
        reason="出具行政执法文书",
    )
    signer = _signer(_folder(), unit, body)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    fields.append_signature_field(
        writer,
        fields.SigFieldSpec(FIELD, invis_sig_settings=fields.InvisSigSettings(set_print_flag=True)),
    )
    pdf_signer = _pdfa_signer()(meta, signer=signer)
    output = _synchronously(lambda: pdf_signer.async_sign_pdf(writer))
    return bytes(output.getvalue())


def _synchronously(coroutine: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run one of pyHanko's coroutines to its end. Its own synchronous wrappers call
    asyncio.run, which fails in a thread whose event loop is already running (a test process
    after a Playwright browser test, an async server): there, in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine())
    with ThreadPoolExecutor(max_workers=1) as apart:  # with this thread's clock (a ContextVar)
        return apart.submit(copy_context().run, asyncio.run, coroutine()).result()


@cache
def _pdfa_signer() -> Any:
    from pyhanko.sign import signers
    from pyhanko.sign.signers import constants

    class PdfA2Signer(signers.PdfSigner):
        """pyHanko's signer, with the signature's time read from the application's clock (a
        replayed demo issues in the past), and the file kept at PDF 1.7: PDF/A-2 is built on
        ISO 32000-1, and pyHanko would declare PDF 2.0 extensions for an ECDSA key."""

        def init_signing_session(self, *args: Any, **kwargs: Any) -> Any:
            session = super().init_signing_session(*args, **kwargs)
            session.system_time = utcnow()
            estimate = session.estimate_signature_container_size

            async def reserve(validation_info: Any, tight: bool = False) -> int:
                # pyHanko's tight estimate signs a dummy; an ECDSA signature's DER length
                # varies by a few bytes, so a little more (its loose estimate adds ~900 bytes,
                # written twice as hex in every file)
                return int(await estimate(validation_info, tight=True)) + ECDSA_SLACK

            session.estimate_signature_container_size = reserve  # type: ignore[method-assign]
            return session

        def register_extensions(self, pdf_out: Any, *, md_algorithm: str) -> None:
            pdf_out.ensure_output_version(version=(1, 7))
            pdf_out.register_extension(constants.ESIC_EXTENSION_1)  # PAdES in PDF 1.7

    return PdfA2Signer


@dataclass(frozen=True)
class SignatureCheck:
    """What validating a document's signature found: `problem` is None when it is valid."""

    problem: str | None
    signer: str = ""


def check_signature(pdf: bytes) -> SignatureCheck:
    """Validate the PDF's one signature against the trust roots: it must cover the whole file
    (nothing appended after signing), its digest match the signed bytes, and its certificate
    chain to a trusted root."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import async_validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        signatures = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
    except Exception:  # noqa: BLE001 - a damaged file is a finding, whatever the parser says
        return SignatureCheck("PDF 文件已损坏，无法读取电子签名")
    if not signatures:
        return SignatureCheck("未经电子签名")
    if len(signatures) > 1:
        return SignatureCheck(f"有 {len(signatures)} 个电子签名（应只有出具机关的一个）")
    roots = _trust_roots(_folder())
    if not roots:
        return SignatureCheck(f"未配置验证电子签名的根证书（{_folder() / TRUST_ROOTS}）")
    context = ValidationContext(trust_roots=roots, allow_fetching=False)
    try:
        status = _synchronously(
            lambda: async_validate_pdf_signature(signatures[0], signer_validation_context=context)
        )
    except ValueError as exc:  # pyHanko's SignatureValidationError among them
        return SignatureCheck(f"电子签名无法验证：{type(exc).__name__}")
    signer = status.signing_cert.subject.human_friendly if status.signing_cert else ""
    if not status.intact:
        return SignatureCheck("电子签名与文件内容不符（签名后被改动）", signer)
    if not status.valid:
        return SignatureCheck("电子签名无效", signer)
    if not status.trusted:
        return SignatureCheck("签名证书不能追溯到受信任的根证书", signer)
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        return SignatureCheck("签名后文件被追加了内容", signer)
    return SignatureCheck(None, signer)


def _folder() -> Path:
    return Path(current_app.config["SIGNING_DIR"])


@cache
def _signer(folder: Path, unit: str, body: str) -> Any:
    """The unit's signer, read once per process (a demo unit's certificate made first)."""
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    path = folder / f"{unit}.p12"
    if not path.is_file() and current_app.config["TIJIAN_DEMO"]:
        _make_demo_certificate(folder, unit, body)
    if not path.is_file():
        raise Unavailable(NOT_CONFIGURED.format(unit=body, path=path))
    passphrases = current_app.config["SIGNING_PASSPHRASES"]
    passphrase = passphrases.get(unit, passphrases.get(""))
    try:
        loaded = signers.SimpleSigner.load_pkcs12_data(
            path.read_bytes(), (), passphrase.encode() if passphrase else None
        )
    except ValueError:
        raise Unavailable(UNREADABLE.format(unit=body, path=path)) from None
    # The chain goes into every signature, less its root: the verifier holds that one (in
    # trust-roots.pem), and each archived file would carry it twice over as hex.
    return signers.SimpleSigner(
        signing_key=loaded.signing_key,
        signing_cert=loaded.signing_cert,
        cert_registry=SimpleCertificateStore.from_certs(  # type: ignore[no-untyped-call]
            [c for c in loaded.cert_registry if c.self_signed == "no"]
        ),
    )


def _trust_roots(folder: Path) -> list[Any]:
    """The certificates that validate signatures, read again whenever the file changes (demo
    mode writes it on first use, maybe in another process)."""
    from pyhanko.keys import load_certs_from_pemder

    path = folder / TRUST_ROOTS
    if not path.is_file():
        return []
    key = (path, path.stat().st_mtime_ns)
    if key not in _roots:
        _roots.clear()
        _roots[key] = list(load_certs_from_pemder([str(path)]))  # type: ignore[no-untyped-call]
    return _roots[key]


_roots: dict[tuple[Path, int], list[Any]] = {}


def _make_demo_certificate(folder: Path, unit: str, body: str) -> None:
    """A demo certificate for the unit, from the demo CA (made first if there is none); several
    processes may ask at once, so under a lock, and each file written whole or not at all."""
    folder.mkdir(parents=True, exist_ok=True)
    with _locked(folder / ".lock"):
        target = folder / f"{unit}.p12"
        if target.is_file():
            return
        ca_path = folder / DEMO_CA
        if not ca_path.is_file():
            key = ec.generate_private_key(ec.SECP256R1())
            name = _name("体检系统演示根证书 DEMO CA（不具法律效力）")
            certificate = _certificate(name, key.public_key(), name, key, authority=True)
            _write(
                ca_path,
                pkcs12.serialize_key_and_certificates(
                    b"demo-ca", key, certificate, None, serialization.NoEncryption()
                ),
            )
            _write(folder / TRUST_ROOTS, certificate.public_bytes(serialization.Encoding.PEM))
        ca_key, ca_certificate, _ = pkcs12.load_key_and_certificates(ca_path.read_bytes(), None)
        if not isinstance(ca_key, ec.EllipticCurvePrivateKey) or ca_certificate is None:
            raise Unavailable(UNREADABLE.format(unit=body, path=ca_path))
        key = ec.generate_private_key(ec.SECP256R1())
        certificate = _certificate(
            _name(f"{body}（演示）", unit),
            key.public_key(),
            ca_certificate.subject,
            ca_key,
            authority=False,
        )
        _write(
            target,
            pkcs12.serialize_key_and_certificates(
                unit.encode(), key, certificate, [ca_certificate], serialization.NoEncryption()
            ),
        )


def _name(common_name: str, unit: str | None = None) -> x509.Name:
    parts = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, DEMO_ORGANISATION),
    ]
    if unit:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit))
    return x509.Name([*parts, x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(
    subject: x509.Name,
    public_key: ec.EllipticCurvePublicKey,
    issuer: x509.Name,
    issuer_key: ec.EllipticCurvePrivateKey,
    authority: bool,
) -> x509.Certificate:
    usage = dict.fromkeys(
        (
            "digital_signature",
            "content_commitment",
            "key_encipherment",
            "data_encipherment",
            "key_agreement",
            "key_cert_sign",
            "crl_sign",
            "encipher_only",
            "decipher_only",
        ),
        False,
    )
    if authority:
        usage.update(key_cert_sign=True, crl_sign=True)
    else:
        usage.update(digital_signature=True, content_commitment=True)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(DEMO_VALIDITY[0])
        .not_valid_after(DEMO_VALIDITY[1])
        .add_extension(x509.BasicConstraints(ca=authority, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(**usage), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
        .sign(issuer_key, hashes.SHA256())
    )


def _write(path: Path, content: bytes) -> None:
    """Readable by the server's user alone (a demo key is still a key)."""
    partial = path.with_name(path.name + ".partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(content)
    os.replace(partial, path)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
