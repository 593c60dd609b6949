"""`countyedu supervise …` (issue 15): the supervision office's commands — the inspectors' assignment
and visit plan, the evaluations and the supervision reports. Each helper of the module adds its
command here as one function (`@supervise_app.command(...)`).

What they share: `supervision_inputs` (the census of a version, the packs, the web's daily records and
the assessment's county statuses) and `supervision_run` (the parts asked for, computed on them), and
the `--as-of` option (the day the run looks from; default today).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from countyedu.cli.blocks import LangOpt, RowsOpt, YearOpt, _frames
from countyedu.cli.common import DataDir, JsonDoc, Lang, OutOpt, PackOpt, VersionOpt, XFmt, XFormat, err, load_packs
from countyedu.errors import CountyEduError
from countyedu.messages import Msg

supervise_app = typer.Typer(
    help="督导 / supervision: responsible inspectors' assignment and visit plan, evaluations, reports"
)

AsOfOpt = Annotated[
    str | None, typer.Option("--as-of", help="the day to look from, YYYY-MM-DD (default: today)", show_default=False)
]


def today() -> date:
    """The day the CLI looks from when --as-of is not given (the only place the commands read the clock)."""
    return date.today()


def daily_records(data_dir: Path | None) -> Any:
    """The web's daily records (visits, findings, rectifications, task updates) as the frames
    `supervision.records` declares, read through Django; none (said on stderr) when the data dir has
    no web database yet (`countyedu serve` makes it)."""
    from countyedu.cli.common import _django

    _django(data_dir)
    from django.db import DatabaseError

    from countyedu.supervision.records import Records
    from countyedu.web import supervision_records

    try:
        return supervision_records.frames()
    except DatabaseError:
        err.print("[dim]没有网页端记录 / no web records in this data dir (countyedu serve keeps them)[/]")
        return Records()


def supervision_inputs(
    data_dir: Path | None, version: str | None, year: int | None, pack: list[str] | None, *, records: bool = True
) -> tuple[str, dict[str, Any], Any, dict[str, Any], Any]:
    """(census version, frames, packs, daily records, indicator statuses made on first use)."""
    from countyedu.supervision.parts import county_statuses

    store, v, frames = _frames(data_dir, version, year)
    packs = load_packs(pack)

    def statuses() -> Any:
        from countyedu.indicators.cache import get_or_compute

        return county_statuses(get_or_compute(store, v, list(packs)).table())

    return v, frames, packs, (daily_records(data_dir) if records else {}), statuses


def supervision_run(
    data_dir: Path | None,
    version: str | None,
    year: int | None,
    pack: list[str] | None,
    as_of: str | None,
    only: list[str] | None = None,
    values: dict[str, Any] | None = None,
) -> tuple[str, Any]:
    """(census version, the supervision run of the parts `only`) with the web's records, as of `as_of`."""
    from countyedu.supervision.kind import run_supervision

    v, frames, packs, records, statuses = supervision_inputs(data_dir, version, year, pack)
    run = run_supervision(
        frames, packs, year, values, as_of=as_of or today(), records=records, indicators=statuses, only=only
    )
    return v, run


# ------------------------------------------------------------------------------ evaluate, report (evaluate)

ScoresOpt = Annotated[
    Path | None,
    typer.Option("--scores", help="CSV of manual scores: unit_id, rubric_id, points (the office's ratings)"),
]
VetoesOpt = Annotated[Path | None, typer.Option("--vetoes", help="CSV of vetoes: unit_id, veto, note")]
AccountOpt = Annotated[
    Path | None,
    typer.Option("--accountability", help="CSV of the year's earlier accountability measures: unit_id, date, measure"),
]


