"""Read a census source — an .xlsx workbook, a folder of .csv or of .parquet — into raw sheets.

Raw sheets hold the cells as the user wrote them (object columns) with the Excel row number of
each data row in ``_row``; normalisation and type checks are census.validate's job. Structural
problems (merged cells, formula cells, unknown sheets and columns) are found here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from countyedu.census import isolation
from countyedu.census.limits import IMPORT, Limits
from countyedu.census.problems import Problem
from countyedu.census.schema import SHEET_BY_NAME, Sheet, clean_text, sheet_name_for
from countyedu.census.xlsx_package import Ahead, check_package
from countyedu.errors import InputFileError
from countyedu.messages import Msg

_HEADER_WITH_CODE = re.compile(r"^(.*?)[\s]*[\(（]\s*([A-Za-z0-9_]+)\s*[\)）]$")


@dataclass
class RawSheet:
    """One sheet as read: object columns named by code, ``_row`` = the row a user sees."""

    name: str
    source: str
    frame: pd.DataFrame
    columns_found: list[str] = field(default_factory=list)
    # (row, column) of cells already reported as errors while reading (formula without a value,
    # cells hidden under a merge): left empty, and not reported again as missing
    reported: set[tuple[int, str]] = field(default_factory=set)


@dataclass
class RawCensus:
    """Every recognised sheet of a source, and the structural problems met while reading."""

    path: Path
    sheets: dict[str, RawSheet]
    problems: list[Problem]
    answers: dict[str, Any] = field(default_factory=dict)  # read_source's ``each`` of each sheet


Each = Callable[[RawSheet], Any]


def column_name_for(sheet: Sheet, header: Any) -> str | None:
    """The column code for a header cell: code, Chinese label, or 'label (code)'."""
    if header is None:
        return None
    text = clean_text(str(header))
    m = _HEADER_WITH_CODE.match(text)
    candidates = [m.group(2), m.group(1)] if m else [text]
    for cand in candidates:
        for col in sheet.columns:
            if cand.lower() == col.name or cand == col.zh:
                return col.name
        if sheet.repeating:
            rm = re.fullmatch(sheet.repeating, cand.lower())
            zm = re.fullmatch(sheet.repeating_zh or "$^", cand)
            if rm or zm:
                return f"choice_{(rm or zm).group(1)}"  # type: ignore[union-attr]
    return None


def read_source(
    path: Path, *, limits: Limits = IMPORT, each: Each | None = None, ahead: Ahead | None = None
) -> RawCensus:
    """Read a workbook or a folder of CSV or Parquet files within ``limits``; raise InputFileError
    if unreadable. ``each`` is called on every sheet read, its answers kept in ``answers``: on a
    workbook's sheet as soon as it is read, while the parser reads the next ones. ``ahead``: the
    workbook's checks started before (xlsx_package.check_ahead), used if they cleared this file."""
    path = Path(path)
    if not path.exists():
        raise InputFileError(Msg("{path}: no such file or folder", path=path))
    raw = _read_folder(path) if path.is_dir() else _read_workbook(path, limits, each, ahead)
    if each is not None:
        raw.answers |= {name: each(rs) for name, rs in raw.sheets.items() if name not in raw.answers}
    return raw


def _table_from_columns(sheet: Sheet, source: str, cells: Cells, first_row: int, problems: list[Problem]) -> RawSheet:
    """Map headers to codes and build the raw frame; data row i is Excel row first_row + i."""
    mapping: dict[int, str] = {}
    seen: dict[str, int] = {}
    for i, h in enumerate(cells.header):
        if h is None or (isinstance(h, str) and not h.strip()):
            continue
        code = column_name_for(sheet, h)
        if code is None:
            problems.append(Problem("warning", source, 1, str(h), h, "unknown_column"))
            continue
        if code in seen:
            problems.append(Problem("error", source, 1, code, h, "duplicate_column"))
            continue
        seen[code] = i
        mapping[i] = code
    grid = pd.DataFrame({code: cells.column(i) for i, code in mapping.items()}, index=pd.RangeIndex(cells.rows))
    keep = _filled_rows(grid)
    frame = grid[keep].reset_index(drop=True)  # fully blank rows are not data
    frame["_row"] = pd.Series(np.flatnonzero(keep) + first_row, dtype="int64")
    return RawSheet(sheet.name, source, frame, list(mapping.values()))


