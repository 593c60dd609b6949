"""Normalise and validate raw sheets with pandera schemas built from census.schema.

Two passes per sheet, both pandera: first the types (cells that cannot become the column's type
are reported and blanked), then the values (required, ranges, codes, integers, unique keys), so
that one bad cell never hides the problems of the other rows. A sheet that the same checks,
vectorised (_passes), find clean skips pandera (and its import): on the demo workbook every sheet,
~1 s of CPU; a sheet with any failure is reported by pandera as before. Labels, full-width characters,
trailing blanks and numbers stored as text are normalised before, not rejected.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import unicodedata
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from countyedu.census.problems import Problem, errors, show_value
from countyedu.census.readers import RawSheet
from countyedu.census.schema import CODE_ALIASES, CODES, FALSE_WORDS, TRUE_WORDS, YEAR_MAX, YEAR_MIN, Column, Sheet

if TYPE_CHECKING:
    import pandera.pandas as pa


def _pandera() -> tuple[Any, type[Exception]]:
    """pandera and its SchemaErrors, imported when a sheet needs them (census.validate._passes:
    a sheet that passes the vectorised checks never does; ~0.4 s of imports saved).

    pandera registers its types for pyspark.pandas whenever pyspark is importable (the spark extra,
    the test and bench environments): about 0.3 s of imports on every validation, for a library it
    never validates here. Hidden while pandera loads (pandera then leaves pyspark alone), shown
    again after."""
    hide = "pyspark.pandas" not in sys.modules
    if hide:
        sys.modules["pyspark.pandas"] = None  # type: ignore[assignment]
    try:
        import pandera.pandas as pandera
        from pandera.errors import SchemaErrors
    finally:
        if hide and sys.modules.get("pyspark.pandas", 0) is None:
            del sys.modules["pyspark.pandas"]
    return pandera, SchemaErrors


_TRUE, _FALSE = TRUE_WORDS, FALSE_WORDS

_TYPE_RULE = {"int": "type_int", "year": "type_year", "float": "type_number", "bool": "type_bool"}


# ------------------------------------------------------------------------------ normalisation


Groups = tuple[np.ndarray, np.ndarray]


def _groups(s: pd.Series) -> Groups:
    """(each cell's code, the distinct values) of a column; a missing cell's code is -1."""
    values = s if isinstance(s.dtype, pd.ArrowDtype) else s.astype(object)  # Arrow: no Python objects per row
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return codes, np.asarray(uniques, dtype=object)


def _by_unique(s: pd.Series, fn: Callable[[object], object], groups: Groups | None = None) -> pd.Series:
    """fn applied once per distinct cell value (a census column repeats few values), missing → None;
    ``groups``: s's _groups, when already made."""
    codes, uniques = groups if groups is not None else _groups(s)
    mapped = np.empty(len(uniques) + 1, dtype=object)
    mapped[:-1] = [fn(u) for u in uniques]
    mapped[-1] = None  # code -1: missing
    return pd.Series(mapped[codes], index=s.index, dtype=object)


def _text(v: str) -> str | None:
    """NFKC (full-width digits, letters and spaces become ASCII), trimmed; empty → missing."""
    t = unicodedata.normalize("NFKC", v).strip()
    return t or None


def _id_value(v: object) -> object:
    """Ids are strings; an id Excel stored as the number 3604210001.0 becomes '3604210001'."""
    if isinstance(v, str):
        return _text(v)
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    if isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)):
        return str(v)
    return str(v)


def _number_value(v: object) -> object:
    """Numbers stored as text ('1,234', '２０１９') become numbers; anything else stays for pandera."""
    if not isinstance(v, str):
        return v
    t = _text(v)
    if t is None:
        return None
    try:
        return float(t.replace(",", ""))
    except ValueError:
        return t


def _bool_value(v: object) -> object:
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, float)) and v in (0, 1):
        return bool(v)
    if isinstance(v, str):
        t = (_text(v) or "").lower()
        if t in _TRUE:
            return True
        if t in _FALSE:
            return False
        return _text(v)
    return v


def _code_fn(codes: dict[str, str], aliases: dict[str, str] | None = None) -> Callable[[object], object]:
    lookup = {c.lower(): c for c in codes} | {label: c for c, label in codes.items()} | (aliases or {})

    def one(v: object) -> object:
        t = _id_value(v)
        return lookup.get(t.lower(), lookup.get(t, t)) if isinstance(t, str) else t

    return one


