"""Reading an uploaded .xlsx within bounds: every XML part of the zip is first read by a
streaming parser that refuses any DTD or entity and counts what openpyxl would build (shared
strings, rows, cells), so a file over a limit is refused before openpyxl parses it; the rows
are then read against a deadline. Every failure is an InvalidInput (a clear Chinese refusal)."""

from __future__ import annotations

import io
import re
import time
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from xml.sax import SAXException
from xml.sax.handler import ContentHandler, feature_namespaces

from defusedxml import DefusedXmlException
from defusedxml.expatreader import DefusedExpatParser

from app.platform import InvalidInput
from forms.base import N_

_CHUNK = 64 * 1024
_XML_STARTS = (b"<", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")  # a tag, or a byte-order mark
_DIMENSION = re.compile(r"^\$?[A-Z]{1,3}\$?(\d{1,7})(?::\$?([A-Z]{1,3})\$?(\d{1,7}))?$")


@dataclass(frozen=True)
class XlsxLimits:
    rows: int  # rows of the sheets, header included
    cells: int
    shared_strings: int  # distinct strings (openpyxl keeps every one in memory)
    shared_string_bytes: int  # the shared-strings part, unzipped
    unpacked_bytes: int  # all parts, unzipped
    seconds: float  # reading and checking, from the first byte to the last row

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> XlsxLimits:
        return cls(
            rows=int(config["IMPORT_MAX_ROWS"]) + 1,
            cells=int(config["IMPORT_MAX_CELLS"]),
            shared_strings=int(config["IMPORT_MAX_SHARED_STRINGS"]),
            shared_string_bytes=int(config["IMPORT_MAX_SHARED_STRING_BYTES"]),
            unpacked_bytes=int(config["IMPORT_MAX_UNPACKED_BYTES"]),
            seconds=float(config["IMPORT_MAX_SECONDS"]),
        )


class _Deadline:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.at:
            raise InvalidInput(
                f"读取文件超过 {self.seconds:g} 秒，已停止，未导入任何工单。请拆分后导入。"
            )


class _Counter(ContentHandler):
    """Counts, part by part, what would be built; refuses as soon as a bound is passed."""

    def __init__(self, limits: XlsxLimits) -> None:
        super().__init__()
        self.limits = limits
        self.rows = 0
        self.cells = 0
        self.strings = 0
        self.part_size = 0
        self.root: str | None = None

    def startElementNS(self, name: tuple[str | None, str], qname: str | None, attrs: Any) -> None:  # noqa: N802 - SAX's name
        tag = name[1]
        if self.root is None:
            self.root = tag
            if tag == "sst":
                self._shared_strings_header(attrs)
        elif self.root == "sst" and tag == "si":
            self.strings += 1
            if self.strings > self.limits.shared_strings:
                raise _too_many_strings(self.limits)
        elif self.root == "worksheet":
            self._sheet_element(tag, attrs)

    def _shared_strings_header(self, attrs: Any) -> None:
        if self.part_size > self.limits.shared_string_bytes:
            mb = self.limits.shared_string_bytes // (1024 * 1024)
            raise InvalidInput(f"XLSX 文件的文本（共享字符串）解压后超过 {mb} MB，请拆分后导入。")
        declared = attrs.get((None, "uniqueCount"))  # ("count" counts the cells using them)
        if declared is not None and _number(declared, "共享字符串数") > self.limits.shared_strings:
            raise _too_many_strings(self.limits)

    def _sheet_element(self, tag: str, attrs: Any) -> None:
        if tag == "dimension":
            rows, cells = _dimension(attrs.get((None, "ref"), ""))
            if rows > self.limits.rows or cells > self.limits.cells:
                raise _too_large(self.limits)
        elif tag == "row":
            self.rows += 1
            if self.rows > self.limits.rows:
                raise _too_large(self.limits)
        elif tag == "c":
            self.cells += 1
            if self.cells > self.limits.cells:
                raise _too_large(self.limits)


def _too_many_strings(limits: XlsxLimits) -> InvalidInput:
    return InvalidInput(
        f"XLSX 文件含有超过 {limits.shared_strings} 个不同的文本（共享字符串），请拆分后导入。"
    )


def _too_large(limits: XlsxLimits) -> InvalidInput:
    return InvalidInput(
        f"工作表超过 {limits.rows - 1} 行或 {limits.cells} 个单元格，请拆分后导入。"
    )


def _number(text: str, what: str) -> int:
    if not (text.isascii() and text.isdigit() and len(text) <= 12):
        raise InvalidInput(f"XLSX 文件的{what}「{text[:20]}」无法识别。")
    return int(text)


def _dimension(ref: str) -> tuple[int, int]:
    """(rows, cells) a sheet's declared range spans, e.g. A1:F40 → (40, 240)."""
    match = _DIMENSION.match(ref.upper())
    if not match:
        raise InvalidInput(f"XLSX 工作表的范围「{ref[:20]}」无法识别。")
    last_row = int(match.group(3) or match.group(1))
    width = _column_number(match.group(2)) if match.group(2) else 1
    return last_row, last_row * width


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _inspect(archive: zipfile.ZipFile, limits: XlsxLimits, deadline: _Deadline) -> None:
    members = archive.infolist()
    if sum(member.file_size for member in members) > limits.unpacked_bytes:
        raise InvalidInput(N_("XLSX 文件解压后过大，请拆分后导入。"))
    counter = _Counter(limits)
    for member in members:
        with archive.open(member) as part:  # reads at most file_size bytes, checking the CRC
            chunk = part.read(_CHUNK)
            if not chunk.lstrip().startswith(_XML_STARTS):
                continue  # a picture or other binary part: openpyxl does not parse it as XML
            parser = DefusedExpatParser(forbid_dtd=True)
            parser.setFeature(feature_namespaces, True)
            parser.setContentHandler(counter)
            counter.root, counter.part_size = None, member.file_size
            while chunk:
                deadline.check()
                parser.feed(chunk)
                chunk = part.read(_CHUNK)
            parser.close()


def xlsx_rows(content: bytes, limits: XlsxLimits) -> Iterator[tuple[Any, ...]]:
    """The values of the first sheet's rows, each a tuple; refused (InvalidInput) when the file
    is not a readable workbook, declares a DTD or an entity, or passes a bound."""
    from openpyxl import load_workbook  # noqa: PLC0415 - only imports need it

    deadline = _Deadline(limits.seconds)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            _inspect(archive, limits, deadline)
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        rows = book.worksheets[0].iter_rows(values_only=True)
    except InvalidInput:
        raise
    except DefusedXmlException as exc:
        raise InvalidInput(N_("XLSX 文件含有 DTD 或实体声明，不予读取。")) from exc
    except SAXException as exc:
        raise InvalidInput(N_("XLSX 文件中的 XML 格式有误，无法读取。")) from exc
    except Exception as exc:  # a hostile file can make the zip or XML readers raise anything
        raise InvalidInput(N_("无法读取 XLSX 文件。")) from exc
    return _bounded(rows, deadline)


def _bounded(rows: Iterator[tuple[Any, ...]], deadline: _Deadline) -> Iterator[tuple[Any, ...]]:
    while True:
        deadline.check()
        try:
            row = next(rows)
        except StopIteration:
            return
        except Exception as exc:  # an XML or value error met while the sheet is read
            raise InvalidInput(N_("无法读取 XLSX 文件。")) from exc
        yield row