def _filled_rows(grid: pd.DataFrame) -> np.ndarray:
    """Whether each row holds data (a cell not empty, not NaN, not only spaces), column by column over
    the rows not yet known to (a row's first cell usually is filled: the later columns see few rows;
    a generator per row cost half a second on the demo workbook)."""
    keep = np.zeros(len(grid), dtype=bool)
    todo = np.arange(len(grid))
    for j in range(grid.shape[1]):
        if not len(todo):
            break
        cells = grid.iloc[todo, j].to_numpy(dtype=object)
        blank = pd.isna(cells) | np.fromiter(
            (isinstance(v, str) and not v.strip() for v in cells), dtype=bool, count=len(cells)
        )
        keep[todo[~blank]] = True
        todo = todo[blank]
    return keep


# ---------------------------------------------------------------------------------------- xlsx


def _read_workbook(path: Path, limits: Limits, each: Each | None = None, ahead: Ahead | None = None) -> RawCensus:
    if path.stat().st_size == 0:
        raise InputFileError(Msg("{name}: the file is empty", name=path.name), rule="empty_file")
    with path.open("rb") as fh:
        magic = fh.read(8)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputFileError(
            Msg("{name}: this is an old .xls workbook; save it as .xlsx", name=path.name),
            rule="not_xlsx",
        )
    if not magic.startswith(b"PK"):
        raise InputFileError(
            Msg("{name}: not an Excel .xlsx workbook (nor a folder of .csv or .parquet files)", name=path.name),
            rule="not_xlsx",
        )
    with _Parser(path, limits) as parser:
        return _read_sheets(path, limits, parser, each, ahead)


def _read_sheets(path: Path, limits: Limits, parser: _Parser, each: Each | None, ahead: Ahead | None) -> RawCensus:
    try:
        verdict = ahead.verdict(path, limits) if ahead is not None else None
        if verdict is None:  # checked here, each sheet given to the parser as it is cleared
            verdict = check_package(path, limits, passed=parser.open, cleared=parser.want)
        else:  # cleared before: every sheet not refused given to the parser at once
            parser.open()
            for label in verdict.formulas:
                parser.want(label)
        refused, formulas = verdict.refused, verdict.formulas
        labels = parser.labels()
    except InputFileError:
        raise
    except Exception as exc:  # zipfile, calamine and XML errors all mean a damaged file
        raise InputFileError(
            Msg("{name}: the workbook is damaged or truncated ({exc})", name=path.name, exc=exc),
            rule="unreadable",
        ) from exc

    problems: list[Problem] = []
    answers: dict[str, Any] = {}
    sheets: dict[str, RawSheet] = {}
    for sheet_label in labels:
        code = sheet_name_for(sheet_label)
        if code is None:
            problems.append(Problem("warning", sheet_label, None, None, None, "unknown_sheet"))
            continue
        if code in sheets:
            problems.append(Problem("error", sheet_label, None, None, None, "duplicate_sheet", detail=code))
            continue
        if sheet_label in refused:  # past a limit: never given to the parser
            problems += refused[sheet_label]
            continue
        got = parser.sheet(sheet_label)
        if isinstance(got, str):
            raise InputFileError(
                Msg(
                    "{name}, sheet {sheet_label}: cannot be read ({got})",
                    name=path.name,
                    sheet_label=sheet_label,
                    got=got,
                ),
                rule="unreadable",
            )
        cells, merged = got
        headers = [column_name_for(SHEET_BY_NAME[code], h) for h in cells.header]
        reported: set[tuple[int, str]] = set()
        for (r0, c0), (r1, c1) in merged:
            ref = f"{_a1(r0, c0)}:{_a1(r1, c1)}"
            column = headers[c0] if c0 < len(headers) else None
            value = cells.at(r0, c0)
            value = None if value == "" else value
            problems.append(Problem("error", sheet_label, r0 + 1, column, value, "merged_cells", detail=ref))
            last = min(r1, cells.rows)  # rows past the data hold nothing to report
            reported |= {(r + 1, c) for r in range(r0 + 1, last + 1) for c in headers[c0 : c1 + 1] if c}
        for ref, has_value, error in formulas.get(sheet_label, []):
            row, col_index = _parse_a1(ref)
            value = cells.at(row - 1, col_index)
            column = (headers[col_index] if col_index < len(headers) else None) or ref
            if error is not None:
                problems.append(Problem("error", sheet_label, row, column, error, "formula_error"))
                reported.add((row, column))
            elif has_value and value not in (None, ""):
                problems.append(Problem("warning", sheet_label, row, column, value, "formula"))
            else:
                problems.append(Problem("error", sheet_label, row, column, ref, "formula_no_value"))
                reported.add((row, column))
        if all(c in (None, "") for c in cells.header):
            problems.append(Problem("error", sheet_label, 1, None, None, "header_missing"))
            continue
        sheets[code] = _table_from_columns(SHEET_BY_NAME[code], sheet_label, cells, 2, problems)
        sheets[code].reported = reported
        if each is not None:  # while the parser reads the next sheets
            answers[code] = each(sheets[code])
    if not sheets and not any(p.severity == "error" for p in problems):
        found = "、".join(labels) or "-"
        problems.append(Problem("error", path.name, None, None, None, "no_known_sheet", detail=found))
    return RawCensus(path, sheets, problems, answers)


