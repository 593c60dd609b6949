"""`countyedu admissions …` (issue 14): the year's high-school admission batch by batch (`run`), the
independent verifier's checks (`check`), one candidate's answer (`explain`) and the report chapter
(`report`); each as a table, the JSON contract (README) or a workbook."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer

from countyedu.cli.blocks import LangOpt, RowsOpt, YearOpt, _frames, print_blocks, write_blocks
from countyedu.cli.common import DataDir, JsonDoc, Lang, OutOpt, PackOpt, VersionOpt, XFmt, XFormat, err, load_packs
from countyedu.cli.run import ParamOpt, parse_params
from countyedu.errors import CountyEduError
from countyedu.messages import Msg, decode, translate

admissions_app = typer.Typer(help="中招 / high-school admission: run the batches, check, explain, report")

AllocationOpt = Annotated[
    Path | None,
    typer.Option(
        "--allocation", help="an allocation's JSON (from `admissions run --format json`) instead of a new run"
    ),
]


# the verifier's checks (admissions/verify.py CHECKS) as a reader names them
CHECKS = {
    "one_place": Msg("one place per candidate"),
    "quota": Msg("no programme over its places"),
    "eligibility": Msg("eligibility and conditions"),
    "no_envy": Msg("no justified envy within a batch"),
    "quota_places": Msg("quota places to their junior school's pupils"),
    "returned": Msg("unused quota places returned"),
}


def _outcome(
    data_dir: Path | None, version: str | None, year: int | None, param: list[str] | None, pack: list[str] | None
) -> Any:
    from countyedu.admissions.kind import KIND
    from countyedu.admissions.outcome import run

    _store, v, frames = _frames(data_dir, version, year)
    with err.status("中招 / admission…"):
        out = run(frames, load_packs(pack), year, KIND.resolve(parse_params(param)))
    if out.year is None:
        raise CountyEduError(Msg("No candidates in the census."))
    return replace(out, census_version=v)


def contract(outcome: Any, lang: str) -> dict[str, Any]:
    """The JSON contract of `admissions run` (README): the verifier's details in words of `lang`."""
    doc = outcome.as_dict()
    doc["verification"] = worded(doc["verification"], lang)
    return doc


def worded(verification: dict[str, Any], lang: str) -> dict[str, Any]:
    checks = [{**c, "detail": translate(decode(c["detail"]), lang)} for c in verification.get("checks", [])]
    return {"ok": bool(verification.get("ok")), "checks": checks}


def _emit(
    doc: dict[str, Any], blocks: list[Any], fmt: XFmt, out_path: Path | None, default_name: str, lang: str, rows: int
) -> None:
    if fmt is XFmt.xlsx and out_path is None:
        out_path = Path(default_name)
    if out_path is not None:
        write_blocks(blocks, JsonDoc(doc), out_path, lang)
        err.print(f"已写出 / written: {out_path}")
    if fmt is XFmt.json:
        sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=1, default=str) + "\n")
    elif fmt is XFmt.table:
        print_blocks(blocks, lang, rows)


@admissions_app.command("run")
def run_(
    year: YearOpt = None,
    param: ParamOpt = None,
    fmt: XFormat = XFmt.table,
    out_path: OutOpt = None,
    lang: LangOpt = Lang.zh,
    rows: RowsOpt = 20,
    data_dir: DataDir = None,
    version: VersionOpt = None,
    pack: PackOpt = None,
) -> None:
    """The year's admission (default the latest with candidates), batch by batch: 提前批, 指标到校,
    统招 平行志愿 with the returned quota places, 职校 (STANDARDS AD, 第7条), under the pack's rules
    changed by --param (tie_rule=strict|admit_all|lottery, quota_share, rural_tilt, quota_margin,
    tie_order, lottery_seed), with the independent verifier's checks. json: the contract in README;
    xlsx: the report's tables and every admission."""
    outcome = _outcome(data_dir, version, year, param, pack)
    doc = contract(outcome, lang.value)
    blocks = outcome.blocks(lang.value)
    if fmt is XFmt.xlsx or out_path is not None:
        blocks = [*blocks, admitted_block(doc)]
    _emit(doc, blocks, fmt, out_path, f"admissions-{outcome.year}.xlsx", lang.value, rows)


def admitted_block(doc: dict[str, Any]) -> Any:
    """Every admission and every unplaced candidate as one table (the workbook's sheet)."""
    from countyedu.messages import Code
    from countyedu.runs.blocks import Block, BlockColumn, BlockTable

    rows: list[list[Any]] = [
        [a["rank"], a["candidate_id"], a["programme_id"], Code("admission_batch", a["batch"])] for a in doc["admitted"]
    ]
    rows += [[None, cid, None, Msg("not admitted")] for cid in doc["unplaced"]]
    table = BlockTable(
        Msg("Admission of every candidate"),
        [
            BlockColumn("rank", Msg("Place in the order"), "count"),
            BlockColumn("candidate_id", Msg("Exam number")),
            BlockColumn("programme_id", Msg("Programme")),
            BlockColumn("batch", Msg("Batch")),
        ],
        rows,
        clause="AD",
    )
    return Block("admissions.admitted", Msg("Admission of every candidate"), "AD", tables=[table])


