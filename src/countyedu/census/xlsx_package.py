"""The .xlsx package (a zip of XML parts) checked against the limits before a parser reads it.

python-calamine builds each sheet as a dense grid from A1 to the last cell holding a value, and
aborts the whole process (SIGABRT, not an exception) when the grid cannot be allocated: one cell
reference renamed to ZZZZ99999999 asks for 1.5 PB, and even XFD1048576 asks for 550 GB. So the zip
(entries, unzipped size, compression ratio) and every sheet's cells (references, last row and
column, used area) are checked here first, and a file past a limit is refused with the part, sheet
and cell that broke it. Cells are located as calamine locates them: by their ``r`` reference, else
one column right of the cell before (rows likewise); a cell without a value (``<c r="A9" s="1"/>``,
formatting only) does not count, as calamine leaves it out.

check_package gives the verdict on a whole workbook: in this process as a reader goes, or (check_ahead)
in a forked child while `countyedu import` loads its modules, the child's verdict believed only when it
found nothing to raise and the file is the one it read.

Two readers of a sheet's XML: a fast one (two regular expressions over the bytes, for parts written
the usual way: every cell ``<c r="A1" …>``), and an exact streaming one (expat, bounded chunks) for
anything else and for parts the fast one finds past a limit, which then names the first cell that
is.
"""

from __future__ import annotations

import functools
import os
import posixpath
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from xml.etree import ElementTree
from xml.parsers import expat

from countyedu.census import isolation
from countyedu.census.limits import EXCEL_COLUMNS, EXCEL_ROWS, MIB, Limits
from countyedu.census.problems import Problem
from countyedu.census.schema import sheet_name_for
from countyedu.errors import InputFileError
from countyedu.messages import Msg

# parts smaller than this are not held to the compression ratio (a tiny part may compress 200×)
RATIO_FROM_BYTES = 1 * MIB


def _size(n: int) -> str:
    return f"{n / MIB:,.3g} MB"


def check_zip(zf: zipfile.ZipFile, file_name: str, limits: Limits) -> None:
    """Refuse, before anything is unzipped, a package of too many parts, too large once unzipped,
    or with a part that unzips past the compression ratio (a zip bomb)."""
    infos = zf.infolist()
    if len(infos) > limits.zip_entries:
        raise InputFileError(
            Msg(
                "{file_name}: the workbook holds {infos} parts, over the limit of {zip_entries}",
                file_name=file_name,
                infos=f"{len(infos):,}",
                zip_entries=f"{limits.zip_entries:,}",
            ),
            rule="zip_entries",
        )
    names = [i.filename for i in infos]
    if len(set(names)) != len(names):  # two parts of one name: this reader and the parser may take different ones
        twice = next(n for n in names if names.count(n) > 1)
        raise InputFileError(
            Msg(
                "{file_name}: the workbook holds two parts named {twice}; it is damaged",
                file_name=file_name,
                twice=twice,
            ),
            rule="unreadable",
        )
    total = sum(i.file_size for i in infos)
    if total > limits.unzipped_bytes:
        raise InputFileError(
            Msg(
                "{file_name}: the workbook unzips to {total}, over the limit of {value}",
                file_name=file_name,
                total=_size(total),
                value=_size(limits.unzipped_bytes),
            ),
            rule="unzipped_size",
        )
    for i in infos:
        ratio = i.file_size / max(i.compress_size, 1)
        if i.file_size > RATIO_FROM_BYTES and ratio > limits.zip_ratio:
            raise InputFileError(
                Msg(
                    "{file_name}, part {filename}: it unzips {ratio} times larger ({value}), over the limit of {zip_ratio}×: a workbook saved by Excel is 5–15×",
                    file_name=file_name,
                    filename=i.filename,
                    ratio=f"{ratio:,.0f}",
                    value=_size(i.file_size),
                    zip_ratio=limits.zip_ratio,
                ),
                rule="zip_ratio",
            )


_SST = re.compile(rb"<(?:[\w.-]+:)?sst\b[^>]*>")
_UNIQUE_COUNT = re.compile(rb"\suniqueCount\s*=\s*[\"']([^\"']*)[\"']")
_SST_REL = re.compile(
    rb'Type="[^"]*/sharedStrings"[^>]*Target="([^"]+)"|Target="([^"]+)"[^>]*Type="[^"]*/sharedStrings"'
)


