"""Import a census source into the store: read, validate everything, then write one version.

Nothing is written unless the whole input is valid; the write is one transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import signal
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from countyedu.census.bureau import bureau_changes
from countyedu.census.limits import Limits, import_limits
from countyedu.census.problems import Problem, capped, errors
from countyedu.census.readers import RawSheet, read_source
from countyedu.census.references import check_references
from countyedu.census.schema import SHEET_BY_NAME, SHEETS
from countyedu.census.store import CensusStore, Version, widen_choices, write_moves
from countyedu.census.validate import validate_sheet
from countyedu.census.xlsx_package import Ahead
from countyedu.census.years import CLOSED, COLLECTING
from countyedu.errors import InputFileError, ValidationFailed

Progress = Callable[[str], None]

# Test hook: the name of a sheet after whose rows are written the process kills itself (SIGKILL),
# to prove that a crash half-way through an import leaves the previous census intact.
_FAULT_ENV = "COUNTYEDU_TEST_KILL_AFTER_SHEET"

# A write of fewer rows than this (a county's census: the demo's 120,000) runs on one DuckDB thread: a
# second one cost the demo's write ~0.1 s more CPU and no time; a province's keeps every thread.
ONE_THREAD_ROWS = 1_000_000


@dataclass(frozen=True)
class ImportResult:
    """The new version and the warnings the import met."""

    version: Version
    warnings: list[Problem]


def source_digest(path: Path) -> str:
    """SHA-256 of a file, or of a folder's files (names and contents, sorted by name)."""
    h = hashlib.sha256()
    files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    for f in files:
        if path.is_dir():
            h.update(f.name.encode() + b"\0")
        with f.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()


# A school's own submission (web data collection) may hold only these sheets, only its own rows.
SCHOOL_SHEETS = ("schools", "school_years", "classes", "teachers", "after_school")


class ClassRule(Protocol):
    """A policy rule on classes that warns on upload (indicators.class_size.BigClassRule: 大班额)."""

    def warnings(self, classes: pd.DataFrame | None, source: str) -> list[Problem]: ...


def check_source(
    path: Path,
    store: CensusStore,
    *,
    limits: Limits | None = None,
    progress: Progress | None = None,
    schools: set[str] | None = None,
    year: int | None = None,
    name: str | None = None,
    class_rule: ClassRule | None = None,
    ahead: Ahead | None = None,
) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame], list[Problem]]:
    """(typed sheets of the file, merged census, problems) — raises nothing for located problems.

    ``limits``: the bounds of the read (default: census.limits.import_limits()). With ``schools``,
    the file is those schools' own submission: it may hold only SCHOOL_SHEETS
    and only rows of those schools, and it replaces only their rows of the years it holds; it must
    hold some data. With ``year``, the file is that school year's: a row of another year is an error
    (scope_year). ``class_rule`` warns on the classes it names (大班额). ``name`` is how problems
    name the file (default its file name). ``ahead``: the workbook's checks started before
    (xlsx_package.check_ahead). The web's upload and `countyedu import` both check here."""
    say = progress or (lambda _m: None)
    say("reading")

    def check(rs: RawSheet) -> tuple[pd.DataFrame, list[Problem]]:
        say(f"checking {rs.name}")
        return validate_sheet(rs)

    # each sheet validated as soon as it is read, while the parser reads the next (readers._Parser)
    raw = read_source(path, limits=limits or import_limits(), each=check, ahead=ahead)
    problems = list(raw.problems)
    typed: dict[str, pd.DataFrame] = {}
    for name in raw.sheets:
        frame, probs = raw.answers[name]
        problems.extend(probs)
        if len(frame):  # an empty sheet (as in the template) gives no data; it clears nothing
            typed[name] = frame
    if schools is not None:
        problems.extend(_outside_scope(typed, schools, {n: rs.source for n, rs in raw.sheets.items()}))
        if "schools" in typed:
            problems.extend(bureau_changes(typed["schools"], _stored_schools(store), raw.sheets["schools"].source))
    sources = {n: rs.source for n, rs in raw.sheets.items()}
    merged: dict[str, pd.DataFrame] = {}
    if not errors(problems):
        say("checking references")
        previous = store.latest()
        stored = store.frames(previous.version_id) if previous else {}
        merged = merge(stored, typed, schools)
        problems.extend(check_references(merged, {**{s.name: s.zh for s in SHEETS}, **sources}))
    if year is not None:
        problems.extend(_other_years(typed, year, sources))
    if class_rule is not None and "classes" in typed:
        problems.extend(class_rule.warnings(typed["classes"], sources["classes"]))
    if schools is not None and not typed and not errors(problems):
        problems.append(Problem("error", name or path.name, None, None, None, "empty_file"))
    return typed, merged, problems


