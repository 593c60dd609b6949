"""`countyedu years …`: school years in collection and closed (census.years).

A year is in collection from `years open YEAR` (or the web's opening of its collection round) until
`years close YEAR` (or closing the round); pages, reports and commands default to the latest closed
year and label a year in collection as partial, with its coverage."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from countyedu.cli.common import DataDir, Fmt, Format, _json, err, out, table
from countyedu.messages import Msg

years_app = typer.Typer(help="学年 / school years: in collection (partial) or closed; list, open, close")

YearArg = Annotated[int, typer.Argument(help="the school year, e.g. 2026 (= 2026/27)")]
NoteOpt = Annotated[str, typer.Option("--note", help="why (kept with the state)")]
AssessOpt = Annotated[
    bool, typer.Option("--assess/--no-assess", help="compute the assessment under the new state (what pages show)")
]


def _years(store: Any) -> Any:
    from countyedu.census.years import Years, census_years

    latest = store.latest()
    return census_years(store, latest.version_id, marked=True) if latest else Years()


def _print(ys: Any, version: str | None) -> None:
    if not len(ys):
        out.print("普查数据中还没有学年 / no school year in the census yet")
        return
    default = ys.default()
    t = table(title=f"学年 / school years — census {version}")
    for c in ("学年 year", "状态 state", "已报/开办 reported/open", "变更时间 changed", "说明 note", ""):
        t.add_column(c, overflow="fold")
    for y in ys:
        style = "yellow" if y.partial else "green"
        t.add_row(
            str(y.year),
            f"[{style}]{y.state_label('zh')} / {y.state_label('en')}[/]",
            f"{y.reported}/{y.schools_open}",
            y.changed_at.isoformat(sep=" ", timespec="seconds") if y.changed_at else "",
            y.note,
            "默认 default" if y.year == default else "",
        )
    out.print(t)


@years_app.command("list")
def years_list(data_dir: DataDir = None, fmt: Format = Fmt.table) -> None:
    """Every school year of the latest census (and years opened without data yet): state and coverage."""
    from countyedu.census.store import CensusStore

    store = CensusStore(data_dir)
    latest = store.latest()
    ys = _years(store)
    if fmt is Fmt.json:
        _json(
            {
                "census_version": latest.version_id if latest else None,
                "default_year": ys.default(),
                "years": ys.as_list(),
            }
        )
        return
    _print(ys, latest.version_id if latest else None)


def _change(data_dir: Any, year: int, state: str, note: str, assess: bool, fmt: Fmt) -> None:
    from countyedu.census.schema import YEAR_MAX, YEAR_MIN
    from countyedu.census.store import CensusStore
    from countyedu.census.years import YearError

    if not YEAR_MIN <= year <= YEAR_MAX:
        raise YearError(
            Msg(
                "the school year must be between {YEAR_MIN} and {YEAR_MAX}: {year}",
                YEAR_MIN=YEAR_MIN,
                YEAR_MAX=YEAR_MAX,
                year=year,
            ),
            year=year,
        )
    store = CensusStore(data_dir)
    store.set_year_state(year, state, note)
    latest = store.latest()
    if assess and latest is not None:
        from countyedu.indicators import cache

        with err.status("计算指标 / assessing…"):
            cache.get_or_compute(store, latest.version_id)
    ys = _years(store)
    if fmt is Fmt.json:
        _json({"year": year, **ys.info(year).as_dict(), "default_year": ys.default()})
        return
    info = ys.info(year)
    out.print(f"{info.label('zh')}：{info.state_label('zh')} / {info.label('en')}: {info.state_label('en')}")
    out.print(f"默认学年 / default school year: {ys.default()}")


@years_app.command("open")
def years_open(
    year: YearArg, data_dir: DataDir = None, note: NoteOpt = "", assess: AssessOpt = True, fmt: Format = Fmt.table
) -> None:
    """Mark a school year in collection: it is partial, and pages default to the latest closed year."""
    _change(data_dir, year, "collecting", note or "countyedu years open", assess, fmt)


@years_app.command("close")
def years_close(
    year: YearArg, data_dir: DataDir = None, note: NoteOpt = "", assess: AssessOpt = True, fmt: Format = Fmt.table
) -> None:
    """Close a school year: its data are complete, and it becomes the default when it is the latest."""
    _change(data_dir, year, "closed", note or "countyedu years close", assess, fmt)
