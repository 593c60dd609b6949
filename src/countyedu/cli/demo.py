"""`countyedu demo`: the synthetic Nanfeng county generated, imported, assessed, planned and funded."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer

from countyedu.cli.assess import _names, stored_blocks
from countyedu.cli.census import _print_summary, summary_settings
from countyedu.cli.common import DataDir, Fmt, Format, _json, err, out
from countyedu.cli.run import after_census, summary_lines


def demo(
    data_dir: DataDir = None,
    seed: Annotated[int, typer.Option(help="random seed of the synthetic county")] = 2019,
    pdf: Annotated[
        bool, typer.Option("--pdf/--no-pdf", help="also write the PDF report (about a minute of layout on 2 cores)")
    ] = True,
    fmt: Format = Fmt.table,
) -> None:
    """Generate the synthetic Nanfeng county, write its workbook, import it and summarise it."""
    from countyedu.census.demo import generate
    from countyedu.census.importer import import_census
    from countyedu.census.store import DEMO_SOURCE, CensusStore
    from countyedu.census.summary import summarise
    from countyedu.census.writers import write_workbook

    store = CensusStore(data_dir)
    workbook = store.data_dir / f"{DEMO_SOURCE}.xlsx"
    with err.status("生成示例县 / generating the demo county…"):
        frames = generate(seed)
        write_workbook(workbook, frames, note="SYNTHETIC demo data / 合成示例数据")
    with err.status("导入 / importing…"):
        result = import_census(workbook, store)
    county_name, big_class = summary_settings()
    s = summarise(store, result.version.version_id, big_class)
    computed = after_census(store, result.version.version_id, None)  # assessment, then every run kind
    a = computed.assessment
    with err.status("报告 / writing the reports…"):
        reports = _demo_reports(store, a, pdf)
    counts = Counter(r.status for r in a.results)
    if fmt is Fmt.json:
        _json(
            {
                "synthetic": True,
                "workbook": str(workbook),
                **s.as_dict(),
                "assessment": {"statuses": dict(counts), "reports": [str(p) for p in reports]},
                **{name: run.summary for name, run in computed.runs.items()},
            }
        )
        return
    out.print(
        "[bold yellow]注意：以下为合成示例数据，并非南丰县真实统计 / NOTE: synthetic demo data, not real Nanfeng statistics[/]"
    )
    out.print(f"示例工作簿 / demo workbook: {workbook}")
    out.print(f"普查版本 / census version: {result.version.version_id} in {store.path}")
    _print_summary(s, county=county_name)
    latest = a.default_year()
    county = Counter(r.status for r in a.results if r.level == "county" and r.year == latest)
    out.print(
        f"{latest} 年县级指标 / county indicators: "
        + "，".join(f"{k} {n}" for k, n in sorted(county.items()))
        + f"（全部结果 / all results: {len(a.results):,}）"
    )
    for line in summary_lines(computed):
        out.print(line)
    for p in reports:
        out.print(f"评估报告 / assessment report: {p}")
    out.print("查看指标说明 / explain a number: countyedu explain T-PRE-5 --data-dir " + str(store.data_dir))


def _demo_reports(store: Any, a: Any, pdf: bool = True) -> list[Path]:
    from countyedu.reports import write_report

    names = _names(store, a)
    blocks = stored_blocks(store, a.census_version, "zh", a.packs)
    paths = []
    for ext in ("html", "pdf") if pdf else ("html",):
        path = store.data_dir / f"assessment-{a.census_version}.{ext}"
        write_report(a, path, ext, lang="zh", names=names, synthetic=True, blocks=blocks)
        paths.append(path)
    return paths