_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def _date_value(v: object) -> object:
    """A date cell as ISO text: an Excel date, or text such as 2025-6-30, 2025/6/30 or 2025年6月30日;
    anything else stays as it is (the check reports it)."""
    if isinstance(v, (dt.datetime, pd.Timestamp)):
        return v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    t = _text(v) if isinstance(v, str) else v
    if isinstance(t, str):
        m = _DATE.fullmatch(t)
        if m:
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
            except ValueError:
                return t
    return t


def _is_date(v: object) -> bool:
    try:
        return isinstance(v, str) and dt.date.fromisoformat(v).isoformat() == v
    except ValueError:
        return False


def _norm_id(s: pd.Series) -> pd.Series:
    if pd.api.types.is_integer_dtype(s.dtype):
        return s.astype("string").astype(object).where(s.notna(), None)
    return _by_unique(s, _id_value)


def normalise(col: Column, s: pd.Series, groups: Groups | None = None) -> pd.Series:
    """The column's cells with labels, spacing and text-numbers normalised (never rejected here);
    ``groups``: s's _groups, when already made (a number column's)."""
    if col.kind in ("id", "str"):
        return _norm_id(s)
    if col.kind == "code":
        return _by_unique(s, _code_fn(CODES[col.codes or ""], CODE_ALIASES.get(col.codes or "")))
    if col.kind == "date":
        return _by_unique(s, _date_value)
    if col.kind == "bool":
        return s if pd.api.types.is_bool_dtype(s.dtype) else _by_unique(s, _bool_value)
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        return s
    return _by_unique(s, _number_value, groups)


# ---------------------------------------------------------------------------------- schemas

_TYPE_DTYPE = {"int": "Float64", "year": "Float64", "float": "Float64", "bool": "boolean"}


def _checks(col: Column) -> list[pa.Check]:
    pandera, _ = _pandera()
    checks: list[pa.Check] = []
    if col.kind in ("int", "year"):
        checks.append(pandera.Check(lambda s: s == np.floor(s), element_wise=False, error="integer"))
    if col.kind == "year":
        checks.append(pandera.Check.in_range(YEAR_MIN, YEAR_MAX, error="year_range"))
    low, high = _plain_range(col)  # the bounds _passes checks too
    if col.name in ("age", "lat", "lon"):
        checks.append(pandera.Check.in_range(low, high, error=f"{col.name}_range"))
    elif low == 0 and high is None:
        checks.append(pandera.Check.ge(0, error="negative"))
    else:
        if low is not None:
            checks.append(pandera.Check.ge(low, error=f"min:{low:g}"))
        if high is not None:
            checks.append(pandera.Check.le(high, error=f"max:{high:g}"))
    if col.kind == "code":
        checks.append(pandera.Check.isin(list(CODES[col.codes or ""]), error="code"))
    if col.kind == "date":
        checks.append(pandera.Check(_is_date, element_wise=True, error="date"))
    return checks


def _type_schema(sheet: Sheet, present: list[str]) -> pa.DataFrameSchema:
    pa, _ = _pandera()
    cols = {
        c.name: pa.Column(_TYPE_DTYPE[c.kind], coerce=True, nullable=True)
        for c in sheet.columns
        if c.name in present and c.kind in _TYPE_DTYPE
    }
    return pa.DataFrameSchema(cols, strict=False)


def _value_schema(sheet: Sheet, present: list[str]) -> pa.DataFrameSchema:
    pa, _ = _pandera()
    cols = {}
    for c in sheet.columns:
        if c.name not in present:
            continue
        dtype = _TYPE_DTYPE.get(c.kind)
        cols[c.name] = pa.Column(dtype, checks=_checks(c), nullable=True, coerce=dtype is not None)
    key = [k for k in sheet.key if k in present]
    unique = key if len(key) == len(sheet.key) else None
    return pa.DataFrameSchema(cols, strict=False, unique=unique, report_duplicates="all")


# -------------------------------------------------------------------------------- validation


