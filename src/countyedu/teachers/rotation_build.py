"""From the county to the rotation model and back: who may go where, the rules' numbers, the checks
before solving that explain an impossible request, and the plan's moves, checks and figures."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from countyedu.indicators.engine import weighted_cv
from countyedu.messages import Code, Msg, Num
from countyedu.teachers.rotation_model import BackboneRule, Problem, Solution, Term, greedy, solve
from countyedu.teachers.rotation_plan import (
    CV_TARGETS,
    EPS,
    INDICATORS,
    Check,
    County,
    Move,
    RotationInfeasible,
    RotationParams,
    RotationPlan,
    _counts,
    _value,
)


def _round(x: float, how: str) -> int:
    if how == "ceil":
        return math.ceil(x - EPS)
    if how == "floor":
        return math.floor(x + EPS)
    return math.floor(x + 0.5 + EPS)


def direction(a: Any, b: Any, p: RotationParams) -> str | None:
    """Why a may send a teacher to b (RT): urban_rural, strong_weak, central_village, or None."""
    if a["urban"] and not b["urban"]:
        return "urban_rural"
    if a["strong"] and b["weak"]:
        return "strong_weak"
    village = b["village"] or b["stage"] == "teaching_point"
    if a["central"] and village and (not p.central_same_township or a["township_id"] == b["township_id"]):
        return "central_village"
    return None


class Builder:
    """The numbers of one rotation request."""

    def __init__(
        self,
        county: County,
        p: RotationParams,
        locks: list[tuple[str, str]],
        vetoes: list[tuple[str, str]],
        distance: Callable[..., Any],
    ) -> None:
        self.c, self.p, self.locks, self.vetoes = county, p, locks, vetoes
        s = county.schools
        self.ids: list[str] = list(s.index)
        self.index = {sid: i for i, sid in enumerate(self.ids)}
        self.distance = distance
        t = county.teachers
        self.eligible = t[t["eligible"]]
        self.elig_count = self.eligible.groupby("school_id").size().to_dict()
        self.rule_schools = [
            sid for sid in self.ids if (s.at[sid, "urban"] or s.at[sid, "strong"]) and self.elig_count.get(sid, 0) > 0
        ]
        self.required = {sid: _round(p.move_share * self.elig_count[sid], p.move_rounding) for sid in self.rule_schools}
        self.cap = {
            (sid, j): max(1, math.floor(v + 0.5 + EPS))
            for (sid, j), v in county.shortage.items()
            if v >= p.subject_need_min - EPS and v > EPS
        }
        self.receivers = [
            sid for sid in self.ids if s.at[sid, "rotates"] and s.at[sid, "actual"] < s.at[sid, "norm"] - EPS
        ]

    # -------------------------------------------------------------- who may go where
    def targets(self, sid: str, subject: str, parts: tuple[str, ...]) -> list[tuple[str, str]]:
        """(school, direction) a teacher of `sid` and `subject` may go to."""
        rec = self._records()
        a = rec[sid]
        out = []
        for b in self.receivers:
            if b == sid or (b, subject) not in self.cap or not set(parts) & set(rec[b]["parts"]):
                continue
            why = direction(a, rec[b], self.p)
            if why:
                out.append((b, why))
        return out

    def _records(self) -> dict[str, dict[str, Any]]:
        """Each school's row as a dict (read once: a pandas row per pair is slow)."""
        if not hasattr(self, "_rec"):
            self._rec = {sid: r for sid, r in zip(self.ids, self.c.schools.to_dict("records"), strict=True)}
        return self._rec

    def problem(self) -> tuple[Problem, list[list[pd.Series]], list[tuple[int, int, str]]]:
        """The model, each class's teachers (longest at the school first) and each pair's
        (class, school, direction)."""
        c, p, s = self.c, self.p, self.c.schools
        locked = dict(self.locks)
        vetoed: dict[str, set[str]] = defaultdict(set)
        for tid, sid in self.vetoes:
            vetoed[tid].add(sid)
        senders = [sid for sid in self.ids if s.at[sid, "urban"] or s.at[sid, "strong"] or s.at[sid, "central"]]
        movable = self.eligible[self.eligible["school_id"].isin(senders)]
        movable = movable.sort_values(["school_id", "years_at_school", "teacher_id"], ascending=[True, False, True])
        groups: dict[Any, list[pd.Series]] = defaultdict(list)
        for _, t in movable.iterrows():
            tid = str(t["teacher_id"])
            key: Any = (t["school_id"], t["subject"], bool(t["bb"]), t["keys"])
            if tid in locked or tid in vetoed:
                key = ("one", tid)
            groups[key].append(t)
        members = list(groups.values())
        pr = Problem(
            actual=list(s["actual"]),
            norm=list(s["norm"]),
            floor=list(s["floor"]),
            cls_school=[self.index[g[0]["school_id"]] for g in members],
            cls_size=[len(g) for g in members],
            cls_subject=[str(g[0]["subject"]) for g in members],
            cls_backbone=[bool(g[0]["bb"]) for g in members],
            cls_keys=[g[0]["keys"] for g in members],
            pair_cls=[],
            pair_to=[],
            pair_km=[],
            pair_lb=[],
            cap={(self.index[sid], j): n for (sid, j), n in self.cap.items()},
            posts={(self.index[sid], j): v for (sid, j), v in c.posts.items()},
            have={(self.index[sid], j): v for (sid, j), v in c.have.items()},
            terms=self._terms(),
            required={self.index[sid]: n for sid, n in self.required.items()},
            most={
                self.index[sid]: max(self.required.get(sid, 0), math.floor(p.max_move_share * n + EPS))
                for sid, n in self.elig_count.items()
            },
            backbone=[],
            w_cv=p.w_cv,
            w_short=p.w_short,
            w_km=p.w_km,
            w_move=p.w_move,
        )
        pair_info: list[tuple[int, int, str]] = []
        lat, lon = s["lat"].to_numpy(float), s["lon"].to_numpy(float)
        for k, g in enumerate(members):
            t = g[0]
            a = t["school_id"]
            tid = str(t["teacher_id"])
            i = self.index[a]
            options = []
            for b, why in self.targets(a, str(t["subject"]), s.at[a, "parts"]):
                if len(g) == 1 and b in vetoed.get(tid, set()):
                    continue
                j = self.index[b]
                km = float(self.distance(lat[i], lon[i], lat[j], lon[j]))
                options.append((0.0 if math.isnan(km) else km, j, b, why))
            options.sort(key=lambda o: o[0])
            # the nearest `max_targets` receiving schools (and a locked one wherever it is)
            near = options[: p.max_targets] + [o for o in options[p.max_targets :] if locked.get(tid) == o[2]]
            for km, j, b, why in near:
                pr.pair_cls.append(k)
                pr.pair_to.append(j)
                pr.pair_km.append(km)
                pr.pair_lb.append(1 if locked.get(tid) == b and len(g) == 1 else 0)
                pair_info.append((k, j, why))
        pr.backbone = self._backbone_rules(members)
        pr.receivers = {self.index[b] for b in self.receivers}
        pr.senders = {self.index[a] for a in senders}
        return pr, members, pair_info

    def _terms(self) -> list[Term]:
        """Each in-scope school part's squared deviation per QB-R indicator, around the mean before."""
        c = self.c
        counts = _counts(c.teachers)
        terms = []
        for k in INDICATORS:
            for part in self.p.stages:
                rows = [(sid, r) for sid, r in c.schools.iterrows() if part in r["cv_parts"]]
                n = sum(c.part_pupils[(sid, part)] for sid, _ in rows)
                if not rows or n <= 0:
                    continue
                mean = (
                    sum(
                        c.part_pupils[(sid, part)] * _value(counts.get((sid, k, part), 0), r["school_pupils"])
                        for sid, r in rows
                    )
                    / n
                )
                if mean <= 0:
                    continue
                for sid, r in rows:
                    terms.append(
                        Term(
                            self.index[sid],
                            (k, part),
                            counts.get((sid, k, part), 0),
                            c.part_pupils[(sid, part)] / n / mean**2,
                            100.0 / r["school_pupils"],
                            mean,
                        )
                    )
        return terms

    def _backbone_rules(self, members: list[list[pd.Series]]) -> list[BackboneRule]:
        p, s = self.p, self.c.schools
        units: dict[str, list[int]] = defaultdict(list)
        for k, g in enumerate(members):
            sid = g[0]["school_id"]
            unit = {"county": "county", "township": s.at[sid, "township_id"], "school": sid}[p.backbone_scope]
            units[str(unit)].append(k)
        rules = []
        for unit, cls in units.items():
            need = None
            if p.backbone_of == "eligible":
                elig = self._eligible_of(unit)
                need = math.ceil(p.backbone_share * elig - EPS)
            rules.append(BackboneRule(unit, tuple(cls), p.backbone_share, need))
        return rules

    def _eligible_of(self, unit: str) -> int:
        """Eligible teachers of the rule's schools in a backbone unit (the denominator "eligible")."""
        s = self.c.schools
        if self.p.backbone_scope == "county":
            return sum(self.elig_count.get(sid, 0) for sid in self.rule_schools)
        if self.p.backbone_scope == "township":
            return sum(self.elig_count.get(sid, 0) for sid in self.rule_schools if s.at[sid, "township_id"] == unit)
        return self.elig_count.get(unit, 0) if unit in self.rule_schools else 0

    # -------------------------------------------------------------- an impossible request, in numbers
    def reasons(self, pr: Problem, members: list[list[pd.Series]]) -> list[Msg]:
        """The rules no plan can meet, with the numbers (checked before solving)."""
        s, out = self.c.schools, []
        pairs_of: dict[int, set[int]] = defaultdict(set)
        for e, k in enumerate(pr.pair_cls):
            pairs_of[k].add(pr.pair_to[e])
        for sid, need in self.required.items():
            i = self.index[sid]
            can = sum(len(g) for k, g in enumerate(members) if pr.cls_school[k] == i and pairs_of.get(k))
            room = math.floor(s.at[sid, "actual"] - s.at[sid, "floor"] + EPS)
            if can < need:
                out.append(
                    Msg(
                        "{school} must move {need} of its {eligible} eligible teachers; only {can} of them teach a"
                        " subject a receiving school is short of",
                        school=s.at[sid, "name"],
                        need=need,
                        eligible=self.elig_count[sid],
                        can=can,
                    )
                )
            if room < need:
                out.append(
                    Msg(
                        "{school} must move {need} teachers, but with {staff} teachers against its floor of {floor}"
                        " it can spare {room}",
                        school=s.at[sid, "name"],
                        need=need,
                        staff=Num(s.at[sid, "actual"], ""),
                        floor=Num(s.at[sid, "floor"], ""),
                        room=max(room, 0),
                    )
                )
        for rule in pr.backbone:
            have = sum(pr.cls_size[k] for k in rule.classes if pr.cls_backbone[k] and pairs_of.get(k))
            moved = sum(self.required.get(sid, 0) for sid in self._unit_schools(rule.unit))
            need = rule.need if rule.need is not None else math.ceil(rule.share * moved - EPS)
            if have < need:
                out.append(
                    Msg(
                        "{unit} needs {need} backbone moves, only {have} backbone teachers are eligible",
                        unit=self._unit_name(rule.unit),
                        need=need,
                        have=have,
                    )
                )
        total = sum(self.required.values())
        room = sum(
            max(0, math.floor(s.at[b, "norm"] - s.at[b, "actual"] + EPS))
            for b in self.receivers
            if any(self._reachable(a, b) for a in self.rule_schools)
        )
        if room < total:
            out.append(
                Msg(
                    "the rules need {need} moves; the schools that may receive them have room for {room} teachers"
                    " under their norms",
                    need=total,
                    room=room,
                )
            )
        return out

    def elastic_reasons(self, pr: Problem) -> list[Msg]:
        """Which rules stay short when every rule may (at a high price), and by how much: the rules
        together leave no plan although each alone could be met."""
        el = solve(pr, time_limit=self.p.time_limit_s, rel_gap=self.p.gap, elastic=True)
        s, out = self.c.schools, []
        for key, v in el.short.items():
            kind, n = key.split(":", 1)
            if kind == "school":
                sid = self.ids[int(n)]
                need = self.required[sid]
                out.append(
                    Msg(
                        "{school} must move {need} of its {eligible} eligible teachers; with the other schools' moves,"
                        " the receiving schools' norms and subject needs, at most {can} can go",
                        school=s.at[sid, "name"],
                        need=need,
                        eligible=self.elig_count[sid],
                        can=max(0, need - math.ceil(v - 1e-6)),
                    )
                )
            else:
                rule = pr.backbone[int(n)]
                out.append(
                    Msg(
                        "{unit}: the backbone share of the moves stays short by {short} backbone teachers",
                        unit=self._unit_name(rule.unit),
                        short=math.ceil(v - 1e-6),
                    )
                )
        return out or [Msg("the rules together leave no plan ({status})", status=el.status)]

    def _reachable(self, a: str, b: str) -> bool:
        s = self.c.schools
        return (
            a != b
            and bool(set(s.at[a, "parts"]) & set(s.at[b, "parts"]))
            and bool(direction(s.loc[a], s.loc[b], self.p))
        )

    def _unit_schools(self, unit: str) -> list[str]:
        s = self.c.schools
        if self.p.backbone_scope == "county":
            return list(self.rule_schools)
        if self.p.backbone_scope == "township":
            return [sid for sid in self.rule_schools if s.at[sid, "township_id"] == unit]
        return [unit] if unit in self.rule_schools else []

    def _unit_name(self, unit: str) -> Any:
        if self.p.backbone_scope == "county":
            return Msg("the county")
        if self.p.backbone_scope == "school":
            return self.c.schools.at[unit, "name"]
        return self.c.township_names.get(unit, unit)

    def _lock_reasons(self) -> list[Msg]:
        s, t, out = self.c.schools, self.c.teachers.set_index("teacher_id"), []
        for tid, sid in self.locks:
            if tid not in t.index:
                out.append(Msg("locked move of {teacher}: no such teacher in the rotation's schools", teacher=tid))
                continue
            if sid not in s.index:
                out.append(Msg("locked move of {teacher}: no such school {school}", teacher=tid, school=sid))
                continue
            r = t.loc[tid]
            if not r["eligible"]:
                out.append(Msg("locked move of {teacher}: not eligible ({why})", teacher=tid, why=_reason(r["reason"])))
                continue
            if (tid, sid) in set(self.vetoes):
                out.append(Msg("{teacher} → {school} is both locked and vetoed", teacher=tid, school=s.at[sid, "name"]))
                continue
            a = r["school_id"]
            ok = any(b == sid for b, _ in self.targets(a, str(r["subject"]), s.at[a, "parts"]))
            if not ok:
                out.append(
                    Msg(
                        "locked move of {teacher} to {school}: not allowed (the direction urban → rural, strong → weak"
                        " or central → village, the school's norm, or its need of {subject})",
                        teacher=tid,
                        school=s.at[sid, "name"],
                        subject=Code("subject", str(r["subject"])),
                    )
                )
        return out


