"""`countyedu run KIND`: any registered run kind (countyedu.runs.registry) on a census version, with
its parameters; and the pipeline after a census enters (`demo`, `import`), as the CLI shows it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from countyedu.cli.blocks import LangOpt, RowsOpt, YearOpt, _emit, _frames
from countyedu.cli.common import DataDir, Fmt, Lang, PackOpt, VersionOpt, err, out, table
from countyedu.errors import CountyEduError
from countyedu.messages import Msg, both

ParamOpt = Annotated[
    list[str] | None,
    typer.Option("--param", help="parameter=value, e.g. horizon=2035 or step_rate=0.08 (repeatable; see --list)"),
]


def after_census(store: Any, version: str, pack_ids: list[str] | None, *, quiet: bool = False) -> Any:
    """Assess a census version with the packs and run every registered kind (runs.pipeline), saying
    on stderr what it is computing."""
    from countyedu.runs.pipeline import after_census as pipeline
    from countyedu.runs.store import load_packs

    packs = load_packs(pack_ids)
    if quiet:
        return pipeline(store, version, packs)
    with err.status("评估 / assessing…") as status:
        return pipeline(store, version, packs, lambda _f, m: status.update(" / ".join(both(m)) + "…"))


def summary_lines(computed: Any) -> list[str]:
    """The headline lines of every kind's stored run, in the registry's order."""
    from countyedu.runs.registry import get

    return [line for name, run in computed.runs.items() for line in get(name).summary_lines(run.summary)]


def parse_params(items: list[str] | None) -> dict[str, str]:
    """--param k=v … as a mapping (the kind checks names, types and ranges)."""
    out: dict[str, str] = {}
    for item in items or []:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise CountyEduError(Msg("--param {item}: write name=value, e.g. horizon=2035", item=item), item=item)
        out[key.strip()] = raw.strip()
    return out


def run(
    kind: Annotated[str, typer.Argument(help="the run kind: planning, funding, … (--list shows them)")] = "",
    param: ParamOpt = None,
    year: YearOpt = None,
    data_dir: DataDir = None,
    version: VersionOpt = None,
    pack: PackOpt = None,
    fmt: Annotated[Fmt, typer.Option("--format", help="table (text) or json")] = Fmt.table,
    out_path: Annotated[Path | None, typer.Option("--out", help=".json, .xlsx or .csv")] = None,
    lang: LangOpt = Lang.zh,
    rows: RowsOpt = 20,
    list_: Annotated[bool, typer.Option("--list", help="the registered kinds and their parameters")] = False,
) -> None:
    """Run a registered kind (planning, funding, …) on a census version with the packs and parameters,
    and store it beside the census (with the default parameters: what the web app and reports show)."""
    from countyedu.runs import pipeline
    from countyedu.runs.registry import get, kinds
    from countyedu.runs.store import load_packs

    if list_ or not kind:
        _list(kinds(), fmt, lang.value)
        return
    k = get(kind)
    params = k.resolve(parse_params(param))
    store, v, frames = _frames(data_dir, version, year)
    packs = load_packs(pack)
    with err.status(f"{' / '.join(both(k.label))}…"):
        result, _stored = pipeline.compute(store, k, v, packs, year=year, params=params, frames=frames)
    _emit(result, result.blocks(lang.value), fmt, lang.value, rows, out_path)


def _list(registered: dict[str, Any], fmt: Fmt, lang: str) -> None:
    from countyedu.cli.common import _json

    described = [k.describe(lang) for k in registered.values()]
    if fmt is Fmt.json:
        _json(described)
        return
    for d in described:
        t = table(title=f"{d['kind']} — {d['label']}", title_justify="left")
        for head in ("参数 parameter", "默认 default", "范围 range", "说明 help"):
            t.add_column(head, overflow="fold")
        for p in d["params"]:
            default = "—" if p["default"] is None else str(p["default"])
            span = "—" if p["min"] is None or p["max"] is None else f"{p['min']:g}–{p['max']:g}"
            t.add_row(p["name"], default, span, p["help"])
        out.print(t)
