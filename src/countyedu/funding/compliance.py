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

from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from countyedu.funding.budget import _fixed_lines, finance_table, received_funding, registered_residents
from countyedu.funding.labels import cells, pick, status_label
from countyedu.funding.params import FundingParams
from countyedu.funding.perpupil import school_funds
from countyedu.reports.values import compared_text
from countyedu.runs.blocks import Block, BlockColumn, BlockTable, Finding, Text

CLAUSE = "第20条; 第21条; FD; QB-G8; QB-Q4; 第17条; 第22条; 第23条; 第34条"


@dataclass
class Check:
    """One checked rule in one year: an id, the finding, and the numbers behind it."""

    year: int
    id: str
    finding: Finding
    numbers: dict[str, float | None] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"year": self.year, "id": self.id, **asdict(self.finding), "numbers": dict(self.numbers)}


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
    """Two compared values as text, with the decimals that show how the rule decided (reports.values)."""
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


def _missing(lang_zh: bool, what: list[tuple[str, float | None]]) -> str:
    gone = [name for name, v in what if v is None]
    return ("缺少：" if lang_zh else "missing: ") + ", ".join(gone)


def _checks_of_year(y: _Year, lang: str) -> list[Check]:
    p, it, year, prev = y.p, y.p.items, y.y, y.y - 1
    zh = lang == "zh"
    out: list[Check] = []

    def add(cid: str, clause: str, rule: str, value: str, ok: bool | None, expl: str, numbers: dict[str, Any]) -> None:
        status = "no_data" if ok is None else ("met" if ok else "not_met")
        out.append(Check(year, cid, Finding(clause, rule, value, status, expl), numbers))

    gbe, gbe0 = (
        y.item(it.general_budget_education_expenditure, year),
        y.item(it.general_budget_education_expenditure, prev),
    )
    prov = y.item(it.province_education_expenditure_growth, year)
    g = _growth(gbe, gbe0)
    g_text, prov_text = _both(g, prov, ">=", True)
    names = [
        (f"{it.general_budget_education_expenditure}@{year}", gbe),
        (f"{it.general_budget_education_expenditure}@{prev}", gbe0),
        (f"{it.province_education_expenditure_growth}@{year}", prov),
    ]
    add(
        "edu_growth",
        "第20条",
        pick(
            lang,
            "一般公共预算教育支出增长不低于全省平均增长",
            "general-budget education spending grows at least as fast as the province's average",
        ),
        g_text,
        None if g is None or prov is None else g >= prov,
        _missing(zh, names)
        if g is None or prov is None
        else pick(lang, f"县增长 {g_text}，全省平均 {prov_text}", f"county {g_text}, province {prov_text}"),
        {"growth": g, "province_growth": prov, "general_budget_education_expenditure": gbe, "previous": gbe0},
    )
    reg, reg0 = y.item(it.regular_fiscal_revenue, year), y.item(it.regular_fiscal_revenue, prev)
    rg = _growth(reg, reg0)
    ga_text, rg_text = _both(g, rg, ">", True)
    names = [
        (f"{it.general_budget_education_expenditure}@{year}", gbe),
        (f"{it.general_budget_education_expenditure}@{prev}", gbe0),
        (f"{it.regular_fiscal_revenue}@{year}", reg),
        (f"{it.regular_fiscal_revenue}@{prev}", reg0),
    ]
    add(
        "three_growth.appropriation",
        "FD",
        pick(
            lang,
            "三个增长①：教育财政拨款增长高于财政经常性收入增长",
            "three growths (1): education appropriation grows faster than regular fiscal revenue",
        ),
        ga_text,
        None if g is None or rg is None else g > rg,
        _missing(zh, names)
        if g is None or rg is None
        else pick(
            lang,
            f"教育拨款增长 {ga_text}，经常性收入增长 {rg_text}",
            f"appropriation {ga_text}, regular revenue {rg_text}",
        ),
        {"appropriation_growth": g, "regular_revenue_growth": rg},
    )
    pupils, pupils0 = y.series("pupils", year), y.series("pupils", prev)
    ee, ee0 = y.item(it.education_expenditure, year), y.item(it.education_expenditure, prev)
    pp, pp0 = _ratio(ee, pupils), _ratio(ee0, pupils0)
    pp_text, pp0_text = _both(pp, pp0, ">", False)
    names = [
        (f"{it.education_expenditure}@{year}", ee),
        (f"{it.education_expenditure}@{prev}", ee0),
        (f"classes@{year}", pupils),
        (f"classes@{prev}", pupils0),
    ]
    add(
        "three_growth.per_pupil",
        "FD",
        pick(
            lang,
            "三个增长②：按在校学生人数平均的教育费用逐步增长",
            "three growths (2): education spending per enrolled pupil grows",
        ),
        pp_text,
        None if pp is None or pp0 is None else pp > pp0,
        _missing(zh, names)
        if pp is None or pp0 is None
        else pick(
            lang,
            f"生均教育支出 {pp_text} 元，上年 {pp0_text} 元",
            f"per pupil {pp_text}, last year {pp0_text} yuan",
        ),
        {"per_pupil": pp, "previous": pp0, "pupils": pupils},
    )
    pay, pay0 = y.item(it.teacher_avg_salary, year), y.item(it.teacher_avg_salary, prev)
    pay = pay if pay is not None else y.series("census_pay", year)
    pay0 = pay0 if pay0 is not None else y.series("census_pay", prev)
    pay_text, pay0_text = _both(pay, pay0, ">", False)
    add(
        "three_growth.teacher_pay",
        "FD",
        pick(lang, "三个增长③：教师工资逐步增长", "three growths (3): teacher pay grows"),
        pay_text,
        None if pay is None or pay0 is None else pay > pay0,
        _missing(zh, [(f"{it.teacher_avg_salary}@{year}", pay), (f"{it.teacher_avg_salary}@{prev}", pay0)])
        if pay is None or pay0 is None
        else pick(
            lang,
            f"教师平均工资 {pay_text} 元，上年 {pay0_text} 元",
            f"teacher pay {pay_text}, last year {pay0_text} yuan",
        ),
        {"teacher_pay": pay, "previous": pay0},
    )
    of, of0 = _ratio(y.series("operating", year), pupils), _ratio(y.series("operating", prev), pupils0)
    of_text, of0_text = ("—", "—") if of is None or of0 is None else compared_text(of, of0, ">", digits=2)
    add(
        "three_growth.operating_funds",
        "FD",
        pick(lang, "三个增长③：生均公用经费逐步增长", "three growths (3): per-pupil operating funds grow"),
        _money(of) if of is None or of0 is None else compared_text(of, of0, ">", digits=0)[0],
        None if of is None or of0 is None else of > of0,
        _missing(zh, [(f"school_years.public_funding@{year}", of), (f"school_years.public_funding@{prev}", of0)])
        if of is None or of0 is None
        else pick(
            lang, f"生均公用经费 {of_text} 元，上年 {of0_text} 元", f"per pupil {of_text}, last year {of0_text} yuan"
        ),
        {"per_pupil_operating": of, "previous": of0},
    )
    gbe_text, gbe0_text = _both(gbe, gbe0, ">=", False)
    add(
        "no_decrease.total",
        "FD",
        pick(
            lang,
            "两个只增不减①：一般公共预算教育支出只增不减",
            "two no-decreases (1): general-budget education spending does not fall",
        ),
        gbe_text,
        None if gbe is None or gbe0 is None else gbe >= gbe0,
        _missing(
            zh,
            [
                (f"{it.general_budget_education_expenditure}@{year}", gbe),
                (f"{it.general_budget_education_expenditure}@{prev}", gbe0),
            ],
        )
        if gbe is None or gbe0 is None
        else pick(lang, f"{gbe_text} 元，上年 {gbe0_text} 元", f"{gbe_text}, last year {gbe0_text} yuan"),
        {"general_budget_education_expenditure": gbe, "previous": gbe0},
    )
    gp, gp0 = _ratio(gbe, pupils), _ratio(gbe0, pupils0)
    gp_text, gp0_text = _both(gp, gp0, ">=", False)
    add(
        "no_decrease.per_pupil",
        "FD",
        pick(
            lang,
            "两个只增不减②：按在校学生人数平均的一般公共预算教育支出只增不减",
            "two no-decreases (2): general-budget education spending per enrolled pupil does not fall",
        ),
        gp_text,
        None if gp is None or gp0 is None else gp >= gp0,
        _missing(
            zh,
            [
                (f"{it.general_budget_education_expenditure}@{year}", gbe),
                (f"{it.general_budget_education_expenditure}@{prev}", gbe0),
                (f"classes@{year}", pupils),
                (f"classes@{prev}", pupils0),
            ],
        )
        if gp is None or gp0 is None
        else pick(
            lang,
            f"生均 {gp_text} 元，上年 {gp0_text} 元",
            f"per pupil {gp_text}, last year {gp0_text} yuan",
        ),
        {"per_pupil": gp, "previous": gp0},
    )
    civil = y.item(it.civil_servant_avg_salary, year)
    tp_text, civil_text = _both(pay, civil, ">=", False)
    ratio_text = "" if pay is None or not civil else compared_text(pay / civil, 1.0, ">=", digits=3)[0]
    add(
        "teacher_pay",
        "第21条; QB-G8",
        pick(lang, "教师平均工资不低于当地公务员平均工资", "average teacher pay ≥ local civil-servant average pay"),
        tp_text,
        None if pay is None or civil is None else pay >= civil,
        _missing(zh, [(f"{it.teacher_avg_salary}@{year}", pay), (f"{it.civil_servant_avg_salary}@{year}", civil)])
        if pay is None or civil is None
        else pick(
            lang,
            f"教师 {tp_text} 元，公务员 {civil_text} 元（比值 {ratio_text}）",
            f"teachers {tp_text}, civil servants {civil_text} yuan (ratio {ratio_text})",
        ),
        {"teacher_pay": pay, "civil_servant_pay": civil},
    )
    train, operating = y.item(it.teacher_training, year), y.series("operating", year)
    share = _ratio(train, operating)
    share_text = _both(share, p.training_share_min, ">=", True)[0]
    add(
        "training_share",
        "QB-Q4",
        pick(
            lang,
            f"教师培训经费不低于学校公用经费的 {p.training_share_min:.0%}",
            f"teacher training ≥ {p.training_share_min:.0%} of school operating funds",
        ),
        share_text,
        None if share is None else share >= p.training_share_min,
        _missing(zh, [(f"{it.teacher_training}@{year}", train), (f"operating funds@{year}", operating)])
        if share is None
        else pick(
            lang,
            f"培训经费 {_money(train)} 元 ÷ 公用经费 {_money(operating)} 元",
            f"training {_money(train)} / operating funds {_money(operating)} yuan",
        ),
        {"training": train, "operating_funds": operating, "share": share},
    )
    return out