def _reason(code: str) -> Msg | Code:
    if code.startswith("exempt:"):
        return Code("rotation_exemption_reason", code.split(":", 1)[1])
    return {
        "part_time": Msg("not a full-time teacher"),
        "years": Msg("fewer years at the school than required"),
        "near_retirement": Msg("close to retirement"),
        "school_stage": Msg("a school outside the rotation"),
    }.get(code, Msg("eligible"))


# ---------------------------------------------------------------------- the plan out of a solution
def build(
    county: County,
    p: RotationParams,
    locks: list[tuple[str, str]],
    vetoes: list[tuple[str, str]],
    distance: Callable[..., Any],
    strict: bool = False,
) -> RotationPlan:
    """Solve the request (and the greedy baseline) and make the plan. A lock that cannot be kept always
    raises RotationInfeasible; when the 10 % or backbone rules cannot all be met, `strict` raises it
    too, otherwise the plan meets as much of them as it can (the least shortfall, found first) and
    says why the rest cannot be met (`RotationPlan.shortfalls`, the checks not met)."""
    b = Builder(county, p, locks, vetoes, distance)
    pr, members, pair_info = b.problem()
    bad_locks = b._lock_reasons()
    if bad_locks:
        raise RotationInfeasible(bad_locks)
    reasons = b.reasons(pr, members)
    sol = base = None
    if not reasons:
        base = greedy(pr)
        sol = _solve(pr, p, base)
    if sol is None or sol.status not in ("optimal", "feasible"):
        if not reasons:
            reasons = b.elastic_reasons(pr)
        if strict:
            raise RotationInfeasible(reasons)
        _relax(pr, solve(pr, time_limit=p.time_limit_s, rel_gap=p.gap, elastic=True))
        base = greedy(pr)
        sol = _solve(pr, p, base)
        if sol.status not in ("optimal", "feasible"):
            raise RotationInfeasible(reasons)
    assert base is not None
    plan = _plan(b, pr, members, pair_info, sol, base)
    plan.shortfalls = reasons
    return plan


