"""What the dashboards show, built from the indexed assessment (web.reading): a result as a table
cell, a unit's results by pack, the resource standard part by part, the county page's parts, the map's
points, the explanation's tables and the assessment a township or school report covers. The views
(web.dashboards) put them on pages."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import json_script
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from countyedu.census import vocabulary
from countyedu.indicators.engine import Assessment, Result
from countyedu.policy.pack import Item, Pack, key_targets
from countyedu.reports.labels import MARKS, STATUS, TEXT, pick, stage_label, unit_kind
from countyedu.reports.model import county_name
from countyedu.reports.values import addition_text, status_meets, target_text, value_text
from countyedu.web import census as census_data
from countyedu.web.reading import STAGES, Indexed, stage_order


def school_type(stage: str, lg: str) -> str:
    """The kind of school a school's stage code names (幼儿园, 九年一贯制 …), from census.vocabulary."""
    return vocabulary.label("stage", stage, lg)


def ownership(code: str, lg: str) -> str:
    """公办 / 民办 (public / private), from census.vocabulary."""
    return vocabulary.label("ownership", code, lg)


@census_data.per_version(4)
def pupils(version: str) -> dict[tuple[str, int], int]:
    """(school, year) → pupils, from the census classes."""
    df = census_data.store().frames(version, ["classes"])["classes"]
    g = df.groupby(["school_id", "year"])["pupils"].sum()
    return {(str(s), int(y)): int(n) for (s, y), n in g.items()}


def qb_item(a: Assessment) -> tuple[Pack, Item] | None:
    """The school resource standard (the item with formula qb_school_pass), if a pack has it."""
    return next(((p, it) for p in a.packs for it in p.items if it.formula == "qb_school_pass"), None)


def status_label(code: str, lg: str) -> str:
    zh, en, _colour = STATUS[code]
    return zh if lg == "zh" else en


def explain_url(indicator: str, unit: str, year: int, stage: str | None) -> str:
    q: dict[str, Any] = {"unit": unit, "year": year}
    if stage:
        q["stage"] = stage
    return _explain_path(indicator) + "?" + urlencode(q)


@lru_cache(maxsize=1024)
def _explain_path(indicator: str) -> str:
    """reverse() once per indicator: the stage and map pages link every cell (thousands)."""
    return reverse("web:explain", args=[indicator])


def number_text(v: float) -> str:
    return f"{v:,.0f}" if v == int(v) else f"{v:,.2f}".rstrip("0").rstrip(".")


def fraction(r: Result | None, unit: str) -> str:
    """ "190/210" beside a share, so a reader sees what was counted."""
    if r is None or r.num is None or r.den is None or unit_kind(unit) != "percent":
        return ""
    return f"{number_text(r.num)}/{number_text(r.den)}"


def stages_label(stage: str | None, item: Item, lg: str, level: str = "county") -> str:
    """A result's stage, or the stages a stage-less result pools (T-CMP-2: primary and junior);
    a result of no stage is county-wide only at county level."""
    keys = sections_of(stage, item)
    if keys == ("county",) and level != "county":
        return "—"
    return ("、" if lg == "zh" else ", ").join(stage_label(k, lg) for k in keys)


def sections_of(stage: str | None, item: Item) -> tuple[str, ...]:
    if stage:
        return (stage,)
    pooled = tuple(s for s in item.stages if s)
    return pooled or ("county",)


def cell(ix: Indexed, item: Item, level: str, unit: str, stage: str | None, lg: str) -> dict[str, Any]:
    """One value of a unit in the latest year, ready for a table: text, target, status, link."""
    r = ix.get(item.id, level, unit, stage)
    code = r.status if r else "no_data"
    target = r.target if r else item.target_for(ix.year, stage)
    return {
        "indicator": item.id,
        "name": pick((item.name_zh, item.name_en), lg),
        "stage": stage,
        "stage_label": stages_label(stage, item, lg, level),
        "text": value_text(r.value if r else None, item.unit, target, status_meets(code)),
        "frac": fraction(r, item.unit),
        "target": target_text(target, item.unit, lg),
        "status": code,
        "status_label": status_label(code, lg),
        "trend": value_text(r.trend_at_deadline, item.unit, target) if r and r.trend_at_deadline is not None else "",
        "url": explain_url(item.id, unit, ix.year, stage) if r else "",
        "percent": unit_kind(item.unit) == "percent",
    }


