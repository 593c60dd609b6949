"""The rotation plan as report blocks (the chapter, the pages, the CLI's table and workbook) and the
headline `countyedu demo` prints. Texts are message keys, worded at the edge."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from countyedu.messages import Code, Msg, Num
from countyedu.roads.travel import basis_from
from countyedu.runs.blocks import Block, BlockColumn, BlockTable, Finding, Value

if TYPE_CHECKING:
    from countyedu.teachers.rotation_plan import RotationPlan

RULES: dict[str, Msg] = {
    "move_share": Msg("share of the school's eligible teachers moved"),
    "county_move_share": Msg("share of eligible teachers moved (county)"),
    "backbone_share": Msg("backbone teachers among those moved"),
    "eligible": Msg("moved teachers who are eligible"),
    "direction": Msg("moves urban → rural, strong → weak or central → village"),
    "norm": Msg("receiving school's staff within its norm"),
    "floor": Msg("sending school's staff at or above its floor"),
    "subject_need": Msg("teachers of a subject received within the school's shortage"),
}


def rule_words(rule: str) -> Msg:
    """A check's rule code in words (subject_need:math → … 数学)."""
    base, _, arg = rule.partition(":")
    if base.endswith("-CV"):
        return Msg("between-school CV of {indicator}, {stage}", indicator=base[:-3], stage=Code("education_stage", arg))
    if base == "subject_need" and arg:
        return Msg("{rule} ({subject})", rule=RULES[base], subject=Code("subject", arg))
    if base == "backbone_share" and arg:
        return Msg("{rule} ({unit})", rule=RULES[base], unit=arg)
    return RULES.get(base, Msg(base))


def _unit(rule: str) -> str:
    return "share" if "share" in rule or rule.endswith("CV") else ""