# Characters tried, in turn, to join a column of text into one string (one not in any of its cells)
_SEPARATORS = ("\x00", "\x1f", "\x1e", "\x01")


class Cells:
    """A sheet's cells as the parser gave them (rows of Python values, "" for an empty cell), held
    by column and packed: a column of text as one string and its separator, a column of numbers
    (and empty cells) as a float array and where the empty cells are, any other column as its
    values. Packed, a sheet crosses from the parser's child process (census.isolation) as a few
    large objects instead of a million small ones: pickling and unpickling the cells one by one cost
    ~0.9 s of CPU on the demo workbook. Unpacked, every cell is the value the parser gave. Read in
    this process (``packed=False``) the columns are kept as the parser's values: packing and
    unpacking them cost ~0.15 s of CPU on the demo workbook for nothing."""

    def __init__(self, rows: list[list[Any]], *, packed: bool = True) -> None:
        self.header: list[Any] = list(rows[0]) if rows else []
        self.rows = max(len(rows) - 1, 0)  # data rows below the header
        lengths = set(map(len, rows))
        width = max(lengths, default=0)
        if len(lengths) > 1:  # the parser gives a rectangle; pad if it did not
            rows = [r if len(r) == width else [*r, *([None] * (width - len(r)))] for r in rows]
        grid = np.empty((len(rows), width), dtype=object)  # by column at C speed (zip(*rows) took 0.2 s)
        if self.rows:
            grid[:] = rows
        pack = _pack if packed else _as_is
        self._packed = [pack(grid[1:, j]) for j in range(width)] if self.rows else []

    @property
    def width(self) -> int:
        return len(self._packed)

    def column(self, j: int) -> np.ndarray:
        """Column j's data cells (below the header), as object values; None past the last column."""
        if j >= self.width:
            return np.full(self.rows, None, dtype=object)
        return _unpack(self._packed[j], self.rows)

    def at(self, row: int, col: int) -> Any:
        """The cell at 0-based (row, col) counted from the header row; None outside the sheet."""
        if row == 0:
            return self.header[col] if col < len(self.header) else None
        if row > self.rows or col >= self.width:
            return None
        return self.column(col)[row - 1]


def _pack(col: np.ndarray) -> tuple[Any, ...]:
    types = set(map(type, col))
    if types == {str}:
        for sep in _SEPARATORS:
            text = sep.join(col)
            if text.count(sep) == len(col) - 1:  # the separator is in no cell
                return ("s", sep, text)
    elif types == {float}:
        return ("f", col.astype(np.float64), None)
    elif types == {float, str}:
        empty = col == ""
        numbers = col[~empty]
        if set(map(type, numbers)) == {float}:  # the text cells are all empty
            out = np.zeros(len(col), dtype=np.float64)
            out[~empty] = numbers.astype(np.float64)
            return ("f", out, empty)
    return ("o", col.tolist())


def _as_is(col: np.ndarray) -> tuple[Any, ...]:
    return ("a", col)


def _unpack(packed: tuple[Any, ...], n: int) -> np.ndarray:
    kind = packed[0]
    if kind == "a":  # read in this process: the parser's values, never packed
        return packed[1]  # type: ignore[no-any-return]
    out = np.empty(n, dtype=object)
    if kind == "s":
        out[:] = packed[2].split(packed[1])
    elif kind == "f":
        out[:] = packed[1].tolist()  # Python floats, as the parser gave them
        if packed[2] is not None:
            out[packed[2]] = ""
    else:
        out[:] = packed[1]
    return out