def validate_sheet(raw: RawSheet) -> tuple[pd.DataFrame, list[Problem]]:
    """The typed frame of one sheet and every problem in it (located by Excel row)."""
    from countyedu.census.schema import SHEET_BY_NAME

    sheet = SHEET_BY_NAME[raw.name]
    problems: list[Problem] = []
    frame = raw.frame.copy()
    rows = frame["_row"].to_numpy()
    floats: dict[str, pd.Series] = {}  # plain number columns (_plain_numbers) as Float64, made once
    for c in sheet.columns:
        if c.name not in frame.columns:
            if not c.nullable:
                problems.append(Problem("error", raw.source, 1, c.name, None, "missing_column", detail=c.header))
            continue
        cells = frame[c.name]
        number = c.kind in _TYPE_DTYPE and c.kind != "bool"
        plain = _plain_numbers(cells) if number else None
        if plain is not None:  # as normalise, _blank_dates and _blank_unreal leave such cells
            frame[c.name], floats[c.name] = plain
            continue
        # a number column's cells as read grouped once, for normalising and for both checks below
        groups = _groups(cells) if number and cells.dtype == object else None
        frame[c.name] = normalise(c, cells, groups)
        if number:
            _blank_dates(raw.source, c, frame, rows, problems, groups)
            _blank_unreal(raw.source, c, frame, cells, rows, problems, groups)
    for extra in [x for x in frame.columns if x.startswith("choice_")]:
        frame[extra] = _norm_id(frame[extra])
    present = [c for c in frame.columns if c != "_row"]

    blanked: set[tuple[int, str]] = {(p.row or 0, p.column or "") for p in problems} | raw.reported
    # a sheet the vectorised checks pass holds no failure pandera could report (they are at least as
    # strict as its two passes); any other sheet goes through pandera, whose failures are the report
    checked = _passes(sheet, present, frame, floats)

    # pass 1: types
    bad = [] if checked else _failures(_type_schema(sheet, present), frame)
    for col, idx, value, _check in bad:
        kind = sheet.column(col).kind
        problems.append(Problem("error", raw.source, int(rows[idx]), col, value, _TYPE_RULE[kind]))
        blanked.add((int(rows[idx]), col))
        frame.at[idx, col] = None

    # pass 2: values
    duplicate_rows: set[int] = set()
    for col, idx, value, check in [] if checked else _failures(_value_schema(sheet, present), frame):
        problem = _value_problem(raw.source, sheet, col, int(rows[idx]), value, check, frame.loc[idx])
        if problem.rule == "duplicate_key":  # a key of several columns fails once per column
            if idx in duplicate_rows:
                continue
            duplicate_rows.add(idx)
        problems.append(problem)
    for c in sheet.columns:
        if c.name in present and not c.nullable:
            for idx in np.flatnonzero(frame[c.name].isna().to_numpy()):
                if (int(rows[idx]), c.name) in blanked:
                    continue
                problems.append(Problem("error", raw.source, int(rows[idx]), c.name, None, "required"))
    typed = _typed(sheet, frame, present, floats if checked else {}) if not errors(problems) else frame
    return typed, problems


def _plain_numbers(cells: pd.Series) -> tuple[pd.Series, pd.Series] | None:
    """A number column as read from a workbook (object cells), normalised, when every cell is a finite
    float below LARGEST or empty ("" or None), as almost every census column is: each float as it is,
    each empty cell missing, which is what normalise gives such cells (one call per distinct value)
    and where _blank_dates and _blank_unreal find nothing; and the same as Float64, as its astype
    gives it (made from the floats at once, not cell by cell twice, by _passes and _typed). None for
    any other column (text, dates, NaN, infinity, huge numbers), which takes the general way."""
    if cells.dtype != object:
        return None
    values = cells.to_numpy()
    types = set(map(type, values))
    if not types <= {float, str, type(None)}:
        return None
    empty = np.zeros(len(values), dtype=bool)  # NaN is not empty here: _blank_unreal reports it
    if type(None) in types:
        empty |= np.fromiter((v is None for v in values), dtype=bool, count=len(values))
    if str in types:
        text = values == ""
        if not (text | empty | np.fromiter(map(float.__instancecheck__, values), bool, len(values))).all():
            return None  # text other than an empty cell
        empty |= text
    numbers = values[~empty].astype(np.float64)
    if not (np.isfinite(numbers).all() and (np.abs(numbers) < LARGEST).all()):
        return None
    out = values.copy()
    out[empty] = None
    full = np.zeros(len(values), dtype=np.float64)
    full[~empty] = numbers
    typed = pd.Series(pd.arrays.FloatingArray(full, empty), index=cells.index)
    return pd.Series(out, index=cells.index, dtype=object), typed