def rotation_blocks(plan: RotationPlan) -> list[Block]:
    """The chapter's block `teachers.rotation`: the headline, every rule's check, the move list, the
    schools before and after, the CVs."""
    names = plan.names
    p = plan.params
    paragraphs: list[Any] = [
        Msg(
            "For school year {year} (stints of {stint} years): {moves} moves of {eligible} eligible teachers,"
            " {backbone} of them backbone teachers. The plan lowers the pupil-weighted between-school CVs of"
            " QB-R1–R3 and the subject shortages with the least travel (HiGHS: objective {objective}, proven bound"
            " {bound}, gap {gap}); a greedy plan made on the same numbers scores {greedy} with {greedy_moves} moves.",
            year=int(p["year_of_moves"]),
            stint=int(p["stint_years"]),
            moves=len(plan.moves),
            eligible=len(plan.eligible),
            backbone=sum(m.backbone for m in plan.moves),
            objective=Num(plan.objective, "", 2),
            bound=Num(plan.bound, "", 2),
            gap=Num(plan.gap, "share"),
            greedy=Num(plan.greedy["objective"], "", 2),
            greedy_moves=plan.greedy["moves"],
        ),
        Msg(
            "Eligible: full-time teachers with at least {years} years at the same school, not within {within} years"
            " of retirement, not exempted ({exempt} exempted on the exemptions sheet).",
            years=int(p["eligible_years"]),
            within=int(p["retirement_within"]),
            exempt=len(plan.exempt),
        ),
        *plan.shortfalls,
        basis_from(plan.distance_basis).words(),  # the km of the moves: by road or in a straight line
    ]
    findings = [
        Finding(
            "RT; QB-G11" if not c.rule.endswith(("primary", "junior")) else "QB-R-CV",
            rule_words(c.rule),
            Num(c.value, _unit(c.rule)),
            c.status,
            Msg(
                "target {op} {target}",
                op=c.op.replace(">=", "≥").replace("<=", "≤"),
                target=Num(c.target, _unit(c.rule)),
            ),
        )
        for c in plan.checks
        if c.school_id is None
    ]
    moves: list[list[Value]] = [
        [
            m.teacher_id,
            names.get(m.from_school_id, m.from_school_id),
            names.get(m.to_school_id, m.to_school_id),
            Code("subject", m.subject),
            Code("backbone", m.level),
            round(m.km, 1),
            Msg("locked") if m.locked else "",
            m.why,
        ]
        for m in plan.moves
    ]
    school_rows: list[list[Value]] = [
        [
            r["name"],
            Code("education_stage", r["stage"]),
            int(r["eligible"]),
            int(r["out"]),
            int(r["in"]),
            r["staff_before"],
            r["staff_after"],
            r["shortage_before"],
            r["shortage_after"],
            r["r1_before"],
            r["r1_after"],
            r["r2_before"],
            r["r2_after"],
            r["r3_before"],
            r["r3_after"],
        ]
        for r in plan.schools.to_dict("records")
        if r["out"] or r["in"]
    ]
    cv_rows: list[list[Value]] = [
        [d["indicator"], Code("education_stage", d["stage"]), d["before"], d["after"], d["greedy"], d["target"]]
        for d in plan.cvs
    ]
    school_checks: list[list[Value]] = [
        [
            names.get(c.school_id or "", c.school_id),
            rule_words(c.rule),
            round(c.value, 4),
            c.target,
            Code("status", c.status),
        ]
        for c in plan.checks
        if c.school_id is not None
    ]
    return [
        Block(
            "teachers.rotation",
            Msg("Exchange rotation plan"),
            "第6、28条; RT; QB-G11",
            paragraphs=paragraphs,
            findings=findings,
            tables=[
                BlockTable(
                    Msg("Moves"),
                    [
                        BlockColumn("teacher", Msg("teacher")),
                        BlockColumn("from", Msg("from")),
                        BlockColumn("to", Msg("to")),
                        BlockColumn("subject", Msg("subject")),
                        BlockColumn("backbone", Msg("backbone")),
                        BlockColumn("km", Msg("distance"), "km"),
                        BlockColumn("locked", Msg("agreed")),
                        BlockColumn("why", Msg("why")),
                    ],
                    moves,
                    clause="RT",
                ),
                BlockTable(
                    Msg("Between-school CVs before and after"),
                    [
                        BlockColumn("indicator", Msg("indicator")),
                        BlockColumn("stage", Msg("stage")),
                        BlockColumn("before", Msg("before")),
                        BlockColumn("after", Msg("after")),
                        BlockColumn("greedy", Msg("greedy plan")),
                        BlockColumn("target", Msg("target")),
                    ],
                    cv_rows,
                    clause="QB-R-CV",
                ),
                BlockTable(
                    Msg("Schools the plan changes, before and after"),
                    [
                        BlockColumn("school", Msg("school")),
                        BlockColumn("stage", Msg("stage")),
                        BlockColumn("eligible", Msg("eligible"), "count"),
                        BlockColumn("out", Msg("sent"), "count"),
                        BlockColumn("in", Msg("received"), "count"),
                        BlockColumn("staff_before", Msg("staff before")),
                        BlockColumn("staff_after", Msg("staff after")),
                        BlockColumn("shortage_before", Msg("subject shortage before")),
                        BlockColumn("shortage_after", Msg("subject shortage after")),
                        BlockColumn("r1_before", Msg("QB-R1 before")),
                        BlockColumn("r1_after", Msg("QB-R1 after")),
                        BlockColumn("r2_before", Msg("QB-R2 before")),
                        BlockColumn("r2_after", Msg("QB-R2 after")),
                        BlockColumn("r3_before", Msg("QB-R3 before")),
                        BlockColumn("r3_after", Msg("QB-R3 after")),
                    ],
                    school_rows,
                    clause="QB-R",
                ),
                BlockTable(
                    Msg("Rules per school"),
                    [
                        BlockColumn("school", Msg("school")),
                        BlockColumn("rule", Msg("rule")),
                        BlockColumn("value", Msg("value")),
                        BlockColumn("target", Msg("target")),
                        BlockColumn("status", Msg("status")),
                    ],
                    school_checks,
                    clause="RT",
                ),
            ],
        )
    ]


def summary_lines(s: dict[str, Any]) -> list[str]:
    """The rotation's headline: moves, eligible, backbone, rules met, the gap and the greedy baseline."""
    if "rotation.moves" not in s:
        return []
    gap = s.get("rotation.gap")
    gap_text = f"{100 * gap:.2f}%" if isinstance(gap, (int, float)) else "—"
    return [
        f"教师交流轮岗 / exchange rotation: 交流 {s['rotation.moves']} 人 moves（骨干 backbone {s['rotation.backbone']}），"
        f"符合条件 eligible {s['rotation.eligible']}；规则达标 rules met {s['rotation.checks_met']}/{s['rotation.checks']}；"
        f"目标值 objective {s['rotation.objective']}（贪心 greedy {s['rotation.greedy_objective']}），间隙 gap {gap_text}"
    ]
