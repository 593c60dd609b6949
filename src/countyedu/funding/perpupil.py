"""Per-pupil operating funds (生均公用经费) per school and year, every yuan with its rule.

Rules (POLICY.md 第5、22条; STANDARDS.md FD, QB-G6, QB-G7), parameters in funding.params:
- A school is split into parts by grade (K → kindergarten, P → primary, J → junior, H → high,
  V → vocational; a teaching point's grades are primary), as indicators.tables does.
- ``standard`` (第22条): pupils × rate. Compulsory parts: rate = provincial baseline × raise factor
  (2019 on, +10% every two years). Kindergarten, high, vocational: the provincial baseline. Inclusive
  private kindergartens get their own rate, other private kindergartens and private non-compulsory
  schools nothing; private compulsory schools the standard (a parameter) [assumed].
- ``small_school_floor`` (第22条, 第5条, QB-G6): a rural public primary school or teaching point under
  100 pupils is funded as 100, a rural public junior school under 500 as 500: (floor − pupils) × rate.
  The primary / junior part of a rural nine-year school too (a parameter, default on) [assumed].
- ``boarding`` (第5条, FD): boarders × 200 in the compulsory parts. The exchange format gives boarders
  per school: they are shared among the school's non-kindergarten parts by pupils [assumed].
- ``special_education`` (FD, QB-G7): disabled pupils in the compulsory parts are funded at 6000:
  disabled × (6000 − rate) ("replace", default) or × 6000 ("add"); shared among parts like boarders.

Every component row satisfies amount = funded_pupils × rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from countyedu.census.vocabulary import STAGE_OF_GRADE, stage_key
from countyedu.funding.labels import COMPONENTS, cells, component_label, pick, stage_label
from countyedu.funding.params import COMPULSORY, STAGES, FundingParams
from countyedu.runs.blocks import Block, BlockColumn, BlockTable

PART_OF_GRADE = STAGE_OF_GRADE
SINGLE_STAGE_FLOOR = {"primary": ("primary", "teaching_point"), "junior": ("junior",)}
CLAUSE = "第22条; 第5条; FD; QB-G6; QB-G7"

ROW_COLUMNS = [
    "school_id",
    "name",
    "school_stage",
    "stage",
    "township_id",
    "urban",
    "ownership",
    "component",
    "pupils",
    "funded_pupils",
    "rate",
    "amount",
    "clause",
    "rule_zh",
    "rule_en",
]


def _num(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s, errors="coerce").astype("float64").fillna(0.0)


def _flag(s: pd.Series) -> pd.Series:
    return s.astype("boolean").fillna(False).astype(bool)


def school_parts(frames: dict[str, pd.DataFrame], year: int) -> pd.DataFrame:
    """One row per school part in `year`: pupils, school facts, and its share of boarders and disabled."""
    c = frames["classes"]
    c = c[_num(c["year"]) == year]
    parts = (
        c.assign(stage=c["grade"].astype(str).str[0].map(PART_OF_GRADE), pupils=_num(c["pupils"]))
        .groupby(["school_id", "stage"], as_index=False)["pupils"]
        .sum()
    )
    parts = parts[parts["pupils"] > 0]
    s = frames["schools"][["school_id", "name", "stage", "township_id", "urban", "ownership", "inclusive"]]
    s = s.rename(columns={"stage": "school_stage"})
    out = parts.merge(s, on="school_id", how="inner")
    out["urban"] = _flag(out["urban"])
    out["inclusive"] = _flag(out["inclusive"])
    sy = frames.get("school_years")
    if sy is not None and len(sy):
        sy = sy[_num(sy["year"]) == year][["school_id", "boarders", "disabled_pupils", "public_funding"]]
        out = out.merge(sy, on="school_id", how="left")
    else:
        out = out.assign(boarders=0.0, disabled_pupils=0.0, public_funding=None)
    out["boarders"] = _num(out["boarders"])
    out["disabled_pupils"] = _num(out["disabled_pupils"])
    # boarders and disabled pupils are shared among the school's non-kindergarten parts by pupils
    eligible = out["pupils"].where(out["stage"] != "kindergarten", 0.0)
    base = eligible.groupby(out["school_id"]).transform("sum")
    share = (eligible / base.where(base > 0)).fillna(0.0)
    out["part_boarders"] = out["boarders"] * share
    out["part_disabled"] = out["disabled_pupils"] * share
    return out.sort_values(["school_id", "stage"]).reset_index(drop=True)


def _standard_rate(p: FundingParams, part: pd.Series, year: int) -> tuple[float, str, str]:
    """(rate, rule zh, rule en) of the standard component for one part."""
    stage, public = part["stage"], part["ownership"] == "public"
    base = p.baseline_for(stage, year)
    if stage in COMPULSORY:
        if not public and not p.private_compulsory_funded:
            return 0.0, "民办学校不拨付（参数）", "private school not funded (parameter)"
        f = p.raise_factor(year) if stage in p.raised_stages else 1.0
        how = "复利" if p.compound else "单利"
        how_en = "compound" if p.compound else "simple"
        return (
            base * f,
            f"省定基准 {base:g} 元 × {f:.4g}（{p.first_raise_year} 年起每 {p.step_years} 年提高 "
            f"{p.step_rate:.0%}，{how}）= {base * f:,.2f} 元/生·年",
            f"provincial baseline {base:g} × {f:.4g} (+{p.step_rate:.0%} every {p.step_years} years from "
            f"{p.first_raise_year}, {how_en}) = {base * f:,.2f} yuan per pupil and year",
        )
    if stage == "kindergarten" and not public:
        if part["inclusive"]:
            r = p.inclusive_private_kindergarten_rate
            return (
                r,
                f"普惠性民办园 {r:g} 元/生·年（第3条，参数）",
                f"inclusive private kindergarten {r:g} (第3条, parameter)",
            )
        return 0.0, "非普惠性民办园不拨付", "non-inclusive private kindergarten: none"
    if not public:
        return 0.0, "民办学校不拨付（参数）", "private school not funded (parameter)"
    return base, f"按省定标准 {base:g} 元/生·年", f"provincial standard {base:g} yuan per pupil and year"


def _floor_applies(p: FundingParams, part: pd.Series) -> bool:
    stage = part["stage"]
    if stage not in COMPULSORY or part["urban"] or p.floor(stage) <= 0 or part["pupils"] >= p.floor(stage):
        return False
    if p.floors_public_only and part["ownership"] != "public":
        return False
    return part["school_stage"] in SINGLE_STAGE_FLOOR[stage] or p.floors_apply_to_parts


def _components(p: FundingParams, part: pd.Series, year: int) -> list[dict[str, Any]]:
    rate, rule_zh, rule_en = _standard_rate(p, part, year)
    rows = [("standard", part["pupils"], rate, rule_zh, rule_en)]
    stage = part["stage"]
    if _floor_applies(p, part):
        floor = p.floor(stage)
        rows.append(
            (
                "small_school_floor",
                floor - part["pupils"],
                rate,
                f"农村{stage_label(stage, 'zh')}不足 {floor} 人按 {floor} 人核定：({floor} − {part['pupils']:g}) × {rate:,.2f}",
                f"rural {stage_label(stage, 'en')} under {floor} pupils funded as {floor}: "
                f"({floor} − {part['pupils']:g}) × {rate:,.2f}",
            )
        )
    if stage in COMPULSORY and part["part_boarders"] > 0 and not (p.boarder_rural_only and part["urban"]):
        b = p.boarder_subsidy
        rows.append(
            (
                "boarding",
                part["part_boarders"],
                b,
                f"寄宿生每生每年增加 {b:g} 元",
                f"+{b:g} yuan per boarder and year",
            )
        )
    if stage in COMPULSORY and part["part_disabled"] > 0:
        if p.special_ed_mode == "replace":
            top = max(p.special_ed_rate - rate, 0.0)
            zh = f"残疾学生按 {p.special_ed_rate:g} 元核定，补足差额 {p.special_ed_rate:g} − {rate:,.2f}"
            en = f"disabled pupils funded at {p.special_ed_rate:g}: top-up {p.special_ed_rate:g} − {rate:,.2f}"
        else:
            top = p.special_ed_rate
            zh, en = f"残疾学生另加 {top:g} 元", f"disabled pupils: +{top:g} yuan"
        rows.append(("special_education", part["part_disabled"], top, zh, en))
    out = []
    for component, funded, r, zh, en in rows:
        out.append(
            {
                "school_id": part["school_id"],
                "name": part["name"],
                "school_stage": part["school_stage"],
                "stage": stage,
                "township_id": part["township_id"],
                "urban": bool(part["urban"]),
                "ownership": part["ownership"],
                "component": component,
                "pupils": float(part["pupils"]),
                "funded_pupils": float(funded),
                "rate": float(r),
                "amount": float(funded) * float(r),
                "clause": COMPONENTS[component][2],
                "rule_zh": zh,
                "rule_en": en,
            }
        )
    return out


@dataclass
class SchoolFunds:
    """Per-pupil funds of one year: component rows, per-school totals, by stage and township."""

    year: int
    params: FundingParams
    rows: pd.DataFrame
    totals: pd.DataFrame
    township_names: dict[str, str]

    @property
    def total(self) -> float:
        return float(self.rows["amount"].sum())

    def by_stage(self) -> pd.DataFrame:
        """stage, schools, pupils, one column per component, total."""
        return self._group("stage")

    def by_township(self) -> pd.DataFrame:
        """township_id, township name, schools, pupils, one column per component, total."""
        out = self._group("township_id")
        out.insert(1, "township", out["township_id"].map(self.township_names).fillna(out["township_id"]))
        return out

    def _group(self, key: str) -> pd.DataFrame:
        r = self.rows
        amounts = r.pivot_table(index=key, columns="component", values="amount", aggfunc="sum", fill_value=0.0)
        amounts = amounts.reindex(columns=list(COMPONENTS), fill_value=0.0)
        std = r[r["component"] == "standard"]
        out = pd.DataFrame(
            {
                "schools": std.groupby(key)["school_id"].nunique(),
                "pupils": std.groupby(key)["pupils"].sum(),
            }
        ).join(amounts)
        out["total"] = amounts.sum(axis=1)
        return out.reset_index()

    def as_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "total": self.total,
            "raise_factor": self.params.raise_factor(self.year),
            "rates": {
                st: self.params.rate(st, self.year) for st in ("kindergarten", *COMPULSORY, "high", "vocational")
            },
            "rows": _records(self.rows),
            "schools": _records(self.totals),
            "by_stage": _records(self.by_stage()),
            "by_township": _records(self.by_township()),
        }

    def blocks(self, lang: str = "zh") -> list[Block]:
        return per_pupil_blocks(self, lang)


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: _plain(v) for k, v in rec.items()} for rec in df.to_dict("records")]


def _plain(v: Any) -> Any:
    if v is None or (isinstance(v, float) and v != v):
        return None
    if hasattr(v, "item"):
        v = v.item()
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return v


def school_funds(frames: dict[str, pd.DataFrame], year: int, params: FundingParams) -> SchoolFunds:
    """Per-pupil operating funds of every school in `year` (第22条, 第5条, FD), component by component."""
    parts = school_parts(frames, year)
    records: list[dict[str, Any]] = []
    for _, part in parts.iterrows():
        records += _components(params, part, year)
    rows = pd.DataFrame(records, columns=ROW_COLUMNS)
    totals = _school_totals(rows, parts)
    towns = frames.get("townships")
    names = dict(zip(towns["township_id"], towns["name"], strict=True)) if towns is not None else {}
    return SchoolFunds(year, params, rows, totals, names)


def _school_totals(rows: pd.DataFrame, parts: pd.DataFrame) -> pd.DataFrame:
    keys = ["school_id", "name", "school_stage", "township_id"]
    if rows.empty:
        return pd.DataFrame(columns=[*keys, "pupils", *COMPONENTS, "total", "received", "difference"])
    amounts = rows.pivot_table(index="school_id", columns="component", values="amount", aggfunc="sum", fill_value=0.0)
    amounts = amounts.reindex(columns=list(COMPONENTS), fill_value=0.0)
    info = rows[rows["component"] == "standard"].groupby(keys, as_index=False)["pupils"].sum()
    out = info.merge(amounts.reset_index(), on="school_id", how="left")
    out["total"] = out[list(COMPONENTS)].sum(axis=1)
    received = parts.groupby("school_id")["public_funding"].first()
    out["received"] = pd.to_numeric(out["school_id"].map(received), errors="coerce").astype("float64")
    out["difference"] = out["received"] - out["total"]
    return out.sort_values("school_id").reset_index(drop=True)


# ---------------------------------------------------------------------------------------- blocks


def _amount_columns(lang: str) -> list[BlockColumn]:
    return [BlockColumn(c, component_label(c, lang), "yuan") for c in COMPONENTS] + [
        BlockColumn("total", pick(lang, "合计", "total"), "yuan")
    ]


def per_pupil_blocks(f: SchoolFunds, lang: str = "zh") -> list[Block]:
    """Summary (rates, by stage, by township) and the per-school table."""
    p, y = f.params, f.year
    factor = p.raise_factor(y)
    rates = "；".join(f"{stage_label(s, 'zh')} {p.rate(s, y):,.2f} 元" for s in STAGES)
    rates_en = "; ".join(f"{stage_label(s, 'en')} {p.rate(s, y):,.2f}" for s in STAGES)
    para = [
        pick(
            lang,
            f"{y} 学年义务教育生均公用经费标准为省定基准 × {factor:.4g}（第22条：{p.first_raise_year} 年起每 "
            f"{p.step_years} 年提高 {p.step_rate:.0%}，{'复利' if p.compound else '单利'}）。各学段标准：{rates}。",
            f"In {y} the compulsory per-pupil standard is the provincial baseline × {factor:.4g} (第22条: "
            f"+{p.step_rate:.0%} every {p.step_years} years from {p.first_raise_year}, "
            f"{'compound' if p.compound else 'simple'}). Rates per pupil: {rates_en} yuan.",
        ),
        pick(
            lang,
            f"农村小学和教学点不足 {p.floor_primary} 人按 {p.floor_primary} 人、农村初中不足 {p.floor_junior} 人按 "
            f"{p.floor_junior} 人核定（第22条、第5条）；寄宿生每生每年加 {p.boarder_subsidy:g} 元（第5条）；"
            f"残疾学生按 {p.special_ed_rate:g} 元核定（FD、QB-G7）。全县合计 {f.total:,.0f} 元。",
            f"Rural primary schools and teaching points under {p.floor_primary} pupils are funded as "
            f"{p.floor_primary}, rural junior schools under {p.floor_junior} as {p.floor_junior} (第22条, 第5条); "
            f"boarders +{p.boarder_subsidy:g} a year (第5条); disabled pupils at {p.special_ed_rate:g} "
            f"(FD, QB-G7). County total {f.total:,.0f} yuan.",
        ),
    ]
    st = f.by_stage()
    stage_table = BlockTable(
        pick(lang, "按学段", "By stage"),
        [
            BlockColumn("stage", pick(lang, "学段", "stage")),
            BlockColumn("schools", pick(lang, "学校数", "schools"), "count"),
            BlockColumn("pupils", pick(lang, "学生数", "pupils"), "count"),
            *_amount_columns(lang),
        ],
        [
            cells(stage_label(r["stage"], lang), int(r["schools"]), float(r["pupils"]))
            + cells(*(float(r[c]) for c in (*COMPONENTS, "total")))
            for _, r in st.sort_values("stage", key=stage_key, kind="stable").iterrows()
        ],
        clause=CLAUSE,
    )
    tw = f.by_township()
    town_table = BlockTable(
        pick(lang, "按乡镇", "By township"),
        [
            BlockColumn("township", pick(lang, "乡镇", "township")),
            BlockColumn("schools", pick(lang, "学校数", "schools"), "count"),
            BlockColumn("pupils", pick(lang, "学生数", "pupils"), "count"),
            *_amount_columns(lang),
        ],
        [
            cells(str(r["township"]), int(r["schools"]), float(r["pupils"]))
            + cells(*(float(r[c]) for c in (*COMPONENTS, "total")))
            for _, r in tw.iterrows()
        ],
        clause=CLAUSE,
    )
    rules = BlockTable(
        pick(lang, "各项规则", "The rules"),
        [
            BlockColumn("component", pick(lang, "项目", "component")),
            BlockColumn("clause", pick(lang, "条款", "clause")),
            BlockColumn("rule", pick(lang, "规则", "rule")),
        ],
        [
            [
                component_label("standard", lang),
                COMPONENTS["standard"][2],
                pick(lang, "学生数 × 标准", "pupils × rate"),
            ],
            [
                component_label("small_school_floor", lang),
                COMPONENTS["small_school_floor"][2],
                pick(lang, "(保底人数 − 学生数) × 标准", "(floor − pupils) × rate"),
            ],
            [
                component_label("boarding", lang),
                COMPONENTS["boarding"][2],
                pick(lang, f"寄宿生数 × {p.boarder_subsidy:g}", f"boarders × {p.boarder_subsidy:g}"),
            ],
            [
                component_label("special_education", lang),
                COMPONENTS["special_education"][2],
                pick(lang, f"残疾学生数 × ({p.special_ed_rate:g} − 标准)", f"disabled × ({p.special_ed_rate:g} − rate)")
                if p.special_ed_mode == "replace"
                else pick(lang, f"残疾学生数 × {p.special_ed_rate:g}", f"disabled × {p.special_ed_rate:g}"),
            ],
        ],
        clause=CLAUSE,
    )
    summary = Block(
        "funding.per_pupil",
        pick(lang, f"生均公用经费（{y} 学年）", f"Per-pupil operating funds ({y})"),
        CLAUSE,
        paragraphs=[*para],
        tables=[stage_table, town_table, rules],
    )
    t = f.totals
    schools = BlockTable(
        pick(lang, "各校生均公用经费", "Per-pupil funds per school"),
        [
            BlockColumn("school", pick(lang, "学校", "school")),
            BlockColumn("stage", pick(lang, "学段类型", "kind")),
            BlockColumn("township", pick(lang, "乡镇", "township")),
            BlockColumn("pupils", pick(lang, "学生数", "pupils"), "count"),
            *_amount_columns(lang),
            BlockColumn("received", pick(lang, "实际拨付", "received"), "yuan"),
            BlockColumn("difference", pick(lang, "差额", "difference"), "yuan"),
        ],
        [
            cells(
                str(r["name"]),
                stage_label(str(r["school_stage"]), lang),
                f.township_names.get(str(r["township_id"]), str(r["township_id"])),
                float(r["pupils"]),
            )
            + cells(*(float(r[c]) for c in (*COMPONENTS, "total")))
            + [_plain(r["received"]), _plain(r["difference"])]
            for _, r in t.iterrows()
        ],
        note=pick(
            lang,
            "实际拨付取自学校年度表 public_funding；差额 = 实际拨付 − 按规则核定。",
            "received: school_years.public_funding; difference = received − computed by the rules.",
        ),
        clause=CLAUSE,
    )
    per_school = Block(
        "funding.per_pupil.schools",
        pick(lang, f"各校生均公用经费明细（{y} 学年）", f"Per-pupil funds by school ({y})"),
        CLAUSE,
        tables=[schools],
    )
    return [summary, per_school]
