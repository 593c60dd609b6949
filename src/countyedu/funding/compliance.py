"""Whether the county keeps, year by year, the funding promises it is supervised on.

Checks (value, rule, status met / not_met / no_data, explanation, clause), from the finance sheet
and the census:
- ``edu_growth`` 第20条: growth of general-budget education expenditure ≥ the provincial average
  growth (finance item province_education_expenditure_growth, a fraction).
- 三个增长 (STANDARDS.md FD, 教育法): ``three_growth.appropriation`` education appropriation growth >
  growth of regular fiscal revenue; ``three_growth.per_pupil`` education expenditure per enrolled pupil
  grows; ``three_growth.teacher_pay`` teacher pay grows; ``three_growth.operating_funds`` per-pupil
  operating funds grow. "Grows" is strict (> last year).
- 两个只增不减 (FD): ``no_decrease.total`` general-budget education expenditure ≥ last year;
  ``no_decrease.per_pupil`` the same per enrolled pupil ≥ last year.
- ``teacher_pay`` 第21条, QB-G8: average teacher pay ≥ civil-servant average pay.
- ``training_share`` QB-Q4: teacher-training spending ≥ 5% of school operating funds (public_funding
  received; computed funds where none is reported).
- the fixed budget lines (第17、20、22、23、34条): actual ≥ planned (funding.budget).
Enrolled pupils = pupils of the classes sheet that year. Growth of a year needs last year's figures;
without them the check is no_data and says which figure is missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from countyedu.funding.budget import _fixed_lines, finance_table, received_funding, registered_residents
from countyedu.funding.labels import SOURCES, cells, source, status_label
from countyedu.funding.params import FundingParams
from countyedu.funding.perpupil import school_funds
from countyedu.messages import Msg, Text
from countyedu.runs.blocks import Block, BlockColumn, BlockTable, Finding, worded
from countyedu.runs.values import compared_text

CLAUSE = "第20条; 第21条; FD; QB-G8; QB-Q4; 第17条; 第22条; 第23条; 第34条"


@dataclass
class Check:
    """One checked rule in one year: an id, the finding, and the numbers behind it."""

    year: int
    id: str
    finding: Finding
    numbers: dict[str, float | None] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"year": self.year, "id": self.id, **self.finding.as_dict(), "numbers": dict(self.numbers)}


def enrolled_pupils(frames: dict[str, pd.DataFrame]) -> dict[int, float]:
    """year → pupils in the classes sheet."""
    c = frames.get("classes")
    if c is None or c.empty:
        return {}
    years = pd.to_numeric(c["year"], errors="coerce")
    pupils = pd.to_numeric(c["pupils"], errors="coerce").fillna(0)
    return {int(y): float(v) for y, v in pupils.groupby(years).sum().items()}


def teacher_pay_from_census(frames: dict[str, pd.DataFrame]) -> dict[int, float]:
    """year → mean annual pay of full-time teachers of public schools (fallback for 第21条)."""
    t = frames.get("teachers")
    s = frames.get("schools")
    if t is None or t.empty or s is None:
        return {}
    public = set(s.loc[s["ownership"] == "public", "school_id"])
    t = t[t["school_id"].isin(public) & t["full_time"].astype("boolean").fillna(False).astype(bool)]
    pay = pd.to_numeric(t["annual_salary"], errors="coerce")
    years = pd.to_numeric(t["year"], errors="coerce")
    return {int(y): float(v) for y, v in pay.groupby(years).mean().dropna().items()}


def _growth(now: float | None, before: float | None) -> float | None:
    if now is None or before is None or before == 0:
        return None
    return now / before - 1


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v * 100:.2f}%"


def _money(v: float | None) -> str:
    return "—" if v is None else f"{v:,.0f}"


def _both(a: float | None, b: float | None, op: str, percent: bool) -> tuple[str, str]:
    """Two compared values as text, with the decimals that show how the rule decided (runs.values)."""
    if a is None or b is None:
        return (_pct(a), _pct(b)) if percent else (_money(a), _money(b))
    return compared_text(a, b, op, digits=2 if percent else 0, percent=percent)


def _ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or not b else a / b


class _Year:
    """The numbers of one year and the year before."""

    def __init__(
        self, year: int, fin: dict[tuple[int, str], float], p: FundingParams, extra: dict[str, dict[int, float]]
    ):
        self.y, self.fin, self.p, self.extra = year, fin, p, extra

    def item(self, name: str, year: int) -> float | None:
        return self.fin.get((year, name))

    def series(self, key: str, year: int) -> float | None:
        return self.extra.get(key, {}).get(year)


def _missing(what: list[tuple[Text, float | None]]) -> Msg:
    return Msg("missing: {items}", items=tuple(name for name, v in what if v is None))


def _checks_of_year(y: _Year) -> list[Check]:
    p, it, year, prev = y.p, y.p.items, y.y, y.y - 1
    out: list[Check] = []

    def add(cid: str, clause: str, rule: Msg, value: str, ok: bool | None, expl: Msg, numbers: dict[str, Any]) -> None:
        status = "no_data" if ok is None else ("met" if ok else "not_met")
        out.append(Check(year, cid, Finding(clause, rule, value, status, expl), numbers))

    def item(code: str, when: int) -> Text:
        return source(f"finance:{code}@{when}", it)

    def pupils_of(when: int) -> Msg:
        return Msg("{item} ({year})", item=SOURCES["classes"], year=when)

    def operating_of(when: int, received: bool) -> Msg:
        return Msg(
            "{item} ({year})", item=SOURCES["school_years.public_funding" if received else "operating"], year=when
        )

    gbe, gbe0 = (
        y.item(it.general_budget_education_expenditure, year),
        y.item(it.general_budget_education_expenditure, prev),
    )
    prov = y.item(it.province_education_expenditure_growth, year)
    g = _growth(gbe, gbe0)
    g_text, prov_text = _both(g, prov, ">=", True)
    names = [
        (item(it.general_budget_education_expenditure, year), gbe),
        (item(it.general_budget_education_expenditure, prev), gbe0),
        (item(it.province_education_expenditure_growth, year), prov),
    ]
    add(
        "edu_growth",
        "第20条",
        Msg("general-budget education spending grows at least as fast as the province's average"),
        g_text,
        None if g is None or prov is None else g >= prov,
        _missing(names)
        if g is None or prov is None
        else Msg("county {county}, province {province}", county=g_text, province=prov_text),
        {"growth": g, "province_growth": prov, "general_budget_education_expenditure": gbe, "previous": gbe0},
    )
    reg, reg0 = y.item(it.regular_fiscal_revenue, year), y.item(it.regular_fiscal_revenue, prev)
    rg = _growth(reg, reg0)
    ga_text, rg_text = _both(g, rg, ">", True)
    names = [
        (item(it.general_budget_education_expenditure, year), gbe),
        (item(it.general_budget_education_expenditure, prev), gbe0),
        (item(it.regular_fiscal_revenue, year), reg),
        (item(it.regular_fiscal_revenue, prev), reg0),
    ]
    add(
        "three_growth.appropriation",
        "FD",
        Msg("three growths (1): education appropriation grows faster than regular fiscal revenue"),
        ga_text,
        None if g is None or rg is None else g > rg,
        _missing(names)
        if g is None or rg is None
        else Msg("appropriation {appropriation}, regular revenue {revenue}", appropriation=ga_text, revenue=rg_text),
        {"appropriation_growth": g, "regular_revenue_growth": rg},
    )
    pupils, pupils0 = y.series("pupils", year), y.series("pupils", prev)
    ee, ee0 = y.item(it.education_expenditure, year), y.item(it.education_expenditure, prev)
    pp, pp0 = _ratio(ee, pupils), _ratio(ee0, pupils0)
    pp_text, pp0_text = _both(pp, pp0, ">", False)
    names = [
        (item(it.education_expenditure, year), ee),
        (item(it.education_expenditure, prev), ee0),
        (pupils_of(year), pupils),
        (pupils_of(prev), pupils0),
    ]
    add(
        "three_growth.per_pupil",
        "FD",
        Msg("three growths (2): education spending per enrolled pupil grows"),
        pp_text,
        None if pp is None or pp0 is None else pp > pp0,
        _missing(names)
        if pp is None or pp0 is None
        else Msg("per pupil {now} yuan, last year {before} yuan", now=pp_text, before=pp0_text),
        {"per_pupil": pp, "previous": pp0, "pupils": pupils},
    )
    pay, pay0 = y.item(it.teacher_avg_salary, year), y.item(it.teacher_avg_salary, prev)
    pay = pay if pay is not None else y.series("census_pay", year)
    pay0 = pay0 if pay0 is not None else y.series("census_pay", prev)
    pay_text, pay0_text = _both(pay, pay0, ">", False)
    add(
        "three_growth.teacher_pay",
        "FD",
        Msg("three growths (3): teacher pay grows"),
        pay_text,
        None if pay is None or pay0 is None else pay > pay0,
        _missing([(item(it.teacher_avg_salary, year), pay), (item(it.teacher_avg_salary, prev), pay0)])
        if pay is None or pay0 is None
        else Msg("teacher pay {now} yuan, last year {before} yuan", now=pay_text, before=pay0_text),
        {"teacher_pay": pay, "previous": pay0},
    )
    of, of0 = _ratio(y.series("operating", year), pupils), _ratio(y.series("operating", prev), pupils0)
    of_text, of0_text = ("—", "—") if of is None or of0 is None else compared_text(of, of0, ">", digits=2)
    add(
        "three_growth.operating_funds",
        "FD",
        Msg("three growths (3): per-pupil operating funds grow"),
        _money(of) if of is None or of0 is None else compared_text(of, of0, ">", digits=0)[0],
        None if of is None or of0 is None else of > of0,
        _missing([(operating_of(year, True), of), (operating_of(prev, True), of0)])
        if of is None or of0 is None
        else Msg("per-pupil operating funds {now} yuan, last year {before} yuan", now=of_text, before=of0_text),
        {"per_pupil_operating": of, "previous": of0},
    )
    gbe_text, gbe0_text = _both(gbe, gbe0, ">=", False)
    add(
        "no_decrease.total",
        "FD",
        Msg("two no-decreases (1): general-budget education spending does not fall"),
        gbe_text,
        None if gbe is None or gbe0 is None else gbe >= gbe0,
        _missing(
            [
                (item(it.general_budget_education_expenditure, year), gbe),
                (item(it.general_budget_education_expenditure, prev), gbe0),
            ]
        )
        if gbe is None or gbe0 is None
        else Msg("{now} yuan, last year {before} yuan", now=gbe_text, before=gbe0_text),
        {"general_budget_education_expenditure": gbe, "previous": gbe0},
    )
    gp, gp0 = _ratio(gbe, pupils), _ratio(gbe0, pupils0)
    gp_text, gp0_text = _both(gp, gp0, ">=", False)
    add(
        "no_decrease.per_pupil",
        "FD",
        Msg("two no-decreases (2): general-budget education spending per enrolled pupil does not fall"),
        gp_text,
        None if gp is None or gp0 is None else gp >= gp0,
        _missing(
            [
                (item(it.general_budget_education_expenditure, year), gbe),
                (item(it.general_budget_education_expenditure, prev), gbe0),
                (pupils_of(year), pupils),
                (pupils_of(prev), pupils0),
            ]
        )
        if gp is None or gp0 is None
        else Msg("per pupil {now} yuan, last year {before} yuan", now=gp_text, before=gp0_text),
        {"per_pupil": gp, "previous": gp0},
    )
    civil = y.item(it.civil_servant_avg_salary, year)
    tp_text, civil_text = _both(pay, civil, ">=", False)
    ratio_text = "" if pay is None or not civil else compared_text(pay / civil, 1.0, ">=", digits=3)[0]
    add(
        "teacher_pay",
        "第21条; QB-G8",
        Msg("average teacher pay ≥ local civil-servant average pay"),
        tp_text,
        None if pay is None or civil is None else pay >= civil,
        _missing([(item(it.teacher_avg_salary, year), pay), (item(it.civil_servant_avg_salary, year), civil)])
        if pay is None or civil is None
        else Msg(
            "teachers {teachers} yuan, civil servants {civil} yuan (ratio {ratio})",
            teachers=tp_text,
            civil=civil_text,
            ratio=ratio_text,
        ),
        {"teacher_pay": pay, "civil_servant_pay": civil},
    )
    train, operating = y.item(it.teacher_training, year), y.series("operating", year)
    share = _ratio(train, operating)
    share_text = _both(share, p.training_share_min, ">=", True)[0]
    add(
        "training_share",
        p.training_share_item,
        Msg("teacher training ≥ {share} of school operating funds", share=f"{p.training_share_min:.0%}"),
        share_text,
        None if share is None else share >= p.training_share_min,
        _missing([(item(it.teacher_training, year), train), (operating_of(year, False), operating)])
        if share is None
        else Msg(
            "training {training} yuan ÷ operating funds {operating} yuan",
            training=_money(train),
            operating=_money(operating),
        ),
        {"training": train, "operating_funds": operating, "share": share},
    )
    return out


@dataclass
class Compliance:
    """Per year, every check as a Finding with the numbers behind it; computed once, its texts are
    messages (`checks_in(lang)` words them)."""

    params: FundingParams
    years: list[int]
    found: list[Check]  # every check of every year, its finding's texts as messages

    @property
    def checks(self) -> list[Check]:
        """The checks in Chinese words (the data's language, as `as_dict` writes them)."""
        return self.checks_in("zh")

    def checks_in(self, lang: str | None = None) -> list[Check]:
        if lang is None:
            return self.found
        return [replace(c, finding=c.finding.localized(lang)) for c in self.found]

    def findings(self, year: int, lang: str | None = None) -> list[Finding]:
        return [c.finding for c in self.checks_in(lang) if c.year == year]

    def by_year(self, lang: str | None = None) -> dict[int, list[Finding]]:
        return {y: self.findings(y, lang) for y in self.years}

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame([{k: v for k, v in c.as_dict().items() if k != "numbers"} for c in self.checks])

    def as_dict(self) -> dict[str, Any]:
        checks = self.checks
        return {
            "years": list(self.years),
            "by_year": {str(y): [c.as_dict() for c in checks if c.year == y] for y in self.years},
        }

    def blocks(self, lang: str | None = None) -> list[Block]:
        """The blocks with their messages (worded in `lang` when given)."""
        return worded(compliance_blocks(self), lang)


def compliance(frames: dict[str, pd.DataFrame], params: FundingParams) -> Compliance:
    """Every funding promise checked for every year of the finance sheet or the classes sheet."""
    fin = finance_table(frames)
    pupils = enrolled_pupils(frames)
    years = sorted({y for y, _ in fin} | set(pupils))
    operating: dict[int, float] = {}
    for y in years:
        got = received_funding(frames, y)
        if got is None and y in pupils:
            got = school_funds(frames, y, params).total  # none reported: the funds the rules give
        if got is not None:
            operating[y] = got
    extra = {"pupils": pupils, "operating": operating, "census_pay": teacher_pay_from_census(frames)}
    reg = registered_residents(frames)
    checks: list[Check] = []
    for y in years:
        checks += _checks_of_year(_Year(y, fin, params, extra))
        for line in _fixed_lines(y, params, fin, reg):
            numbers = {"planned": line.amount, "actual": line.actual}
            checks.append(Check(y, f"budget.{line.line}", line.finding(), numbers))
    return Compliance(params, years, checks)


def compliance_blocks(c: Compliance) -> list[Block]:
    """A years × checks status matrix, then every finding of every year."""
    ids: list[str] = []
    rule_of: dict[str, tuple[Text, str]] = {}
    checks = c.found
    for ch in checks:
        if ch.id not in rule_of:
            ids.append(ch.id)
            rule_of[ch.id] = (ch.finding.rule, ch.finding.clause)
    cell = {(ch.id, ch.year): ch.finding for ch in checks}
    matrix = BlockTable(
        Msg("Year by year"),
        [BlockColumn("rule", Msg("rule")), BlockColumn("clause", Msg("clause"))]
        + [BlockColumn(str(y), str(y)) for y in c.years],
        [
            cells(
                rule_of[i][0],
                rule_of[i][1],
                *(status_label(cell[(i, y)].status) if (i, y) in cell else None for y in c.years),
            )
            for i in ids
        ],
        clause=CLAUSE,
    )
    counts = {s: sum(1 for ch in checks if ch.finding.status == s) for s in ("met", "not_met", "no_data")}
    para = Msg(
        "{checks} yearly checks: {met} met, {not_met} not met, {no_data} without data. Growth checks need last "
        "year's figures, so the first year has none.",
        checks=len(checks),
        met=counts["met"],
        not_met=counts["not_met"],
        no_data=counts["no_data"],
    )
    blocks = [Block("funding.compliance", Msg("Funding promises kept"), CLAUSE, paragraphs=[para], tables=[matrix])]
    for y in c.years:
        blocks.append(
            Block(f"funding.compliance.{y}", Msg("Funding checks {year}", year=y), CLAUSE, findings=c.findings(y))
        )
    return blocks