def _solve(pr: Problem, p: RotationParams, base: Solution) -> Solution:
    """The programme, started from the greedy plan when that meets the rules."""
    start = base.y if _greedy_meets(pr, base) else None
    return solve(pr, time_limit=p.time_limit_s, rel_gap=p.gap, start_y=start)


def _relax(pr: Problem, el: Solution) -> None:
    """Lower each rule the elastic solve left short to what it reached (the least shortfall)."""
    for key, v in el.short.items():
        kind, n = key.split(":", 1)
        if kind == "school":
            i = int(n)
            pr.required[i] = max(0, pr.required[i] - math.ceil(v - 1e-6))
        else:
            r = pr.backbone[int(n)]
            pr.backbone[int(n)] = BackboneRule(r.unit, r.classes, r.share, r.need, r.slack + v + 1e-6)


def _plan(
    b: Builder,
    pr: Problem,
    members: list[list[pd.Series]],
    pair_info: list[tuple[int, int, str]],
    sol: Solution,
    base: Solution,
) -> RotationPlan:
    c, p, s = b.c, b.p, b.c.schools
    locked = set(b.locks)
    moves: list[Move] = []
    used = [0] * len(members)
    # locked moves first, then each class's teachers longest at the school first
    order = sorted(range(len(sol.y)), key=lambda e: -pr.pair_lb[e])
    for e in order:
        for _ in range(int(sol.y[e])):
            k, j, why = pair_info[e]
            t = members[k][used[k]]
            used[k] += 1
            a, to = str(t["school_id"]), b.ids[j]
            moves.append(
                Move(
                    str(t["teacher_id"]),
                    a,
                    to,
                    str(t["subject"]),
                    bool(t["bb"]),
                    str(t["backbone"]),
                    pr.pair_km[e],
                    (str(t["teacher_id"]), to) in locked,
                    _why(c, a, to, str(t["subject"]), why, bool(t["bb"])),
                )
            )
    moves.sort(key=lambda m: (b.index[m.from_school_id], m.teacher_id))
    schools, cvs = _before_after(c, p, moves, pr, base, b)
    checks = _checks(b, moves, cvs)
    params = {**p.model_dump(), "year_of_moves": c.year + 1}
    exempt = [
        {"teacher_id": str(r.teacher_id), "school_id": str(r.school_id), "reason": r.reason.split(":", 1)[1]}
        for r in c.teachers.itertuples()
        if r.reason.startswith("exempt:")
    ]
    greedy_moves = int(np.sum(base.y))
    return RotationPlan(
        year=c.year,
        params=params,
        eligible=sorted(str(x) for x in b.eligible["teacher_id"]),
        exempt=exempt,
        moves=moves,
        checks=checks,
        schools=schools,
        cvs=cvs,
        objective=sol.objective,
        bound=sol.bound,
        gap=sol.gap,
        status=sol.status,
        seconds=sol.seconds,
        greedy={
            "objective": round(base.objective, 4),
            "moves": greedy_moves,
            "seconds": round(base.seconds, 3),
            "meets_rules": _greedy_meets(pr, base),
        },
        names={**{sid: str(s.at[sid, "name"]) for sid in s.index}, **c.township_names},
        locks=b.locks,
        vetoes=b.vetoes,
    )


