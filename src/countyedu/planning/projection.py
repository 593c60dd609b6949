"""School-age population by community and single year of age to the horizon (Hamilton–Perry).

Method (Hamilton & Perry 1962; Swanson, Schlottmann & Schmidt 2010 for small areas), on the
population sheet's annual single-year ages 0–25:

- Cohort-change ratio, for each community c and age a < 25, pooled over the latest k one-year
  intervals (t → t+1) ending at the launch year (k = `ccr_base_years`):
      CCR(c, a) = Σ_t P(c, a+1, t+1) / Σ_t P(c, a, t)
  i.e. the mean of the yearly ratios weighted by their base persons. When the pooled base persons
  are fewer than `ccr_min_base`, the community takes its township's pooled ratio, and failing that
  the county's; a zero county base gives 1 (nobody to age on).
- Projection: P(c, a+1, t+1) = CCR(c, a) × P(c, a, t).
- Age 0 from a child–adult ratio (default): the sheet has no sex and no age above 25, so the adults
  are persons aged `birth_adult_ages` (default 20–25, the oldest ages held; assumed):
      CAR(c) = Σ_t P(c, 0, t) / Σ_t Σ_{a in adults} P(c, a, t)   over the k base years ending at launch,
      P(c, 0, t) = CAR(c) × Σ_{a in adults} P(c, a, t)             (adults projected first).
  Same fallback to township / county for small bases. `birth_ratio_trend = "linear"` scales CAR by
  the county ratio's base-year linear trend (floored at 0). Or, with `birth_method = "births"`, age
  0 is an optional `births` frame (year, births, and community_id or county-level shared by the
  communities' base-year share of age 0).

`backtest` projects from the data up to a launch year and compares with the later observed years:
absolute (APE) and signed (ALPE) percent errors of persons per community × stage age group × year,
summarised as MAPE and MALPE overall, by stage, by community size and by years ahead. Cells with
0 observed persons have no percent error and are counted apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from countyedu.census.vocabulary import colour, labels, sorted_stages
from countyedu.errors import CountyEduError
from countyedu.messages import Code, Msg, Num
from countyedu.planning.params import PlanningParams
from countyedu.runs.blocks import Block, BlockChart, BlockColumn, BlockTable, worded

CLAUSE = "第1、4条; T-PRE-5; T-HS-1"
STAGE_ZH = labels("education_stage", "zh")  # the stages' names, from the one vocabulary


@dataclass
class _Cube:
    communities: list[str]
    years: list[int]
    ages: int  # number of ages (0..ages-1)
    data: np.ndarray  # [community, year, age]


def _cube(persons: pd.DataFrame) -> _Cube:
    if persons.empty:
        raise CountyEduError(
            Msg("the population sheet is empty: nothing to project"),
            sheet="population",
        )
    years = sorted(int(y) for y in persons["year"].unique())
    gaps = [y for y in range(years[0], years[-1] + 1) if y not in years]
    if gaps:
        raise CountyEduError(
            Msg(
                "the population sheet lacks the years {years}: cohort-change ratios need consecutive years",
                years=tuple(Num(y, "year") for y in gaps),
            ),
            sheet="population",
            years=gaps,
        )
    communities = sorted(str(c) for c in persons["community_id"].unique())
    n_ages = int(persons["age"].max()) + 1
    ci = pd.Index(communities).get_indexer(persons["community_id"].astype(str))
    yi = persons["year"].astype(int).to_numpy() - years[0]
    ai = persons["age"].astype(int).to_numpy()
    data = np.zeros((len(communities), len(years), n_ages))
    np.add.at(data, (ci, yi, ai), persons["persons"].astype(float).to_numpy())
    return _Cube(communities, years, n_ages, data)


def _pooled(num: np.ndarray, den: np.ndarray, groups: np.ndarray, min_base: float) -> tuple[np.ndarray, np.ndarray]:
    """Ratios num/den per row (community), falling back to the group's, then the total's, pooled
    ratio where the base is below min_base. Returns (ratio, level: 0 own, 1 township, 2 county)."""
    tot_num, tot_den = num.sum(axis=0), den.sum(axis=0)
    county = np.divide(tot_num, tot_den, out=np.ones_like(tot_num), where=tot_den > 0)
    g_num = pd.DataFrame(num).groupby(groups).transform("sum").to_numpy()
    g_den = pd.DataFrame(den).groupby(groups).transform("sum").to_numpy()
    own = np.divide(num, den, out=np.zeros_like(num), where=den > 0)
    grp = np.divide(g_num, g_den, out=np.zeros_like(g_num), where=g_den > 0)
    ratio = np.where(den >= min_base, own, np.where(g_den >= min_base, grp, np.broadcast_to(county, num.shape)))
    level = np.where(den >= min_base, 0, np.where(g_den >= min_base, 1, 2))
    return ratio, level


@dataclass
class Projection:
    """Persons by community × year × age, observed then projected to the horizon (Hamilton–Perry)."""

    persons: pd.DataFrame  # community_id, year, age, persons (float), projected (bool)
    launch_year: int
    horizon: int
    base_years: list[int]  # the years whose intervals the ratios pool
    ccr: pd.DataFrame  # community_id, age (from), ccr, level (own/township/county)
    birth_ratio: pd.DataFrame  # community_id, ratio, level
    params: PlanningParams = field(default_factory=PlanningParams)

    def stage_totals(self) -> pd.DataFrame:
        """County persons of each stage's school ages per year: year, stage, persons, projected."""
        rows = []
        for stage, (lo, hi) in self.params.stage_ages.items():
            sel = self.persons[(self.persons["age"] >= lo) & (self.persons["age"] <= hi)]
            g = sel.groupby("year").agg(persons=("persons", "sum"), projected=("projected", "any")).reset_index()
            g["stage"] = stage
            rows.append(g)
        return pd.concat(rows, ignore_index=True)[["year", "stage", "persons", "projected"]]

    def as_dict(self) -> dict[str, Any]:
        t = self.stage_totals()
        levels = self.ccr["level"].value_counts().to_dict()
        return {
            "method": "hamilton_perry",
            "launch_year": self.launch_year,
            "horizon": self.horizon,
            "base_years": list(self.base_years),
            "birth_method": self.params.birth_method,
            "birth_adult_ages": list(self.params.birth_adult_ages),
            "ccr_fallbacks": {k: int(levels.get(k, 0)) for k in ("own", "township", "county")},
            "stage_totals": [
                {
                    "year": int(r.year),
                    "stage": str(r.stage),
                    "persons": round(float(r.persons), 1),
                    "projected": bool(r.projected),
                }
                for r in t.itertuples()
            ],
        }

    def blocks(self, lang: str | None = None) -> list[Block]:
        """The projection as one block (its texts messages, worded in `lang` when given)."""
        t = self.stage_totals()
        wide = t.pivot(index="year", columns="stage", values="persons").reindex(columns=list(self.params.stage_ages))
        proj = t.groupby("year")["projected"].any()
        stages = list(wide.columns)
        cols = [BlockColumn("year", Msg("year"), "year")]
        cols += [
            BlockColumn(
                s,
                Msg(
                    "{stage} (ages {low}–{high})",
                    stage=Code("education_stage", s),
                    low=self.params.stage_ages[s][0],
                    high=self.params.stage_ages[s][1],
                ),
                "count",
            )
            for s in stages
        ]
        cols.append(BlockColumn("projected", Msg("projected")))
        rows: list[list[Any]] = [
            [int(y), *[round(float(wide.at[y, s]), 1) for s in stages], bool(proj[y])] for y in wide.index
        ]
        lo, hi = self.params.birth_adult_ages
        para = Msg(
            "Method: Hamilton–Perry cohort-change ratios from single-year ages {first}–{launch} per community "
            "(township, then county ratios where the base is under {min_base} persons); age 0 from the ratio of "
            "age 0 to ages {low}–{high} (child–adult ratio); projected to {horizon}.",
            first=Num(self.base_years[0], "year"),
            launch=Num(self.launch_year, "year"),
            min_base=f"{self.params.ccr_min_base:g}",
            low=lo,
            high=hi,
            horizon=Num(self.horizon, "year"),
        )
        chart = BlockChart(
            title=Msg("School-age population projection"),
            kind="line",
            x=[str(int(y)) for y in wide.index],
            series={_stage_name(s): [round(float(v), 1) for v in wide[s].tolist()] for s in stages},
            y_label=Msg("persons"),
            unit="count",
            colours=[colour(s) for s in stages],
        )
        blocks = [
            Block(
                id="planning.projection",
                title=Msg("School-age population projection"),
                clause=CLAUSE,
                paragraphs=[para],
                tables=[
                    BlockTable(
                        title=Msg("County school-age population by stage"),
                        columns=cols,
                        rows=rows,
                        clause=CLAUSE,
                    )
                ],
                charts=[chart],
            )
        ]
        return worded(blocks, lang)