def _entries(scores: Path | None, vetoes: Path | None, accountability: Path | None) -> dict[str, Any]:
    """The supervision office's manual entries from CSV files (UTF-8, a header row)."""
    import pandas as pd

    out: dict[str, Any] = {}
    for key, p, cols in (
        ("manual", scores, ["unit_id", "rubric_id", "points"]),
        ("vetoes", vetoes, ["unit_id", "veto"]),
        ("accountability", accountability, ["unit_id", "date"]),
    ):
        if p is None:
            continue
        try:
            df = pd.read_csv(p, dtype=str, encoding="utf-8-sig")
            missing = [c for c in cols if c not in df.columns]
            if key == "manual" and not missing:
                df["points"] = pd.to_numeric(df["points"], errors="raise")
        except (OSError, ValueError) as e:
            raise CountyEduError(Msg("{name}: cannot read the file ({why})", name=p.name, why=str(e)[:120])) from None
        if missing:
            raise CountyEduError(Msg("{name}: columns missing: {columns}", name=p.name, columns=tuple(missing)))
        out[key] = df
    return out


def evaluation_of(
    data_dir: Path | None,
    version: str | None,
    year: int | None,
    pack: list[str] | None,
    as_of: str | None,
    entries: dict[str, Any] | None = None,
) -> tuple[str, Any, Any, Any]:
    """(census version, the evaluation, its inputs, the reports' inputs) as of `as_of` (default today):
    the census, the assessment's results at every level, the web's records, the task register."""
    from countyedu.indicators.cache import get_or_compute
    from countyedu.supervision.kind import as_of_date, run_supervision
    from countyedu.supervision.parts import county_statuses
    from countyedu.supervision.reports import evaluated

    store, v, frames = _frames(data_dir, version, year)
    packs = load_packs(pack)
    records = daily_records(data_dir)
    with err.status("评估 / assessing…"):
        table = get_or_compute(store, v, list(packs)).table()
    day = as_of_date(as_of or today(), year)
    run = run_supervision(
        frames, packs, year, None, as_of=day, records=records, indicators=county_statuses(table), only=["tasks"]
    )
    got = evaluated(frames, packs, records, table, run.part("tasks"), year, day, entries)
    if got is None:
        raise CountyEduError(Msg("the census has no schools or townships to evaluate"))
    return (v, *got)


EOut = Annotated[Path | None, typer.Option("--out", help="file to write (.xlsx, .json or .csv)")]


def _show(
    blocks: list[Any], doc: dict[str, Any], fmt: XFmt, out_path: Path | None, default_name: str, lang: str, rows: int
) -> None:
    import json
    import sys

    from countyedu.cli.blocks import print_blocks, write_blocks

    if fmt is XFmt.xlsx and out_path is None:
        out_path = Path(default_name)
    if out_path is not None:
        write_blocks(blocks, JsonDoc(doc), out_path, lang)
        err.print(f"已写出 / written: {out_path}")
    if fmt is XFmt.json:
        sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=1, default=str) + "\n")
    elif fmt is XFmt.table:
        print_blocks(blocks, lang, rows)


@supervise_app.command("evaluate")
def evaluate_cmd(
    year: YearOpt = None,
    as_of: AsOfOpt = None,
    fmt: XFormat = XFmt.table,
    out_path: EOut = None,
    unit: Annotated[
        str | None, typer.Option("--unit", help="explain one township's or school's points, row by row")
    ] = None,
    letters: Annotated[
        Path | None, typer.Option("--letters", help="folder to write each 约谈 letter into (.txt)")
    ] = None,
    scores: ScoresOpt = None,
    vetoes: VetoesOpt = None,
    accountability: AccountOpt = None,
    data_dir: DataDir = None,
    version: VersionOpt = None,
    pack: PackOpt = None,
    lang: LangOpt = Lang.zh,
    rows: RowsOpt = 20,
) -> None:
    """年度考核 / the yearly evaluations of townships and schools (第34条): scores, grades, ranking,
    vetoes, the rows behind every point and the 约谈 list (JSON: README, "supervise evaluate JSON")."""
    from countyedu.messages import translate

    _v, e, _inputs, _r = evaluation_of(data_dir, version, year, pack, as_of, _entries(scores, vetoes, accountability))
    if letters is not None:
        letters.mkdir(parents=True, exist_ok=True)
        for i in e.interviews:
            path = letters / f"{i.unit_id}.txt"
            path.write_text("\n\n".join(translate(m, lang.value) for m in i.letter(e.year)) + "\n", "utf-8")
        err.print(f"已写出 / written: {len(e.interviews)} → {letters}")
    if unit is not None:
        u = e.unit(unit)
        if u is None:
            raise CountyEduError(Msg("{unit} is not a township or school of the census", unit=unit))
        doc = u.as_dict()
        if fmt is XFmt.json:
            _show([], doc, fmt, out_path, f"evaluation-{unit}-{e.year}.xlsx", lang.value, rows)
            return
        from countyedu.supervision.reports import _headline

        n = len(e.schools) if u.level == "school" else len(e.townships)
        typer.echo(f"{u.name}: {translate(_headline(u, n), lang.value)}")
        for line in u.explain():
            typer.echo("  " + translate(line, lang.value))
        return
    _show(e.blocks(), e.as_dict(), fmt, out_path, f"evaluation-{e.year}.xlsx", lang.value, rows)


