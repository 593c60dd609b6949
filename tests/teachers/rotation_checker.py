"""The independent checker of an exchange-rotation result (issue 13 item 3, 第6、28条, QB-G11, RT).

Written from the issue's rules alone, never from countyedu.teachers.rotation: it reads the result
only through its JSON contract (`census_version`, `year`, `params`, `eligible`, `moves`, `checks`,
`objective`, `bound`, `gap`), the census frames, and the staffing contract's per-school norms
(`schools: [{school_id, norm, actual, …}]`, with a `floor` where the staffing result gives one).

The rules checked (each violation names its rule, so a test can ask for the one it tampered with):

- ``move``: a move names a teacher of the census year once, from the teacher's own school to another
  open school, in the teacher's subject, and its backbone flag says what the census says;
- ``eligible``: the result's eligible list is exactly the full-time teachers with ≥ N years at their
  school (`eligible_years`, default 6), less those within K years of retirement in the school year of
  the moves (`exempt_years`, default 5; retirement ages by gender) and the personal exemptions sheet;
  every mover is eligible;
- ``share``: each urban (or strong) school moves ≥ 10% (`min_share`) of its eligible teachers
  (rounded up), when it has eligible teachers;
- ``backbone``: backbone teachers (county level or higher) are ≥ 20% (`backbone_share`) of the
  moved, or of the eligible when `backbone_denominator` is "eligible";
- ``direction``: urban → rural, strong → weak, or a central school → a village school or teaching
  point;
- ``subject``: the receiving school needs the subject: its net gain of the subject's teachers is no
  more than its shortage of that subject before the moves (the staffing by-subject shortage, rounded
  up), when the staffing result gives shortages by subject;
- ``norm``: no school that gains teachers ends over its norm; ``floor``: no school that loses
  teachers ends below its floor;
- ``lock``: every locked move (teacher → school) is in the moves; ``veto``: no vetoed pair is;
- ``gap``: objective, bound and gap agree (bound ≤ objective for a minimisation, gap ≥ 0 and
  = (objective − bound) / |objective|).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

COUNTY_OR_HIGHER = ("county", "city", "province", "national")
DEFAULTS: dict[str, Any] = {
    "eligible_years": 6,
    "exempt_years": 5,
    "retirement_age": {"male": 60, "female": 55},
    "min_share": 0.10,
    "backbone_share": 0.20,
    "backbone_denominator": "moved",
    "backbone_levels": list(COUNTY_OR_HIGHER),
    "move_rounding": "ceil",  # "at least 10%": a share of a school's eligible, rounded up
    "school_stages": None,  # the kinds of school that rotate (None: every kind)
    "central_same_township": False,  # a central school sends to its own township's village schools only
    "exempt_reasons": None,
    "year_of_moves": None,  # the school year the moves take effect (None: the census year + 1)  # the exemption sheet's reasons that exempt (None: every reason)
}
EPS = 1e-9


@dataclass(frozen=True)
class Violation:
    rule: str
    school_id: str | None
    detail: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.school_id or ''} {self.detail}".replace("  ", " ")


def _param(result: Mapping[str, Any], overrides: Mapping[str, Any], name: str, *aliases: str) -> Any:
    """A rule's parameter: the test's override, else the result's own params (under its name or an
    alias), else the issue's default."""
    if name in overrides:
        return overrides[name]
    prm = result.get("params") or {}
    for key in (name, *aliases):
        if key in prm and prm[key] is not None:
            return prm[key]
    return DEFAULTS[name]


def _ages(value: Any) -> dict[str, int]:
    if isinstance(value, Mapping):
        return {str(k): int(v) for k, v in value.items()}
    return {"male": int(value), "female": int(value)}