def check_sheets_alone(path: Path, *, limits: Limits | None = None, name: str | None = None) -> list[Problem]:
    """The located problems of a source's sheets alone (types, ranges, codes, required cells,
    duplicate keys; no references to the census), and empty_file when it holds no row: what the web's
    online form checks before storing a school's rows. ``name``: how problems name the file."""
    try:
        raw = read_source(path, limits=limits or import_limits())
    except InputFileError as exc:
        return [Problem("error", name or path.name, None, None, None, exc.facts.get("rule", "unreadable"))]
    problems = list(raw.problems)
    rows = 0
    for rs in raw.sheets.values():
        frame, found = validate_sheet(rs)
        problems += found
        rows += len(frame)
    if not rows and not errors(problems):
        problems.append(Problem("error", name or path.name, None, None, None, "empty_file"))
    return problems


def _other_years(typed: dict[str, pd.DataFrame], year: int, sources: dict[str, str]) -> list[Problem]:
    """Rows of a year other than the file's: a school's submission may only replace its own year."""
    out = []
    for sheet, frame in typed.items():
        if "year" not in frame.columns:
            continue
        bad = frame[frame["year"].notna() & (frame["year"] != year)]
        out += [
            Problem("error", sources[sheet], int(r), "year", v, "scope_year", detail=str(year))
            for r, v in zip(bad["_row"], bad["year"], strict=True)
        ]
    return out


def _stored_schools(store: CensusStore) -> pd.DataFrame | None:
    latest = store.latest()
    return store.frames(latest.version_id, ["schools"])["schools"] if latest else None


def _outside_scope(typed: dict[str, pd.DataFrame], schools: set[str], sources: dict[str, str]) -> list[Problem]:
    out = []
    for name, frame in typed.items():
        if name not in SCHOOL_SHEETS:
            out.append(Problem("error", sources[name], None, None, None, "scope_sheet", detail=name))
            continue
        if "school_id" not in frame.columns:  # reported as a missing column
            continue
        bad = frame[~frame["school_id"].isin(schools)]
        out += [
            Problem("error", sources[name], int(r), "school_id", v, "scope_school", detail="、".join(sorted(schools)))
            for r, v in zip(bad["_row"], bad["school_id"], strict=True)
        ]
    return out


def merge(
    stored: dict[str, pd.DataFrame], new: dict[str, pd.DataFrame], schools: set[str] | None = None
) -> dict[str, pd.DataFrame]:
    """The census after the import: new years replace stored years (with ``schools``: only those
    schools' rows of those years); keyed rows replace stored rows."""
    out: dict[str, pd.DataFrame] = {}
    for sheet in SHEETS:
        old = stored.get(sheet.name)
        fresh = new.get(sheet.name)
        if fresh is None:
            if old is not None and len(old):
                out[sheet.name] = old.assign(_row=pd.NA)
            continue
        if old is None or old.empty or sheet.whole:
            out[sheet.name] = fresh
            continue
        if sheet.yearly:
            replaced = old["year"].isin(set(fresh["year"].dropna()))
            if schools is not None and "school_id" in old.columns:
                replaced &= old["school_id"].isin(schools)
            kept = old[~replaced]
        else:
            keys = pd.MultiIndex.from_frame(fresh[list(sheet.key)].astype(object))
            kept = old[~pd.MultiIndex.from_frame(old[list(sheet.key)].astype(object)).isin(keys)]
        if sheet.name == "candidates":
            kept = widen_choices(kept, stored.get("candidate_choices"))
        out[sheet.name] = pd.concat([kept.assign(_row=pd.NA), fresh], ignore_index=True)
    return out


def import_census(
    path: str | os.PathLike[str],
    store: CensusStore,
    *,
    limits: Limits | None = None,
    progress: Progress | None = None,
    schools: set[str] | None = None,
    year: int | None = None,
    class_rule: ClassRule | None = None,
    collecting: bool = False,
    origin: dict[str, Any] | None = None,
    ahead: Ahead | None = None,
) -> ImportResult:
    """Validate the source and store it as a new version; ValidationFailed lists every problem
    (the first ``limits.problems``, then how many more of each kind).

    ``schools``, ``year``, ``class_rule``: as check_source (a school's submission). A whole census (no
    ``schools``) closes the school years its schools' sheets hold (census.years), in the same
    transaction; with ``collecting`` it marks them in collection instead (part of a year's data).
    ``origin`` is stored with the version (what made it, e.g. the approved submission's id). ``ahead``:
    the workbook's checks started before (xlsx_package.check_ahead)."""
    path = Path(path)
    limits = limits or import_limits()
    typed, merged, problems = check_source(
        path, store, limits=limits, progress=progress, schools=schools, year=year, class_rule=class_rule, ahead=ahead
    )
    if errors(problems):
        raise ValidationFailed(capped(problems, limits.problems))
    if progress:
        progress("writing")
    state = None if schools is not None else (COLLECTING if collecting else CLOSED)
    version = _write(store, path, typed, merged, scoped=schools is not None, year_state=state, origin=origin)
    return ImportResult(version, [p for p in problems if p.severity == "warning"])


