"""1+X certificates (POLICY.md 第13条: "学历证书 + 若干职业技能等级证书"): the vocational skill level
certificates pupils obtained in the school year, per major against its students (certificates per
pupil, pupils holding one), by certificate and level, and each pupil's certificates so far."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from countyedu.census.vocabulary import sort_key
from countyedu.messages import Code, Msg, Num
from countyedu.runs.blocks import Block, BlockColumn, BlockTable, Value
from countyedu.vocational.frames import major_names, num, sheet, year_end, year_start
from countyedu.vocational.parts import Context


@dataclass
class Certificates:
    year: int
    per_major: pd.DataFrame  # major_id, major, enrolled, certificates, pupils, per_pupil
    by_name: pd.DataFrame  # name, level, certificates
    per_pupil: pd.DataFrame  # pupil_id, major_id, certificates (every X certificate up to the year's end)

    @property
    def certificates(self) -> int:
        return int(self.per_major["certificates"].sum())

    @property
    def enrolled(self) -> int:
        return int(self.per_major["enrolled"].sum())

    def as_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "certificates": self.certificates,
            "enrolled": self.enrolled,
            "per_pupil": round(self.certificates / self.enrolled, 4) if self.enrolled else None,
            "majors": [
                {
                    "major_id": r.major_id,
                    "enrolled": int(r.enrolled),
                    "certificates": int(r.certificates),
                    "pupils": int(r.pupils),
                    "per_pupil": None if pd.isna(r.per_pupil) else round(float(r.per_pupil), 4),
                }
                for r in self.per_major.itertuples()
            ],
            "by_certificate": [
                {"name": r.name, "level": r.level, "certificates": int(r.certificates)}
                for r in self.by_name.itertuples()
            ],
            "pupils": [
                {"pupil_id": r.pupil_id, "major_id": r.major_id, "certificates": int(r.certificates)}
                for r in self.per_pupil.itertuples()
            ],
        }

    def summary(self) -> dict[str, Any]:
        return {
            "certificates.year": self.year,
            "certificates.count": self.certificates,
            "certificates.pupils": int(self.per_major["pupils"].sum()),
            "certificates.enrolled": self.enrolled,
        }

    def blocks(self) -> list[Block]:
        rows: list[list[Value]] = [
            [
                r.major,
                int(r.enrolled),
                int(r.certificates),
                int(r.pupils),
                None if pd.isna(r.per_pupil) else float(r.per_pupil),
            ]
            for r in self.per_major.itertuples()
        ]
        names: list[list[Value]] = [
            [r.name, Code("outcome_level", r.level) if isinstance(r.level, str) else None, int(r.certificates)]
            for r in self.by_name.itertuples()
        ]
        per = self.certificates / self.enrolled if self.enrolled else 0.0
        return [
            Block(
                "vocational.certificates",
                Msg("1+X certificates"),
                "第13条",
                paragraphs=[
                    Msg(
                        "{n} vocational skill level certificates obtained in {year}, {per} per student.",
                        n=Num(self.certificates, "count"),
                        year=self.year,
                        per=Num(per, "", 2),
                    )
                ],
                tables=[
                    BlockTable(
                        Msg("1+X certificates per major in {year}", year=self.year),
                        [
                            BlockColumn("major", Msg("major")),
                            BlockColumn("enrolled", Msg("students"), "count"),
                            BlockColumn("certificates", Msg("certificates"), "count"),
                            BlockColumn("pupils", Msg("pupils with one"), "count"),
                            BlockColumn("per_pupil", Msg("certificates per student")),
                        ],
                        rows,
                        clause="第13条",
                    ),
                    BlockTable(
                        Msg("Certificates by name and level"),
                        [
                            BlockColumn("name", Msg("certificate")),
                            BlockColumn("level", Msg("level")),
                            BlockColumn("certificates", Msg("certificates"), "count"),
                        ],
                        names,
                        clause="第13条",
                    ),
                ],
            )
        ]


def certificates(frames: dict[str, pd.DataFrame], year: int) -> Certificates:
    """The 1+X certificates obtained in school year `year` per major; every pupil's up to its end."""
    o = sheet(frames, "learning_outcomes")
    x = o[o["kind"] == "x_certificate"].assign(date=lambda d: d["date"].astype(str).str[:10])
    start, end = year_start(year).isoformat(), year_end(year).isoformat()
    this = x[(x["date"] >= start) & (x["date"] <= end)]
    m = sheet(frames, "majors", year)
    enrolled = m.assign(enrolled=num(m["enrolled"]).fillna(0)).groupby("major_id")["enrolled"].sum()
    got = this.groupby("major_id").agg(certificates=("outcome_id", "size"), pupils=("pupil_id", "nunique"))
    per = pd.DataFrame({"enrolled": enrolled}).join(got, how="outer").fillna(0)
    per = per.assign(
        per_pupil=[c / e if e else float("nan") for c, e in zip(per["certificates"], per["enrolled"], strict=True)]
    )
    names = major_names(frames)
    per = per.reset_index().rename(columns={"index": "major_id"})
    per = per.assign(major=per["major_id"].astype(str).map(names).fillna(per["major_id"].astype(str)))
    per = per.sort_values("major_id").reset_index(drop=True)
    by_name = this.groupby(["name", "level"], dropna=False).size().rename("certificates").reset_index()
    by_name = by_name.sort_values(
        ["name", "level"], key=lambda s: s.map(lambda v: sort_key("outcome_level", v)) if s.name == "level" else s
    )
    upto = x[x["date"] <= end]
    pupils = upto.groupby(["pupil_id", "major_id"]).size().rename("certificates").reset_index()
    return Certificates(
        year, per, by_name.reset_index(drop=True), pupils.sort_values("pupil_id").reset_index(drop=True)
    )


def part(ctx: Context) -> Certificates | None:
    """The run's 1+X part (None: no learning outcomes or no majors in the year)."""
    if (
        ctx.year is None
        or not len(sheet(ctx.frames, "learning_outcomes"))
        or not len(sheet(ctx.frames, "majors", ctx.year))
    ):
        return None
    return certificates(dict(ctx.frames), ctx.year)


def summary_lines(s: dict[str, Any]) -> list[str]:
    if "certificates.count" not in s:
        return []
    return [
        f"1+X 证书 / certificates {s['certificates.year']}: {s['certificates.count']:,} 本 certificates, "
        f"{s['certificates.pupils']:,} 名学生取得 pupils, {s['certificates.enrolled']:,} 名在校生 students"
    ]