@supervise_app.command("report")
def report_cmd(
    school: Annotated[str | None, typer.Option("--school", help="one school's report")] = None,
    township: Annotated[str | None, typer.Option("--township", help="one township's report")] = None,
    year: YearOpt = None,
    as_of: AsOfOpt = None,
    fmt: XFormat = XFmt.table,
    out_path: EOut = None,
    scores: ScoresOpt = None,
    vetoes: VetoesOpt = None,
    accountability: AccountOpt = None,
    data_dir: DataDir = None,
    version: VersionOpt = None,
    pack: PackOpt = None,
    lang: LangOpt = Lang.zh,
    rows: RowsOpt = 20,
) -> None:
    """督导报告 / supervision reports: a school's (visits, findings, rectification), a township's
    (evaluation, tasks, schools) or, by default, the county's annual report."""
    from countyedu.runs.blocks import localize
    from countyedu.supervision.reports import county_report, school_report, township_report

    if school and township:
        raise CountyEduError(Msg("give --school or --township, not both"))
    _v, e, inputs, r = evaluation_of(data_dir, version, year, pack, as_of, _entries(scores, vetoes, accountability))
    if school:
        if school not in set(inputs.schools["school_id"].astype(str)):
            raise CountyEduError(Msg("{unit} is not a township or school of the census", unit=school))
        blocks, scope = school_report(e, inputs, r, school), school
    elif township:
        if township not in set(inputs.townships["township_id"].astype(str)):
            raise CountyEduError(Msg("{unit} is not a township or school of the census", unit=township))
        blocks, scope = township_report(e, inputs, township), township
    else:
        blocks, scope = county_report(e, inputs, r), "county"
    doc = {
        "year": e.year,
        "as_of": e.as_of.isoformat(),
        "scope": scope,
        "blocks": [b.as_dict() for b in localize(blocks, lang.value)],
    }
    _show(blocks, doc, fmt, out_path, f"supervision-report-{scope}-{e.year}.xlsx", lang.value, rows)


# ------------------------------------------------------------------------------ assign, plan (inspect)


PreviousOpt = Annotated[
    Path | None,
    typer.Option(
        "--previous",
        help="the decided assignment to keep (a JSON written by `supervise assign --format json`, or a CSV "
        "school_id,inspector_id); default: the web's adopted assignment on --as-of",
        show_default=False,
    ),
]
LeavingOpt = Annotated[
    list[str] | None,
    typer.Option("--leaving", help="an inspector who leaves (repeatable): their schools are reassigned"),
]