def _greedy_meets(pr: Problem, base: Solution) -> bool:
    out: dict[int, int] = defaultdict(int)
    for e in np.nonzero(base.y)[0]:
        out[pr.cls_school[pr.pair_cls[e]]] += int(base.y[e])
    if any(out[i] < n for i, n in pr.required.items()):
        return False
    for rule in pr.backbone:
        members = set(rule.classes)
        moved = sum(int(base.y[e]) for e, k in enumerate(pr.pair_cls) if k in members)
        bb = sum(int(base.y[e]) for e, k in enumerate(pr.pair_cls) if k in members and pr.cls_backbone[k])
        need = rule.need if rule.need is not None else rule.share * moved
        if bb < need - EPS:
            return False
    return True


def _why(c: County, a: str, to: str, subject: str, why: str, backbone: bool) -> Msg:
    s = c.schools
    dir_msg = {
        "urban_rural": Msg("urban → rural"),
        "strong_weak": Msg(
            "strong → weak (QB-R score {a} → {b})",
            a=Num(s.at[a, "score"] or 0.0, "", 2),
            b=Num(s.at[to, "score"] or 0.0, "", 2),
        ),
        "central_village": Msg("central school → village school"),
    }[why]
    short = Num(c.shortage.get((to, subject), 0.0), "", 1)
    if backbone:
        return Msg(
            "{direction}; {school} is short of {subject} by {short} posts; a backbone teacher",
            direction=dir_msg,
            school=s.at[to, "name"],
            subject=Code("subject", subject),
            short=short,
        )
    return Msg(
        "{direction}; {school} is short of {subject} by {short} posts",
        direction=dir_msg,
        school=s.at[to, "name"],
        subject=Code("subject", subject),
        short=short,
    )


