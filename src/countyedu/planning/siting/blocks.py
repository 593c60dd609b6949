"""The words of siting and consolidation: their plans as blocks (titles, tables, paragraphs, findings)."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from countyedu.planning.siting.consolidation import CONSOLIDATION_CLAUSE, KEEP, OPTIMISE, ConsolidationPlan
from countyedu.planning.siting.model import CLAUSE, SitingPlan
from countyedu.runs.blocks import Block, BlockColumn, BlockTable, Finding

_REASONS = {
    "saves": ("撤并比保留每年节省经费", "merging costs less a year than keeping it"),
    "reach": (
        "步行上限内没有其他学校，寄宿距离内没有可寄宿学校",
        "no other school within walking distance, no boarding school within reach",
    ),
    "cost": ("保留比撤并每年花费更少", "keeping it costs less a year than merging"),
    "seats": ("可达学校学位不足", "the schools within reach have no seats to spare"),
}


def siting_blocks(plan: SitingPlan, lang: str = "zh") -> list[Block]:
    """The plan's blocks in `lang`."""
    zh = lang == "zh"

    def nm(i: Any) -> str:
        return plan.names.get(str(i), str(i))

    pupils = int(plan.assignments["pupils"].sum())
    para = (
        f"开办 {len(plan.opened)} 个校点，关闭 {len(plan.closed)} 个；{pupils:,} 名学生全部划入，总出行 "
        f"{plan.pupil_km:,.1f} 人·公里，寄宿生 {plan.boarders:,} 人；目标值 {plan.objective:,.1f}，下界 "
        f"{plan.bound:,.1f}，差距 {plan.gap:.2%}，状态：{'最优' if plan.status == 'optimal' else '可行'}。"
        if zh
        else f"{len(plan.opened)} sites open, {len(plan.closed)} closed; all {pupils:,} pupils assigned, "
        f"{plan.pupil_km:,.1f} pupil-km, {plan.boarders:,} boarders; objective {plan.objective:,.1f}, bound "
        f"{plan.bound:,.1f}, gap {plan.gap:.2%}, status {plan.status}."
    )
    s = plan.sites
    table = BlockTable(
        title="校点布局" if zh else "Sites",
        columns=[
            BlockColumn("site_id", "校点" if zh else "site"),
            BlockColumn("existing", "现有" if zh else "existing"),
            BlockColumn("open", "开办" if zh else "open"),
            BlockColumn("pupils", "学生数" if zh else "pupils", "count"),
            BlockColumn("capacity", "学位" if zh else "seats", "count"),
            BlockColumn("utilisation", "学位使用率" if zh else "utilisation", "share"),
        ],
        rows=[
            [nm(r.site_id), bool(r.existing), bool(r.open), int(r.pupils), int(r.capacity), _num(r.utilisation)]
            for r in s.itertuples()
        ],
        clause=CLAUSE,
    )
    a = plan.assignments
    assign = BlockTable(
        title="社区（村）划入校点" if zh else "Community → site",
        columns=[
            BlockColumn("community_id", "社区（村）" if zh else "community"),
            BlockColumn("site_id", "校点" if zh else "site"),
            BlockColumn("pupils", "学生数" if zh else "pupils", "count"),
            BlockColumn("km", "距离（公里）" if zh else "distance (km)", "km"),
            BlockColumn("boarder", "寄宿" if zh else "boarders"),
        ],
        rows=[[nm(r.community_id), nm(r.site_id), int(r.pupils), _num(r.km), bool(r.boarder)] for r in a.itertuples()],
        clause=CLAUSE,
    )
    new = [nm(i) for i in plan.opened if i in set(s.loc[~s["existing"], "site_id"])]
    if new:
        sep = "、" if zh else ", "
        para += f"新开校点：{sep.join(new)}。" if zh else f" New sites opened: {sep.join(new)}."
    over = s[s["pupils"] > s["capacity"]]
    return [
        Block(
            id="planning.siting",
            title="校点布局优化" if zh else "Siting",
            clause=CLAUSE,
            paragraphs=[para, *plan.notes],
            findings=[
                Finding(
                    CLAUSE,
                    "每名学生划入开办校点且不超过学位"
                    if zh
                    else "every pupil assigned to an open site within capacity",
                    f"{pupils:,}",
                    "met" if over.empty else "not_met",
                )
            ],
            tables=[table, assign],
        )
    ]


def _num(v: Any) -> float | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