def _write(
    store: CensusStore,
    path: Path,
    typed: dict[str, pd.DataFrame],
    merged: dict[str, pd.DataFrame],
    *,
    scoped: bool = False,
    year_state: str | None = None,
    origin: dict[str, Any] | None = None,
) -> Version:
    digest = source_digest(path)
    kill_after = os.environ.get(_FAULT_ENV)
    with store.connect(write=True) as con:
        if sum(map(len, merged.values())) < ONE_THREAD_ROWS:
            con.execute("SET threads = 1")  # this connection's database only, until it closes
        con.execute("BEGIN TRANSACTION")
        try:
            seq = con.execute("SELECT coalesce(max(seq), 0) + 1 FROM versions").fetchone()[0]  # type: ignore[index]
            vid = f"v{seq}"
            prev = con.execute(
                "SELECT version_id FROM versions WHERE state IS NULL ORDER BY seq DESC LIMIT 1"
            ).fetchone()
            if prev:
                con.execute(
                    "INSERT INTO parts SELECT ?, sheet, year, batch FROM parts WHERE version_id = ?", [vid, prev[0]]
                )
            replaced: dict[str, list[int | None]] = {}
            parts: list[list[Any]] = []  # this version's parts of the sheets it holds, inserted at once below
            for name, frame in typed.items():
                sheet = SHEET_BY_NAME[name]
                rows = frame if sheet.yearly else merged[name]
                if sheet.yearly and scoped:  # the year's part is the other schools' rows plus these
                    rows = merged[name][merged[name]["year"].isin(set(frame["year"].dropna()))]
                _insert(con, name, rows, seq)
                if name == "candidates":
                    _insert_choices(con, rows, seq)
                years: list[int | None] = [None]
                if sheet.yearly:
                    years = [int(y) for y in sorted(frame["year"].dropna().unique())]
                replaced[name] = years
                if prev and sheet.yearly:  # the parts copied from the previous version that these replace
                    con.execute(
                        "DELETE FROM parts WHERE version_id = ? AND sheet = ? AND list_contains(?, year)",
                        [vid, name, years],
                    )
                elif prev:
                    con.execute("DELETE FROM parts WHERE version_id = ? AND sheet = ?", [vid, name])
                parts += [[vid, name, y, seq] for y in years]
                if kill_after == name:
                    os.kill(os.getpid(), signal.SIGKILL)
            if parts:
                con.executemany("INSERT INTO parts VALUES (?, ?, ?, ?)", parts)
            write_moves(con, vid)  # the teachers' moves of its new pairs of years, in the same transaction
            counts = {name: len(frame) for name, frame in typed.items()}
            if year_state is not None:
                for year in school_data_years(typed):
                    store.set_year_state(year, year_state, f"import {path.name}", con=con)
            created = dt.datetime.now(dt.UTC).replace(microsecond=0)
            con.execute(
                "INSERT INTO versions (version_id, seq, created_at, source, sha256, row_counts, replaced, origin) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    vid,
                    seq,
                    created.replace(tzinfo=None),
                    path.name,
                    digest,
                    json.dumps(counts),
                    json.dumps(replaced),
                    json.dumps(origin) if origin else None,
                ],
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return Version(vid, seq, created, path.name, digest, counts, replaced, origin)


def school_data_years(typed: dict[str, pd.DataFrame]) -> list[int]:
    """The school years a file holds schools' data of (the yearly sheets a school fills in)."""
    years: set[int] = set()
    for name in SCHOOL_SHEETS:
        frame = typed.get(name)
        if frame is not None and "year" in frame.columns:
            years |= {int(y) for y in frame["year"].dropna().unique()}
    return sorted(years)


def _insert(con: object, name: str, rows: pd.DataFrame, batch: int) -> None:
    sheet = SHEET_BY_NAME[name]
    cols = [c.name for c in sheet.columns]
    frame = rows[cols]
    con.register("incoming", frame)  # type: ignore[attr-defined]
    quoted = ", ".join(f'"{c}"' for c in cols)
    con.execute(f"INSERT INTO s_{name} ({quoted}, _batch) SELECT {quoted}, {batch} FROM incoming")  # type: ignore[attr-defined]
    con.unregister("incoming")  # type: ignore[attr-defined]


def _insert_choices(con: object, cands: pd.DataFrame, batch: int) -> None:
    cols = [c for c in cands.columns if c.startswith("choice_")]
    if not cols:
        return
    # as melt would stack them (choice by choice), without melt's text column of ranks to parse
    long = pd.concat(
        [
            pd.DataFrame(
                {"candidate_id": cands["candidate_id"], "year": cands["year"], "rank": int(c.removeprefix("choice_"))}
            ).assign(programme_id=cands[c])
            for c in cols
        ],
        ignore_index=True,
    )
    long = long[long["programme_id"].notna()]
    con.register("incoming", long)  # type: ignore[attr-defined]
    con.execute(  # type: ignore[attr-defined]
        f"INSERT INTO s_candidate_choices SELECT candidate_id, year, rank, programme_id, {batch} FROM incoming"
    )
    con.unregister("incoming")  # type: ignore[attr-defined]