def check_shared_strings(zf: zipfile.ZipFile, file_name: str, limits: Limits) -> None:
    """Refuse a shared-string table that declares far more strings than it holds: the parser
    reserves room for the declared number first (uniqueCount="4000000000" asked for 96 GB and
    aborted the process)."""
    names = set(zf.namelist())
    parts = {n for n in names if "sharedstrings" in n.lower()}
    if "xl/_rels/workbook.xml.rels" in names:
        for m in _SST_REL.finditer(read_part(zf, "xl/_rels/workbook.xml.rels", file_name, limits)):
            target = (m.group(1) or m.group(2)).decode(errors="replace").lstrip("/")
            parts.add(target if target.startswith("xl/") else f"xl/{target}")
    for part in sorted(parts & names):
        xml = read_part(zf, part, file_name, limits)
        root = _SST.search(xml)
        declared = _UNIQUE_COUNT.search(root.group(0)) if root else None
        if declared is None:
            continue
        held = xml.count(b"<si>") + xml.count(b"<si ") + len(re.findall(rb"<[\w.-]+:si[\s>]", xml))
        value = declared.group(1).decode(errors="replace")
        # some writers count loosely: only a number that would reserve far more than the table is refused
        if not value.isdigit() or int(value) > max(2 * held, 1_000_000):
            raise InputFileError(
                Msg(
                    "{file_name}, part {part}: the shared strings declare {value} entries and hold {held}; the workbook is damaged",
                    file_name=file_name,
                    part=part,
                    value=value,
                    held=f"{held:,}",
                ),
                rule="unreadable",
            )


def check_members(zf: zipfile.ZipFile, skip: set[str]) -> None:
    """zipfile's testzip but for the parts in ``skip`` (read whole later by read_part, which checks
    their CRC as it reads them: the sheets, ~95% of the demo workbook's bytes, were unzipped twice):
    every part unzipped and its CRC checked; BadZipFile naming the first damaged one, as testzip."""
    for info in zf.infolist():
        if info.filename in skip:
            continue
        try:
            with zf.open(info) as fh:
                while fh.read(MIB):
                    pass
        except zipfile.BadZipFile:
            raise zipfile.BadZipFile(f"damaged member {info.filename}") from None


def read_part(zf: zipfile.ZipFile, part: str, file_name: str, limits: Limits) -> bytes:
    """A part's bytes, never more than the limit however its zip entry states its size; a part that is
    read whole has its CRC checked (zipfile does at its end), and fails as check_members says."""
    try:
        with zf.open(part) as fh:
            data = fh.read(limits.unzipped_bytes + 1)
    except zipfile.BadZipFile:
        raise zipfile.BadZipFile(f"damaged member {part}") from None
    if len(data) > limits.unzipped_bytes:
        raise InputFileError(
            Msg(
                "{file_name}, part {part}: over {value} once unzipped",
                file_name=file_name,
                part=part,
                value=_size(limits.unzipped_bytes),
            ),
            rule="unzipped_size",
        )
    return data


# ----------------------------------------------------------------------------------- the package

Formulas = list[tuple[str, bool, "str | None"]]


@dataclass(frozen=True)
class Verdict:
    """What check_package found: each sheet's part, the sheets of the format refused (with their
    located error) and the formula cells of every other sheet of the format, in the workbook's order."""

    parts: dict[str, str]
    refused: dict[str, list[Problem]]
    formulas: dict[str, Formulas]


def check_package(
    path: Path,
    limits: Limits,
    *,
    passed: Callable[[], None] = lambda: None,
    cleared: Callable[[str], None] = lambda _label: None,
) -> Verdict:
    """The workbook's package within the limits: raises InputFileError past a limit of the zip or its
    shared strings, anything else (zipfile, XML) on a damaged file; the sheets by check_sheets.
    ``passed`` is told once the package around the sheets has passed (a parser may open the
    workbook), ``cleared`` each sheet as check_sheets clears it."""
    with zipfile.ZipFile(path) as zf:
        check_zip(zf, path.name, limits)  # before anything is unzipped
        parts = sheet_parts(zf)
        check_members(zf, skip={part for label, part in parts.items() if sheet_name_for(label)})
        check_shared_strings(zf, path.name, limits)
        passed()
        refused, formulas = check_sheets(zf, path.name, limits, parts, cleared)
    return Verdict(parts, refused, formulas)