Sheets = dict[str, "tuple[Cells, list[Any]] | str"]


def _calamine_sheets(path: str, wanted: list[str], packed: bool = True) -> tuple[list[str], Sheets]:
    """(every sheet name, the cells and merged ranges of each wanted sheet, or why it failed); the cells
    packed (Cells) to cross from a child process, else as the parser gave them."""
    import python_calamine

    wb = python_calamine.CalamineWorkbook.from_path(path)
    return list(wb.sheet_names), {label: _calamine_sheet(wb, label, packed) for label in wanted}


def _calamine_sheet(wb: Any, label: str, packed: bool) -> tuple[Cells, list[Any]] | str:
    """The cells and merged ranges of one sheet of an open workbook, or why it failed."""
    try:
        ws = wb.get_sheet_by_name(label)
        return Cells(ws.to_python(skip_empty_area=False), packed=packed), ws.merged_cell_ranges or []
    except Exception as exc:
        return str(exc)


def _calamine_open(path: str) -> tuple[Any, list[str]]:
    """(the workbook opened by the parser, its sheet names): the names read on the parser's thread, as
    every use of the workbook (one thread at a time: python-calamine refuses a second one)."""
    import python_calamine

    wb = python_calamine.CalamineWorkbook.from_path(path)
    return wb, list(wb.sheet_names)


class _Parser:
    """The parser's reading of a workbook, given each sheet as the checks clear it (``want``).

    In this process the sheets are parsed on a thread, one after the other as they are cleared, while
    this thread checks the next ones and validates those parsed: python-calamine releases the GIL
    while it parses (~0.7 s of the demo workbook), so both cores work. With ``limits.isolate`` every
    cleared sheet is parsed at once, in a child process (_parse), when the first is asked for. A
    workbook is opened only once the package around its sheets has passed its checks (``open``):
    opening reads the package's relationships, shared strings, styles and workbook part, no sheet."""

    def __init__(self, path: Path, limits: Limits) -> None:
        self.path, self.limits = path, limits
        self._isolated = limits.isolate and isolation.available()
        self._pool = None if self._isolated else ThreadPoolExecutor(1, thread_name_prefix="countyedu-parser")
        self._book: Future[Any] | None = None
        self._sheets: dict[str, Future[tuple[Cells, list[Any]] | str]] = {}
        self._wanted: list[str] = []
        self._read: tuple[list[str], Sheets] | None = None

    def __enter__(self) -> _Parser:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._pool is not None:  # a sheet being parsed is finished, the others never started
            self._pool.shutdown(wait=True, cancel_futures=True)

    def open(self) -> None:
        if self._pool is not None:
            self._book = self._pool.submit(_calamine_open, str(self.path))

    def want(self, label: str) -> None:
        if self._pool is None:
            self._wanted.append(label)
        else:
            self._sheets[label] = self._pool.submit(self._parse_one, label)

    def _parse_one(self, label: str) -> tuple[Cells, list[Any]] | str:
        assert self._book is not None
        return _calamine_sheet(self._book.result()[0], label, packed=False)  # opened before: the pool's one thread

    def labels(self) -> list[str]:
        """Every sheet's name, as the parser reads the workbook (raises if it cannot open it)."""
        if self._pool is None:
            self._read = _parse(self.path, self._wanted, self.limits)
            return self._read[0]
        assert self._book is not None
        return self._book.result()[1]

    def sheet(self, label: str) -> tuple[Cells, list[Any]] | str:
        """A wanted sheet's cells and merged ranges, or why it could not be read."""
        if self._read is not None:
            return self._read[1].get(label, _MISSING)
        got = self._sheets.get(label)
        return _MISSING if got is None else got.result()


_MISSING = "the sheet's part is missing"


