"""Vendored front-end files are exactly the pinned releases (scripts/update_vendor.sh)."""

from __future__ import annotations

import hashlib
from pathlib import Path

VENDOR = Path(__file__).resolve().parents[2] / "app" / "static" / "vendor"


def test_every_vendored_file_matches_sha256sums() -> None:
    listed: dict[str, str] = {}
    for line in (VENDOR / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split(maxsplit=1)
        listed[name.removeprefix("./")] = digest
    present = {
        str(p.relative_to(VENDOR))
        for p in VENDOR.rglob("*")
        if p.is_file() and p.name not in ("SHA256SUMS", "VERSIONS")
    }
    assert present == set(listed), "files added or removed without updating SHA256SUMS"
    for name, digest in listed.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name


def test_pinned_versions_and_licences_are_recorded() -> None:
    versions = (VENDOR / "VERSIONS").read_text()
    assert "htmx.org 2.0.11 sha512-" in versions and "bpmn-js 18.31.1 sha512-" in versions
    assert (VENDOR / "htmx-2.0.11" / "LICENSE").exists()
    licence = (VENDOR / "bpmn-js-18.31.1" / "LICENSE").read_text()
    assert "watermark" in licence  # the bpmn.io clause that keeps the logo visible
    for bundle in ("bpmn-modeler.production.min.js", "bpmn-navigated-viewer.production.min.js"):
        assert "bjs-powered-by" in (VENDOR / "bpmn-js-18.31.1" / bundle).read_text()
    # the documents' font: its package pinned by integrity, the OFL beside the faces
    assert "@expo-google-fonts/noto-serif-sc 0.4.3 sha512-" in versions
    font = VENDOR / "noto-serif-sc-0.4.3"
    assert "SIL OPEN FONT LICENSE Version 1.1" in (font / "OFL.txt").read_text()
    for face in ("NotoSerifSC-Regular.ttf", "NotoSerifSC-Bold.ttf"):
        assert (font / face).read_bytes()[:4] == b"\x00\x01\x00\x00"  # TrueType, not WOFF2
