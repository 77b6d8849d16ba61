"""docs/law.md and docs/security.md name, for each rule and each threat, the test that proves it:
every test they name exists, so a renamed or removed test cannot leave a claim unproven."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# a test's name, not a file's (test_x.py) nor a form field's (investigation.test_sent)
NAMED_TEST = re.compile(r"(?<![A-Za-z0-9_.])(test_[a-z0-9_]+)(\.py)?")
DEFINED_TEST = re.compile(r"^\s*(?:async )?def (test_[a-z0-9_]+)\(", re.MULTILINE)
NAMED_FILE = re.compile(r"(tests/[a-z_/]+\.py)")


def defined_tests() -> set[str]:
    return {
        name
        for path in (ROOT / "tests").rglob("test_*.py")
        for name in DEFINED_TEST.findall(path.read_text(encoding="utf-8"))
    }


@pytest.mark.parametrize("document", ["docs/law.md", "docs/security.md"])
def test_every_test_a_document_names_exists(document: str) -> None:
    text = (ROOT / document).read_text(encoding="utf-8")
    named = {name for name, file in NAMED_TEST.findall(text) if not file}
    assert named, f"{document} names no test"
    assert sorted(named - defined_tests()) == []
    missing_files = sorted({f for f in NAMED_FILE.findall(text) if not (ROOT / f).exists()})
    assert missing_files == []