def _parse(path: Path, wanted: list[str], limits: Limits) -> tuple[list[str], Sheets]:
    """The parser's reading of the workbook: in this process, or (limits.isolate) in a child
    process whose crash, memory or time overrun is reported as an unreadable file."""
    if not (limits.isolate and isolation.available()):
        return _calamine_sheets(str(path), wanted, packed=False)
    import python_calamine  # noqa: F401 - imported once here, not in every child

    try:
        return isolation.run_isolated(  # type: ignore[no-any-return]
            _calamine_sheets,
            str(path),
            wanted,
            memory_bytes=limits.parse_memory_bytes,
            seconds=limits.parse_seconds,
        )
    except isolation.ChildFailed as exc:
        if exc.reason == "timeout":
            raise InputFileError(
                Msg(
                    "{name}: reading the workbook took more than {parse_seconds} s and was stopped",
                    name=path.name,
                    parse_seconds=limits.parse_seconds,
                ),
                rule="parse_timeout",
            ) from exc
        raise InputFileError(
            Msg(
                "{name}: the workbook could not be read, its reader stopped ({detail}); the file may be damaged: open it in Excel and save it again",
                name=path.name,
                detail=exc.detail,
            ),
            rule="parser_failed",
        ) from exc


def _a1(row0: int, col0: int) -> str:
    letters = ""
    n = col0 + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row0 + 1}"


def _parse_a1(ref: str) -> tuple[int, int]:
    m = re.fullmatch(r"([A-Z]+)(\d+)", ref)
    if not m:
        return 0, 0
    col = 0
    for ch in m.group(1):
        col = col * 26 + (ord(ch) - 64)
    return int(m.group(2)), col - 1


# -------------------------------------------------------------------------------------- folders


def _read_folder(path: Path) -> RawCensus:
    files = sorted(p for p in path.iterdir() if p.suffix.lower() in (".csv", ".parquet"))
    problems: list[Problem] = []
    sheets: dict[str, RawSheet] = {}
    if not files:
        raise InputFileError(
            Msg("{path}: the folder holds no .csv or .parquet file", path=path),
            rule="no_known_sheet",
        )
    for f in files:
        code = sheet_name_for(f.stem)
        if code is None:
            problems.append(Problem("warning", f.name, None, None, None, "unknown_sheet"))
            continue
        if code in sheets:
            problems.append(Problem("error", f.name, None, None, None, "duplicate_sheet", detail=code))
            continue
        sheet = SHEET_BY_NAME[code]
        if f.stat().st_size == 0:
            problems.append(Problem("error", f.name, None, None, None, "empty_file"))
            continue
        try:
            frame = _read_csv(f) if f.suffix.lower() == ".csv" else pd.read_parquet(f, dtype_backend="pyarrow")
        except Exception as exc:
            problems.append(Problem("error", f.name, None, None, None, "unreadable", detail=str(exc)[:200]))
            continue
        # no row limit for folders: Parquet is the way past Excel's 1,048,576 rows
        sheets[code] = _frame_to_raw(sheet, f.name, frame, problems)
    if not sheets and not any(p.severity == "error" for p in problems):
        problems.append(
            Problem("error", path.name, None, None, None, "no_known_sheet", detail="、".join(f.name for f in files))
        )
    return RawCensus(path, sheets, problems)


def _read_csv(f: Path) -> pd.DataFrame:
    """CSV as text cells; UTF-8 (with or without BOM) or GB18030, as Chinese Excel saves it."""
    try:
        return pd.read_csv(f, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except UnicodeDecodeError:
        return pd.read_csv(f, dtype=str, keep_default_na=False, encoding="gb18030")


def _frame_to_raw(sheet: Sheet, source: str, frame: pd.DataFrame, problems: list[Problem]) -> RawSheet:
    """Rename a CSV/Parquet frame's headers to codes; keep native dtypes (Parquet is typed)."""
    rename: dict[str, str] = {}
    seen: set[str] = set()
    for h in frame.columns:
        code = column_name_for(sheet, h)
        if code is None:
            problems.append(Problem("warning", source, 1, str(h), h, "unknown_column"))
        elif code in seen:
            problems.append(Problem("error", source, 1, code, h, "duplicate_column"))
        else:
            seen.add(code)
            rename[h] = code
    out = frame[list(rename)].rename(columns=rename)
    # blank CSV lines come through as all-empty strings: not data
    if len(out.columns) and source.lower().endswith(".csv"):
        blank = out.apply(lambda s: s.isna() | (s.astype(str).str.strip() == "") if s.dtype == object else s.isna())
        keep = ~blank.all(axis=1)
    else:
        keep = pd.Series(True, index=out.index)
    rows = pd.Series(range(2, len(out) + 2), index=out.index, dtype="int64")
    out = out[keep].reset_index(drop=True)
    out["_row"] = rows[keep].to_numpy()
    return RawSheet(sheet.name, source, out, list(rename.values()))
