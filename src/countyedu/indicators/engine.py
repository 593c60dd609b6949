"""The indicator engine: a pack's indicators on a census version, every year, at school, township
and county level, with a status against each target.

Status (per result):
- ``no_data``: no value (nothing to count, or a zero denominator).
- ``met`` / ``not_met``: the value against the target milestone in force that year (the first
  milestone whose deadline is not past, else the last).
- ``at_risk``: before the deadline, whatever today's status, the trend misses the target. The trend
  is the least-squares line through the unit's values of every year up to and including this one
  (two or more years needed), extended to the deadline year.
- ``needs_evidence``: an inspector checklist item (no data in the census can decide it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from countyedu.indicators.formulas import AGGREGATE, FORMULAS
from countyedu.indicators.tables import CensusTables
from countyedu.policy.pack import Item, Pack, PackError, Target, load_pack

LEVELS = ("school", "township", "county")
QB_PASS_COUNT, QB_FLOOR = 6, 0.85  # defaults; the pack's qb_school_pass params override them


@dataclass(frozen=True)
class Result:
    """One indicator value at one unit, stage and year, with its target and status."""

    pack: str
    indicator: str
    level: str
    unit: str
    stage: str | None
    year: int
    value: float | None
    target: Target | None
    status: str
    num: float | None = None
    den: float | None = None
    trend_at_deadline: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """The assess JSON contract (README: "assess JSON")."""
        return {
            "indicator": self.indicator,
            "level": self.level,
            "unit": self.unit,
            "stage": self.stage,
            "year": self.year,
            "value": self.value,
            "target": self.target.as_dict() if self.target else None,
            "status": self.status,
        }


@dataclass(frozen=True)
class SchoolGap:
    """What a school part failing QB-R-SCHOOL needs to pass: additions in things a planner buys."""

    school_id: str
    stage: str
    year: int
    additions: list[tuple[str, float, str]]  # (indicator, amount, unit words)


@dataclass
class Assessment:
    """Every result of some packs on one census version."""

    census_version: str
    packs: list[Pack]
    county_id: str
    results: list[Result] = field(default_factory=list)
    school_gaps: list[SchoolGap] = field(default_factory=list)

    def item(self, indicator: str) -> Item:
        for p in self.packs:
            for it in p.items:
                if it.id == indicator:
                    return it
        raise KeyError(indicator)

    def frame(self) -> pd.DataFrame:
        """Results as a table (one row per result)."""
        rows = [
            {
                **r.as_dict(),
                "pack": r.pack,
                "num": r.num,
                "den": r.den,
                "target": r.target,
                "trend_at_deadline": r.trend_at_deadline,
            }
            for r in self.results
        ]
        return pd.DataFrame(rows)

    def as_dict(self) -> dict[str, Any]:
        return {
            "census_version": self.census_version,
            "packs": [p.id for p in self.packs],
            "results": [r.as_dict() for r in self.results],
        }


# ------------------------------------------------------------------------------ evaluate


def _aggregate(c: ir.Table, item: Item, county_id: str) -> ir.Table:
    """Contributions → values at each level the item is defined for."""
    how = AGGREGATE[item.formula or ""]
    scale = float(item.params.get("scale", 1.0))
    outs = []
    keys = {"school": ["school_id"], "township": ["township_id"], "county": []}
    for level in item.levels:
        src = c.filter(c.school_id.notnull()) if level == "school" else c
        g = src.group_by([*keys[level], "stage", "year"]).aggregate(num=src.num.sum(), den=src.den.sum())
        unit = g[keys[level][0]] if keys[level] else ibis.literal(county_id)
        if how == "sum":
            value = g.num
        else:
            value = ibis.ifelse(g.den > 0, g.num * scale / g.den, ibis.null("float64"))
        outs.append(
            g.select(
                level=ibis.literal(level),
                unit=unit.cast("string"),
                stage=g.stage,
                year=g.year,
                num=g.num,
                den=g.den,
                value=value.cast("float64"),
            )
        )
    u = outs[0]
    for o in outs[1:]:
        u = u.union(o)
    return u


def _cv(school_rows: pd.DataFrame) -> pd.DataFrame:
    """Pupil-weighted population CV per stage and year (STANDARDS.md, 差异系数)."""
    out = []
    for (stage, year), g in school_rows.groupby(["stage", "year"], dropna=False):
        g = g[g["value"].notna() & (g["den"] > 0)]
        if g.empty:
            continue
        out.append(
            {
                "stage": stage,
                "year": year,
                "value": weighted_cv(g["value"].to_numpy(), g["den"].to_numpy()),
                "num": None,
                "den": float(g["den"].sum()),
            }
        )
    return pd.DataFrame(out)


def weighted_cv(values: np.ndarray, pupils: np.ndarray) -> float:
    """CV = S / X̄ with X̄ = Σ P·X / N and S = sqrt(Σ (P/N)(X − X̄)²) — the official 差异系数."""
    n = pupils.sum()
    mean = float((pupils * values).sum() / n)
    s = math.sqrt(float((pupils / n * (values - mean) ** 2).sum()))
    return s / mean if mean else float("nan")


def evaluate_item(ct: CensusTables, item: Item, county_id: str) -> pd.DataFrame:
    """Values of one indicator: columns level, unit, stage, year, num, den, value."""
    c = FORMULAS[item.formula or ""](ct, item)
    return _aggregate(c, item, county_id).to_pandas()


def assess(
    ct: CensusTables, packs: list[Pack], *, years: list[int] | None = None, county_id: str | None = None
) -> Assessment:
    """Every item of the packs on the census tables."""
    check_formulas(packs)
    cid = county_id or next((str(p.parameters["county_id"]) for p in packs if "county_id" in p.parameters), "county")
    a = Assessment(ct.version, packs, cid)
    census_years = sorted(int(y) for y in ct["classes"].select("year").distinct().to_pandas()["year"])
    memo: dict[tuple[str, str], pd.DataFrame] = {}

    def compute(pack: Pack, item: Item) -> pd.DataFrame:
        key = (pack.id, item.id)
        if key in memo:
            return memo[key]
        if item.formula == "cv":
            base = compute(pack, pack.item(item.params["of"]))
            df = _cv(base[base["level"] == "school"]).assign(level="county", unit=cid)
        elif item.formula == "qb_school_pass":
            for rid in item.params["indicators"]:
                compute(pack, pack.item(rid))
            df, gaps = _qb_school_pass(pack, item, memo, cid)
            a.school_gaps.extend(gaps)
        elif item.formula == "same_as":
            ref = load_pack(item.params["pack"])
            df = compute(ref, ref.item(item.params["item"]))
            df = df[df["level"].isin(item.levels)]
        else:
            df = evaluate_item(ct, item, cid)
        memo[key] = df
        return df

    for pack in packs:
        for item in pack.items:
            if item.kind == "checklist":
                for y in census_years:
                    if not years or y in years:
                        a.results.append(
                            Result(pack.id, item.id, "county", cid, None, y, None, item.target_for(y), "needs_evidence")
                        )
                continue
            a.results.extend(_with_status(pack.id, item, compute(pack, item), years))
    return a


DERIVED = ("cv", "qb_school_pass", "same_as")


def check_formulas(packs: list[Pack]) -> None:
    """Every indicator names a formula countyedu has (PackError naming pack and item otherwise)."""
    for p in packs:
        for it in p.items:
            if it.kind == "indicator" and it.formula not in FORMULAS and it.formula not in DERIVED:
                known = ", ".join(sorted([*FORMULAS, *DERIVED]))
                raise PackError(
                    f"pack {p.id}, item {it.id}: unknown formula {it.formula} (known: {known})",
                    f"政策包 {p.id} 的指标 {it.id}：未知公式 {it.formula}（可用：{known}）",
                )


# ------------------------------------------------------------------------------ status


def _with_status(pack_id: str, item: Item, df: pd.DataFrame, years: list[int] | None) -> list[Result]:
    """Results with status: the trend of each unit is fitted on its values up to each year
    (running least squares over the group, vectorised), then compared with the milestone."""
    if df.empty:
        return []
    df = df.sort_values(["level", "unit", "stage", "year"], na_position="first").reset_index(drop=True)
    df["trend"] = _running_trend(df, item)
    out: list[Result] = []
    records = zip(
        df["level"], df["unit"], df["stage"], df["year"], df["value"], df["num"], df["den"], df["trend"], strict=True
    )
    for level, unit, stage_v, year_v, value_v, num, den, trend_v in records:
        year = int(year_v)
        if years and year not in years:
            continue
        stage = None if pd.isna(stage_v) else str(stage_v)
        target = item.target_for(year, stage)
        value = None if pd.isna(value_v) else float(value_v)
        trend = None if target is None or year >= target.by or pd.isna(trend_v) else float(trend_v)
        status = _status(target, year, value, trend)
        out.append(
            Result(
                pack_id,
                item.id,
                str(level),
                str(unit),
                stage,
                year,
                value,
                target,
                status,
                _num(num),
                _num(den),
                trend if status != "no_data" else None,
            )
        )
    return out


def _running_trend(df: pd.DataFrame, item: Item) -> pd.Series:
    """For each row: the least-squares line through the unit's (year, value) points up to that row,
    evaluated at the deadline in force for that row (NaN under two points)."""
    ok = df["value"].notna()
    x = df["year"].astype(float).where(ok, 0.0)
    y = df["value"].astype(float).where(ok, 0.0)
    g = df.assign(n=ok.astype(float), x=x, y=y, xx=x * x, xy=x * y).groupby(
        ["level", "unit", "stage"], dropna=False, sort=False
    )
    c = g[["n", "x", "y", "xx", "xy"]].cumsum()
    denom = c["n"] * c["xx"] - c["x"] ** 2
    slope = (c["n"] * c["xy"] - c["x"] * c["y"]) / denom.where(denom != 0)
    intercept = (c["y"] - slope * c["x"]) / c["n"]
    deadline = [
        (t.by if (t := item.target_for(int(yr), None if pd.isna(st) else str(st))) else np.nan)
        for yr, st in zip(df["year"], df["stage"], strict=True)
    ]
    trend = slope * pd.Series(deadline, index=df.index, dtype=float) + intercept
    return trend.where(c["n"] >= 2)


def _num(v: Any) -> float | None:
    return None if v is None or pd.isna(v) else float(v)


def _status(target: Target | None, year: int, value: float | None, trend: float | None) -> str:
    if value is None:
        return "no_data"
    if target is None:
        return "met"  # an indicator without a target is reported, never failed
    if year < target.by and trend is not None and not target.met(trend):
        return "at_risk"
    return "met" if target.met(value) else "not_met"


# ---------------------------------------------------------------------------- QB-R-SCHOOL


def _qb_school_pass(
    pack: Pack, item: Item, computed: dict[tuple[str, str], pd.DataFrame], county_id: str
) -> tuple[pd.DataFrame, list[SchoolGap]]:
    """A school part passes when ≥ 6 of the 7 QB-R indicators meet their standard and none is
    below 85% of it (STANDARDS.md QB-R-SCHOOL). County value: the share of school parts passing."""
    need = int(item.params.get("pass_count", QB_PASS_COUNT))
    floor = float(item.params.get("floor", QB_FLOOR))
    parts = []
    for rid in item.params["indicators"]:
        df = computed[(pack.id, rid)]
        df = df[df["level"] == "school"][["unit", "stage", "year", "value", "num", "den"]].assign(indicator=rid)
        parts.append(df)
    allr = pd.concat(parts, ignore_index=True)
    rows, gaps = [], []
    for (unit, stage, year), g in allr.groupby(["unit", "stage", "year"]):
        ratios, shorts = [], []
        for rec in g.itertuples(index=False):
            rit = pack.item(rec.indicator)
            t = rit.target_for(int(year), stage)
            if t is None or pd.isna(rec.value):
                continue
            ratio = rec.value / t.value if t.value else 1.0
            ratios.append(ratio)
            if ratio < 1:
                scale = float(rit.params.get("scale", 1.0))
                full = t.value * rec.den / scale - rec.num
                to_floor = floor * t.value * rec.den / scale - rec.num
                shorts.append((rec.indicator, ratio, full, to_floor, rit.params.get("gap_unit", rit.unit)))
        if len(ratios) < len(item.params["indicators"]):
            rows.append({"unit": unit, "stage": stage, "year": year, "value": None, "num": None, "den": 1.0})
            continue
        met = sum(r >= 1 for r in ratios)
        passed = met >= need and min(ratios) >= floor
        rows.append(
            {
                "unit": unit,
                "stage": stage,
                "year": year,
                "value": 1.0 if passed else 0.0,
                "num": 1.0 if passed else 0.0,
                "den": 1.0,
            }
        )
        if not passed:
            allowance = len(item.params["indicators"]) - need
            gaps.append(SchoolGap(str(unit), str(stage), int(year), _smallest_additions(shorts, allowance)))
    sch = pd.DataFrame(rows).assign(level="school")
    county = (
        sch[sch["value"].notna()].groupby(["stage", "year"], as_index=False).agg(num=("num", "sum"), den=("den", "sum"))
    )
    county = county.assign(value=county["num"] / county["den"], level="county", unit=county_id)
    levels = [df for lvl, df in (("school", sch), ("county", county)) if lvl in item.levels]
    return pd.concat(levels, ignore_index=True), gaps


def _smallest_additions(
    shorts: list[tuple[str, float, float, float, str]], allowance: int
) -> list[tuple[str, float, str]]:
    """The additions that make a failing school part pass: each indicator below standard is brought
    up to it, except the ``allowance`` furthest below it (one, under 6 of 7), which is brought up to
    the floor only when below it. Amounts are rounded up to whole units."""
    ordered = sorted(shorts, key=lambda s: s[1])  # furthest below standard first
    out = []
    for i, (ind, ratio, full, to_floor, unit) in enumerate(ordered):
        amount = to_floor if i < allowance else full
        if i < allowance and ratio >= 0 and to_floor <= 0:
            continue
        out.append((ind, float(math.ceil(amount - 1e-9)), unit))
    return sorted(out)
