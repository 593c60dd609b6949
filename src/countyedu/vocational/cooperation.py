"""School–enterprise cooperation (POLICY.md 第15条): the partner enterprises of the year (local or not,
by industry), the order classes (订单班) with the jobs promised and the graduates hired, the year's
internships (at local enterprises or not; work placements longer than the pack's limit flagged) and
the share of graduates employed in the county, every year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from countyedu.messages import Code, Msg, Num
from countyedu.runs.blocks import Block, BlockChart, BlockColumn, BlockTable, Finding, Value
from countyedu.vocational.frames import enterprise_names, major_names, num, sheet, year_end, year_start
from countyedu.vocational.parts import Context


def _add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    y, m = d.year + y, m + 1
    last = (date(y + m // 12, m % 12 + 1, 1) - date(y, m, 1)).days
    return date(y, m, min(d.day, last))


@dataclass
class Cooperation:
    year: int
    max_months: int
    enterprises: pd.DataFrame  # enterprise_id, name, industry, local, school_id, agreement_date, ended_date
    order_classes: pd.DataFrame  # order_class_id, enterprise, major, pupils, jobs_promised, hired
    internships: pd.DataFrame  # pupil_id, enterprise_id, enterprise, local, kind, start_date, end_date, over
    employment: pd.DataFrame  # year, graduates, employed, employed_locally, further_study

    def employment_of(self, year: int) -> dict[str, Any]:
        rows = self.employment[self.employment["year"] == year]
        if not len(rows):
            return {"year": year, "graduates": 0, "employed": 0, "employed_locally": 0, "local_share": None}
        r = rows.iloc[0]
        g, e, lo = int(r["graduates"]), int(r["employed"]), int(r["employed_locally"])
        return {
            "year": year,
            "graduates": g,
            "employed": e,
            "employed_locally": lo,
            "further_study": int(r["further_study"]),
            "local_share": round(lo / g, 4) if g else None,
            "local_share_of_employed": round(lo / e, 4) if e else None,
        }

    def as_dict(self) -> dict[str, Any]:
        ints = self.internships
        return {
            "year": self.year,
            "enterprises": [
                {
                    "enterprise_id": r.enterprise_id,
                    "name": r.name,
                    "industry": r.industry,
                    "local": bool(r.local),
                    "school_id": r.school_id,
                    "agreement_date": r.agreement_date,
                    "ended_date": r.ended_date,
                }
                for r in self.enterprises.itertuples()
            ],
            "order_classes": [
                {
                    "order_class_id": r.order_class_id,
                    "enterprise_id": r.enterprise_id,
                    "major_id": r.major_id,
                    "pupils": int(r.pupils),
                    "jobs_promised": int(r.jobs_promised),
                    "hired": None if pd.isna(r.hired) else int(r.hired),
                }
                for r in self.order_classes.itertuples()
            ],
            "internships": {
                "pupils": int(ints["pupil_id"].nunique()),
                "placements": int((ints["kind"] == "placement").sum()),
                "at_local_enterprises": int(ints["local"].sum()),
                "over_limit": [
                    {
                        "pupil_id": r.pupil_id,
                        "enterprise_id": r.enterprise_id,
                        "start_date": r.start_date,
                        "end_date": r.end_date,
                    }
                    for r in ints[ints["over"]].itertuples()
                ],
                "max_months": self.max_months,
            },
            "employment": [self.employment_of(int(y)) for y in self.employment["year"]],
        }

    def summary(self) -> dict[str, Any]:
        e = self.employment_of(self.year)
        return {
            "cooperation.enterprises": len(self.enterprises),
            "cooperation.local_enterprises": int(self.enterprises["local"].sum()),
            "cooperation.order_classes": len(self.order_classes),
            "cooperation.internships": int(self.internships["pupil_id"].nunique()),
            "cooperation.over_limit": int(self.internships["over"].sum()),
            "cooperation.local_share": e["local_share"],
        }

    def blocks(self) -> list[Block]:
        return [self._partners_block(), self._internships_block(), self._employment_block()]

    def _partners_block(self) -> Block:
        ents: list[list[Value]] = [
            [r.name, Code("industry", r.industry), bool(r.local), r.agreement_date]
            for r in self.enterprises.itertuples()
        ]
        oc: list[list[Value]] = [
            [
                r.enterprise,
                r.major,
                int(r.pupils),
                int(r.jobs_promised),
                None if pd.isna(r.hired) else int(r.hired),
            ]
            for r in self.order_classes.itertuples()
        ]
        pupils = int(self.order_classes["pupils"].sum()) if len(self.order_classes) else 0
        return Block(
            "vocational.cooperation",
            Msg("Partner enterprises and order classes"),
            "第15条",
            paragraphs=[
                Msg(
                    "{n} partner enterprises in {year}, {local} of them in the county; {classes} order classes with"
                    " {pupils} pupils.",
                    n=len(self.enterprises),
                    year=self.year,
                    local=int(self.enterprises["local"].sum()),
                    classes=len(self.order_classes),
                    pupils=Num(pupils, "count"),
                )
            ],
            tables=[
                BlockTable(
                    Msg("Partner enterprises"),
                    [
                        BlockColumn("enterprise", Msg("enterprise")),
                        BlockColumn("industry", Msg("industry")),
                        BlockColumn("local", Msg("in the county")),
                        BlockColumn("agreement_date", Msg("agreement signed")),
                    ],
                    ents,
                    clause="第15条",
                ),
                BlockTable(
                    Msg("Order classes in {year}", year=self.year),
                    [
                        BlockColumn("enterprise", Msg("enterprise")),
                        BlockColumn("major", Msg("major")),
                        BlockColumn("pupils", Msg("pupils"), "count"),
                        BlockColumn("jobs_promised", Msg("jobs promised"), "count"),
                        BlockColumn("hired", Msg("graduates hired"), "count"),
                    ],
                    oc,
                    clause="第15条",
                ),
            ],
        )

    def _internships_block(self) -> Block:
        ints = self.internships
        over = ints[ints["over"]]
        n = int(ints["pupil_id"].nunique())
        finding = Finding(
            "第15条",
            Msg("work placements last at most {months} months", months=self.max_months),
            Num(len(over), "count"),
            ("met" if over.empty else "not_met") if len(ints) else "no_data",
            Msg(
                "{over} of {placements} work placements are longer",
                over=len(over),
                placements=int((ints["kind"] == "placement").sum()),
            ),
        )
        rows: list[list[Value]] = [
            [r.pupil_id, r.enterprise, r.start_date, r.end_date or Msg("still there")] for r in over.itertuples()
        ]
        return Block(
            "vocational.internships",
            Msg("Internships"),
            "第15条",
            paragraphs=[
                Msg(
                    "{n} pupils on internships in {year}, {local} of the internships at enterprises in the county.",
                    n=Num(n, "count"),
                    year=self.year,
                    local=int(ints["local"].sum()),
                )
            ],
            findings=[finding],
            tables=[
                BlockTable(
                    Msg("Work placements over the limit"),
                    [
                        BlockColumn("pupil", Msg("pupil")),
                        BlockColumn("enterprise", Msg("enterprise")),
                        BlockColumn("start", Msg("first day")),
                        BlockColumn("end", Msg("last day")),
                    ],
                    rows,
                    clause="第15条",
                )
            ],
        )

    def _employment_block(self) -> Block:
        years = [int(y) for y in self.employment["year"]]
        rows: list[list[Value]] = []
        shares: list[float | None] = []
        for y in years:
            e = self.employment_of(y)
            shares.append(e["local_share"])
            rows.append([y, e["graduates"], e["employed"], e["employed_locally"], e["further_study"], e["local_share"]])
        return Block(
            "vocational.employment",
            Msg("Graduates employed in the county"),
            "第15条",
            paragraphs=[
                Msg(
                    "Graduates employed in the county as a share of all graduates (第15条 subsidises them); no target"
                    " is set."
                )
            ],
            tables=[
                BlockTable(
                    Msg("Graduates' destinations"),
                    [
                        BlockColumn("year", Msg("school year"), "year"),
                        BlockColumn("graduates", Msg("graduates"), "count"),
                        BlockColumn("employed", Msg("employed"), "count"),
                        BlockColumn("employed_locally", Msg("employed in the county"), "count"),
                        BlockColumn("further_study", Msg("further study"), "count"),
                        BlockColumn("local_share", Msg("share employed in the county"), "share"),
                    ],
                    rows,
                    clause="第15条",
                )
            ],
            charts=[
                BlockChart(
                    Msg("Share of graduates employed in the county"),
                    "line",
                    [str(y) for y in years],
                    {Msg("share employed in the county"): shares},
                    Msg("share"),
                    "share",
                )
            ],
        )


def cooperation(frames: dict[str, pd.DataFrame], year: int, max_months: int) -> Cooperation:
    """Partners, order classes and internships of `year`; graduates' destinations of every year."""
    start, end = year_start(year).isoformat(), year_end(year).isoformat()
    e = sheet(frames, "enterprises")
    ended = e["ended_date"].astype(object).where(e["ended_date"].notna(), None)
    still = pd.Series([x is None or str(x) >= start for x in ended], index=e.index, dtype=bool)
    active = (e["agreement_date"].astype(str) <= end) & still
    e = e.assign(ended_date=ended, local=e["local"].astype(bool))[active]
    e = e.sort_values(["local", "agreement_date", "enterprise_id"], ascending=[False, True, True])
    ents, majors = enterprise_names(frames), major_names(frames)
    oc = sheet(frames, "order_classes", year)
    oc = oc.assign(
        enterprise=oc["enterprise_id"].astype(str).map(ents),
        major=oc["major_id"].astype(str).map(majors),
        pupils=num(oc["pupils"]),
        jobs_promised=num(oc["jobs_promised"]),
        hired=num(oc["hired"]),
    ).sort_values("order_class_id")
    local = dict(zip(e["enterprise_id"].astype(str), e["local"], strict=True))
    every = sheet(frames, "enterprises")  # an internship at a partner whose agreement has ended still counts
    local |= {
        k: v
        for k, v in zip(every["enterprise_id"].astype(str), every["local"].astype(bool), strict=True)
        if k not in local
    }
    ints = sheet(frames, "internships", year)
    as_of = year_end(year)
    over = []
    for r in ints.itertuples():
        first = date.fromisoformat(str(r.start_date)[:10])
        last = date.fromisoformat(str(r.end_date)[:10]) if pd.notna(r.end_date) else as_of
        over.append(r.kind == "placement" and last > _add_months(first, max_months))
    ints = ints.assign(
        enterprise=ints["enterprise_id"].astype(str).map(ents),
        local=ints["enterprise_id"].astype(str).map(local).fillna(False).astype(bool),
        end_date=ints["end_date"].astype(object).where(ints["end_date"].notna(), None),
        over=pd.Series(over, index=ints.index, dtype=bool),
    ).sort_values(["pupil_id", "start_date"])
    m = sheet(frames, "majors")
    cols = ["graduates", "employed", "employed_locally", "further_study"]
    m = m.assign(year=pd.to_numeric(m["year"]).astype(int), **{c: num(m[c]).fillna(0) for c in cols})
    emp = m[m["graduates"] > 0].groupby("year", as_index=False)[cols].sum().sort_values("year")
    return Cooperation(
        year, max_months, e.reset_index(drop=True), oc.reset_index(drop=True), ints.reset_index(drop=True), emp
    )


def part(ctx: Context) -> Cooperation | None:
    """The run's cooperation part (None: the census has no enterprises, order classes nor graduates)."""
    if ctx.year is None:
        return None
    if not any(len(sheet(ctx.frames, s)) for s in ("enterprises", "order_classes", "internships")):
        return None
    return cooperation(dict(ctx.frames), ctx.year, ctx.params.placement_max_months)


def summary_lines(s: dict[str, Any]) -> list[str]:
    if "cooperation.enterprises" not in s:
        return []
    share = s["cooperation.local_share"]
    local = "—" if share is None else f"{share * 100:.1f}%"
    return [
        f"校企合作 / cooperation: {s['cooperation.enterprises']} 家合作企业 partner enterprises "
        f"({s['cooperation.local_enterprises']} 家县内 local), {s['cooperation.order_classes']} 个订单班 order classes, "
        f"{s['cooperation.internships']:,} 名学生实习 pupils on internships "
        f"({s['cooperation.over_limit']} 超期 over the limit); 毕业生县内就业 employed in the county: {local}"
    ]
