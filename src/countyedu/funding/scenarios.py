"""Funding scenarios: the same year under other parameters, side by side (issue 6 item 4).

A scenario is a name and parameter overrides (``{"step_rate": 0.15}``, ``{"floor_junior": 300}``,
``{"baseline": {"primary": {2019: 650}}}`` — dict parameters merge one level deep). Each is validated
like the pack (funding.params.with_overrides) and computed with funding.perpupil.school_funds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from xlsxwriter.workbook import Workbook

from countyedu.census.writers import workbook
from countyedu.funding.labels import COMPONENTS, cells, component_label, school_type, stage_label
from countyedu.funding.params import STAGES, FundingParams, with_overrides
from countyedu.funding.perpupil import SchoolFunds, school_funds
from countyedu.messages import Msg, Text, translate
from countyedu.runs.blocks import Block, BlockColumn, BlockTable, worded

BASE = "base"
SCENARIO = "scenario"  # the one scenario of the web form and `countyedu funding scenario`
CLAUSE = "第22条; 第5条; FD"


@dataclass
class ScenarioComparison:
    """Per-school and county totals of the base and every scenario, with differences from the base."""

    year: int
    names: list[str]  # "base" first, then the scenarios in the order given
    overrides: dict[str, dict[str, Any]]
    funds: dict[str, SchoolFunds]

    def schools(self) -> pd.DataFrame:
        """school_id, name, stage, township_id, pupils, one total column per scenario, diff_<name>."""
        base = self.funds[BASE].totals[["school_id", "name", "school_stage", "township_id", "pupils"]]
        out = base.copy()
        for n in self.names:
            out = out.merge(
                self.funds[n].totals[["school_id", "total"]].rename(columns={"total": n}), on="school_id", how="outer"
            )
        for n in self.names[1:]:
            out[f"diff_{n}"] = out[n].fillna(0.0) - out[BASE].fillna(0.0)
        return out

    def county(self) -> pd.DataFrame:
        """One row per scenario: total, per component, per stage, difference from the base."""
        rows = []
        base_total = self.funds[BASE].total
        for n in self.names:
            f = self.funds[n]
            comp = f.rows.groupby("component")["amount"].sum()
            stage = f.rows.groupby("stage")["amount"].sum()
            row: dict[str, Any] = {"scenario": n, "total": f.total, "difference": f.total - base_total}
            row |= {c: float(comp.get(c, 0.0)) for c in COMPONENTS}
            row |= {f"stage_{s}": float(stage.get(s, 0.0)) for s in STAGES}
            rows.append(row)
        return pd.DataFrame(rows)

    def as_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "scenarios": list(self.names),
            "overrides": {k: _jsonable(v) for k, v in self.overrides.items()},
            "county": self.county().to_dict("records"),
            "schools": self.schools().astype(object).where(self.schools().notna(), None).to_dict("records"),
        }

    def blocks(self, lang: str | None = None) -> list[Block]:
        """The blocks with their messages (worded in `lang` when given)."""
        return worded(scenario_blocks(self), lang)

    def write_xlsx(self, path: str | Path, lang: str | None = None) -> Path:
        """A workbook: county totals, schools side by side, the parameters of each scenario. In `lang`
        (zh / en) its sheets, headings, scenarios, school types and parameters are worded; without it,
        the data's own codes under bilingual sheet names."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        wb = workbook(path)
        head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
        money = wb.add_format({"num_format": "#,##0"})
        params = pd.DataFrame(
            [{"scenario": n, "parameter": k, "value": str(v)} for n in self.names for k, v in self.overrides[n].items()]
            or [{"scenario": BASE, "parameter": "", "value": ""}]
        )
        sheets = [
            (Msg("County totals side by side"), "县合计 county", self.county()),
            (Msg("Schools"), "各校 schools", self.schools()),
            (Msg("Parameters"), "参数 parameters", params),
        ]
        for title, bilingual, df in sheets:
            if lang is None:
                _sheet(wb, bilingual, df, head, money)
            else:
                _sheet(wb, translate(title, lang)[:31], _worded(df, self.names, lang), head, money)
        wb.close()
        return path