def check(
    result: Mapping[str, Any],
    frames: Mapping[str, pd.DataFrame],
    *,
    staffing: Mapping[str, Any] | None = None,
    locks: Iterable[tuple[str, str]] = (),
    vetoes: Iterable[tuple[str, str]] = (),
    strong: Iterable[str] = (),
    weak: Iterable[str] = (),
    declared_ok: bool = False,
    **overrides: Any,
) -> list[Violation]:
    """Every rule the result breaks (empty: it passes). `locks` and `vetoes` are (teacher_id,
    to_school_id) pairs the solver was given; `strong` / `weak` name the schools classed so (by QB-R
    score), besides urban / rural. With `declared_ok`, a 10% or backbone rule the result's own checks
    report `not_met` (a request no plan meets, explained) is not counted."""
    year = int(result["year"])
    out: list[Violation] = []
    t = frames["teachers"]
    now = t[t["year"] == year].set_index("teacher_id")
    schools = frames["schools"].set_index("school_id")
    strong_set, weak_set = set(strong), set(weak)
    levels = set(_param(result, overrides, "backbone_levels"))
    moves = list(result["moves"])

    out += _moves(moves, now, schools, year, levels)
    eligible = _eligible(now, frames, year, result, overrides)
    out += _eligibility(result, moves, eligible)
    out += _shares(moves, eligible, now, schools, strong_set, result, overrides)
    out += _backbone(moves, eligible, now, levels, result, overrides)
    same_township = bool(_param(result, overrides, "central_same_township"))
    out += _direction(moves, schools, strong_set, weak_set, same_township)
    if staffing is not None:
        out += _norms(moves, staffing)
    out += _locks(moves, locks, vetoes)
    out += _gap(result)
    if declared_ok:  # a rule the plan itself says it cannot meet (with its numbers) is no hidden breach
        out = [v for v in out if not _declared(result, v)]
    return out


def _declared(result: Mapping[str, Any], v: Violation) -> bool:
    """Whether the result's own checks say `not_met` for this violation's rule (and school)."""
    for c in result.get("checks") or []:
        if c.get("status") != "not_met":
            continue
        rule = str(c.get("rule") or "")
        if v.rule == "share" and rule == "move_share" and c.get("school_id") == v.school_id:
            return True
        if v.rule == "backbone" and "backbone" in rule:
            return True
    return False


def _moves(
    moves: list[Mapping[str, Any]], now: pd.DataFrame, schools: pd.DataFrame, year: int, levels: set[str]
) -> list[Violation]:
    out = []
    seen = Counter(m["teacher_id"] for m in moves)
    for tid, n in seen.items():
        if n > 1:
            out.append(Violation("move", None, f"teacher {tid} moves {n} times"))
    for m in moves:
        tid, a, b = m["teacher_id"], m["from_school_id"], m["to_school_id"]
        if tid not in now.index:
            out.append(Violation("move", a, f"teacher {tid} is not in the census of {year}"))
            continue
        row = now.loc[tid]
        if row["school_id"] != a:
            out.append(Violation("move", a, f"teacher {tid} is at {row['school_id']}, not {a}"))
        if a == b:
            out.append(Violation("move", a, f"teacher {tid} moves to the own school"))
        closed = schools["closed_year"].get(b) if "closed_year" in schools.columns else None
        if b not in schools.index or (closed is not None and not pd.isna(closed) and int(closed) <= year):
            out.append(Violation("move", b, f"teacher {tid} moves to {b}, not an open school"))
        if m["subject"] != row["subject"]:
            out.append(Violation("move", a, f"teacher {tid} teaches {row['subject']}, not {m['subject']}"))
        if bool(m["backbone"]) != (row["backbone"] in levels):
            out.append(
                Violation("move", a, f"teacher {tid}'s backbone flag is {m['backbone']}, census {row['backbone']}")
            )
    return out


