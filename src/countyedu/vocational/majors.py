"""Majors and their enrolment (POLICY.md 第12条, T-VOC-1): students per major in the year against the
1,200 of T-VOC-1 (each major's part of it), the enrolment of every category per year, and the
expansion 第12条 asks of nursing, elderly care, health services and modern services (their enrolment
in the year against the base year's)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from countyedu.census.vocabulary import order
from countyedu.messages import Code, Msg, Num
from countyedu.runs.blocks import Block, BlockChart, BlockColumn, BlockTable, Finding, Text, Value
from countyedu.vocational.frames import num, school_names, sheet
from countyedu.vocational.parts import Context


@dataclass
class Majors:
    year: int
    target: int
    majors: pd.DataFrame  # school_id, school, major_id, name, category, enrolled, new_entrants, share_of_target
    classes_enrolled: int | None  # the classes sheet's V1–V3 pupils in the year (None: no classes)
    by_year: pd.DataFrame  # year, category, enrolled
    expand: list[str]
    base_year: int

    @property
    def enrolled(self) -> int:
        return int(self.majors["enrolled"].sum())

    def expansion(self) -> dict[str, Any]:
        """The expanding categories' enrolment in the base year and the run's year, each and together."""
        by = self.by_year[self.by_year["category"].isin(self.expand)]
        per: dict[str, dict[str, int]] = {}
        for c in self.expand:
            rows = by[by["category"] == c]
            base = int(rows.loc[rows["year"] == self.base_year, "enrolled"].sum())
            now = int(rows.loc[rows["year"] == self.year, "enrolled"].sum())
            per[c] = {"base": base, "latest": now, "change": now - base}
        base = sum(v["base"] for v in per.values())
        now = sum(v["latest"] for v in per.values())
        return {"base_year": self.base_year, "base": base, "latest": now, "change": now - base, "categories": per}

    def as_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "target": self.target,
            "enrolled": self.enrolled,
            "classes_enrolled": self.classes_enrolled,
            "majors": [
                {
                    "school_id": r.school_id,
                    "major_id": r.major_id,
                    "name": r.name,
                    "category": r.category,
                    "enrolled": int(r.enrolled),
                    "new_entrants": None if pd.isna(r.new_entrants) else int(r.new_entrants),
                    "share_of_target": round(float(r.share_of_target), 4),
                }
                for r in self.majors.itertuples()
            ],
            "by_year": [
                {"year": int(r.year), "category": r.category, "enrolled": int(r.enrolled)}
                for r in self.by_year.itertuples()
            ],
            "expansion": self.expansion(),
        }

    def summary(self) -> dict[str, Any]:
        e = self.expansion()
        return {
            "majors.year": self.year,
            "majors.count": len(self.majors),
            "majors.enrolled": self.enrolled,
            "majors.target": self.target,
            "majors.expansion_base": e["base"],
            "majors.expansion_latest": e["latest"],
        }

    def blocks(self) -> list[Block]:
        return [self._enrolment_block(), self._expansion_block()]

    def _enrolment_block(self) -> Block:
        n = self.enrolled
        explanation = Msg(
            "{n} students in {majors} majors in {year}, {target} asked",
            n=Num(n, "count"),
            majors=len(self.majors),
            year=self.year,
            target=Num(self.target, "count"),
        )
        paragraphs: list[Text] = []
        if self.classes_enrolled is not None and self.classes_enrolled != n:
            paragraphs.append(
                Msg(
                    "The classes sheet counts {classes} vocational pupils in {year}, the majors sheet {majors}:"
                    " the two should agree.",
                    classes=Num(self.classes_enrolled, "count"),
                    year=self.year,
                    majors=Num(n, "count"),
                )
            )
        rows: list[list[Value]] = [
            [
                r.school,
                r.name,
                Code("major_category", r.category),
                int(r.enrolled),
                None if pd.isna(r.new_entrants) else int(r.new_entrants),
                float(r.share_of_target),
            ]
            for r in self.majors.itertuples()
        ]
        years = sorted({int(y) for y in self.by_year["year"]})
        cats = [c for c in order("major_category") if c in set(self.by_year["category"])]
        series: dict[Any, list[float | None]] = {}
        for c in cats:
            rows_c = self.by_year[self.by_year["category"] == c]
            got = dict(zip(rows_c["year"].astype(int), rows_c["enrolled"].astype(float), strict=True))
            series[Code("major_category", c)] = [got.get(y) for y in years]
        return Block(
            "vocational.majors",
            Msg("Majors and enrolment"),
            "第12条; T-VOC-1",
            paragraphs=paragraphs,
            findings=[
                Finding(
                    "T-VOC-1",
                    Msg("at least {target} students in secondary vocational education", target=Num(self.target, "")),
                    Num(n, "pupils"),
                    "met" if n >= self.target else "not_met",
                    explanation,
                )
            ],
            tables=[
                BlockTable(
                    Msg("Students per major in {year}", year=self.year),
                    [
                        BlockColumn("school", Msg("school")),
                        BlockColumn("major", Msg("major")),
                        BlockColumn("category", Msg("kind of major")),
                        BlockColumn("enrolled", Msg("students"), "count"),
                        BlockColumn("new_entrants", Msg("new entrants"), "count"),
                        BlockColumn("share_of_target", Msg("share of the T-VOC-1 target"), "share"),
                    ],
                    rows,
                    clause="T-VOC-1",
                )
            ],
            charts=[
                BlockChart(Msg("Students per kind of major"), "bar", [str(y) for y in years], series, Msg("students"))
            ],
        )

    def _expansion_block(self) -> Block:
        e = self.expansion()
        rows: list[list[Value]] = [
            [Code("major_category", c), v["base"], v["latest"], v["change"]] for c, v in e["categories"].items()
        ]
        status = "met" if e["latest"] > e["base"] else "not_met"
        return Block(
            "vocational.expansion",
            Msg("Expansion of nursing, elderly care and health services"),
            "第12条",
            findings=[
                Finding(
                    "第12条",
                    Msg(
                        "more students in {categories} than in {base_year}",
                        categories=tuple(Code("major_category", c) for c in self.expand),
                        base_year=self.base_year,
                    ),
                    Num(e["latest"], "pupils"),
                    status,
                    Msg(
                        "{base} students in {base_year}, {latest} in {year}",
                        base=Num(e["base"], "count"),
                        base_year=self.base_year,
                        latest=Num(e["latest"], "count"),
                        year=self.year,
                    ),
                )
            ],
            tables=[
                BlockTable(
                    Msg("Students of the majors to expand"),
                    [
                        BlockColumn("category", Msg("kind of major")),
                        BlockColumn("base", Msg("students in {year}", year=self.base_year), "count"),
                        BlockColumn("latest", Msg("students in {year}", year=self.year), "count"),
                        BlockColumn("change", Msg("change"), "count"),
                    ],
                    rows,
                    clause="第12条",
                )
            ],
        )


def majors(frames: dict[str, pd.DataFrame], year: int, target: int, expand: list[str], base_year: int) -> Majors:
    """The majors of `year` against T-VOC-1's `target`, and every year's enrolment per category."""
    all_years = sheet(frames, "majors")
    all_years = all_years.assign(enrolled=num(all_years["enrolled"]).fillna(0).astype(int))
    m = all_years[pd.to_numeric(all_years["year"]) == year]
    names = school_names(frames)
    m = m.assign(
        school=m["school_id"].astype(str).map(names).fillna(m["school_id"].astype(str)),
        new_entrants=num(m["new_entrants"]) if "new_entrants" in m else float("nan"),
        share_of_target=m["enrolled"] / target if target else 0.0,
    ).sort_values(["school_id", "enrolled", "major_id"], ascending=[True, False, True])
    by_year = (
        all_years.assign(year=pd.to_numeric(all_years["year"]).astype(int))
        .groupby(["year", "category"], as_index=False)["enrolled"]
        .sum()
        .sort_values(["year", "category"])
    )
    classes = sheet(frames, "classes", year)
    v = classes[classes["grade"].astype(str).str.startswith("V")] if len(classes) else classes
    classes_enrolled = int(num(v["pupils"]).sum()) if len(classes) else None
    cols = ["school_id", "school", "major_id", "name", "category", "enrolled", "new_entrants", "share_of_target"]
    return Majors(year, target, m[cols].reset_index(drop=True), classes_enrolled, by_year, expand, base_year)


def part(ctx: Context) -> Majors | None:
    """The run's majors part (None: the census has no majors in the year)."""
    if ctx.year is None or not len(sheet(ctx.frames, "majors", ctx.year)):
        return None
    p = ctx.params
    return majors(dict(ctx.frames), ctx.year, p.enrolment_target, p.expand_categories, p.expand_base_year)


def summary_lines(s: dict[str, Any]) -> list[str]:
    if "majors.enrolled" not in s:
        return []
    return [
        f"中职专业 / vocational majors: {s['majors.count']} 个专业 majors, {s['majors.enrolled']:,} 名在校生 students "
        f"(T-VOC-1 ≥ {s['majors.target']:,}); 护理、养老等专业 nursing, elderly care: "
        f"{s['majors.expansion_base']:,} → {s['majors.expansion_latest']:,}"
    ]