def _heading(column: str, names: list[str]) -> Text:
    """A column of the scenario frames (county, schools, parameters) in words."""
    if column in names:
        return scenario_label(column)
    if column.startswith("diff_") and column[5:] in names:
        return Msg("difference: {scenario}", scenario=scenario_label(column[5:]))
    if column.startswith("stage_"):
        return stage_label(column[6:])
    if column in COMPONENTS:
        return component_label(column)
    return HEADINGS.get(column, column)


HEADINGS: dict[str, Msg] = {
    "scenario": Msg("scenario"),
    "total": Msg("total"),
    "difference": Msg("vs base"),
    "school_id": Msg("school code"),
    "name": Msg("school"),
    "school_stage": Msg("kind of school"),
    "township_id": Msg("township code"),
    "pupils": Msg("pupils"),
    "parameter": Msg("parameter"),
    "value": Msg("value"),
}


def _worded(df: pd.DataFrame, names: list[str], lang: str) -> pd.DataFrame:
    """A scenario frame with its headings, scenarios, school types and parameters in words of `lang`."""
    out = df.copy()
    if "scenario" in out:
        out["scenario"] = [translate(scenario_label(n), lang) for n in out["scenario"]]
    if "school_stage" in out:
        out["school_stage"] = [translate(school_type(str(s)), lang) for s in out["school_stage"]]
    if "parameter" in out:
        out["parameter"] = [translate(PARAMETERS.get(k, k), lang) if k else "" for k in out["parameter"]]
    out.columns = [translate(_heading(str(c), names), lang) for c in out.columns]
    return out


def _jsonable(v: Any) -> Any:
    if isinstance(v, Mapping):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    return v


def _sheet(wb: Workbook, name: str, df: pd.DataFrame, head: Any, money: Any) -> None:
    ws = wb.add_worksheet(name)
    for j, col in enumerate(df.columns):
        ws.write_string(0, j, str(col), head)
        ws.set_column(j, j, 16)
    for i, rec in enumerate(df.itertuples(index=False), start=1):
        for j, v in enumerate(rec):
            if v is None or (isinstance(v, float) and v != v):
                continue
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                ws.write_number(i, j, float(v), money)
            else:
                ws.write_string(i, j, str(v))
    ws.freeze_panes(1, 1)


def compare(
    frames: dict[str, pd.DataFrame], year: int, scenarios: Mapping[str, Mapping[str, Any]], base: FundingParams
) -> ScenarioComparison:
    """The base parameters and each scenario's overrides on the same census year, side by side."""
    funds = {BASE: school_funds(frames, year, base)}
    overrides: dict[str, dict[str, Any]] = {BASE: {}}
    for name, ov in scenarios.items():
        name = str(name)
        params = with_overrides(base, ov, where=f"scenario {name}")
        funds[name] = school_funds(frames, year, params)
        overrides[name] = dict(ov)
    return ScenarioComparison(year, list(funds), overrides, funds)


# the parameters a scenario form changes, in the form's words (other parameters are named by their field)
PARAMETERS: dict[str, Msg] = {
    "step_rate": Msg("Raise every two years"),
    "floor_primary": Msg("Rural primary floor (pupils)"),
    "floor_junior": Msg("Rural junior floor (pupils)"),
    "boarder_subsidy": Msg("Boarder subsidy (yuan a year)"),
    "baseline": Msg("provincial baselines"),
}
BASELINES: dict[str, Msg] = {
    "primary": Msg("Primary baseline (yuan per pupil)"),
    "junior": Msg("Junior baseline (yuan per pupil)"),
}