def read_assignment(path: Path) -> dict[str, str]:
    """school_id → inspector_id from a JSON of `supervise assign` or a CSV with those two columns."""
    import json as json_

    from countyedu.errors import CountyEduError
    from countyedu.messages import Msg

    try:
        if path.suffix.lower() == ".json":
            doc = json_.loads(path.read_text("utf-8"))
            return {str(s): str(i["inspector_id"]) for i in doc["inspectors"] for s in i["school_ids"]}
        import pandas as pd

        df = pd.read_csv(path, dtype=str)
        return dict(zip(df["school_id"], df["inspector_id"], strict=True))
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise CountyEduError(
            Msg(
                "{name} is not an assignment (JSON of supervise assign, or CSV school_id,inspector_id): {why}",
                name=path.name,
                why=str(e),
            ),
            path=str(path),
        ) from None


def _assignment(
    data_dir: Path | None,
    version: str | None,
    year: int | None,
    pack: list[str] | None,
    as_of: str | None,
    previous: Path | None,
    leaving: list[str] | None,
) -> Any:
    """The assignment of the census version: the decided one (--previous, else the web's on --as-of)
    kept where its inspectors serve, those --leaving left out."""
    from countyedu.roads.travel import params_of
    from countyedu.supervision.assign import AssignParams, assign_inspectors, current_assignment
    from countyedu.supervision.params import section, supervision_params

    _v, frames, packs, records, _statuses = supervision_inputs(data_dir, version, year, pack, records=previous is None)
    if previous is not None:
        kept = read_assignment(previous)
    else:
        day = date.fromisoformat(as_of) if as_of else today()
        found = records.get("assignments") if isinstance(records, dict) else getattr(records, "assignments", None)
        kept = current_assignment(found, day)
    p = section(supervision_params(packs), "assign", AssignParams)
    with err.status("责任督学分配 / assigning inspectors…"):
        return assign_inspectors(frames, p, year, kept or None, leaving or (), roads=params_of(packs))


class _AssignDoc:
    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc

    def as_dict(self) -> dict[str, Any]:
        return self.doc


def _show_result(result: Any, fmt: XFmt, out_path: Path | None, lang: str, rows: int, name: str) -> None:
    import json as json_
    import sys

    from countyedu.cli.blocks import print_blocks, write_blocks

    doc = result.as_dict(lang)
    if fmt is XFmt.xlsx and out_path is None:
        out_path = Path(f"{name}.xlsx")
    if out_path is not None:
        write_blocks(result.blocks(), _AssignDoc(doc), out_path, lang)
        err.print(f"已写出 / written: {out_path}")
    if fmt is XFmt.json:
        sys.stdout.write(json_.dumps(doc, ensure_ascii=False, indent=1, default=str) + "\n")
    elif fmt is XFmt.table:
        print_blocks(result.blocks(), lang, rows)