@dataclass
class Compliance:
    """Per year, every check as a Finding with the numbers behind it."""

    params: FundingParams
    years: list[int]
    by_lang: dict[str, list[Check]]  # the same checks with their texts in zh and en

    @property
    def checks(self) -> list[Check]:
        return self.by_lang["zh"]

    def checks_in(self, lang: str = "zh") -> list[Check]:
        return self.by_lang.get(lang, self.by_lang["zh"])

    def findings(self, year: int, lang: str = "zh") -> list[Finding]:
        return [c.finding for c in self.checks_in(lang) if c.year == year]

    def by_year(self, lang: str = "zh") -> dict[int, list[Finding]]:
        return {y: self.findings(y, lang) for y in self.years}

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame([{k: v for k, v in c.as_dict().items() if k != "numbers"} for c in self.checks])

    def as_dict(self) -> dict[str, Any]:
        return {
            "years": list(self.years),
            "by_year": {str(y): [c.as_dict() for c in self.checks if c.year == y] for y in self.years},
        }

    def blocks(self, lang: str = "zh") -> list[Block]:
        return compliance_blocks(self, lang)


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
    by_lang: dict[str, list[Check]] = {}
    for lang in ("zh", "en"):
        checks: list[Check] = []
        for y in years:
            checks += _checks_of_year(_Year(y, fin, params, extra), lang)
            for line in _fixed_lines(y, params, fin, reg):
                numbers = {"planned": line.amount, "actual": line.actual}
                checks.append(Check(y, f"budget.{line.line}", line.finding(lang), numbers))
        by_lang[lang] = checks
    return Compliance(params, years, by_lang)