def consolidation_blocks(plan: ConsolidationPlan, lang: str = "zh") -> list[Block]:
    """The plan's blocks in `lang`."""
    zh = lang == "zh"
    p = plan.params
    sep = "、" if zh else ", "

    def nm(i: Any) -> str:
        return "" if i is None or (isinstance(i, float) and math.isnan(i)) else plan.names.get(str(i), str(i))

    c = plan.candidates
    cand = BlockTable(
        title="可撤并的教学点和农村小规模学校（优化方案）"
        if zh
        else "Teaching points and small rural schools (the optimised choice)",
        columns=[
            BlockColumn("school_id", "学校" if zh else "school"),
            BlockColumn("pupils", "学生数" if zh else "pupils", "count"),
            BlockColumn("receiving_id", "接收学校" if zh else "receiving school"),
            BlockColumn("km", "距离（公里）" if zh else "distance (km)", "km"),
            BlockColumn("boarders", "转为寄宿" if zh else "boarders", "count"),
            BlockColumn("keep_yuan", "保留需补足经费（元/年）" if zh else "top-up to keep (yuan/year)", "yuan"),
            BlockColumn(
                "move_yuan",
                "撤并出行与寄宿费用（元/年）" if zh else "travel and boarding if merged (yuan/year)",
                "yuan",
            ),
            BlockColumn("merge", "撤并" if zh else "merge"),
            BlockColumn("reason", "理由" if zh else "why"),
        ],
        rows=[
            [
                nm(r.school_id),
                int(r.demand),
                nm(r.receiving_id),
                _num(r.km),
                int(r.boarders),
                _num(r.keep_yuan),
                _num(r.move_yuan),
                bool(r.merge),
                _REASONS[r.reason][0 if zh else 1] if r.reason in _REASONS else "",
            ]
            for r in c.itertuples()
        ],
        note=(
            f"小规模：农村学校不足 {p.small_below} 人或教学点（PN；第5条）；步行上限 {p.max_km:g} 公里，超过者寄宿"
            f"（≤ {p.boarding_km:g} 公里）；保留：按 {p.funded_as} 人拨付的补足部分；撤并：每人每公里 "
            f"{p.yuan_per_pupil_km:g} 元（走读）或寄宿 {p.boarder_yuan:g} 元 + 每公里 {p.boarder_yuan_per_km:g} 元"
            if zh
            else f"small: rural schools under {p.small_below} pupils or teaching points (PN; 第5条); walking limit "
            f"{p.max_km:g} km, beyond it boarding (≤ {p.boarding_km:g} km); keep: the top-up to {p.funded_as} "
            f"funded pupils; merge: {p.yuan_per_pupil_km:g} yuan per pupil-km (daily) or boarding "
            f"{p.boarder_yuan:g} yuan + {p.boarder_yuan_per_km:g} yuan per km"
        ),
        clause="第5条; PN; FD",
    )
    sc = BlockTable(
        title="方案比较" if zh else "Scenarios compared",
        columns=[
            BlockColumn("name", "方案" if zh else "scenario"),
            BlockColumn("merged", "撤并校数" if zh else "schools merged", "count"),
            BlockColumn("pupil_km", "总出行（人·公里）" if zh else "travel (pupil-km)", "km"),
            BlockColumn("added_pupil_km", "增加出行（人·公里）" if zh else "added travel (pupil-km)", "km"),
            BlockColumn("seats_short", "学位缺口" if zh else "seats short", "count"),
            BlockColumn("big_classes", "接收学校新增大班额（≥56）" if zh else "big classes created (≥ 56)", "count"),
            BlockColumn("boarders", "寄宿生" if zh else "boarders", "count"),
            BlockColumn("funds_yuan", "公用经费（元/年）" if zh else "operating funds (yuan/year)", "yuan"),
            BlockColumn("cost_yuan", "总费用（元/年）" if zh else "total cost (yuan/year)", "yuan"),
            BlockColumn("note", "说明" if zh else "note"),
        ],
        rows=[
            [
                str(r.name),
                None if pd.isna(r.merged) else int(r.merged),
                _num(r.pupil_km),
                _num(r.added_pupil_km),
                None if pd.isna(r.seats_short) else int(r.seats_short),
                None if pd.isna(r.big_classes) else int(r.big_classes),
                None if pd.isna(r.boarders) else int(r.boarders),
                _num(r.funds_yuan),
                _num(r.cost_yuan),
                str(r.note_zh if zh else r.note_en),
            ]
            for r in plan.scenarios.itertuples()
        ],
        note=(
            f"经费：生均 {p.per_pupil_yuan:g} 元（FD），小规模学校按 {p.funded_as} 人拨付（第5条、第22条），寄宿生每人每年另加 "
            f"{p.boarder_yuan:g} 元（第5条）；总费用 = 公用经费 + 寄宿补助 + 出行（走读每人每公里 {p.yuan_per_pupil_km:g} 元，"
            f"寄宿生每公里 {p.boarder_yuan_per_km:g} 元，假设）；大班额按接收学校现有班数（至少按 {p.class_size} 人一班）平均分班计"
            if zh
            else f"funds: {p.per_pupil_yuan:g} yuan per pupil (FD), small schools funded as {p.funded_as} pupils "
            f"(第5/22条), +{p.boarder_yuan:g} yuan per boarder (第5条); total = funds + boarder subsidy + travel "
            f"({p.yuan_per_pupil_km:g} yuan per daily pupil-km, {p.boarder_yuan_per_km:g} per boarder-km, assumed); "
            f"big classes: pupils spread evenly over the receiving school's classes (at least one per {p.class_size})"
        ),
        clause="第5条; 第22条; CS; FD",
    )
    steps = BlockTable(
        title="过渡期安排（优化方案）" if zh else "Transition by year (the optimised choice)",
        columns=[
            BlockColumn("year", "年份" if zh else "year", "year"),
            BlockColumn("step", "安排" if zh else "step"),
            BlockColumn("schools", "学校" if zh else "schools"),
            BlockColumn("pupils", "转入学生" if zh else "pupils moving", "count"),
        ],
        rows=[
            [
                s["year"],
                s["step_zh"] if zh else s["step_en"],
                sep.join(nm(i) for i in s.get("schools", [])),
                int(s.get("pupils", 0)),
            ]
            for s in plan.schedule
        ],
        note=f"第5条：{p.transition_years} 年过渡期（默认，参数）"
        if zh
        else f"第5条: {p.transition_years}-year transition (default, a parameter)",
        clause="第5条",
    )
    paras = _consolidation_paragraphs(plan, zh, nm)
    opt = plan.scenarios[plan.scenarios["mode"] == OPTIMISE]
    findings = []
    if not opt.empty and bool(opt.iloc[0]["feasible"]):
        short = int(opt.iloc[0]["seats_short"])
        findings.append(
            Finding(
                "第5条; PN",
                f"撤并后每名学生在步行 {p.max_km:g} 公里或寄宿 {p.boarding_km:g} 公里内有学位"
                if zh
                else f"after merging every pupil has a seat within {p.max_km:g} km walking or {p.boarding_km:g} km boarding",
                f"{short:,}",
                "met" if short == 0 else "not_met",
                ("学位缺口 " if zh else "seats short ") + f"{short:,}",
            )
        )
    return [
        Block(
            id="planning.consolidation",
            title="农村学校布局调整（撤并与寄宿）" if zh else "Rural school consolidation and boarding",
            clause=CONSOLIDATION_CLAUSE,
            paragraphs=[*paras],
            findings=findings,
            tables=[cand, sc, steps],
        )
    ]