def _passes(sheet: Sheet, present: list[str], frame: pd.DataFrame, floats: dict[str, pd.Series]) -> bool:
    """Whether pandera's two passes (_type_schema, then _value_schema) would find nothing in the
    sheet, by the same checks vectorised over each column: every typed column converts to its dtype,
    and on the converted values no integer, range, code or date check fails and the key holds no
    duplicate. Never True where pandera would report a failure (each check here is at least as
    strict: a missing value passes, as pandera's checks ignore them); False sends the sheet to
    pandera, whose failures make the report. ``floats``: columns already Float64 (validate_sheet)."""
    for c in sheet.columns:
        if c.name not in present:
            continue
        s = frame[c.name]
        dtype = _TYPE_DTYPE.get(c.kind)
        if c.name in floats:
            s = floats[c.name]
        elif dtype is not None:
            try:
                s = s.astype(dtype)  # what pandera's coercion does
            except (TypeError, ValueError, OverflowError):
                return False
        given = s.notna().to_numpy(dtype=bool)
        if not given.any():
            continue
        if dtype is not None and c.kind != "bool":
            v = s.to_numpy(dtype="float64", na_value=np.nan)[given]
            if c.kind in ("int", "year") and not (v == np.floor(v)).all():
                return False
            low, high = _range(c)
            if (low is not None and not (v >= low).all()) or (high is not None and not (v <= high).all()):
                return False
        if c.kind == "code" and not s[given].isin(list(CODES[c.codes or ""])).all():
            return False
        if c.kind == "date" and not _by_unique(s[given], _is_date).all():
            return False
    key = [k for k in sheet.key if k in present]
    return not (len(key) == len(sheet.key) and key and frame.duplicated(subset=key, keep=False).any())


def _range(col: Column) -> tuple[float | None, float | None]:
    """The bounds _checks gives the column (pandera's in_range, ge, le: both ends included)."""
    if col.kind == "year":  # with the column's own bounds, if any, below
        low, high = float(YEAR_MIN), float(YEAR_MAX)
        extra = _plain_range(col)
        return _tighter(low, extra[0], max), _tighter(high, extra[1], min)
    return _plain_range(col)


def _plain_range(col: Column) -> tuple[float | None, float | None]:
    """A column's own bounds: age's, else its schema's (lat and lon by in_range, others by ge and le)."""
    if col.name == "age":
        return 0.0, 25.0
    return col.min, col.max


def _tighter(a: float | None, b: float | None, pick: Callable[[float, float], float]) -> float | None:
    if a is None:
        return b
    if b is None:
        return a
    return pick(a, b)


def _blank_dates(
    source: str, c: Column, frame: pd.DataFrame, rows: np.ndarray, problems: list[Problem], groups: Groups | None
) -> None:
    """A date cell where a number or year belongs: say what Excel shows, then blank it. ``groups``: the
    column's cells as read, grouped (_groups), if made: normalising changed only text, never a date,
    so a cell is a date as read exactly when it is one normalised."""
    s = frame[c.name]
    if s.dtype != object:
        return
    is_date = _by_unique(s, lambda v: isinstance(v, (dt.date, dt.datetime, dt.time)), groups)
    for idx in np.flatnonzero(is_date.eq(True).to_numpy(dtype=bool)):
        value = s.iloc[idx]
        problems.append(Problem("error", source, int(rows[idx]), c.name, value, "date_in_number"))
        frame.iat[idx, frame.columns.get_loc(c.name)] = None


# No census number (pupils, yuan, m², persons) comes near this; beyond it floats lose whole yuan and
# sums can overflow to infinity.
LARGEST = 1e15


def _unreal(v: object) -> str | None:
    """'not_finite' for NaN and ±infinity (Excel cannot hold them; a mutated file or text such as
    '1e309' or 'nan' can), 'too_large' beyond LARGEST, else None."""
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer, np.floating)):
        return None
    try:
        f = float(v)
    except OverflowError:  # an int past float's range
        return "too_large"
    if not np.isfinite(f):
        return "not_finite"
    return "too_large" if abs(f) >= LARGEST else None


