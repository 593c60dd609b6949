"""School years in collection and closed.

A school year is *in collection* (采集中) from the day the bureau opens its collection round until it
closes it (closing the round, or `countyedu years close YEAR`); every other year the census holds is
*closed*. The state lives in the census store (table ``year_states``), so the CLI and the web app see
the same; a year the store never marked is closed, so stores made before this model read as closed.

A year's coverage is the schools that reported (a row of that year in the 学校年度 / school_years
sheet) out of the schools open that year (学校 / schools sheet: opened_year ≤ year < closed_year, an
empty year counting as open). A year in collection is partial: its values count only the schools
that reported, so everything defaults to the latest closed year, and a partial year is never mixed
into trends.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from countyedu.errors import CountyEduError
from countyedu.messages import Msg

if TYPE_CHECKING:
    import pandas as pd

    from countyedu.census.store import CensusStore

COLLECTING = "collecting"
CLOSED = "closed"
STATES = (COLLECTING, CLOSED)
# The sheets whose rows' years are the school years a census holds (schools' yearly data).
YEAR_SHEETS = ("school_years", "classes")


class YearError(CountyEduError):
    """A school year the census does not hold, or a state change it does not allow."""


@dataclass(frozen=True)
class SchoolYear:
    """One school year: its state and coverage (schools reported out of schools open)."""

    year: int
    state: str = CLOSED
    reported: int = 0
    schools_open: int = 0
    changed_at: dt.datetime | None = None
    note: str = ""

    @property
    def partial(self) -> bool:
        """In collection: its values count only the schools that reported so far."""
        return self.state == COLLECTING

    def coverage(self, lang: str = "zh") -> str:
        """ "2026：已报 3/146 所" / "2026: 3 of 146 schools reported"."""
        if lang == "zh":
            return f"{self.year}：已报 {self.reported}/{self.schools_open} 所"
        return f"{self.year}: {self.reported} of {self.schools_open} schools reported"

    def label(self, lang: str = "zh") -> str:
        """The year as a page or report names it: a year in collection says so, with its coverage."""
        if not self.partial:
            return f"{self.year}"
        if lang == "zh":
            return f"{self.year}（采集中，已报 {self.reported}/{self.schools_open} 所）"
        return f"{self.year} (in collection: {self.reported} of {self.schools_open} schools reported)"

    def state_label(self, lang: str = "zh") -> str:
        words = {COLLECTING: ("采集中（数据不完整）", "in collection (partial)"), CLOSED: ("已关闭", "closed")}
        zh, en = words[self.state]
        return zh if lang == "zh" else en

    def state_fields(self) -> dict[str, Any]:
        """What an answer about this year adds (API, JSON output): its state and coverage."""
        return {
            "year_state": self.state,
            "coverage": {
                "reported": self.reported,
                "schools_open": self.schools_open,
                "zh": self.coverage("zh"),
                "en": self.coverage("en"),
            },
        }

    def as_dict(self) -> dict[str, Any]:
        """The JSON of `countyedu years list` and of the API's `years`."""
        return {
            "year": self.year,
            "state": self.state,
            "reported": self.reported,
            "schools_open": self.schools_open,
            "coverage_zh": self.coverage("zh"),
            "coverage_en": self.coverage("en"),
            "changed_at": self.changed_at.isoformat(timespec="seconds") if self.changed_at else None,
            "note": self.note,
        }