def unit_rows(
    ix: Indexed,
    level: str,
    unit: str,
    lg: str,
    *,
    section: str | None = None,
    with_target: bool = False,
    skip: frozenset[str] = frozenset(),
) -> list[dict[str, Any]]:
    """A unit's results in the latest year, one block per pack: every indicator defined at its level
    (only those with a target when asked; only one stage's when a section is given)."""
    blocks = []
    for pack in ix.a.packs:
        rows = []
        for item in pack.items:
            if item.kind != "indicator" or level not in item.levels or item.id in skip:
                continue
            if with_target and not item.targets:
                continue
            stages = ix.stages.get((item.id, level, unit))
            if stages is None:
                if level != "county":
                    continue  # the unit has no such result (a kindergarten has no QB-R1)
                stages = sorted({t.stage for t in item.targets}, key=stage_order) or [None]
            for stage in stages:
                if section and section not in sections_of(stage, item):
                    continue
                row = cell(ix, item, level, unit, stage, lg)
                series = ix.series.get((item.id, level, unit, stage), {})
                row["values"] = [series[y].value if y in series else None for y in ix.trend_years]
                rows.append(row)
        if rows:
            name = pick((pack.name_zh, pack.name_en), lg)
            blocks.append({"pack": pack.id, "name": name, "rows": rows, "has_trend": any(r["trend"] for r in rows)})
    return blocks


def status_counts(blocks: list[dict[str, Any]], lg: str) -> list[dict[str, Any]]:
    counts = Counter(r["status"] for b in blocks for r in b["rows"])
    return [{"code": c, "label": status_label(c, lg), "n": counts[c]} for c in STATUS if counts[c]]


def qb_parts(ix: Indexed, school_id: str, lg: str) -> list[dict[str, Any]]:
    """The school's parts against the resource standard: QB-R1…R7 cells, pass or fail, needs."""
    found = qb_item(ix.a)
    if found is None:
        return []
    pack, item = found
    parts = []
    for stage in ix.stages.get((item.id, "school", school_id), []):
        r = ix.get(item.id, "school", school_id, stage)
        if r is None:
            continue
        cells = [cell(ix, pack.item(i), "school", school_id, stage, lg) for i in item.params["indicators"]]
        parts.append(
            {
                "stage": stage,
                "stage_label": stage_label(stage, lg),
                "cells": cells,
                "result": pass_fail(r, lg),
                "url": explain_url(item.id, school_id, ix.year, stage),
                "needs": needs(ix, school_id, stage, lg),
            }
        )
    return parts


def pass_fail(r: Result | None, lg: str) -> dict[str, str]:
    """Pass or fail by the school's QB-R-SCHOOL value (1 passes, 0 fails)."""
    if r is None or r.value is None:
        return {"code": "no_data", "label": status_label("no_data", lg)}
    code = "met" if r.value >= 1 else "not_met"
    return {"code": code, "label": pick(TEXT["pass" if code == "met" else "fail"], lg)}


def needs(ix: Indexed, school_id: str, stage: str | None, lg: str) -> list[dict[str, str]]:
    """What a failing school part needs to pass (from the assessment's school gaps)."""
    out = []
    for indicator, amount, words in ix.gaps.get((school_id, str(stage), ix.year), []):
        it = ix.a.item(indicator)
        out.append(
            {
                "indicator": indicator,
                "name": pick((it.name_zh, it.name_en), lg),
                "text": addition_text(amount, words, lg),
            }
        )
    return out


def school_summary(ix: Indexed, school_id: str, lg: str) -> dict[str, Any]:
    """A school's standing on the resource standard across its parts: pass, fail, or not in QB."""
    parts = qb_parts(ix, school_id, lg)
    codes = {p["result"]["code"] for p in parts}
    if not parts:
        code, label = "none", _("not in the QB assessment")
    elif "not_met" in codes:
        code, label = "fail", pick(TEXT["fail"], lg)
    elif codes == {"met"}:
        code, label = "pass", pick(TEXT["pass"], lg)
    else:
        code, label = "none", status_label("no_data", lg)
    return {"code": code, "label": label, "parts": parts}