def _allocation(
    path: Path | None,
    data_dir: Path | None,
    version: str | None,
    year: int | None,
    param: list[str] | None,
    pack: list[str] | None,
) -> tuple[dict[str, Any], dict[str, Any], int]:
    """(frames, allocation JSON, year): the file's allocation, or a new run's."""
    if path is None:
        outcome = _outcome(data_dir, version, year, param, pack)
        return dict(outcome.frames), outcome.as_dict(), int(outcome.year)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CountyEduError(
            Msg("cannot read the allocation {path}: {error}", path=str(path), error=str(exc)[:200])
        ) from None
    if not isinstance(doc, dict) or "admitted" not in doc or "year" not in doc:
        raise CountyEduError(Msg("{path} is not an admission's JSON (admissions run --format json)", path=str(path)))
    _store, _v, frames = _frames(data_dir, version, int(doc["year"]))
    return frames, doc, int(doc["year"])


@admissions_app.command("check")
def check(
    allocation: AllocationOpt = None,
    year: YearOpt = None,
    param: ParamOpt = None,
    fmt: XFormat = XFmt.table,
    out_path: OutOpt = None,
    lang: LangOpt = Lang.zh,
    data_dir: DataDir = None,
    version: VersionOpt = None,
    pack: PackOpt = None,
) -> None:
    """The independent verifier (admissions/verify.py, written apart from the allocator) on a new run
    or on --allocation FILE: one place each, quotas and the tie rule, eligibility, no justified envy,
    quota places to their own junior school's pupils, returned places. Exits 1 when a check fails."""
    from countyedu.admissions.verify import verify
    from countyedu.runs.blocks import Block, BlockColumn, BlockTable

    frames, doc, y = _allocation(allocation, data_dir, version, year, param, pack)
    result = verify(frames, y, doc, doc.get("params") if allocation is not None else None)
    words = {
        "ok": bool(result["ok"]),
        "checks": [{**c, "detail": translate(c["detail"], lang.value)} for c in result["checks"]],
    }
    table = BlockTable(
        Msg("Independent verifier"),
        [
            BlockColumn("check", Msg("Verifier check")),
            BlockColumn("ok", Msg("Passed")),
            BlockColumn("detail", Msg("What the verifier found")),
        ],
        [[CHECKS.get(c["check"], c["check"]), c["ok"], c["detail"]] for c in result["checks"]],
        clause="AD",
    )
    blocks = [Block("admissions.verifier", Msg("Independent verifier"), "AD", tables=[table])]
    _emit({"year": y, **words}, blocks, fmt, out_path, f"admissions-check-{y}.xlsx", lang.value, 50)
    if not result["ok"]:
        raise typer.Exit(1)


@admissions_app.command("explain")
def explain_(
    candidate: Annotated[str, typer.Argument(help="the candidate's id (考生号)")],
    allocation: AllocationOpt = None,
    year: YearOpt = None,
    param: ParamOpt = None,
    fmt: XFormat = XFmt.table,
    out_path: OutOpt = None,
    lang: LangOpt = Lang.zh,
    data_dir: DataDir = None,
    version: VersionOpt = None,
    pack: PackOpt = None,
) -> None:
    """One candidate's answer: admitted where, in which batch, with their rank, and for each choice
    above it why not (the line, or the last admitted and the tie order)."""
    from countyedu.admissions.explain import explain

    frames, doc, y = _allocation(allocation, data_dir, version, year, param, pack)
    answer = explain(frames, y, doc, candidate)
    blocks = answer.blocks(_names(frames, y))
    _emit(answer.as_dict(), blocks, fmt, out_path, f"admission-{candidate}.xlsx", lang.value, 50)


def _names(frames: Any, year: int) -> dict[str, str]:
    progs = frames.get("programmes")
    if progs is None or "name" not in progs:
        return {}
    rows = progs[progs["year"] == year]
    return {str(p): str(n) for p, n in zip(rows["programme_id"], rows["name"], strict=True) if isinstance(n, str) and n}


@admissions_app.command("report")
def report(
    year: YearOpt = None,
    param: ParamOpt = None,
    fmt: XFormat = XFmt.table,
    out_path: OutOpt = None,
    lang: LangOpt = Lang.zh,
    rows: RowsOpt = 20,
    data_dir: DataDir = None,
    version: VersionOpt = None,
    pack: PackOpt = None,
) -> None:
    """The admission chapter: the headline (batches, 普职比 against T-HS-2, the verifier), cut-offs per
    programme and batch, admission by junior school and township (QB-G14), score distributions."""
    outcome = _outcome(data_dir, version, year, param, pack)
    blocks = outcome.blocks(lang.value)
    doc = {"year": outcome.year, "blocks": [b.as_dict() for b in blocks]}
    _emit(doc, blocks, fmt, out_path, f"admissions-report-{outcome.year}.xlsx", lang.value, rows)
