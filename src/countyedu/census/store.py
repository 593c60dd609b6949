"""The census store: every imported version of the census, in one DuckDB file in the data dir.

Layout. Each sheet has one table ``s_<sheet>`` whose rows carry the ``_batch`` (import) that wrote
them. A version is a list of parts: for a yearly sheet, (sheet, year) → batch; for a sheet without
years, (sheet, NULL) → batch. A new import writes a batch with the rows of its file, and a version
whose parts are the previous version's, except the (sheet, year) pairs the file holds — so
re-importing a year replaces that year only. Sheets without years (townships, communities,
schools, projects, tasks) are merged by key: rows of the file replace stored rows with the same
key, other stored rows stay. Candidates' choices are stored long, in ``s_candidate_choices``.

One import is one DuckDB transaction: a crash or a kill at any point leaves the previous versions
as they were (DuckDB's write-ahead log only replays committed transactions).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from countyedu.caches import write_whole
from countyedu.census.schema import SHEETS, Column, Sheet
from countyedu.errors import StoreError
from countyedu.messages import Msg

if TYPE_CHECKING:
    import duckdb  # imported where a connection is opened: `versions` answers from its kept list without it
    import pandas as pd  # frames come from DuckDB (`.df()`); `versions` never loads pandas

STORE_FILE = "census.duckdb"
# the version list as last read, under the store file's state (CensusStore.versions): listing the versions
# then needs no DuckDB (its import and opening the file are most of `countyedu versions`)
VERSIONS_KEPT = Path("cache") / "versions.json"
DEMO_SOURCE = "nanfeng-demo"  # the demo county's workbook is DEMO_SOURCE + ".xlsx" (synthetic data)
DEFAULT_DATA_DIR = "countyedu-data"

_SQL_TYPE = {
    "date": "VARCHAR",  # ISO text (validate.py normalises Excel dates and 2025/6/30 to 2025-06-30)
    "id": "VARCHAR",
    "str": "VARCHAR",
    "code": "VARCHAR",
    "int": "BIGINT",
    "year": "INTEGER",
    "float": "DOUBLE",
    "bool": "BOOLEAN",
}


def data_dir_from(value: str | os.PathLike[str] | None) -> Path:
    """The data dir: the argument, else $COUNTYEDU_DATA, else ./countyedu-data."""
    return Path(value or os.environ.get("COUNTYEDU_DATA") or DEFAULT_DATA_DIR)


@dataclass(frozen=True)
class Version:
    """One census version: what was imported, when (UTC), from which file, how many rows."""

    version_id: str
    seq: int
    created_at: dt.datetime
    source: str
    sha256: str
    row_counts: dict[str, int]
    replaced: dict[str, list[int | None]]
    # what made it, beside the file: e.g. {"submission": 12, "user": 3} for a school's approved
    # submission (web/recovery.py reconciles such versions with the app after a crash)
    origin: dict[str, Any] | None = None
    # None: in use; UNAPPROVED: made by an approval the app never recorded (kept, never used)
    state: str | None = None

    @property
    def synthetic(self) -> bool:
        """Imported from the synthetic demo county's workbook."""
        return self.source.startswith(DEMO_SOURCE)

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.version_id,
            "created_at": self.created_at.isoformat(timespec="seconds"),
            "source": self.source,
            "sha256": self.sha256,
            "row_counts": self.row_counts,
            "replaced": self.replaced,
            "state": self.state,  # None: in use; "unapproved": kept, never used (web/recovery.py)
        }


UNAPPROVED = "unapproved"


def _version(r: list[Any]) -> Version:
    """A Version from a row of the versions table (created_at as ISO text)."""
    # created_at is stored as UTC without a zone (a TIMESTAMP column); it is read back with its zone
    return Version(
        r[0],
        r[1],
        dt.datetime.fromisoformat(r[2]).replace(tzinfo=dt.UTC),
        r[3],
        r[4],
        json.loads(r[5]),
        json.loads(r[6]),
        json.loads(r[7]) if r[7] else None,
        r[8],
    )