@supervise_app.command("assign")
def assign(
    data_dir: DataDir = None,
    version: VersionOpt = None,
    year: YearOpt = None,
    fmt: XFormat = XFmt.table,
    out_path: OutOpt = None,
    lang: LangOpt = Lang.zh,
    rows: RowsOpt = 20,
    pack: PackOpt = None,
    previous: PreviousOpt = None,
    leaving: LeavingOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """Responsible inspectors (责任督学): every open school to one inspector — about 5 each, zones of at
    most 20 schools, never their former school, least travel — with the checks and the plaque list;
    --leaving reassigns a leaver's schools, keeping the others'. JSON: README (supervise assign)."""
    a = _assignment(data_dir, version, year, pack, as_of, previous, leaving)
    _show_result(a, fmt, out_path, lang.value, rows, f"assignment-{a.year}")


@supervise_app.command("plan")
def plan(
    data_dir: DataDir = None,
    version: VersionOpt = None,
    year: YearOpt = None,
    start: Annotated[
        str | None,
        typer.Option(
            "--from", help="first day, YYYY-MM-DD (default: the first of --as-of's month)", show_default=False
        ),
    ] = None,
    months: Annotated[int, typer.Option("--months", help="calendar months the plan covers", min=1, max=24)] = 1,
    assignment: Annotated[
        Path | None,
        typer.Option("--assignment", help="plan this assignment (JSON of supervise assign) instead of computing one"),
    ] = None,
    fmt: XFormat = XFmt.table,
    out_path: OutOpt = None,
    lang: LangOpt = Lang.zh,
    rows: RowsOpt = 20,
    pack: PackOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """The visit plan: every school visited by its inspector at least once in each school month, spread
    over the inspector's working days (part-time inspectors on theirs). JSON: README (supervise plan)."""
    from countyedu.supervision.params import section, supervision_params
    from countyedu.supervision.plan import PlanParams, visit_plan

    a = _assignment(data_dir, version, year, pack, as_of, assignment, None)
    first = date.fromisoformat(start) if start else (date.fromisoformat(as_of) if as_of else today()).replace(day=1)
    p = section(supervision_params(load_packs(pack)), "plan", PlanParams)
    names = dict(zip(a.schools["school_id"], a.schools["name"], strict=True))
    names |= dict(zip(a.inspectors["inspector_id"], a.inspectors["name"], strict=True))
    km = dict(zip(a.schools["school_id"], a.schools["km"], strict=True))
    result = visit_plan(a.mapping(), a.inspectors, first, months, p, km, names)
    _show_result(result, fmt, out_path, lang.value, rows, f"visit-plan-{first.isoformat()}")


@supervise_app.command("rectifications")
def rectifications(
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="data folder")] = None,
    as_of: AsOfOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="table for people, json for programs")] = "table",
    lang: Annotated[str, typer.Option("--lang", help="zh or en")] = "zh",
) -> None:
    """The visits' rectifications as of a day (第31、34条): each one due, awaiting the inspector's
    check, escalated to the bureau when overdue, under notice when overdue again; the open 重大 safety
    hazards with the days since their last daily check."""
    import json
    import sys

    from countyedu.cli.blocks import print_blocks

    _v, run = supervision_run(data_dir, None, None, None, as_of, only=["rectification"])
    found = run.part("rectification")
    if fmt == "json":
        doc = found.as_dict() if found is not None else {"as_of": (as_of or today().isoformat()), "rectifications": []}
        sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=1, default=str) + "\n")
    elif found is None:
        err.print("没有整改事项 / no rectifications recorded")
    else:
        print_blocks(found.blocks(), lang, 40)


@supervise_app.command("escalate")
def escalate(
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="data folder")] = None,
    as_of: AsOfOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="table for people, json for programs")] = "table",
) -> None:
    """The daily escalation (第34条; 教育督导问责办法): every rectification overdue a second time on the
    day (its first deadline and the bureau's second one passed) gets the bureau's notice (通报),
    recorded in the web's database and shown to the school and the bureau. Run again for the same
    day, it issues nothing new. JSON: README (supervise escalate)."""
    import json
    import sys

    from countyedu.cli.common import _django
    from countyedu.supervision.kind import as_of_date

    day = as_of_date(as_of or today(), None)
    _django(data_dir)
    from django.db import DatabaseError

    from countyedu.web.supervision_models import Notice
    from countyedu.web.supervision_notices import do_issue_notices

    try:
        issued = do_issue_notices(day)
        total = Notice.objects.count()
    except DatabaseError:
        raise CountyEduError(Msg("no web database in this data dir: run countyedu serve once to make it")) from None
    doc = {
        "as_of": day.isoformat(),
        "issued": [
            {
                "notice_id": n.pk,
                "rectification_id": str(n.rectification_id),
                "school_id": n.school_id,
                "deadline": n.deadline.isoformat(),
                "second_deadline": n.second_deadline.isoformat(),
                "days_overdue": n.days_overdue,
            }
            for n in issued
        ],
        "notices_in_total": total,
    }
    if fmt == "json":
        sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=1) + "\n")
        return
    print(f"{day.isoformat()} 通报 / notices issued: {len(issued)}（累计 in total {total}）")
    for n in doc["issued"]:
        print(
            f"  {n['school_id']}  整改 rectification {n['rectification_id']}  期限 deadline {n['deadline']}  "
            f"再次期限 second deadline {n['second_deadline']}  逾期 {n['days_overdue']} 天 days"
        )
