"""Per-pupil operating funds (生均公用经费) per school and year, every yuan with its rule.

Rules (POLICY.md 第5、22条; STANDARDS.md FD, QB-G6, QB-G7), parameters in funding.params:
- A school is split into parts by grade (K → kindergarten, P → primary, J → junior, H → high,
  V → vocational; a teaching point's grades are primary), as indicators.tables does.
- ``standard`` (第22条): pupils × rate. Compulsory parts: rate = provincial baseline × raise factor
  (2019 on, +10% every two years). Kindergarten, high, vocational: the provincial baseline. Inclusive
  private kindergartens get their own rate (普惠 in the funded year by census.inclusive: the
  private-school register's row of that year, else the schools sheet's flag, the indicators' rule), other private kindergartens and private non-compulsory
  schools nothing; private compulsory schools the standard (a parameter) [assumed].
- ``small_school_floor`` (第22条, 第5条, QB-G6): a rural public primary school or teaching point under
  100 pupils is funded as 100, a rural public junior school under 500 as 500: (floor − pupils) × rate.
  The primary / junior part of a rural nine-year school too (a parameter, default on) [assumed].
- ``boarding`` (第5条, FD): boarders × 200 in the compulsory parts. The exchange format gives boarders
  per school: they are shared among the school's non-kindergarten parts by pupils [assumed].
- ``special_education`` (FD, QB-G7): disabled pupils in the compulsory parts are funded at 6000:
  disabled × (6000 − rate) ("replace", default) or × 6000 ("add"); shared among parts like boarders.
  A special-education school's part (特殊教育, grades S1–S12) is funded at 6000 per pupil, all of it.

Every component row satisfies amount = funded_pupils × rate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from countyedu.census.inclusive import REGISTER, inclusive_in_year
from countyedu.census.vocabulary import STAGE_OF_GRADE, stage_key
from countyedu.funding.labels import COMPONENTS, cells, component_label, school_type, stage_label
from countyedu.funding.params import COMPULSORY, STAGES, FundingParams
from countyedu.messages import Msg, Num, Text, translate
from countyedu.runs.blocks import Block, BlockColumn, BlockTable, worded

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
    s = frames["schools"][["school_id", "name", "stage", "township_id", "urban", "ownership"]]
    s = s.rename(columns={"stage": "school_stage"})
    out = parts.merge(s, on="school_id", how="inner")
    out["urban"] = _flag(out["urban"])
    # 普惠 in `year`: the private-school register's row of that year, else the schools sheet (第3、16条)
    inc = inclusive_in_year(frames, year).set_index("school_id")
    ids = out["school_id"].astype(str)
    out["inclusive"] = ids.map(inc["inclusive"]).fillna(False).astype(bool)
    out["inclusive_source"] = ids.map(inc["inclusive_source"])
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


def _standard_rate(p: FundingParams, part: pd.Series, year: int) -> tuple[float, Msg]:
    """(rate, rule) of the standard component for one part."""
    stage, public = part["stage"], part["ownership"] == "public"
    if stage == "special":
        if not public:
            return 0.0, Msg("private school not funded (parameter)")
        r = p.special_ed_rate
        return r, Msg("special-education school: {special} yuan per pupil and year (FD, QB-G7)", special=f"{r:g}")
    base = p.baseline_for(stage, year)
    if stage in COMPULSORY:
        if not public and not p.private_compulsory_funded:
            return 0.0, Msg("private school not funded (parameter)")
        f = p.raise_factor(year) if stage in p.raised_stages else 1.0
        return (
            base * f,
            Msg(
                "provincial baseline {base} × {factor} (+{step} every {years} years from {first}, {how}) = {rate} "
                "yuan per pupil and year",
                base=f"{base:g}",
                factor=f"{f:.4g}",
                step=f"{p.step_rate:.0%}",
                years=p.step_years,
                first=Num(p.first_raise_year, "year"),
                how=Msg("compound") if p.compound else Msg("simple"),
                rate=f"{base * f:,.2f}",
            ),
        )
    if stage == "kindergarten" and not public:
        source = (
            Msg("the private-school register of {year}", year=Num(year, "year"))
            if part["inclusive_source"] == REGISTER
            else Msg("the schools sheet (no register row that year)")
        )
        if part["inclusive"]:
            r = p.inclusive_private_kindergarten_rate
            return r, Msg(
                "inclusive private kindergarten {rate} yuan per child and year (第3条, parameter; recognised per {source})",
                rate=f"{r:g}",
                source=source,
            )
        return 0.0, Msg("non-inclusive private kindergarten: none (per {source})", source=source)
    if not public:
        return 0.0, Msg("private school not funded (parameter)")
    return base, Msg("provincial standard {rate} yuan per pupil and year", rate=f"{base:g}")


def _floor_applies(p: FundingParams, part: pd.Series) -> bool:
    stage = part["stage"]
    if stage not in COMPULSORY or part["urban"] or p.floor(stage) <= 0 or part["pupils"] >= p.floor(stage):
        return False
    if p.floors_public_only and part["ownership"] != "public":
        return False
    return part["school_stage"] in SINGLE_STAGE_FLOOR[stage] or p.floors_apply_to_parts


def _components(p: FundingParams, part: pd.Series, year: int) -> list[dict[str, Any]]:
    rate, rule = _standard_rate(p, part, year)
    stage = part["stage"]
    # a special-education school's pupils (特殊教育, grades S1–S12): the standard at the FD rate, 6000
    rows = [("standard", part["pupils"], rate, rule)]
    if _floor_applies(p, part):
        floor = p.floor(stage)
        rows.append(
            (
                "small_school_floor",
                floor - part["pupils"],
                rate,
                Msg(
                    "rural {stage} under {floor} pupils funded as {floor}: ({floor} − {pupils}) × {rate}",
                    stage=stage_label(stage),
                    floor=floor,
                    pupils=f"{part['pupils']:g}",
                    rate=f"{rate:,.2f}",
                ),
            )
        )
    if stage in COMPULSORY and part["part_boarders"] > 0 and not (p.boarder_rural_only and part["urban"]):
        b = p.boarder_subsidy
        rows.append(
            ("boarding", part["part_boarders"], b, Msg("+{subsidy} yuan per boarder and year", subsidy=f"{b:g}"))
        )
    if stage in COMPULSORY and part["part_disabled"] > 0:
        if p.special_ed_mode == "replace":
            top = max(p.special_ed_rate - rate, 0.0)
            why = Msg(
                "disabled pupils funded at {special}: top-up {special} − {rate}",
                special=f"{p.special_ed_rate:g}",
                rate=f"{rate:,.2f}",
            )
        else:
            top = p.special_ed_rate
            why = Msg("disabled pupils: +{special} yuan", special=f"{top:g}")
        rows.append(("special_education", part["part_disabled"], top, why))
    out = []
    for component, funded, r, why in rows:
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
                "clause": COMPONENTS[component][1],
                # the rule in both languages, as data (a row of the per-school detail)
                "rule_zh": translate(why, "zh"),
                "rule_en": translate(why, "en"),
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
    # private kindergartens funded this year: school_id, name, inclusive, inclusive_source (which source decided)
    private_kindergartens: pd.DataFrame = field(default_factory=pd.DataFrame)

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
            "rates": {st: self.params.rate(st, self.year) for st in STAGES},
            "rows": _records(self.rows),
            "schools": _records(self.totals),
            "by_stage": _records(self.by_stage()),
            "by_township": _records(self.by_township()),
            "private_kindergartens": _records(self.private_kindergartens),
        }

    def blocks(self, lang: str | None = None) -> list[Block]:
        """The blocks with their messages (worded in `lang` when given)."""
        return worded(per_pupil_blocks(self), lang)


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
    pk = parts[(parts["stage"] == "kindergarten") & (parts["ownership"] != "public")]
    pk = pk[["school_id", "name", "inclusive", "inclusive_source"]].reset_index(drop=True)
    return SchoolFunds(year, params, rows, totals, names, pk)


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


def _amount_columns() -> list[BlockColumn]:
    return [BlockColumn(c, component_label(c), "yuan") for c in COMPONENTS] + [
        BlockColumn("total", Msg("total"), "yuan")
    ]


def _count_columns(first: str, label: Msg) -> list[BlockColumn]:
    return [
        BlockColumn(first, label),
        BlockColumn("schools", Msg("schools"), "count"),
        BlockColumn("pupils", Msg("pupils"), "count"),
        *_amount_columns(),
    ]


def per_pupil_blocks(f: SchoolFunds) -> list[Block]:
    """Summary (rates, by stage, by township) and the per-school table."""
    p, y = f.params, f.year
    rates = tuple(Msg("{stage} {rate}", stage=stage_label(s), rate=Num(p.rate(s, y), "yuan", 2)) for s in STAGES)
    para: list[Text] = [
        Msg(
            "In {year} the compulsory per-pupil standard is the provincial baseline × {factor} (第22条: +{step} "
            "every {years} years from {first}, {how}). Rates per pupil: {rates}.",
            year=y,
            factor=f"{p.raise_factor(y):.4g}",
            step=f"{p.step_rate:.0%}",
            years=p.step_years,
            first=Num(p.first_raise_year, "year"),
            how=Msg("compound") if p.compound else Msg("simple"),
            rates=rates,
        ),
        Msg(
            "Rural primary schools and teaching points under {floor_primary} pupils are funded as {floor_primary}, "
            "rural junior schools under {floor_junior} as {floor_junior} (第22条, 第5条); boarders +{boarder} a "
            "year (第5条); disabled pupils at {special} (FD, QB-G7). County total {total}.",
            floor_primary=p.floor_primary,
            floor_junior=p.floor_junior,
            boarder=Num(p.boarder_subsidy, "yuan"),
            special=Num(p.special_ed_rate, "yuan"),
            total=Num(f.total, "yuan"),
        ),
    ]
    pk = f.private_kindergartens
    if len(pk):
        by_register = pk["inclusive_source"] == REGISTER
        para.append(
            Msg(
                "Private kindergartens in {year}: {inclusive} of {n} inclusive, funded at {rate} a child (第3条); "
                "their inclusive status from the private-school register for {register}, from the schools sheet "
                "(no register row that year) for {sheet}.",
                year=y,
                inclusive=int(pk["inclusive"].sum()),
                n=len(pk),
                rate=Num(p.inclusive_private_kindergarten_rate, "yuan"),
                register=int(by_register.sum()),
                sheet=int((~by_register).sum()),
            )
        )
    amounts = (*COMPONENTS, "total")
    stage_table = BlockTable(
        Msg("By stage"),
        _count_columns("stage", Msg("stage")),
        [
            cells(stage_label(r["stage"]), int(r["schools"]), float(r["pupils"]), *(float(r[c]) for c in amounts))
            for _, r in f.by_stage().sort_values("stage", key=stage_key, kind="stable").iterrows()
        ],
        clause=CLAUSE,
    )
    town_table = BlockTable(
        Msg("By township"),
        _count_columns("township", Msg("township")),
        [
            cells(str(r["township"]), int(r["schools"]), float(r["pupils"]), *(float(r[c]) for c in amounts))
            for _, r in f.by_township().iterrows()
        ],
        clause=CLAUSE,
    )
    special = Num(p.special_ed_rate, "yuan")
    rules = BlockTable(
        Msg("The rules"),
        [
            BlockColumn("component", Msg("component")),
            BlockColumn("clause", Msg("clause")),
            BlockColumn("rule", Msg("rule")),
        ],
        [
            cells(component_label("standard"), COMPONENTS["standard"][1], Msg("pupils × rate")),
            cells(
                component_label("small_school_floor"),
                COMPONENTS["small_school_floor"][1],
                Msg("(floor − pupils) × rate"),
            ),
            cells(
                component_label("boarding"),
                COMPONENTS["boarding"][1],
                Msg("boarders × {subsidy}", subsidy=Num(p.boarder_subsidy, "yuan")),
            ),
            cells(
                component_label("special_education"),
                COMPONENTS["special_education"][1],
                Msg("disabled pupils × ({special} − rate)", special=special)
                if p.special_ed_mode == "replace"
                else Msg("disabled pupils × {special}", special=special),
            ),
        ],
        clause=CLAUSE,
    )
    summary = Block(
        "funding.per_pupil",
        Msg("Per-pupil operating funds ({year})", year=y),
        CLAUSE,
        paragraphs=para,
        tables=[stage_table, town_table, rules],
    )
    schools = BlockTable(
        Msg("Per-pupil funds per school"),
        [
            BlockColumn("school", Msg("school")),
            BlockColumn("stage", Msg("kind of school")),
            BlockColumn("township", Msg("township")),
            BlockColumn("pupils", Msg("pupils"), "count"),
            *_amount_columns(),
            BlockColumn("received", Msg("received"), "yuan"),
            BlockColumn("difference", Msg("difference"), "yuan"),
        ],
        [
            cells(
                str(r["name"]),
                school_type(str(r["school_stage"])),
                f.township_names.get(str(r["township_id"]), str(r["township_id"])),
                float(r["pupils"]),
                *(float(r[c]) for c in amounts),
                _plain(r["received"]),
                _plain(r["difference"]),
            )
            for _, r in f.totals.iterrows()
        ],
        note=Msg(
            "received: the operating funds the school reported receiving; difference = received − computed by the rules."
        ),
        clause=CLAUSE,
    )
    per_school = Block(
        "funding.per_pupil.schools", Msg("Per-pupil funds by school ({year})", year=y), CLAUSE, tables=[schools]
    )
    return [summary, per_school]