def _version_rows(con: duckdb.DuckDBPyConnection) -> list[list[Any]]:
    """The versions table's rows (created_at as ISO text)."""
    cols = {
        r[0] for r in con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = 'versions'").fetchall()
    }
    extra = ", origin, state" if "state" in cols else ", NULL, NULL"  # a store made before they existed
    rows = con.execute(
        f"SELECT version_id, seq, created_at, source, sha256, row_counts, replaced{extra} FROM versions ORDER BY seq"
    ).fetchall()
    return [[r[0], r[1], r[2].isoformat(), *r[3:]] for r in rows]


BUSY_WAIT_SECONDS = 20.0


def open_duckdb(path: Path, *, read_only: bool, opener: Any = None) -> Any:
    """A connection to the store file, waiting while another connection holds it in a way that
    excludes this one (a writer in another process; in this process, a connection opened with the
    other read-only setting) — reads and imports are short, so waiting beats failing.

    Writers go first: DuckDB lets a writer in only when no reader holds the file, so readers that
    keep coming (pages of several web processes, an assessment in a task worker) could keep an
    approval waiting past the limit. A writer therefore takes the gate file beside the store before
    it waits for the file, and a reader passes through the gate (shared) before it opens: while a
    writer waits, new readers wait behind it and the readers already in finish."""
    import duckdb

    connect = opener or (lambda: duckdb.connect(str(path), read_only=read_only))
    deadline = time.monotonic() + BUSY_WAIT_SECONDS
    gate = _gate(path, exclusive=not read_only, deadline=deadline)
    try:
        if read_only and gate is not None:
            gate.close()  # through the gate: a reader only had to wait for the writers before it
            gate = None
        while True:
            try:
                return connect()
            except (duckdb.IOException, duckdb.ConnectionException) as exc:
                if time.monotonic() > deadline:
                    raise _busy(path, exc) from exc
                time.sleep(0.05)
    finally:
        if gate is not None:
            gate.close()  # the writer holds the file itself now (or gave up)


def _busy(path: Path, exc: object) -> StoreError:
    return StoreError(
        Msg("the census store {path} is busy or unreadable ({exc})", path=path, exc=exc),
    )


def _gate(path: Path, *, exclusive: bool, deadline: float) -> Any:
    """The gate file beside the store, locked (exclusive for a writer, shared for a reader); None
    where it cannot be made (a read-only data dir: then nobody writes)."""
    try:
        fh = open(path.with_name(path.name + ".gate"), "a+b")  # noqa: SIM115 - held past this function
    except OSError:
        return None
    mode = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB
    while True:
        try:
            fcntl.flock(fh.fileno(), mode)
            return fh
        except BlockingIOError as exc:
            if time.monotonic() > deadline:
                fh.close()
                raise _busy(path, "a writer is waiting for it") from exc
            time.sleep(0.02)


def _column_sql(c: Column) -> str:
    return f'"{c.name}" {_SQL_TYPE[c.kind]}'


def _parts_filter(pairs: list[tuple[int | None, int]], yearly: bool) -> str:
    """The WHERE of a sheet's rows in a version's parts (CensusStore.view_sql): per batch, its years
    (a sheet not by year: its batch); false where the version has none of the sheet."""
    years: dict[int, list[int]] = {}
    for year, batch in pairs:
        years.setdefault(batch, [])
        if year is not None:
            years[batch].append(year)
    if not yearly:
        return " OR ".join(f"t._batch = {b}" for b in sorted(years)) or "false"
    terms = [
        f"(t._batch = {b} AND t.year IN ({', '.join(str(y) for y in ys)}))" for b, ys in sorted(years.items()) if ys
    ]
    return " OR ".join(terms) or "false"