def _stage_name(stage: str) -> Msg:
    """A stage's name as a text (a chart series is named by a text)."""
    return Msg("{stage}", stage=Code("education_stage", stage))


def _births_frame(frames: Mapping[str, pd.DataFrame], cube: _Cube, base_idx: list[int]) -> pd.DataFrame:
    births = frames.get("births")
    if births is None or births.empty:
        raise CountyEduError(
            Msg("birth_method is 'births' but no births frame was given (columns year, births[, community_id])"),
            parameter="birth_method",
        )
    if "community_id" in births.columns:
        return births[["community_id", "year", "births"]].astype({"community_id": str, "year": int})
    share0 = cube.data[:, base_idx, 0].sum(axis=1)
    share0 = share0 / share0.sum() if share0.sum() > 0 else np.full(len(share0), 1 / len(share0))
    rows = [
        {"community_id": c, "year": int(r.year), "births": float(r.births) * s}
        for r in births.itertuples()
        for c, s in zip(cube.communities, share0, strict=True)
    ]
    return pd.DataFrame(rows)


def project(
    frames: Mapping[str, pd.DataFrame],
    *,
    horizon: int = 2030,
    launch_year: int | None = None,
    params: PlanningParams | None = None,
) -> Projection:
    """Hamilton–Perry projection of the population sheet from `launch_year` (default: its last year)
    to `horizon`. Observed rows up to the launch year are kept as observed; later observed years are
    left out (they are what `backtest` compares against)."""
    p = params or PlanningParams()
    persons = frames["population"]
    if launch_year is not None:
        persons = persons[persons["year"] <= launch_year]
    cube = _cube(persons)
    launch = cube.years[-1]
    if launch_year is not None and launch != launch_year:
        raise CountyEduError(
            Msg(
                "no population for the launch year {launch}; the data cover {first}–{last}",
                launch=Num(launch_year, "year"),
                first=Num(cube.years[0], "year"),
                last=Num(cube.years[-1], "year"),
            ),
            launch_year=launch_year,
        )
    if len(cube.years) < 2:
        raise CountyEduError(
            Msg(
                "cohort-change ratios need at least two consecutive years of population; only {launch} is given",
                launch=Num(launch, "year"),
            ),
            launch_year=launch,
        )
    k = max(1, min(p.ccr_base_years, len(cube.years) - 1))
    base_idx = list(range(len(cube.years) - 1 - k, len(cube.years)))  # k+1 years, k intervals
    base_years = [cube.years[i] for i in base_idx]

    comm = frames.get("communities")
    town_of = (
        dict(zip(comm["community_id"].astype(str), comm["township_id"].astype(str), strict=True))
        if comm is not None
        else {}
    )
    groups = np.array([town_of.get(c, "?") for c in cube.communities])

    d = cube.data
    num = sum(d[:, i + 1, 1:] for i in base_idx[:-1])
    den = sum(d[:, i, :-1] for i in base_idx[:-1])
    ccr, ccr_level = _pooled(np.asarray(num), np.asarray(den), groups, p.ccr_min_base)

    lo, hi = p.birth_adult_ages
    car_idx = base_idx[1:]  # k years ending at launch
    b_num = d[:, car_idx, 0].sum(axis=1, keepdims=True)
    b_den = d[:, car_idx, lo : hi + 1].sum(axis=(1, 2))[:, None]
    car, car_level = _pooled(b_num, b_den, groups, p.ccr_min_base)
    car = car[:, 0]
    trend_of_year: dict[int, float] = {}
    if p.birth_ratio_trend == "linear" and len(car_idx) >= 2:
        yr = np.array([cube.years[i] for i in car_idx], dtype=float)
        county = d[:, car_idx, 0].sum(axis=0) / np.maximum(d[:, car_idx, lo : hi + 1].sum(axis=(0, 2)), 1e-9)
        slope, intercept = np.polyfit(yr, county, 1)
        pooled = float(b_num.sum() / max(b_den.sum(), 1e-9))
        for y in range(launch + 1, horizon + 1):
            trend_of_year[y] = max(0.0, slope * y + intercept) / pooled if pooled > 0 else 1.0
    births = _births_frame(frames, cube, car_idx) if p.birth_method == "births" else None

    n_future = max(0, horizon - launch)
    fut = np.zeros((len(cube.communities), n_future, cube.ages))
    prev = d[:, -1, :]
    for j in range(n_future):
        year = launch + 1 + j
        cur = np.zeros_like(prev)
        cur[:, 1:] = ccr * prev[:, :-1]
        if births is not None:
            b = births[births["year"] == year].set_index("community_id")["births"]
            if b.empty:
                raise CountyEduError(
                    Msg("the births frame has no births for {year}", year=Num(year, "year")),
                    year=year,
                )
            cur[:, 0] = b.reindex(cube.communities, fill_value=0.0).to_numpy(dtype=float)
        else:
            cur[:, 0] = car * trend_of_year.get(year, 1.0) * cur[:, lo : hi + 1].sum(axis=1)
        fut[:, j, :] = cur
        prev = cur

    observed = persons[["community_id", "year", "age", "persons"]].copy()
    observed["community_id"] = observed["community_id"].astype(str)
    observed["persons"] = observed["persons"].astype(float)
    observed["projected"] = False
    if n_future:
        ci, yj, ai = np.meshgrid(range(len(cube.communities)), range(n_future), range(cube.ages), indexing="ij")
        projected = pd.DataFrame(
            {
                "community_id": np.array(cube.communities)[ci.ravel()],
                "year": (launch + 1 + yj.ravel()).astype(int),
                "age": ai.ravel().astype(int),
                "persons": fut.ravel(),
                "projected": True,
            }
        )
        out = pd.concat([observed, projected], ignore_index=True)
    else:
        out = observed
    out = out.sort_values(["community_id", "year", "age"]).reset_index(drop=True)

    level_name = np.array(["own", "township", "county"])
    ccr_df = pd.DataFrame(
        {
            "community_id": np.repeat(cube.communities, cube.ages - 1),
            "age": np.tile(np.arange(cube.ages - 1), len(cube.communities)),
            "ccr": ccr.ravel(),
            "level": level_name[ccr_level.ravel()],
        }
    )
    car_df = pd.DataFrame({"community_id": cube.communities, "ratio": car, "level": level_name[car_level[:, 0]]})
    return Projection(out, launch, horizon, base_years, ccr_df, car_df, p)