def _eligible(
    now: pd.DataFrame,
    frames: Mapping[str, pd.DataFrame],
    year: int,
    result: Mapping[str, Any],
    overrides: Mapping[str, Any],
) -> set[str]:
    n_years = int(_param(result, overrides, "eligible_years", "min_years_at_school"))
    k_years = int(
        _param(result, overrides, "exempt_years", "exempt_years_before_retirement", "retirement_exempt_years")
    )
    ages = _ages(_param(result, overrides, "retirement_age", "retirement_ages"))
    ft = now[now["full_time"].astype(bool) & (now["years_at_school"] >= n_years)]
    kinds = _param(result, overrides, "school_stages")
    if kinds is not None:
        stage = ft["school_id"].map(frames["schools"].set_index("school_id")["stage"])
        ft = ft[stage.isin(list(kinds))]
    retire_at = ft["gender"].map(ages).fillna(max(ages.values()))
    # the moves are for the coming school year: a teacher's age then decides the exemption
    moves_year = (
        int(_param(result, overrides, "year_of_moves")) if _param(result, overrides, "year_of_moves") else year + 1
    )
    to_retire = retire_at - (moves_year - ft["birth_year"])
    ok = set(ft.index[to_retire > k_years])
    ex = frames.get("rotation_exemptions", frames.get("exemptions"))
    if ex is not None and len(ex):
        if "year" in ex.columns:  # an exemption of the census year (or of every year)
            ex = ex[ex["year"].isna() | (ex["year"] == year)]
        reasons = _param(result, overrides, "exempt_reasons")
        if reasons is not None and "reason" in ex.columns:
            ex = ex[ex["reason"].isin(list(reasons))]
        ok -= set(ex["teacher_id"])
    return ok


def _eligibility(result: Mapping[str, Any], moves: list[Mapping[str, Any]], eligible: set[str]) -> list[Violation]:
    out = []
    listed = set(result["eligible"])
    for tid in sorted(listed - eligible):
        out.append(Violation("eligible", None, f"teacher {tid} is listed eligible but is not"))
    for tid in sorted(eligible - listed):
        out.append(Violation("eligible", None, f"teacher {tid} is eligible but not listed"))
    for m in moves:
        if m["teacher_id"] not in eligible:
            out.append(
                Violation("eligible", m["from_school_id"], f"teacher {m['teacher_id']} moves but is not eligible")
            )
    return out


def _shares(
    moves: list[Mapping[str, Any]],
    eligible: set[str],
    now: pd.DataFrame,
    schools: pd.DataFrame,
    strong: set[str],
    result: Mapping[str, Any],
    overrides: Mapping[str, Any],
) -> list[Violation]:
    share = float(_param(result, overrides, "min_share", "move_share"))
    rounding = {"ceil": lambda x: math.ceil(x - EPS), "floor": lambda x: math.floor(x + EPS), "round": _half_up}[
        str(_param(result, overrides, "move_rounding"))
    ]
    per_school = Counter(now.loc[sorted(eligible), "school_id"]) if eligible else Counter()
    moved = Counter(m["from_school_id"] for m in moves)
    out = []
    for sid, e in sorted(per_school.items()):
        if sid not in schools.index or not (bool(schools.at[sid, "urban"]) or sid in strong):
            continue
        need = rounding(share * e)
        if moved[sid] < need:
            out.append(Violation("share", sid, f"moves {moved[sid]} of {e} eligible, needs ≥ {need}"))
    return out


def _backbone(
    moves: list[Mapping[str, Any]],
    eligible: set[str],
    now: pd.DataFrame,
    levels: set[str],
    result: Mapping[str, Any],
    overrides: Mapping[str, Any],
) -> list[Violation]:
    share = float(_param(result, overrides, "backbone_share", "min_backbone_share"))
    denominator = str(_param(result, overrides, "backbone_denominator", "backbone_of"))
    if not moves:
        return []
    bb = sum(1 for m in moves if m["teacher_id"] in now.index and now.at[m["teacher_id"], "backbone"] in levels)
    base = len(eligible) if denominator == "eligible" else len(moves)
    need = math.ceil(share * base - EPS)
    if bb < need:
        return [
            Violation(
                "backbone", None, f"{bb} backbone teachers among {len(moves)} moves, needs ≥ {need} ({denominator})"
            )
        ]
    return []


def _half_up(x: float) -> int:
    return math.floor(x + 0.5 + EPS)


def _kind(schools: pd.DataFrame, sid: str) -> tuple[bool, bool, bool]:
    """urban, central, village (a rural non-central school or a teaching point)."""
    s = schools.loc[sid]
    urban, central = bool(s["urban"]), bool(s.get("central", False))
    village = s["stage"] == "teaching_point" or (not urban and not central)
    return urban, central, village