def _empty_sql(name: str) -> str:
    """No rows of a sheet whose table a store made by an older countyedu lacks (it is created on the next
    write): the sheet's columns with their types."""
    sheet = next(x for x in SHEETS if x.name == name)
    return "SELECT " + ", ".join(f'CAST(NULL AS {_SQL_TYPE[c.kind]}) AS "{c.name}"' for c in sheet.columns) + " LIMIT 0"


def stored_columns(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    """table → its columns, as the store on disk has them (an older store may lack newer ones)."""
    out: dict[str, set[str]] = {}
    for table, column in con.execute(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'main'"
    ).fetchall():
        out.setdefault(table, set()).add(column)
    return out


# store files whose schema this process has checked (and brought up to date where it was behind)
_SCHEMA_CHECKED: set[Path] = set()


def _behind(stored: dict[str, set[str]]) -> bool:
    """Whether a store lacks a sheet table or a column this countyedu writes."""
    return any(not {c.name for c in s.columns} <= stored.get(f"s_{s.name}", set()) for s in SHEETS)


def _ddl() -> list[str]:
    stmts = [
        """CREATE TABLE IF NOT EXISTS versions (
            version_id VARCHAR PRIMARY KEY, seq INTEGER, created_at TIMESTAMP, source VARCHAR,
            sha256 VARCHAR, row_counts VARCHAR, replaced VARCHAR)""",
        # added after v1 of the store (a store made before gets them on its next write)
        "ALTER TABLE versions ADD COLUMN IF NOT EXISTS origin VARCHAR",
        "ALTER TABLE versions ADD COLUMN IF NOT EXISTS state VARCHAR",
        "CREATE TABLE IF NOT EXISTS parts (version_id VARCHAR, sheet VARCHAR, year INTEGER, batch INTEGER)",
        # a school year's state (census.years): collecting until the bureau closes it; no row = closed
        """CREATE TABLE IF NOT EXISTS year_states (
            year INTEGER PRIMARY KEY, state VARCHAR, changed_at TIMESTAMP, note VARCHAR)""",
        """CREATE TABLE IF NOT EXISTS s_candidate_choices (
            candidate_id VARCHAR, year INTEGER, rank INTEGER, programme_id VARCHAR, _batch INTEGER)""",
        # the teachers' moves between school years, counted once per pair of batches (write_moves)
        """CREATE TABLE IF NOT EXISTS teacher_moves (
            batch_a INTEGER, batch_b INTEGER, school_id VARCHAR, year_next INTEGER, years_at_school BIGINT,
            backbone VARCHAR, moved BOOLEAN, teachers BIGINT)""",
        "CREATE TABLE IF NOT EXISTS teacher_move_pairs (batch_a INTEGER, batch_b INTEGER, year_next INTEGER)",
    ]
    for s in SHEETS:
        cols = ", ".join(_column_sql(c) for c in s.columns)
        stmts.append(f"CREATE TABLE IF NOT EXISTS s_{s.name} ({cols}, _batch INTEGER)")
    # columns added after v1 of the store (a store made before gets them on its next write)
    for name, columns in ADDED_COLUMNS.items():
        sheet = next(x for x in SHEETS if x.name == name)
        stmts += [f"ALTER TABLE s_{name} ADD COLUMN IF NOT EXISTS {_column_sql(sheet.column(c))}" for c in columns]
    return stmts


# sheet → columns added after v1 of the store (issue 14: the admission's columns; issue 13: teachers')
ADDED_COLUMNS: dict[str, tuple[str, ...]] = {
    "candidates": (
        "score_chinese",
        "score_math",
        "score_english",
        "pe_score",
        "three_years_at_school",
        "bonus",
        "bonus_reason",
        "gender",  # issue 14: the boarding and gender conditions
        "boarding",
    ),
    "programmes": ("batch", "min_score", "min_quality_grade", "name", "boarding", "gender"),
    "teachers": ("backbone_year",),  # issue 13: the year a backbone level was named
    # issue 15: a task's owner, lead, due date, milestones and indicators
    "tasks": ("owner_kind", "owner_id", "lead", "contact", "due_date", "milestones", "indicators"),
}


class CensusStore:
    """The DuckDB census store of one data dir."""

    def __init__(self, data_dir: str | os.PathLike[str] | None = None) -> None:
        self.data_dir = data_dir_from(data_dir)
        self.path = self.data_dir / STORE_FILE

    def exists(self) -> bool:
        return self.path.exists()

    @contextmanager
    def connect(self, *, write: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection; read-only unless writing (a missing store is created only to write)."""
        if not write and not self.exists():
            raise StoreError(
                Msg(
                    "no census in {data_dir}: run `countyedu import` or `countyedu demo` first", data_dir=self.data_dir
                ),
            )
        if write:
            self.data_dir.mkdir(parents=True, exist_ok=True)
        con = open_duckdb(self.path, read_only=not write)
        if not write and self.path not in _SCHEMA_CHECKED:
            # a store made by an older countyedu gets the tables and columns added since (ADDED_COLUMNS)
            # on its first read in this process, not only on its next write: reads select them
            _SCHEMA_CHECKED.add(self.path)
            if _behind(stored_columns(con)):
                con.close()
                try:
                    with self.connect(write=True):
                        pass  # the DDL runs on every write connection
                except (StoreError, OSError):
                    pass  # a read-only data dir: the frames read the missing columns as NULL
                con = open_duckdb(self.path, read_only=True)
        try:
            if write:  # one transaction: each statement committed alone cost the demo import ~0.1 s of waiting
                con.execute("BEGIN TRANSACTION")
                for stmt in _ddl():
                    con.execute(stmt)
                con.execute("COMMIT")
                _SCHEMA_CHECKED.add(self.path)  # up to date now: this process's reads need not check it again
            yield con
        finally:
            con.close()
        if write:  # written (an exception skips this): the version list kept for the store as it is now
            self._keep_versions()

    # ------------------------------------------------------------------------------ versions

    def versions(self, *, usable: bool = False) -> list[Version]:
        """All versions, oldest first ([] when nothing was imported yet); with ``usable``, without
        the versions marked UNAPPROVED."""
        if not self.exists():
            return []
        vs = [_version(r) for r in self._version_rows()]
        return [v for v in vs if v.state != UNAPPROVED] if usable else vs

    def _state(self) -> str:
        """The store file's and its write-ahead log's inode, size and modification time: every write
        changes one of them (the state cli.kept keys a command's output with)."""
        parts = []
        for path in (self.path, self.path.with_name(self.path.name + ".wal")):
            try:
                st = os.stat(path)
            except OSError:
                parts.append("-")
            else:
                parts.append(f"{st.st_ino}:{st.st_size}:{st.st_mtime_ns}")
        return "|".join(parts)

    def _version_rows(self) -> list[list[Any]]:
        """The versions table's rows: the list kept under the store's state (VERSIONS_KEPT) while the
        store is unchanged, else read from the store."""
        try:
            kept = json.loads((self.data_dir / VERSIONS_KEPT).read_bytes())
            if kept["state"] == self._state():
                return list(kept["rows"])
        except (OSError, ValueError, KeyError, TypeError):
            pass
        with self.connect() as con:
            return _version_rows(con)

    def _keep_versions(self) -> None:
        """Keep the version list for the store's state (after a write). Read like any reader, and kept
        only if the state is the same before and after the read, so that a list is never kept under the
        state of another write; one try, no wait (a connection of this process may still hold the file)."""
        import duckdb

        state = self._state()
        try:
            con = duckdb.connect(str(self.path), read_only=True)
        except duckdb.Error:
            return
        try:
            rows = _version_rows(con)
        finally:
            con.close()
        if self._state() == state:
            doc = {"state": state, "rows": rows}
            write_whole(self.data_dir / VERSIONS_KEPT, json.dumps(doc, ensure_ascii=False).encode())

    def latest(self) -> Version | None:
        """The newest version in use (the base of the next import, what every page reads)."""
        vs = self.versions(usable=True)
        return vs[-1] if vs else None

    def mark_unapproved(self, version_id: str) -> None:
        """Keep a version but never use it again (its approval was never recorded by the app)."""
        with self.connect(write=True) as con:
            con.execute("UPDATE versions SET state = ? WHERE version_id = ?", [UNAPPROVED, version_id])

    def resolve(self, version: str | None) -> Version:
        """The named version, or the latest one; StoreError if there is none."""
        vs = self.versions()
        if not vs:
            raise StoreError(
                Msg(
                    "no census in {data_dir}: run `countyedu import` or `countyedu demo` first", data_dir=self.data_dir
                ),
            )
        if version is None:  # the latest in use, from the same read (each read opens the store)
            usable = [v for v in vs if v.state != UNAPPROVED]
            if not usable:
                raise StoreError(Msg("no census version in use in {data_dir}", data_dir=self.data_dir))
            return usable[-1]
        for v in vs:
            if v.version_id == version:
                return v
        known = ", ".join(v.version_id for v in vs)
        raise StoreError(Msg("no census version {version} (known: {known})", version=version, known=known))

    # ----------------------------------------------------------------------------- school years

    def year_states(self) -> dict[int, tuple[str, dt.datetime, str]]:
        """year → (state, changed_at, note) of every year ever marked (census.years; no row = closed)."""
        if not self.exists():
            return {}
        with self.connect() as con:
            if not con.execute("SELECT 1 FROM information_schema.tables WHERE table_name = 'year_states'").fetchone():
                return {}  # a store made before the year model: every year closed
            rows = con.execute("SELECT year, state, changed_at, note FROM year_states ORDER BY year").fetchall()
        return {int(r[0]): (r[1], r[2], r[3] or "") for r in rows}

    def set_year_state(self, year: int, state: str, note: str = "", con: Any = None) -> None:
        """Mark a school year collecting or closed (in the caller's transaction when given `con`)."""
        from countyedu.census.years import STATES

        if state not in STATES:
            raise StoreError(Msg("no year state {state} (use {STATES})", state=state, STATES=tuple(STATES)))
        args = [int(year), state, dt.datetime.now().replace(microsecond=0), note]
        sql = "INSERT OR REPLACE INTO year_states VALUES (?, ?, ?, ?)"
        if con is not None:
            con.execute(sql, args)
            return
        with self.connect(write=True) as own:
            own.execute(sql, args)

    # ---------------------------------------------------------------------------------- reads

    @staticmethod
    def view_sql(
        sheet: Sheet | str,
        version_id: str,
        stored: set[str] | None = None,
        parts: Mapping[str, list[tuple[int | None, int]]] | None = None,
    ) -> str:
        """SQL selecting one sheet of one version (the format's columns, no bookkeeping). `stored`: the
        columns its table has, when a store made by an older countyedu may lack some (a column added
        since, ADDED_COLUMNS, is then read as NULL until the next write adds it). `parts`: the version's
        parts read before (version_parts): the rows are then picked by a filter on their batches and
        years instead of a join with the parts table (cheaper on millions of rows, and the store's
        zone maps skip the row groups of other batches)."""
        name = sheet if isinstance(sheet, str) else sheet.name
        vid = version_id.replace("'", "''")
        if name == "candidate_choices":
            cols, yearly = "t.candidate_id, t.year, t.rank, t.programme_id", True
            pname = "candidates"
        else:
            s = next(x for x in SHEETS if x.name == name)
            cols = ", ".join(
                f't."{c.name}"'
                if stored is None or c.name in stored
                else f'CAST(NULL AS {_SQL_TYPE[c.kind]}) AS "{c.name}"'
                for c in s.columns
            )
            yearly, pname = s.yearly, name
        if parts is not None:
            return f"SELECT {cols} FROM s_{name} t WHERE {_parts_filter(parts.get(pname, []), yearly)}"
        year_join = "p.year = t.year" if yearly else "p.year IS NULL"
        return (
            f"SELECT {cols} FROM s_{name} t JOIN parts p ON p.version_id = '{vid}' "
            f"AND p.sheet = '{pname}' AND p.batch = t._batch AND {year_join}"
        )

    @staticmethod
    def version_parts(con: Any, version_id: str) -> dict[str, list[tuple[int | None, int]]]:
        """The parts of a version: per sheet its (year, batch) pairs (year None: a sheet not by year)."""
        out: dict[str, list[tuple[int | None, int]]] = {}
        vid = version_id.replace("'", "''")  # a literal, not a parameter: DuckDB's client imports pandas for one
        for sheet, year, batch in con.execute(
            f"SELECT sheet, year, batch FROM parts WHERE version_id = '{vid}' ORDER BY sheet, year, batch"
        ).fetchall():
            out.setdefault(sheet, []).append((None if year is None else int(year), int(batch)))
        return out

    def frames(self, version_id: str, sheets: list[str] | None = None) -> dict[str, pd.DataFrame]:
        """Sheets of a version as pandas frames (nullable dtypes)."""
        wanted = sheets or [s.name for s in SHEETS] + ["candidate_choices"]
        with self.connect() as con:
            tables = stored_columns(con)
            out = {
                name: _nullable(
                    con.execute(
                        self.view_sql(name, version_id, tables[f"s_{name}"])
                        if f"s_{name}" in tables
                        else _empty_sql(name)
                    ).df()
                )
                for name in wanted
            }
        if "roads" in out:  # where its stored travel matrix lives (roads.stored)
            out["roads"].attrs["census"] = (str(self.data_dir), version_id)
        return out

    def census(self, version_id: str) -> dict[str, pd.DataFrame]:
        """Every sheet of a version in the exchange format (candidates with their choices)."""
        frames = self.frames(version_id)
        choices = frames.pop("candidate_choices")
        frames["candidates"] = widen_choices(frames["candidates"], choices)
        return frames

    def parts(self, version_id: str) -> dict[str, list[int | None]]:
        """sheet → the years (None for sheets without years) the version holds."""
        with self.connect() as con:
            rows = con.execute(
                "SELECT sheet, year FROM parts WHERE version_id = ? ORDER BY sheet, year", [version_id]
            ).fetchall()
        out: dict[str, list[int | None]] = {}
        for sheet, year in rows:
            out.setdefault(sheet, []).append(year)
        return out


# ---------------------------------------------------------------------------------- teacher moves
#
# Where each teacher of a school year is the year after (QB-G11, indicators.formulas.rotation_share) is a
# fact of the census, not of a pack: it is counted when a version is stored, by pairs of batches. A
# version's teachers of year y are one batch's rows of that year (parts), those of y + 1 another's (or the
# same batch's); the pair (batch of y, batch of y + 1, y + 1) keys their moves, and every version holding
# both years with those batches shares them. A pair counted is listed in teacher_move_pairs (even when
# no teacher stayed in the census: no rows). A version whose pairs are not all counted (a store made by
# an older countyedu) is counted on the fly by the same SQL (moves_view_sql).

MOVES_COLUMNS = "school_id, year_next, years_at_school, backbone, moved, teachers"


def moves_sql(prev: str, nxt: str) -> str:
    """SQL (DuckDB's and Spark's) counting the teachers of ``prev`` joined with themselves a school year
    later in ``nxt`` (relations with teacher_id, school_id, year; ``prev`` also years_at_school and
    backbone): per school of the first year, next year, years at that school, backbone level and whether
    the school changed. Join semantics: a teacher absent the next year is not counted, one listed twice
    counts twice. The one formula of the moves, at import (write_moves) and on the fly."""
    return (
        "SELECT a.school_id, b.year AS year_next, a.years_at_school, a.backbone, "
        "b.school_id <> a.school_id AS moved, count(*) AS teachers "
        f"FROM {prev} a JOIN {nxt} b ON b.teacher_id = a.teacher_id AND b.year = a.year + 1 "
        "GROUP BY a.school_id, b.year, a.years_at_school, a.backbone, b.school_id <> a.school_id"
    )


def _version_pairs_sql(version_id: str) -> str:
    """The pairs (batch_a, batch_b, year_next) of a version's adjacent school years of teachers."""
    vid = version_id.replace("'", "''")
    return (
        "SELECT a.batch AS batch_a, b.batch AS batch_b, b.year AS year_next FROM parts a JOIN parts b "
        "ON b.version_id = a.version_id AND b.sheet = a.sheet AND b.year = a.year + 1 "
        f"WHERE a.version_id = '{vid}' AND a.sheet = 'teachers'"
    )


def write_moves(con: duckdb.DuckDBPyConnection, version_id: str) -> None:
    """Count the moves of the version's pairs of batches not counted yet (in the caller's transaction,
    after the version's parts are written). One statement per pair: a province's join of all its years
    at once held three times the memory (0.70 GB against 0.23) for more CPU."""
    pairs = con.execute(
        f"{_version_pairs_sql(version_id)} EXCEPT SELECT batch_a, batch_b, year_next FROM teacher_move_pairs"
    ).fetchall()
    statements = []
    for a, b, y in sorted((int(a), int(b), int(y)) for a, b, y in pairs):
        cols = "teacher_id, school_id, year"
        prev = f"(SELECT {cols}, years_at_school, backbone FROM s_teachers WHERE _batch = {a} AND year = {y - 1})"
        nxt = f"(SELECT {cols} FROM s_teachers WHERE _batch = {b} AND year = {y})"
        statements += [
            f"INSERT INTO teacher_moves (batch_a, batch_b, {MOVES_COLUMNS}) "
            f"SELECT {a}, {b}, {MOVES_COLUMNS} FROM ({moves_sql(prev, nxt)})",
            f"INSERT INTO teacher_move_pairs VALUES ({a}, {b}, {y})",
        ]
    if statements:
        con.execute(";\n".join(statements))


def moves_view_sql(con: duckdb.DuckDBPyConnection, version_id: str, stored: dict[str, set[str]], teachers: str) -> str:
    """SQL selecting a version's teacher moves (MOVES_COLUMNS): the stored counts when every pair of the
    version was counted, else moves_sql over ``teachers`` (the version's teachers, e.g. a view)."""
    pairs = _version_pairs_sql(version_id)
    if {"teacher_moves", "teacher_move_pairs"} <= stored.keys():
        missing = con.execute(f"SELECT count(*) FROM ({pairs} EXCEPT SELECT * FROM teacher_move_pairs)").fetchone()
        if missing is not None and missing[0] == 0:
            return (
                f"SELECT m.{MOVES_COLUMNS.replace(', ', ', m.')} FROM teacher_moves m JOIN ({pairs}) q "
                "ON m.batch_a = q.batch_a AND m.batch_b = q.batch_b AND m.year_next = q.year_next"
            )
    return moves_sql(teachers, teachers)


def widen_choices(cands: pd.DataFrame, choices: pd.DataFrame | None) -> pd.DataFrame:
    """Candidates with their stored choices as columns choice_1 … choice_N again."""
    if choices is None or choices.empty or cands.empty:
        return cands
    wide = choices.pivot_table(index=["candidate_id", "year"], columns="rank", values="programme_id", aggfunc="first")
    wide.columns = [f"choice_{int(r)}" for r in wide.columns]
    return cands.merge(wide.reset_index(), on=["candidate_id", "year"], how="left")


def _nullable(df: pd.DataFrame) -> pd.DataFrame:
    return df.convert_dtypes(infer_objects=False, convert_floating=False) if len(df.columns) else df