def _size_class(residents: float | None, bounds: tuple[int, int]) -> str:
    if residents is None or pd.isna(residents):
        return "unknown"
    lo, hi = bounds
    if residents < lo:
        return f"<{lo}"
    return f"{lo}–{hi - 1}" if residents < hi else f">={hi}"


@dataclass
class BackTest:
    """Errors of a projection launched in `launch_year` against the later observed years."""

    launch_year: int
    years: list[int]
    cells: pd.DataFrame  # community_id, stage, year, ahead, size_class, projected, observed, ape, alpe
    params: PlanningParams = field(default_factory=PlanningParams)

    @staticmethod
    def _summary(df: pd.DataFrame) -> dict[str, Any]:
        ok = df[df["observed"] > 0]
        return {
            "cells": len(df),
            "cells_zero_observed": int((df["observed"] <= 0).sum()),
            "mape": round(float(ok["ape"].mean()), 4) if len(ok) else None,
            "malpe": round(float(ok["alpe"].mean()), 4) if len(ok) else None,
        }

    def summary_by(self, column: str) -> dict[str, dict[str, Any]]:
        return {str(k): self._summary(g) for k, g in self.cells.groupby(column, sort=True)}

    def county_errors(self) -> dict[str, dict[str, float]]:
        """Percent error of the county total per stage and year (stage → year → signed error)."""
        g = self.cells.groupby(["stage", "year"])[["projected", "observed"]].sum()
        out: dict[str, dict[str, float]] = {}
        for (stage, year), r in g.iterrows():  # type: ignore[misc]
            if r["observed"] > 0:
                out.setdefault(str(stage), {})[str(year)] = round(float(r["projected"] / r["observed"] - 1), 4)
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "launch_year": self.launch_year,
            "years": list(self.years),
            "unit": "community × stage age group × year",
            "overall": self._summary(self.cells),
            "by_stage": self.summary_by("stage"),
            "by_size": self.summary_by("size_class"),
            "by_years_ahead": self.summary_by("ahead"),
            "county_total_error": self.county_errors(),
        }

    def blocks(self, lang: str | None = None) -> list[Block]:
        """The back-test errors as one block (its texts messages, worded in `lang` when given)."""
        d = self.as_dict()
        cols = [
            BlockColumn("group", Msg("group")),
            BlockColumn("cells", Msg("cells"), "count"),
            BlockColumn("mape", Msg("MAPE"), "share"),
            BlockColumn("malpe", Msg("MALPE"), "share"),
        ]
        rows: list[list[Any]] = [[Msg("all"), d["overall"]["cells"], d["overall"]["mape"], d["overall"]["malpe"]]]
        for g in sorted_stages(d["by_stage"]):
            s = d["by_stage"][g]
            rows.append([Msg("stage {stage}", stage=Code("education_stage", g)), s["cells"], s["mape"], s["malpe"]])
        for g, s in d["by_size"].items():
            size = Msg("unknown") if g == "unknown" else g
            rows.append([Msg("residents {size}", size=size), s["cells"], s["mape"], s["malpe"]])
        for g, s in d["by_years_ahead"].items():
            rows.append([Msg("{years} years ahead", years=int(g)), s["cells"], s["mape"], s["malpe"]])
        para = Msg(
            "Back-test: projected from the data up to {launch}, compared with the observed {first}–{last} "
            "(community × stage age group × year; cells observed 0 excluded).",
            launch=Num(self.launch_year, "year"),
            first=Num(self.years[0], "year"),
            last=Num(self.years[-1], "year"),
        )
        blocks = [
            Block(
                id="planning.projection_backtest",
                title=Msg("Projection back-test errors"),
                clause=CLAUSE,
                paragraphs=[para],
                tables=[BlockTable(Msg("Back-test errors"), cols, rows, clause=CLAUSE)],
            )
        ]
        return worded(blocks, lang)


