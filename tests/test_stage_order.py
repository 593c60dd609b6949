"""Stages in planning's and funding's tables and charts on the demo county: always 学前 → 小学 → 初中 →
高中 → 中职, in both languages, never by their English keys."""

from __future__ import annotations

import functools

import pandas as pd
import pytest

from countyedu.census import vocabulary
from countyedu.funding.params import FundingParams
from countyedu.funding.run import run_funding
from countyedu.planning.projection import backtest, project
from countyedu.planning.projects import project_balance
from countyedu.planning.seats import seat_plan
from countyedu.runs.blocks import Block, localize
from demo_support import demo_frames


@functools.cache
def demo() -> dict[str, pd.DataFrame]:
    return demo_frames()


@functools.cache
def blocks(lang: str) -> list[Block]:
    f = demo()
    proj = project(f, horizon=2027)
    plan = seat_plan(f, proj)
    blocks = [
        *proj.blocks(lang),
        *plan.blocks(lang),
        *project_balance(f, proj).blocks(lang),
        *backtest(f, 2021).blocks(lang),
        *run_funding(dict(f), FundingParams()).blocks(lang),
    ]
    return localize(blocks, lang)  # as a page or report shows them (message keys worded)


def _rank(lang: str) -> dict[str, int]:
    """A stage's place by its label (or its code, where a table shows codes)."""
    return {
        **{s: i for i, s in enumerate(vocabulary.STAGES)},
        **{vocabulary.stage_label(s, lang): i for i, s in enumerate(vocabulary.STAGES)},
    }


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_it_lists_stages_in_order_in_every_stage_column(lang: str) -> None:
    rank, seen = _rank(lang), 0
    for b in blocks(lang):
        for t in b.tables:
            keys = [c.key for c in t.columns]
            if "stage" not in keys or t.columns[keys.index("stage")].unit:
                continue
            at = keys.index("stage")
            runs: dict[tuple[object, ...], list[int]] = {}
            for r in t.rows:
                if r[at] in rank:
                    runs.setdefault(tuple(r[:at]), []).append(rank[str(r[at])])
            for before, order in runs.items():
                assert order == sorted(order), (b.id, t.title, before, order)
                seen += len(order) > 1
    assert seen >= 3  # tables of several stages were met (seats, balance, per-pupil funds)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_it_orders_stage_columns_and_series(lang: str) -> None:
    rank, seen = _rank(lang), 0
    for b in blocks(lang):
        for t in b.tables:
            cols = [c.key for c in t.columns if c.key in vocabulary.STAGES]
            assert cols == vocabulary.sorted_stages(cols), (b.id, t.title)
            seen += len(cols) > 1
        for t in b.tables:  # the back-test's groups: "学段 小学", "stage primary" …
            words = [str(r[0]).split(" ", 1) for r in t.rows if r]
            groups = [rank[w[1]] for w in words if len(w) == 2 and w[1] in rank]
            assert groups == sorted(groups), (b.id, t.title)
        for c in b.charts:
            names = [rank[n] for n in c.series if n in rank]
            assert names == sorted(names), (b.id, c.title)
            seen += len(names) > 1
    assert seen >= 3


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_it_gives_a_stage_one_colour_in_every_chart(lang: str) -> None:
    """The colours web pages and reports draw with (vocabulary.series_colours of a chart)."""
    rank, seen = _rank(lang), {}
    for b in blocks(lang):
        for c in b.charts:
            for name, drawn in zip(c.series, vocabulary.series_colours(c.colours, len(c.series)), strict=True):
                if name in rank:
                    stage = vocabulary.STAGES[rank[name]]
                    assert drawn == vocabulary.colour(stage), (b.id, c.title, name)
                    seen.setdefault(stage, set()).add(b.id)
    assert all(len(ids) >= 2 for ids in seen.values()) and len(seen) >= 4, seen


def test_the_report_draws_a_stage_in_its_colour() -> None:
    from matplotlib.colors import to_hex

    from countyedu.reports.charts import block_chart_figure

    chart = next(c for b in blocks("zh") if b.id == "planning.projection" for c in b.charts)
    lines = block_chart_figure(chart).axes[0].get_lines()
    drawn = {line.get_label(): to_hex(line.get_color()) for line in lines}
    for stage in ("kindergarten", "primary", "junior", "high"):
        assert drawn[vocabulary.stage_label(stage, "zh")] == vocabulary.colour(stage)