def field_label(field: str) -> Text:
    """A field of the scenario form (baseline_primary, step_rate …) in the form's words."""
    if field.startswith("baseline_"):
        return BASELINES.get(field.removeprefix("baseline_"), field)
    return PARAMETERS.get(field, field)


def changes_label(overrides: Mapping[str, Any]) -> Text:
    """A scenario's parameter changes in words ("—" for none)."""
    out: list[Msg] = []
    for key, value in overrides.items():
        if key == "baseline" and isinstance(value, Mapping):
            for stage, table in value.items():
                shown = "; ".join(f"{v:g}" for v in dict(table).values()) if isinstance(table, Mapping) else str(table)
                param = BASELINES.get(stage, Msg("provincial baseline: {stage}", stage=stage_label(stage)))
                out.append(Msg("{parameter} = {value}", parameter=param, value=shown))
        else:
            out.append(Msg("{parameter} = {value}", parameter=PARAMETERS.get(key, key), value=str(value)))
    return Msg("{changes}", changes=tuple(out)) if out else "—"


def scenario_label(name: str) -> Text:
    """A scenario's name in words: the base and the one scenario a form changes are messages, a name
    given by the user is shown as given."""
    return {BASE: Msg("base"), SCENARIO: Msg("scenario")}.get(name, name)


def scenario_blocks(cmp: ScenarioComparison) -> list[Block]:
    county = cmp.county()
    comps = list(COMPONENTS)
    stages = STAGES
    table = BlockTable(
        Msg("County totals side by side"),
        [
            BlockColumn("scenario", Msg("scenario")),
            BlockColumn("changes", Msg("changes")),
            *(BlockColumn(c, component_label(c), "yuan") for c in comps),
            BlockColumn("total", Msg("total"), "yuan"),
            BlockColumn("difference", Msg("vs base"), "yuan"),
        ],
        [
            cells(
                scenario_label(r["scenario"]),
                changes_label(cmp.overrides[r["scenario"]]),
                *(float(r[c]) for c in comps),
                float(r["total"]),
                float(r["difference"]),
            )
            for _, r in county.iterrows()
        ],
        clause=CLAUSE,
    )
    by_stage = BlockTable(
        Msg("By stage"),
        [BlockColumn("scenario", Msg("scenario")), *(BlockColumn(s, stage_label(s), "yuan") for s in stages)],
        [cells(scenario_label(r["scenario"]), *(float(r[f"stage_{s}"]) for s in stages)) for _, r in county.iterrows()],
        clause=CLAUSE,
    )
    sch = cmp.schools()
    changed = (
        sch[(sch[[f"diff_{n}" for n in cmp.names[1:]]].abs() > 0.005).any(axis=1)]
        if len(cmp.names) > 1
        else sch.iloc[0:0]
    )
    schools = BlockTable(
        Msg("Schools that change"),
        [
            BlockColumn("school", Msg("school")),
            BlockColumn("pupils", Msg("pupils"), "count"),
            *(BlockColumn(n, scenario_label(n), "yuan") for n in cmp.names),
            *(
                BlockColumn(f"diff_{n}", Msg("difference: {scenario}", scenario=scenario_label(n)), "yuan")
                for n in cmp.names[1:]
            ),
        ],
        [
            cells(
                str(r["name"]),
                float(r["pupils"]),
                *(None if pd.isna(r[n]) else float(r[n]) for n in cmp.names),
                *(float(r[f"diff_{n}"]) for n in cmp.names[1:]),
            )
            for _, r in changed.iterrows()
        ],
        clause=CLAUSE,
    )
    para = Msg(
        "Per-pupil funds of {year} under other parameters; {changed} schools change.",
        year=cmp.year,
        changed=len(changed),
    )
    return [
        Block(
            "funding.scenarios",
            Msg("Funding scenarios"),
            CLAUSE,
            paragraphs=[para],
            tables=[table, by_stage, schools],
        )
    ]