def backtest(
    frames: Mapping[str, pd.DataFrame],
    launch_year: int,
    *,
    params: PlanningParams | None = None,
) -> BackTest:
    """Project from the population up to `launch_year` and compare with the later observed years."""
    p = params or PlanningParams()
    pop = frames["population"]
    later = sorted(int(y) for y in pop["year"].unique() if y > launch_year)
    if not later:
        raise CountyEduError(
            Msg("no observed population after {launch} to compare a back-test with", launch=Num(launch_year, "year")),
            launch_year=launch_year,
        )
    proj = project(frames, horizon=later[-1], launch_year=launch_year, params=p)
    residents: dict[str, float] = {}
    if "communities" in frames:
        c = frames["communities"]
        residents = dict(zip(c["community_id"].astype(str), c["residents"], strict=True))
    parts = []
    for stage, (lo, hi) in p.stage_ages.items():
        pr = proj.persons[proj.persons["projected"] & proj.persons["age"].between(lo, hi)]
        ob = pop[pop["year"].isin(later) & pop["age"].between(lo, hi)]
        a = pr.groupby(["community_id", "year"])["persons"].sum().rename("projected")
        b = ob.assign(community_id=ob["community_id"].astype(str)).groupby(["community_id", "year"])["persons"].sum()
        m = pd.concat([a, b.rename("observed").astype(float)], axis=1).fillna(0.0).reset_index()
        m["stage"] = stage
        parts.append(m)
    cells = pd.concat(parts, ignore_index=True)
    cells["ahead"] = cells["year"] - launch_year
    cells["size_class"] = [_size_class(residents.get(c), p.size_class_bounds) for c in cells["community_id"]]
    obs = cells["observed"].where(cells["observed"] > 0)
    cells["alpe"] = (cells["projected"] - cells["observed"]) / obs
    cells["ape"] = cells["alpe"].abs()
    return BackTest(launch_year, later, cells, p)