@dataclass(frozen=True)
class Years:
    """The school years of one census version, oldest first, with their states and coverage."""

    items: tuple[SchoolYear, ...] = ()

    def __iter__(self) -> Iterator[SchoolYear]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def years(self) -> list[int]:
        return [y.year for y in self.items]

    @property
    def partial(self) -> frozenset[int]:
        """The years in collection."""
        return frozenset(y.year for y in self.items if y.partial)

    @property
    def closed(self) -> list[int]:
        return [y.year for y in self.items if not y.partial]

    def get(self, year: int) -> SchoolYear | None:
        return next((y for y in self.items if y.year == year), None)

    def info(self, year: int) -> SchoolYear:
        """The year's state and coverage (a year the census does not hold reads as closed, nothing reported)."""
        return self.get(year) or SchoolYear(year)

    def default(self) -> int | None:
        """The year every page, report and command shows unless told otherwise: the latest closed
        year (the latest year when none is closed yet; None for an empty census)."""
        closed = self.closed
        if closed:
            return closed[-1]
        return self.items[-1].year if self.items else None

    def choose(self, year: int | None) -> int:
        """The year asked for (default: the latest closed); YearError for a year the census does not hold."""
        if year is None:
            d = self.default()
            if d is None:
                raise YearError(Msg("the census holds no school year"))
            return d
        if self.get(year) is None:
            known = ", ".join(str(y) for y in self.years) or "—"
            raise YearError(
                Msg("no school year {year} in the census (it holds: {known})", year=year, known=known),
                year=year,
            )
        return year

    def key(self) -> str:
        """What cached results add to the census version: "" when every year is closed, else the
        years in collection ("p2026"), so opening or closing a year gives other cache entries."""
        return ("p" + "-".join(str(y) for y in sorted(self.partial))) if self.partial else ""

    def as_list(self) -> list[dict[str, Any]]:
        return [y.as_dict() for y in self.items]

    @classmethod
    def from_list(cls, rows: list[dict[str, Any]]) -> Years:
        return cls(
            tuple(
                SchoolYear(
                    int(r["year"]), r["state"], int(r["reported"]), int(r["schools_open"]), None, r.get("note", "")
                )
                for r in rows
            )
        )


def years_of(frames: Mapping[str, pd.DataFrame], sheets: tuple[str, ...] = YEAR_SHEETS) -> list[int]:
    """The school years census frames hold: the years of the rows of `sheets` (by default those
    census_years counts; funding and the engine count the years with classes, ("classes",))."""
    import pandas as pd

    years: set[int] = set()
    for name in sheets:
        frame = frames.get(name)
        if frame is not None and not frame.empty and "year" in frame.columns:
            years |= {int(y) for y in pd.to_numeric(frame["year"], errors="coerce").dropna().unique()}
    return sorted(years)


def _coverage_sql(store: CensusStore, version: str) -> str:
    sy, classes = (store.view_sql(name, version) for name in YEAR_SHEETS)
    schools = store.view_sql("schools", version)
    return f"""
        WITH y AS (SELECT DISTINCT year FROM ({sy}) UNION SELECT DISTINCT year FROM ({classes}))
        SELECT y.year,
          (SELECT count(DISTINCT school_id) FROM ({sy}) r WHERE r.year = y.year),
          (SELECT count(*) FROM ({schools}) s WHERE (s.opened_year IS NULL OR s.opened_year <= y.year)
             AND (s.closed_year IS NULL OR y.year < s.closed_year))
        FROM y WHERE y.year IS NOT NULL ORDER BY y.year"""


def census_years(store: CensusStore, version: str, *, marked: bool = False) -> Years:
    """The school years a census version holds (years of its school_years or classes rows), with
    their states and coverage; with `marked`, also the years marked in the store but holding no
    data yet (a round just opened: nothing reported)."""
    states = store.year_states()
    with store.connect() as con:
        rows = con.execute(_coverage_sql(store, version)).fetchall()
        found = {int(r[0]): (int(r[1]), int(r[2])) for r in rows}
        if marked:
            schools = store.view_sql("schools", version)
            for year in set(states) - set(found):
                n = con.execute(
                    f"SELECT count(*) FROM ({schools}) s WHERE (s.opened_year IS NULL OR s.opened_year <= ?) "
                    "AND (s.closed_year IS NULL OR ? < s.closed_year)",
                    [year, year],
                ).fetchone()
                found[year] = (0, int(n[0]) if n else 0)
    out = []
    for year in sorted(found):
        reported, schools_open = found[year]
        state, changed_at, note = states.get(year, (CLOSED, None, ""))
        out.append(SchoolYear(year, state, reported, schools_open, changed_at, note))
    return Years(tuple(out))


def without_partial(
    frames: Mapping[str, pd.DataFrame], partial: frozenset[int], keep: int | None = None
) -> dict[str, pd.DataFrame]:
    """The census without the rows of the years in collection (every yearly sheet), but `keep` (a
    year asked for by name): what planning and funding compute on, so that by default they stand on
    the latest closed year and a partial year never enters their series."""
    drop = sorted(partial - {keep} if keep is not None else partial)
    if not drop:
        return dict(frames)
    out = {}
    for name, df in frames.items():
        out[name] = df[~df["year"].isin(drop)].reset_index(drop=True) if "year" in df.columns else df
    return out