def compliance_blocks(c: Compliance, lang: str = "zh") -> list[Block]:
    """A years × checks status matrix, then every finding of every year."""
    ids: list[str] = []
    rule_of: dict[str, tuple[Text, str]] = {}
    checks = c.checks_in(lang)
    for ch in checks:
        if ch.id not in rule_of:
            ids.append(ch.id)
            rule_of[ch.id] = (ch.finding.rule, ch.finding.clause)
    cell = {(ch.id, ch.year): ch.finding for ch in checks}
    matrix = BlockTable(
        pick(lang, "逐年达标情况", "Year by year"),
        [BlockColumn("rule", pick(lang, "规则", "rule")), BlockColumn("clause", pick(lang, "条款", "clause"))]
        + [BlockColumn(str(y), str(y)) for y in c.years],
        [
            cells(rule_of[i][0], rule_of[i][1])
            + cells(*(status_label(cell[(i, y)].status, lang) if (i, y) in cell else None for y in c.years))
            for i in ids
        ],
        clause=CLAUSE,
    )
    counts = {s: sum(1 for ch in checks if ch.finding.status == s) for s in ("met", "not_met", "no_data")}
    para = pick(
        lang,
        f"共 {len(checks)} 项逐年检查：达标 {counts['met']}，未达标 {counts['not_met']}，无数据 {counts['no_data']}。"
        "增长类指标需要上一年数据，首年为无数据。",
        f"{len(checks)} yearly checks: {counts['met']} met, {counts['not_met']} not met, {counts['no_data']} "
        "without data. Growth checks need last year's figures, so the first year has none.",
    )
    blocks = [
        Block(
            "funding.compliance",
            pick(lang, "经费保障承诺落实情况", "Funding promises kept"),
            CLAUSE,
            paragraphs=[para],
            tables=[matrix],
        )
    ]
    for y in c.years:
        blocks.append(
            Block(
                f"funding.compliance.{y}",
                pick(lang, f"{y} 年经费保障检查", f"Funding checks {y}"),
                CLAUSE,
                findings=c.findings(y, lang),
            )
        )
    return blocks
