"""The English catalog: complete, current with the source, and compiled.

Source strings are Chinese; scripts/i18n extracts, updates and compiles. These tests fail when a
marked string has no English translation, when an entry is fuzzy, or when the .mo is stale.
"""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
LC_MESSAGES = ROOT / "app" / "translations" / "en" / "LC_MESSAGES"
PO_FILE = LC_MESSAGES / "messages.po"
MO_FILE = LC_MESSAGES / "messages.mo"
# The keywords scripts/i18n passes on the command line (-k N_ -k _); babel.cfg adds its own.
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None, "_": None}
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def load_po() -> Catalog:
    with PO_FILE.open("rb") as f:
        return read_po(f, locale="en")


def translations(catalog: Catalog) -> dict[str, str]:
    return {str(m.id): str(m.string) for m in catalog if m.id}


def extracted_msgids() -> set[str]:
    with (ROOT / "babel.cfg").open(encoding="utf-8") as f:
        # Babel leaves this one unannotated; it returns the same maps pybabel -F builds.
        method_map, options_map = parse_mapping_cfg(f, "babel.cfg")  # type: ignore[no-untyped-call]
    msgids = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        msgids.add(message if isinstance(message, str) else message[0])
    return msgids


def test_every_message_has_an_english_translation() -> None:
    catalog = load_po()
    messages = [m for m in catalog if m.id]
    assert messages
    assert not catalog.fuzzy
    assert [m.id for m in messages if m.fuzzy] == []
    assert [m.id for m in messages if not isinstance(m.string, str) or not m.string.strip()] == []
    assert [m.id for m in messages if CJK.search(str(m.string))] == []
    assert [(m.id, errors) for m, errors in catalog.check()] == []


def test_every_marked_string_is_in_the_catalog() -> None:
    extracted = extracted_msgids()
    # One string from each kind of source, so a broken method map cannot pass vacuously.
    assert {
        "返回首页",  # a template
        "检查日期",  # forms/
        "待办任务",  # app/web/navigation.py
        "页面不存在。",  # app/web/errors.py
        "案件不存在。",  # app/enforcement/
        "无权访问其他地区的数据。",  # abort(description=...) in app/web/auth/access.py
    } <= extracted
    missing = sorted(extracted - set(translations(load_po())))
    assert missing == [], "untranslated: run scripts/i18n and translate these in messages.po"


def test_compiled_catalog_matches_the_po_file() -> None:
    with MO_FILE.open("rb") as f:
        compiled = read_mo(f)
    assert translations(compiled) == translations(load_po()), "stale .mo: run scripts/i18n compile"
