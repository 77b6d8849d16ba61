"""Issued documents as PDF/A-2b, set in the CJK serif font the project ships (Noto Serif SC,
OFL-1.1, app/static/vendor/noto-serif-sc-*/, pinned in SHA256SUMS): no system font is needed, and
a document reads the same whichever machine issued it. A document whose PDF would not carry that
font is refused, never stored with its Chinese as empty boxes.

PDF/A-2b (ISO 19005-2, level B): WeasyPrint writes the XMP metadata with its pdfaid
identification, the sRGB ICC output intent and the file identifier, and embeds every font as a
subset of the glyphs the document uses. The page margin boxes (the page number) are set in the
same font: otherwise they fall back to a system CJK font, embedded as a second, larger subset."""

from __future__ import annotations

import atexit
import io
import re
import sys
import warnings
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from flask import current_app

from app.platform import Unavailable

FONT_FAMILY = "Tijian Serif"  # the documents' stylesheet names this family first
FACES = (("NotoSerifSC-Regular.ttf", 400), ("NotoSerifSC-Bold.ttf", 700))
PDF_VARIANT = "pdf/a-2b"
FONT_MISSING = (
    "出具文书所需的中文字体（思源宋体 Noto Serif SC）无法加载，文书未出具。请联系系统管理员。"
)


def render_pdf(html: str) -> bytes:
    """The PDF of a document's HTML; Unavailable if the project's font is not in it."""
    from weasyprint import HTML  # imported on first use: it loads pango

    font_config, stylesheet = _fonts(current_app.config["DOCUMENT_FONT_DIR"])
    document = HTML(string=html).render(stylesheets=[stylesheet], font_config=font_config)
    with warnings.catch_warnings():  # WeasyPrint 70 reads its sRGB profile from a file it
        warnings.simplefilter("ignore", ResourceWarning)  # never closes (the output intent)
        pdf = bytes(document.write_pdf(pdf_variant=PDF_VARIANT))
    if not any(font.family == FONT_FAMILY for font in document.fonts.values()):
        raise Unavailable(FONT_MISSING)
    return pdf


@cache
def _fonts(directory: str) -> tuple[Any, Any]:
    """One font configuration per process: the faces are read once (0.2 s), not per document."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    faces = [(Path(directory) / name, weight) for name, weight in FACES]
    if not all(path.is_file() for path, _ in faces):
        raise Unavailable(FONT_MISSING)
    rules = (
        "\n".join(
            f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{path.as_uri()}"); '
            f"font-weight: {weight}; }}"
            for path, weight in faces
        )
        + f'\n@page {{ font-family: "{FONT_FAMILY}"; }}'
    )  # the page number's margin box
    font_config = FontConfiguration()
    return font_config, CSS(string=rules, font_config=font_config)


# The font configuration removes its temporary copy of the faces when it is collected: at exit,
# before the interpreter tears down the modules that removal needs.
atexit.register(_fonts.cache_clear)


@dataclass(frozen=True)
class ChineseGlyphs:
    """How a PDF's Chinese characters are drawn: by a glyph of an embedded font, or not at all
    (the empty box of a font that has none, as when no CJK font was found at issue)."""

    drawn: int
    missing: int

    @property
    def readable(self) -> bool:
        return self.drawn > 0 and self.missing == 0


def chinese_glyphs(pdf: bytes) -> ChineseGlyphs:
    """Read from the PDF's own fonts: each font's ToUnicode map names the characters its glyph
    ids stand for, and the embedded font program says whether that glyph draws anything."""
    from pypdf import PdfReader

    drawn = missing = 0
    seen: set[int] = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        resources: Any = page["/Resources"] if "/Resources" in page else {}
        fonts: Any = resources["/Font"] if "/Font" in resources else {}
        for key in fonts:
            font, place = fonts[key], id(fonts.raw_get(key).get_object())  # shared by pages
            if place in seen or "/DescendantFonts" not in font:
                continue
            seen.add(place)
            chinese = [
                cid for cid, text in _unicode_map(font).items() if any(_is_han(ch) for ch in text)
            ]
            if not chinese:
                continue
            has_outline = _outlines(font["/DescendantFonts"][0].get_object())
            found = sum(1 for cid in chinese if has_outline(cid))
            drawn += found
            missing += len(chinese) - found
    return ChineseGlyphs(drawn, missing)


def _is_han(character: str) -> bool:
    return "\u3400" <= character <= "\u9fff" or "\U00020000" <= character <= "\U0003134f"


_BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
_BFRANGE = re.compile(rb"beginbfrange(.*?)endbfrange", re.S)
_HEX = re.compile(rb"<([0-9A-Fa-f]+)>")


def _unicode_map(font: Any) -> dict[int, str]:
    if "/ToUnicode" not in font:
        return {}
    cmap = font["/ToUnicode"].get_object().get_data()
    mapping: dict[int, str] = {}
    for block in _BFCHAR.findall(cmap):
        codes = _HEX.findall(block)
        for source, target in zip(codes[::2], codes[1::2], strict=False):
            mapping[int(source, 16)] = bytes.fromhex(target.decode()).decode("utf-16-be", "replace")
    for block in _BFRANGE.findall(cmap):
        codes = _HEX.findall(block)
        for low, high, start in zip(codes[::3], codes[1::3], codes[2::3], strict=False):
            first = int(start, 16)
            for offset in range(int(high, 16) - int(low, 16) + 1):
                mapping[int(low, 16) + offset] = chr(first + offset)
    return mapping


def _outlines(descendant: Any) -> Callable[[int], bool]:
    """Whether the embedded font program draws something for a glyph id (WeasyPrint writes
    CIDToGIDMap /Identity: the cid is the glyph id). A glyph the font lacks, or an empty one,
    is the empty box of a character no font could draw."""
    from fontTools.pens.boundsPen import BoundsPen
    from fontTools.ttLib import TTFont

    descriptor = descendant.get("/FontDescriptor")
    descriptor = descriptor.get_object() if descriptor is not None else {}
    if "/FontFile2" in descriptor:  # TrueType: a glyph's outline is its 'loca' span, read raw
        font = TTFont(io.BytesIO(descriptor["/FontFile2"].get_object().get_data()), lazy=True)
        offsets = array("I" if font["head"].indexToLocFormat else "H", font.reader["loca"])
        if sys.byteorder == "little":
            offsets.byteswap()
        return lambda gid: gid + 1 < len(offsets) and offsets[gid + 1] > offsets[gid]
    if "/FontFile3" in descriptor:  # OpenType with CFF outlines (a system font's subset)
        font = TTFont(io.BytesIO(descriptor["/FontFile3"].get_object().get_data()), lazy=True)
        order, glyphs = font.getGlyphOrder(), font.getGlyphSet()

        def drawn(gid: int) -> bool:
            pen = BoundsPen(glyphs)
            if gid < len(order):
                glyphs[order[gid]].draw(pen)
            return pen.bounds is not None

        return drawn
    return lambda gid: False  # not embedded