def _before_after(
    c: County, p: RotationParams, moves: list[Move], pr: Problem, base: Solution, b: Builder
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Per school and part, staff, subject shortage and QB-R1–R3 before and after; the CVs."""
    s = c.schools
    t = c.teachers.set_index("teacher_id")
    before = _counts(c.teachers)
    after = dict(before)
    staff = dict(zip(s.index, s["actual"], strict=True))
    staff_after = dict(staff)
    have = dict(c.have)
    for m in moves:
        staff_after[m.from_school_id] -= 1
        staff_after[m.to_school_id] += 1
        have[(m.from_school_id, m.subject)] = have.get((m.from_school_id, m.subject), 0.0) - 1
        have[(m.to_school_id, m.subject)] = have.get((m.to_school_id, m.subject), 0.0) + 1
        for k, part in t.at[m.teacher_id, "keys"]:
            after[(m.from_school_id, k, part)] = after.get((m.from_school_id, k, part), 0) - 1
            after[(m.to_school_id, k, part)] = after.get((m.to_school_id, k, part), 0) + 1
    short_before: dict[str, float] = defaultdict(float)
    short_after: dict[str, float] = defaultdict(float)
    for (sid, j), posts in c.posts.items():
        short_before[sid] += max(0.0, posts - c.have.get((sid, j), 0.0))
        short_after[sid] += max(0.0, posts - have.get((sid, j), 0.0))
    moved_out: dict[str, int] = defaultdict(int)
    moved_in: dict[str, int] = defaultdict(int)
    for m in moves:
        moved_out[m.from_school_id] += 1
        moved_in[m.to_school_id] += 1
    rows = []
    for sid, r in s.iterrows():
        for part in r["parts"]:
            row: dict[str, Any] = {
                "school_id": sid,
                "name": r["name"],
                "stage": part,
                "urban": bool(r["urban"]),
                "strong": bool(r["strong"]),
                "weak": bool(r["weak"]),
                "score": r["score"],
                "eligible": b.elig_count.get(sid, 0),
                "out": moved_out[sid],
                "in": moved_in[sid],
                "norm": r["norm"],
                "floor": r["floor"],
                "staff_before": round(staff[sid], 2),
                "staff_after": round(staff_after[sid], 2),
                "shortage_before": round(short_before[sid], 2),
                "shortage_after": round(short_after[sid], 2),
                "in_cv": part in r["cv_parts"],
            }
            for k in INDICATORS:
                tag = k[-2:].lower()
                row[f"{tag}_before"] = round(_value(before.get((sid, k, part), 0), r["school_pupils"]), 3)
                row[f"{tag}_after"] = round(_value(after.get((sid, k, part), 0), r["school_pupils"]), 3)
            rows.append(row)
    table = pd.DataFrame(rows)
    greedy_after = _greedy_counts(c, pr, base, b, before)
    cvs = []
    for k in INDICATORS:
        tag = k[-2:].lower()
        for part in p.stages:
            g = table[(table["stage"] == part) & table["in_cv"]] if len(table) else table
            if not len(g):
                continue
            w = np.array([c.part_pupils[(sid, part)] for sid in g["school_id"]])
            sp = np.array([s.at[sid, "school_pupils"] for sid in g["school_id"]])
            gv = np.array(
                [100.0 * greedy_after.get((sid, k, part), 0) / n for sid, n in zip(g["school_id"], sp, strict=False)]
            )
            cvs.append(
                {
                    "indicator": k,
                    "stage": part,
                    "before": _r(weighted_cv(g[f"{tag}_before"].to_numpy(float), w)),
                    "after": _r(weighted_cv(g[f"{tag}_after"].to_numpy(float), w)),
                    "greedy": _r(weighted_cv(gv, w)),
                    "target": CV_TARGETS.get(part),
                }
            )
    return table, cvs


def _r(x: float) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(float(x), 4)


def _greedy_counts(
    c: County, pr: Problem, base: Solution, b: Builder, before: dict[tuple[str, str, str], int]
) -> dict[tuple[str, str, str], int]:
    out = dict(before)
    for e in np.nonzero(base.y)[0]:
        k = pr.pair_cls[e]
        a, to, n = b.ids[pr.cls_school[k]], b.ids[pr.pair_to[e]], int(base.y[e])
        for key, part in pr.cls_keys[k]:
            out[(a, key, part)] = out.get((a, key, part), 0) - n
            out[(to, key, part)] = out.get((to, key, part), 0) + n
    return out


def _checks(b: Builder, moves: list[Move], cvs: list[dict[str, Any]]) -> list[Check]:
    """Every rule with its value, target and status."""
    _c, p, s = b.c, b.p, b.c.schools
    out: list[Check] = []

    def add(rule: str, school: str | None, value: float, target: float, op: str = ">=") -> None:
        ok = value >= target - EPS if op == ">=" else value <= target + EPS
        out.append(Check(rule, school, value, target, "met" if ok else "not_met", op))

    moved_out: dict[str, int] = defaultdict(int)
    moved_in: dict[str, int] = defaultdict(int)
    for m in moves:
        moved_out[m.from_school_id] += 1
        moved_in[m.to_school_id] += 1
    for sid in b.rule_schools:
        add("move_share", sid, moved_out[sid] / b.elig_count[sid], p.move_share)
    elig_rule = sum(b.elig_count[sid] for sid in b.rule_schools)
    moved = len(moves)
    add("county_move_share", None, (moved / elig_rule) if elig_rule else 0.0, p.move_share)
    for unit, schools in _backbone_units(b).items():
        unit_moves = [m for m in moves if m.from_school_id in schools]
        bb = sum(m.backbone for m in unit_moves)
        if p.backbone_of == "moved":
            den = len(unit_moves)
        else:
            den = sum(b.elig_count.get(x, 0) for x in schools if x in b.rule_schools)
        school_id = None if p.backbone_scope == "county" else (unit if p.backbone_scope == "school" else None)
        if den:
            add(
                "backbone_share" if p.backbone_scope != "township" else f"backbone_share:{unit}",
                school_id,
                bb / den,
                p.backbone_share,
            )
    eligible = set(b.eligible["teacher_id"].astype(str))
    add("eligible", None, sum(m.teacher_id in eligible for m in moves), len(moves))
    ok_dir = sum(direction(s.loc[m.from_school_id], s.loc[m.to_school_id], p) is not None for m in moves)
    add("direction", None, ok_dir, len(moves))
    staff = dict(zip(s.index, s["actual"], strict=True))
    for sid in sorted(set(moved_in) | set(moved_out), key=lambda x: b.index[x]):
        after = staff[sid] - moved_out[sid] + moved_in[sid]
        if moved_in[sid]:
            add("norm", sid, after, float(s.at[sid, "norm"]), "<=")
        if moved_out[sid]:
            add("floor", sid, after, float(s.at[sid, "floor"]))
    got: dict[tuple[str, str], int] = defaultdict(int)
    for m in moves:
        got[(m.to_school_id, m.subject)] += 1
    for (sid, j), n in sorted(got.items(), key=lambda x: (b.index[x[0][0]], x[0][1])):
        add(f"subject_need:{j}", sid, n, float(b.cap.get((sid, j), 0)), "<=")
    for d in cvs:
        if d["after"] is not None and d["target"] is not None:
            add(f"{d['indicator']}-CV:{d['stage']}", None, d["after"], d["target"], "<=")
    return out


def _backbone_units(b: Builder) -> dict[str, set[str]]:
    s, scope = b.c.schools, b.p.backbone_scope
    units: dict[str, set[str]] = defaultdict(set)
    for sid in s.index:
        unit = {"county": "county", "township": str(s.at[sid, "township_id"]), "school": sid}[scope]
        units[unit].add(sid)
    return units