def _blank_unreal(
    source: str,
    c: Column,
    frame: pd.DataFrame,
    cells: pd.Series,
    rows: np.ndarray,
    problems: list[Problem],
    groups: Groups | None = None,
) -> None:
    """Non-finite or absurdly large numbers: a located error each (with the cell as written), then
    blanked. ``cells`` are the column as read, before normalising turns 'nan' or a NaN cell into a
    missing value; in a typed column (Parquet) NaN is how a missing value is stored, so there only
    ±infinity and size count."""
    s = frame[c.name]
    if s.dtype == object:
        rules = _by_unique(cells, lambda v: _unreal(_number_value(v)), groups)
        if cells.dtype == object:
            raw = cells.to_numpy()
            rules = rules.mask(raw != raw, "not_finite")  # only NaN differs from itself
        shown = cells
    else:
        v = s.to_numpy(dtype="float64", na_value=np.nan)
        rules = pd.Series(None, index=s.index, dtype=object)
        rules[np.abs(np.nan_to_num(v, posinf=0, neginf=0)) >= LARGEST] = "too_large"
        rules[np.isinf(v)] = "not_finite"
        shown = s
    bad = np.flatnonzero(rules.notna().to_numpy())
    if not len(bad):
        return
    frame[c.name] = s.astype(object)
    col = frame.columns.get_loc(c.name)
    for idx in bad:
        rule = str(rules.iloc[idx])
        detail = "10^15" if rule == "too_large" else ""
        problems.append(Problem("error", source, int(rows[idx]), c.name, shown.iloc[idx], rule, detail=detail))
        frame.iat[idx, col] = None


def _failures(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> list[tuple[str, int, object, str]]:
    """(column, frame index, failing value, check) for every failure pandera reports."""
    _, SchemaErrors = _pandera()
    try:
        schema.validate(frame, lazy=True)
    except SchemaErrors as exc:
        fc = exc.failure_cases  # type: ignore[attr-defined]
        fc = fc[fc["index"].notna()]
        out = []
        seen: set[tuple[str, int]] = set()
        for col, idx, value, check in zip(fc["column"], fc["index"], fc["failure_case"], fc["check"], strict=True):
            key = (str(col), int(idx))
            check = str(check)
            if check.startswith("dtype(") and key in seen:
                continue
            if check.startswith("coerce_dtype") or check.startswith("dtype("):
                seen.add(key)
            out.append((str(col), int(idx), value, check))
        return out
    return []


def _value_problem(
    source: str, sheet: Sheet, col: str, row: int, value: object, check: str, record: pd.Series
) -> Problem:
    if check in ("multiple_fields_uniqueness", "field_uniqueness") or "uniqueness" in check:
        key = ", ".join(f"{k}={show_value(record.get(k))}" for k in sheet.key)
        first = sheet.key[0]  # the row is reported once, at the key's first column
        return Problem("error", source, row, first, record.get(first), "duplicate_key", detail=key)
    if check == "code":
        c = sheet.column(col)
        allowed = "、".join(
            f"{code}/{label}" if code != label else code for code, label in CODES[c.codes or ""].items()
        )
        return Problem("error", source, row, col, value, "code", detail=allowed)
    if ":" in check:
        rule, detail = check.split(":", 1)
        return Problem("error", source, row, col, value, rule, detail=detail)
    return Problem("error", source, row, col, value, check)


_FINAL_DTYPE: dict[str, Callable[[pd.Series], pd.Series]] = {
    "int": lambda s: s.astype("Float64").astype("Int64"),
    "year": lambda s: s.astype("Float64").astype("Int64"),
    "float": lambda s: s.astype("Float64"),
    "bool": lambda s: s.astype("boolean"),
}


def _typed(sheet: Sheet, frame: pd.DataFrame, present: list[str], floats: dict[str, pd.Series]) -> pd.DataFrame:
    """Columns in their final dtypes (Int64, Float64, boolean, string), in the format's order;
    ``floats``: columns already Float64 (validate_sheet), the frame built once from them all."""
    out: dict[str, pd.Series] = {}
    for c in sheet.columns:
        if c.name in present:
            conv = _FINAL_DTYPE.get(c.kind)
            cells = floats.get(c.name, frame[c.name])
            out[c.name] = conv(cells) if conv else cells.astype("string")
        else:
            out[c.name] = pd.Series(pd.NA, index=frame.index, dtype=_missing_dtype(c))
    for extra in sorted((x for x in present if x.startswith("choice_")), key=lambda x: int(x.split("_")[1])):
        out[extra] = frame[extra].astype("string")
    out["_row"] = frame["_row"]
    return pd.DataFrame(out, index=frame.index)


def _missing_dtype(c: Column) -> str:
    return {"int": "Int64", "year": "Int64", "float": "Float64", "bool": "boolean"}.get(c.kind, "string")