def _identity(path: Path) -> tuple[int, ...]:
    st = os.stat(path)
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns


def _clean_verdict(path: Path, limits: Limits) -> tuple[tuple[int, ...], Verdict] | None:
    """(the file's identity before it was read, check_package's verdict); None where check_package
    raised: the reader checks the file again and raises as it does."""
    before = _identity(path)
    try:
        return before, check_package(path, limits)
    except Exception:
        return None


class Ahead:
    """check_package of a workbook computed in a forked child (census.isolation) while this process
    goes on: `countyedu import` loads pandas and the importer meanwhile (~0.4 s), so the checks of the
    demo workbook (~0.3 s, unzipping 44 MB of sheets and searching them) leave the import's way."""

    def __init__(self, path: Path, limits: Limits) -> None:
        self.path, self.limits = path, limits
        self._child: isolation.Child | None = isolation.start_isolated(
            _clean_verdict, path, limits, memory_bytes=limits.parse_memory_bytes, seconds=limits.parse_seconds
        )

    def verdict(self, path: Path, limits: Limits) -> Verdict | None:
        """The child's verdict on this file under these limits when it found nothing to raise and the
        file is still the one it read (device, inode, size, times); else None, and the caller checks
        the file itself, with the errors check_package raises. Asked once."""
        child, self._child = self._child, None
        if child is None or path != self.path or limits != self.limits:
            return None
        try:
            got = child.result()
            return got[1] if got is not None and got[0] == _identity(path) else None
        except (isolation.ChildFailed, OSError):
            return None


def check_ahead(path: Path, limits: Limits) -> Ahead | None:
    """The checks of a workbook started in a child (Ahead), where the platform can fork and ``path`` is
    a file; None otherwise."""
    if not isolation.available() or not path.is_file():
        return None
    return Ahead(path, limits)


def check_sheets(
    zf: zipfile.ZipFile,
    file_name: str,
    limits: Limits,
    paths: dict[str, str],
    cleared: Callable[[str], None] = lambda _label: None,
) -> tuple[dict[str, list[Problem]], dict[str, list[tuple[str, bool, str | None]]]]:
    """(sheets refused, with their located error; formula cells of every other sheet of the
    exchange format) from each sheet's XML (``paths``: sheet_parts), read within the limits and
    each read whole (its CRC checked: check_members left the sheets of the format to this).
    ``cleared`` is told each sheet of the format not refused, as soon as it is checked."""
    names = set(zf.namelist())
    refused: dict[str, list[Problem]] = {}
    formulas: dict[str, list[tuple[str, bool, str | None]]] = {}
    for label, part in paths.items():
        code = sheet_name_for(label)
        if code is None:
            continue  # never parsed
        if part not in names:
            refused[label] = [Problem("error", label, None, None, None, "unreadable", detail=f"{part}: no such part")]
            continue
        xml = read_part(zf, part, file_name, limits)
        found = check_sheet(xml, label, SheetBounds.of(limits, code))
        if found:
            refused[label] = found
        else:
            formulas[label] = formula_cells(xml)
            cleared(label)
    return refused, formulas


_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "pr": "http://schemas.openxmlformats.org/package/2006/relationships",
}