def _direction(
    moves: list[Mapping[str, Any]], schools: pd.DataFrame, strong: set[str], weak: set[str], same_township: bool
) -> list[Violation]:
    out = []
    for m in moves:
        a, b = m["from_school_id"], m["to_school_id"]
        if a not in schools.index or b not in schools.index:
            continue
        ua, ca, _va = _kind(schools, a)
        ub, _cb, vb = _kind(schools, b)
        township = "township_id" not in schools.columns or schools.at[a, "township_id"] == schools.at[b, "township_id"]
        if (ua and not ub) or (a in strong and b in weak) or (ca and vb and (township or not same_township)):
            continue
        out.append(
            Violation(
                "direction",
                a,
                f"teacher {m['teacher_id']} moves {a} → {b}: not urban → rural, strong → weak nor central → village",
            )
        )
    return out


def _norms(moves: list[Mapping[str, Any]], staffing: Mapping[str, Any]) -> list[Violation]:
    rows: dict[str, dict[str, Any]] = {}
    for r in staffing["schools"]:  # a school of several stages has a row per stage: summed
        acc = rows.setdefault(r["school_id"], {"norm": 0.0, "actual": 0.0, "floor": None})
        acc["norm"] += float(r["norm"])
        acc["actual"] += float(r["actual"])
        if r.get("floor") is not None:
            acc["floor"] = (acc["floor"] or 0.0) + float(r["floor"])
    net = Counter()
    for m in moves:
        net[m["from_school_id"]] -= 1
        net[m["to_school_id"]] += 1
    out = []
    for sid, d in sorted(net.items()):
        r = rows.get(sid)
        if r is None or d == 0:
            continue
        after = r["actual"] + d
        if d > 0 and after > r["norm"] + EPS:
            out.append(Violation("norm", sid, f"ends with {after:g} teachers over its norm {r['norm']:g}"))
        if d < 0 and r["floor"] is not None and after < r["floor"] - EPS:
            out.append(Violation("floor", sid, f"ends with {after:g} teachers below its floor {r['floor']:g}"))
    shortages = staffing.get("subjects")  # [{school_id, subject, shortage}] when the staffing result has them
    if shortages is not None:
        short: Counter[tuple[str, str]] = Counter()
        for r in shortages:
            short[(r["school_id"], r["subject"])] += float(r.get("shortage") or 0)
        gain: Counter[tuple[str, str]] = Counter()
        for m in moves:
            gain[(m["to_school_id"], m["subject"])] += 1
            gain[(m["from_school_id"], m["subject"])] -= 1
        for (sid, subject), g in sorted(gain.items()):
            if g > 0 and g > math.ceil(short[(sid, subject)] - EPS):
                out.append(
                    Violation("subject", sid, f"gains {g} {subject} teachers, short of {short[(sid, subject)]:g}")
                )
    return out


def _locks(
    moves: list[Mapping[str, Any]], locks: Iterable[tuple[str, str]], vetoes: Iterable[tuple[str, str]]
) -> list[Violation]:
    pairs = {(m["teacher_id"], m["to_school_id"]) for m in moves}
    out = [Violation("lock", b, f"locked move {tid} → {b} is missing") for tid, b in locks if (tid, b) not in pairs]
    out += [Violation("veto", b, f"vetoed move {tid} → {b} is in the plan") for tid, b in vetoes if (tid, b) in pairs]
    return out


def _gap(result: Mapping[str, Any]) -> list[Violation]:
    obj, bound, gap = result.get("objective"), result.get("bound"), result.get("gap")
    if obj is None or bound is None or gap is None:
        return []
    obj, bound, gap = float(obj), float(bound), float(gap)
    out = []
    if bound > obj + 1e-6 * max(1.0, abs(obj)):
        out.append(Violation("gap", None, f"bound {bound:g} is above the objective {obj:g}"))
    expect = (obj - bound) / abs(obj) if abs(obj) > EPS else 0.0
    if gap < -EPS or abs(gap - expect) > 1e-6 + 1e-3 * abs(expect):
        out.append(Violation("gap", None, f"gap {gap:g} is not (objective − bound) / |objective| = {expect:g}"))
    return out


def assert_passes(result: Mapping[str, Any], frames: Mapping[str, pd.DataFrame], **kwargs: Any) -> None:
    """Fail the test with every violation found."""
    found = check(result, frames, **kwargs)
    assert not found, "the rotation breaks its rules:\n" + "\n".join(map(str, found))