def _consolidation_paragraphs(plan: ConsolidationPlan, zh: bool, nm: Any) -> list[str]:
    sep = "、" if zh else ", "
    out: list[str] = []
    if plan.basis == "enrolment":
        out.append(
            "没有该年的人口数据：以各校当前在校生（位于学校所在地）作为需求计算。"
            if zh
            else "No population data for the year: the schools' current pupils, located at their school, are the demand."
        )
    sc = plan.scenarios.set_index("mode")
    if OPTIMISE in sc.index and KEEP in sc.index:
        o, k = sc.loc[OPTIMISE], sc.loc[KEEP]
        if isinstance(o, pd.DataFrame):
            o = o.iloc[0]
        if isinstance(k, pd.DataFrame):
            k = k.iloc[0]
        if bool(o["feasible"]) and bool(k["feasible"]):
            cand = plan.candidates
            merged = cand[cand["merge"].eq(True)]  # None where a school's plan was not feasible
            saving = float(k["cost_yuan"]) - float(o["cost_yuan"])
            who = sep.join(nm(i) for i in merged["school_id"]) or ("无" if zh else "none")
            out.append(
                f"优化方案：{len(plan.candidates)} 所小规模学校中撤并 {len(merged)} 所（{who}），{int(merged['demand'].sum()):,} "
                f"名学生转入接收学校，其中 {int(merged['boarders'].sum()):,} 名寄宿；与全部保留相比每年节省 {saving:,.0f} 元，"
                f"出行增加 {float(o['pupil_km']) - float(k['pupil_km']):,.1f} 人·公里；求解状态："
                f"{'最优' if plan.status == 'optimal' else '可行'}（差距 {plan.gap:.2%}）。"
                if zh
                else f"Optimised: {len(merged)} of the {len(plan.candidates)} small schools merge ({who}); "
                f"{int(merged['demand'].sum()):,} pupils move, {int(merged['boarders'].sum()):,} of them board; "
                f"{saving:,.0f} yuan a year less than keeping all, {float(o['pupil_km']) - float(k['pupil_km']):,.1f} more "
                f"pupil-km; status {plan.status} (gap {plan.gap:.2%})."
            )
    for r in plan.scenarios.itertuples():
        if not bool(r.feasible):
            out.append(f"{r.name}：{r.note_zh}" if zh else f"{r.name}: {r.note_en}")
    out.append(
        "方法：各社区（村）的学龄学生与各小规模学校的在校生按容量分配到开办的学校（容量受限设施选址，HiGHS 求解），"
        "目标为每年费用（小规模学校按 100 人拨付的补足部分、寄宿补助、出行）；非小规模学校保留，社区学生只在非小规模学校间分配，"
        "小规模学校的学生可留校、转入步行范围内的学校或寄宿。"
        if zh
        else "Method: each community's pupils and each small school's own pupils are assigned to open schools within "
        "capacity (capacitated facility location, HiGHS); the objective is the yearly cost (the top-up of small schools "
        "funded as 100 pupils, the boarder subsidy, travel); non-small schools stay open and take the communities' "
        "other pupils; a small school's pupils stay, walk to a school within the limit, or board."
    )
    return out