def _whole(zf: zipfile.ZipFile, part: str) -> bytes:
    try:
        return zf.read(part)
    except zipfile.BadZipFile:  # its CRC: damaged, as check_members says
        raise zipfile.BadZipFile(f"damaged member {part}") from None


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → path of its XML part inside the package."""
    wb = ElementTree.fromstring(_whole(zf, "xl/workbook.xml"))
    rels = ElementTree.fromstring(_whole(zf, "xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.findall("pr:Relationship", _NS)}
    out = {}
    for s in wb.findall("m:sheets/m:sheet", _NS):
        target = targets.get(s.get(f"{{{_NS['r']}}}id"), "")
        target = target.lstrip("/")
        out[s.get("name", "")] = posixpath.normpath(target if target.startswith("xl/") else f"xl/{target}")
    return out


_FORMULA_CELL = re.compile(rb'<c r="([A-Z]+\d+)"([^>]*)>\s*<f[\s>/](.*?)</c>', re.S)
_ERROR_VALUE = re.compile(rb"<v>([^<]*)</v>")
_FORMULA_TAG = re.compile(rb"<f[\s>/]")


def formula_cells(xml: bytes) -> list[tuple[str, bool, str | None]]:
    """(A1 reference, has a cached value, cached error such as #DIV/0! or None) for each formula
    cell; cheap when there is none."""
    if _FORMULA_TAG.search(xml) is None:  # (a dropdown's <formula1> is no formula cell)
        return []
    out = []
    for m in _FORMULA_CELL.finditer(xml):
        error = _ERROR_VALUE.search(m.group(3)) if re.search(rb'\st="e"', m.group(2)) else None
        out.append((m.group(1).decode(), b"<v>" in m.group(3), error.group(1).decode() if error else None))
    return out


# ----------------------------------------------------------------------------------- sheets


@dataclass(frozen=True)
class SheetBounds:
    """What one sheet may hold: data rows below the header, columns, cells from A1."""

    rows: int
    columns: int
    cells: int

    @classmethod
    def of(cls, limits: Limits, sheet: str) -> SheetBounds:
        return cls(limits.rows_of(sheet), limits.sheet_columns, limits.sheet_cells)


def column_letters(col: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_number(letters: bytes | str) -> int:
    """A → 1, AA → 27 (upper-case letters only)."""
    n = 0
    for ch in letters.encode() if isinstance(letters, str) else letters:
        n = n * 26 + ch - 64
    return n


_CELL_REF = re.compile(rb'<c r="([A-Z]{1,3})([1-9][0-9]{0,6})"')
_BAD_REF = re.compile(rb'<c r="(?![A-Z]{1,3}[1-9][0-9]{0,6}")')
_WHITESPACE = bytes.maketrans(b"\t\n\r", b"   ")
_ODD_CELL = re.compile(rb"<c[\t\r\n/>]")  # a cell element without a leading r="…"
_PREFIXED_CELL = re.compile(rb":c[\s/>]")  # <x:c …>: calamine reads cells by local name
_ROW_WIDTH = {k: re.compile(rb'<c r="[A-Z]{1,3}[1-9][0-9]{%d}"' % (k - 1)) for k in range(7, 0, -1)}
_COLUMN_WIDTH = {k: re.compile(rb'<c r="[A-Z]{%d}[1-9]' % k) for k in range(3, 0, -1)}


def check_sheet(xml: bytes, sheet: str, bounds: SheetBounds) -> list[Problem]:
    """The sheet's cells against its bounds: [] when within them, else one located error.

    Four readers, each run only when the one before cannot clear the sheet: three searches of the
    bytes for anything but plain, narrow cells (_clears), bounds from the widest row number and
    column name present (a few more searches), the exact last row and column over every cell
    element, and the exact streaming reader (which also leaves out cells without a value and names
    the first cell past the bounds)."""
    if _clears(xml, bounds) or (
        _plain_cells(xml)
        and (
            _fits(xml, bounds)
            or (_BAD_REF.search(xml) is None and (_within(*_widths(xml), bounds) or _within(*_extent(xml), bounds)))
        )
    ):
        return []
    return _exact(xml, sheet, bounds)


def _clears(xml: bytes, bounds: SheetBounds) -> bool:
    """Whether _plain_cells and _fits (with one letter) would both clear the sheet, found in three
    searches of the bytes where they made ten (counts, a copy with its whitespace made spaces, finds;
    ~0.15 s of CPU on the demo workbook's 44 MB of sheets, on the thread that clears each sheet for
    the parser). A cell element neither odd nor without its r first nor wider than the bounds allow
    with one letter (_plain_cells' _ODD_CELL and its count of "<c ", _fits' search): _cell_past; no
    prefixed cell (_PREFIXED_CELL); no attribute r spelled " r ", " r= " or " r='", nor a " r=" that
    is not a cell's or a row's (_plain_cells' searches and count of its copy with spaces for tabs and
    line breaks): _OTHER_R, on the bytes themselves when no tab or line break stands where one of those
    spellings would put a space (_spaces_alone). False sends the sheet to the readers before, whose
    verdict it is."""
    digits = _digits(1, bounds)
    return bool(
        digits
        and _spaces_alone(xml)
        and _PREFIXED_CELL.search(xml) is None
        and _cell_past(digits).search(xml) is None
        and _OTHER_R.search(xml) is None
    )


# an attribute r that _plain_cells' searches of its copy refuse: " r ", " r= ", " r='", or " r=" of no
# cell or row (the look-behinds: the 6 and 8 bytes before the end of '<c r="' and '<row r="')
_OTHER_R = re.compile(rb""" r(?: |=[ ']|="(?<!<c r=")(?<!<row r="))""")
_LINE_BREAKS = (b"\t", b"\n", b"\r")


def _spaces_alone(xml: bytes, most: int = 64) -> bool:
    """Whether the bytes and their copy with tabs and line breaks made spaces (_plain_cells' ``flat``)
    hold the same " r ", " r= ", " r='" and ' r="': no tab or line break before an r, nor after an r or
    an = (where those spellings have a space). An Excel sheet holds one line break, after its XML
    declaration; one with more than ``most`` is left to _plain_cells."""
    for brk in _LINE_BREAKS:
        at, seen = xml.find(brk), 0
        while at != -1:
            seen += 1
            if seen > most or xml[at + 1 : at + 2] == b"r" or (at and xml[at - 1 : at] in (b"r", b"=")):
                return False
            at = xml.find(brk, at + 1)
    return True


@functools.cache
def _cell_past(digits: int) -> re.Pattern[bytes]:
    """A cell element that is odd (_ODD_CELL), does not start with r="…", or whose reference is
    malformed, outside Excel's grid, or wider than one letter and these digits (_narrow(1, digits))."""
    return re.compile(rb'<c(?:[\t\r\n/>]| (?!r="[A-Z][1-9][0-9]{0,%d}"))' % (digits - 1))


def _fits(xml: bytes, bounds: SheetBounds) -> bool:
    """Whether every cell reference is inside Excel's grid and has at most the letters and digits the
    bounds allow with one letter, then with two (one search of the bytes each, where _BAD_REF and
    _widths took six; a sheet it does not clear is read by them as before, so the verdict is theirs:
    references this narrow are well formed and within _widths' bound, and _within only grows with it)."""
    for letters in (1, 2):
        digits = _digits(letters, bounds)
        if digits and _narrow(letters, digits).search(xml) is None:
            return True
    return False


def _digits(letters: int, bounds: SheetBounds) -> int:
    """The most digits of a row number that the bounds allow with every column name of these letters."""
    columns = sum(26**i for i in range(1, letters + 1))
    return max((d for d in range(1, 8) if _within(10**d - 1, columns, bounds)), default=0)


@functools.cache
def _narrow(letters: int, digits: int) -> re.Pattern[bytes]:
    """A cell reference that is malformed, outside Excel's grid, or wider than these letters and digits."""
    return re.compile(rb'<c r="(?![A-Z]{1,%d}[1-9][0-9]{0,%d}")' % (letters, digits - 1))


def _plain_cells(xml: bytes) -> bool:
    """Whether every cell element is written <c r="…" …> with one r (counts and searches of the bytes,
    no match objects per cell); check_sheet then reads the references."""
    if _ODD_CELL.search(xml) or _PREFIXED_CELL.search(xml):
        return False
    cells = xml.count(b'<c r="')
    if xml.count(b"<c ") != cells:
        return False  # a cell without r first
    # every attribute r is the one of a <c r="…"> or <row r="…">: a cell with a second r (the
    # parser takes the last) fails this, however the attribute is spaced
    flat = xml.translate(_WHITESPACE)
    if b" r " in flat or b" r= " in flat or b" r='" in flat:
        return False
    return flat.count(b' r="') == cells + xml.count(b'<row r="')


def _widths(xml: bytes) -> tuple[int, int]:
    """(a row, a column) no cell goes past: from the most digits and letters any reference has."""
    digits = next((k for k, rx in _ROW_WIDTH.items() if rx.search(xml)), 0)
    letters = next((k for k, rx in _COLUMN_WIDTH.items() if rx.search(xml)), 0)
    return 10**digits - 1, sum(26**i for i in range(1, letters + 1))


def _extent(xml: bytes) -> tuple[int, int]:
    """(last row, last column) over every cell element, formatting-only cells too (so never below
    the truth)."""
    refs = _CELL_REF.findall(xml)
    if not refs:
        return 0, 0
    return max(map(int, map(itemgetter(1), refs))), max(map(column_number, set(map(itemgetter(0), refs))))


def _within(row: int, col: int, bounds: SheetBounds) -> bool:
    return row - 1 <= bounds.rows and col <= bounds.columns and row * col <= bounds.cells


def _exceeds(sheet: str, row: int, col: int, last_row: int, last_col: int, bounds: SheetBounds) -> Problem | None:
    ref = f"{column_letters(col)}{row}"
    if row > EXCEL_ROWS or col > EXCEL_COLUMNS:
        return Problem("error", sheet, None, None, ref, "cell_ref")
    if row - 1 > bounds.rows:
        return Problem("error", sheet, row, ref, row, "sheet_rows", detail=f"{bounds.rows:,}")
    if col > bounds.columns:
        return Problem("error", sheet, row, ref, ref, "sheet_columns", detail=f"{bounds.columns:,}")
    if max(row, last_row) * max(col, last_col) > bounds.cells:
        area = f"A1:{column_letters(max(col, last_col))}{max(row, last_row)}"
        return Problem("error", sheet, row, ref, area, "sheet_cells", detail=f"{bounds.cells:,}")
    return None


class _Stop(Exception):
    """Raised from an expat handler to stop at the first cell past the bounds."""


_REF = re.compile(r"([A-Z]+)([0-9]+)")


class _Cells:
    """expat handlers that place every cell as calamine does and stop at the first one past the
    bounds (or with a reference that is no cell of Excel's grid)."""

    def __init__(self, sheet: str, bounds: SheetBounds) -> None:
        self.sheet, self.bounds = sheet, bounds
        self.row = self.col = 0  # the current row, the column of the cell before
        self.last_row = self.last_col = 0
        self.cell: tuple[int, int] | None = None  # the open cell, until it shows a value
        self.problem: Problem | None = None

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition(":")[2]
        if local == "row":
            r = attrs.get("r")
            self.row = self._number(r, r or "") if r is not None else self.row + 1
            self.col = 0
        elif local == "c":
            r = attrs.get("r")
            if r is None:
                self.cell = (max(self.row, 1), self.col + 1)
            else:
                m = _REF.fullmatch(r.strip())
                if not m or len(m.group(1)) > 3:
                    self._stop(Problem("error", self.sheet, None, None, r, "cell_ref"))
                self.cell = (self._number(m.group(2), r), column_number(m.group(1)))  # type: ignore[union-attr]
            self.col = self.cell[1]
        elif self.cell is not None:  # a value, inline string or formula inside the cell
            row, col = self.cell
            self.cell = None
            found = _exceeds(self.sheet, row, col, self.last_row, self.last_col, self.bounds)
            if found:
                self._stop(found)
            self.last_row, self.last_col = max(self.last_row, row), max(self.last_col, col)

    def end(self, name: str) -> None:
        if name.rpartition(":")[2] == "c":
            self.cell = None

    def _number(self, digits: str, ref: str) -> int:
        if not digits.strip().isdigit() or len(digits.strip()) > 9:
            self._stop(Problem("error", self.sheet, None, None, ref, "cell_ref"))
        return int(digits)

    def _stop(self, problem: Problem) -> None:
        self.problem = problem
        raise _Stop

    def doctype(self, *_args: object) -> None:  # no part of an xlsx has one; entities could expand
        self._stop(Problem("error", self.sheet, None, None, None, "unreadable", detail="XML DOCTYPE"))


def _exact(xml: bytes, sheet: str, bounds: SheetBounds) -> list[Problem]:
    cells = _Cells(sheet, bounds)
    parser = expat.ParserCreate()
    parser.StartElementHandler = cells.start
    parser.EndElementHandler = cells.end
    parser.StartDoctypeDeclHandler = cells.doctype
    try:
        for at in range(0, len(xml), MIB):
            parser.Parse(xml[at : at + MIB], False)
        parser.Parse(b"", True)
    except _Stop:
        pass
    except expat.ExpatError as exc:
        return [Problem("error", sheet, None, None, None, "unreadable", detail=f"XML: {exc}")]
    return [cells.problem] if cells.problem else []