def county_parts(ix: Indexed, lg: str) -> dict[str, Any]:
    """The county page's content, the same for every county user: built once, tables rendered once."""
    a = ix.a
    blocks = unit_rows(ix, "county", a.county_id, lg, with_target=True)
    sparks: list[dict[str, Any]] = []
    for b in blocks:
        for r in b["rows"]:
            r["spark"] = f"spark-{len(sparks)}"
            sparks.append({"id": r["spark"], "values": r["values"], "percent": r["percent"]})
    keys = key_targets(a.packs)  # what the packs say the page shows first
    trend = {
        "years": ix.trend_years,
        "series": [
            {
                "name": f"{r['indicator']} {r['name']}"
                + (f"（{r['stage_label']}）" if lg == "zh" else f" ({r['stage_label']})"),
                "values": r["values"],
                "target": _target_value(a, r["indicator"], r["stage"], ix.year),
            }
            for r in sorted(
                (r for b in blocks for r in b["rows"] if r["indicator"] in keys),
                key=lambda r: keys.index(r["indicator"]),
            )
        ],
        "labels": {"target": _("target")},
    }
    townships = sorted(census_data.townships_by_id(a.census_version).items())
    charts = {"sparks": {"years": ix.trend_years, "rows": sparks}, "trend": trend}
    return {
        "counts": status_counts(blocks, lg),
        "tables": mark_safe(render_to_string("web/dash/_results.html", {"blocks": blocks, "sparks": True})),
        "chart_json": json_script(charts, "chart-data"),
        "stages": [(s, stage_label(s, lg)) for s in STAGES],
        "townships": [(tid, t["name"]) for tid, t in townships],
    }


def _target_value(a: Assessment, indicator: str, stage: str | None, year: int) -> float | None:
    t = a.item(indicator).target_for(year, stage)
    return t.value if t else None


def place_rows(t: Any, year: int) -> list[dict[str, Any]]:
    """A report township table's rows with an explain link on every value."""
    return [
        {
            "id": row.id,
            "name": row.name,
            "cells": [
                {"c": c, "url": explain_url(col.indicator, row.id, year, col.stage) if c.value is not None else ""}
                for col, c in zip(t.columns, row.cells, strict=True)
            ],
        }
        for row in t.rows
    ]


def item_words(item: Item, lg: str) -> dict[str, Any]:
    """An item's name, formula in words and mark, in the page's language."""
    return {
        "name": pick((item.name_zh, item.name_en), lg),
        "formula": pick((item.description_zh, item.description_en), lg),
        "mark": pick(MARKS[item.mark], lg),
    }


def unit_link(a: Assessment, level: str, unit: str, lg: str) -> tuple[str, str]:
    """A unit's name and page."""
    if level == "school":
        return census_data.schools_by_id(a.census_version)[unit]["name"], reverse("web:school", args=[unit])
    if level == "township":
        return census_data.townships_by_id(a.census_version)[unit]["name"], reverse("web:township", args=[unit])
    return county_name(a) or pick(TEXT["county"], lg), reverse("web:county")


def map_points(ix: Indexed, allowed: set[str] | None, lg: str) -> list[dict[str, Any]]:
    """The schools a user may see, with coordinates and their resource-standard standing."""
    version = ix.a.census_version
    townships = census_data.townships_by_id(version)
    out = []
    for sid, s in sorted(census_data.schools_by_id(version).items()):
        if (allowed is not None and sid not in allowed) or s["lat"] is None or s["lon"] is None:
            continue
        qb = school_summary(ix, sid, lg)
        out.append(
            {
                "id": sid,
                "name": s["name"],
                "type": school_type(s["stage"], lg),
                "township": (townships.get(s["township_id"]) or {}).get("name", s["township_id"]),
                "lon": float(s["lon"]),
                "lat": float(s["lat"]),
                "status": qb["code"],
                "status_label": str(qb["label"]),
                "url": reverse("web:school", args=[sid]),
            }
        )
    return out


def unit_assessment(a: Assessment, scope: str, unit: str, school_ids: set[str]) -> Assessment:
    """The assessment as one township or school sees it: its own results, also shown as the report's
    top level (the one-pager), its township row and its schools' results and gaps. The county's
    own results, other units' and the items not measured at the unit's level are left out."""
    if scope == "county":
        return a
    levels = {"township", "school"} if scope == "township" else {"school"}
    packs = [p.model_copy(update={"items": [it for it in p.items if levels & set(it.levels)]}) for p in a.packs]
    results: list[Result] = []
    for r in a.results:
        if r.level == scope and r.unit == unit:
            results.append(replace(r, level="county"))
            results.append(r)
        elif r.level == "school" and r.unit in school_ids:
            results.append(r)
    gaps = [g for g in a.school_gaps if g.school_id in school_ids]
    return Assessment(a.census_version, packs, unit, results, gaps, years=a.years)
