"""The admission rules (STANDARDS AD, 第7条, QB-G14): the pack section `parameters.admissions`, each
rule with its stated default and the clause it reads; a run may change any of them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from countyedu.errors import CountyEduError
from countyedu.messages import Msg
from countyedu.policy.pack import Pack
from countyedu.runs.store import parameters

TIE_RULES = ("strict", "admit_all", "lottery")
GENDER_RULES = ("ignore", "apply")
SUBJECTS = ("chinese", "math", "english")


@dataclass(frozen=True)
class AdmissionParams:
    """The rules of one run. Defaults (clause in brackets):

    - quota_share 0.5: share of a unified general programme's places given to 指标到校 where the
      programme's `quota_to_schools` is empty (QB-G14, AD: ≥ 50%); 0 in the sheet means none;
    - rural_tilt 1.2: a rural junior school's graduates weigh this much when the quota places are
      divided by graduates (AD: tilted to rural schools; the factor is assumed);
    - quota_margin 20: the quota batch's line is the programme's minimum line minus this (AD practice;
      assumed points);
    - tie_order "chinese+math+english,math,chinese": the county's order after the total (AD, assumed);
      each term a sum of subject scores; a seeded lottery comes last;
    - tie_rule "lottery": at the last place, candidates equal on the total and every tie term are parted
      by the lottery; "strict" refuses the whole tie when it does not fit (the places stay empty),
      "admit_all" admits it beyond the quota (同分同录, the PAT 1080 rule);
    - lottery_seed 2019: the seed of the lottery (published before the run, so anyone can redo it);
    - gender_conditions "ignore": a programme's `gender` condition (the programmes sheet) applies only
      when this is "apply" — the issue allows gender "for specific programmes where law allows, only as
      parameters", so the county turns it on in its pack (AD, assumed). A programme's `boarding`
      condition always applies: a candidate applying to board (`boarding` yes) never goes to a day-only
      programme, one who declared no boarding (`boarding` no) never to a boarding-only one.
    """

    quota_share: float = 0.5
    rural_tilt: float = 1.2
    quota_margin: float = 20.0
    tie_order: str = "chinese+math+english,math,chinese"
    tie_rule: str = "lottery"
    lottery_seed: int = 2019
    gender_conditions: str = "ignore"

    def terms(self) -> tuple[tuple[str, ...], ...]:
        """The tie order as subject sums: (("chinese", "math", "english"), ("math",), ("chinese",))."""
        out = []
        for term in self.tie_order.split(","):
            subjects = tuple(s.strip() for s in term.split("+") if s.strip())
            if subjects and subjects != ("lottery",):
                out.append(subjects)
        return tuple(out)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# parameter → (clause, words) for the pack, the CLI's --help and the web form
CLAUSES: dict[str, tuple[str, Msg]] = {
    "quota_share": ("QB-G14", Msg("quota-to-schools share of a programme's places where the sheet names none")),
    "rural_tilt": ("AD", Msg("weight of a rural junior school's graduates when quota places are divided")),
    "quota_margin": ("AD", Msg("the quota batch's line: the programme's minimum line less this many points")),
    "tie_order": ("AD", Msg("the county's order after the total: subject sums, comma-separated")),
    "tie_rule": ("AD", Msg("a tie at the last place: strict, admit_all or lottery")),
    "lottery_seed": ("AD", Msg("the seed of the lottery that parts the remaining ties")),
    "gender_conditions": ("AD", Msg("a programme's gender condition where law allows it: ignore or apply")),
}


def admission_params(packs: Sequence[Pack], overrides: Mapping[str, Any] | None = None) -> AdmissionParams:
    """The rules of the packs' `parameters.admissions` (the defaults where they say nothing), with
    the run's overrides (None keeps the pack's value); a CountyEduError names a wrong value."""
    given = {**parameters(packs, "admissions"), **{k: v for k, v in (overrides or {}).items() if v is not None}}
    known = {f.name: f for f in fields(AdmissionParams)}
    values: dict[str, Any] = {}
    for name, raw in given.items():
        if name not in known:
            raise CountyEduError(
                Msg(
                    "unknown parameter {name} of {kind}; known: {known}",
                    name=name,
                    kind="admissions",
                    known=tuple(known),
                ),
                field=name,
            )
        kind = type(getattr(AdmissionParams(), name))
        try:
            values[name] = kind(raw)
        except (TypeError, ValueError):
            raise CountyEduError(
                Msg("{name}: {value} is not a number", name=name, value=str(raw)[:40]), field=name
            ) from None
    p = replace(AdmissionParams(), **values)
    if p.tie_rule not in TIE_RULES:
        raise CountyEduError(
            Msg("tie_rule: {value} is not one of {known}", value=p.tie_rule, known=TIE_RULES), field="tie_rule"
        )
    if p.gender_conditions not in GENDER_RULES:
        raise CountyEduError(
            Msg("gender_conditions: {value} is not one of {known}", value=p.gender_conditions, known=GENDER_RULES),
            field="gender_conditions",
        )
    for subjects in p.terms():
        for s in subjects:
            if s not in SUBJECTS:
                raise CountyEduError(
                    Msg("tie_order: {value} is not a subject score; known: {known}", value=s, known=SUBJECTS),
                    field="tie_order",
                )
    for name, lo, hi in RANGES:
        value = getattr(p, name)
        if not lo <= value <= hi:
            raise CountyEduError(
                Msg("{name}: {value} is outside {lo}–{hi}", name=name, value=value, lo=lo, hi=hi), field=name
            )
    return p


# the accepted range of each number
RANGES = (
    ("quota_share", 0.0, 1.0),
    ("rural_tilt", 0.1, 10.0),
    ("quota_margin", 0.0, 200.0),
    ("lottery_seed", 0, 2**31 - 1),
)
