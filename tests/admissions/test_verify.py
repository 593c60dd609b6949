"""The independent verifier (admissions/verify.py) on a hand county whose admission was worked out by
hand, and on a tampered copy of it for each kind of fault: each tamper fails its check."""

from __future__ import annotations

import copy
from typing import Any, cast

import numpy as np
import pandas as pd
import pytest

from countyedu.admissions.verify import verify
from countyedu.messages import translate

YEAR = 2024
RULES = {"tie_rule": "strict", "tie_order": "chinese+math+english,math,chinese", "quota_margin": 20, "rural_tilt": 1.0}


def frames(extra: list[tuple[Any, ...]] = (), three_years_e: bool = True, v1: int = 3) -> dict[str, pd.DataFrame]:
    """J1 (urban) and J2 (rural) graduates; P1 (4 places, half of them 指标到校, line 480), P2 (2 places,
    line 400) and the vocational V1 (3 places). Every candidate chooses P1, P2, V1."""
    schools = pd.DataFrame({"school_id": ["J1", "J2"], "urban": [True, False]})
    programmes = pd.DataFrame(
        {
            "programme_id": ["P1", "P2", "V1"],
            "year": YEAR,
            "school_id": ["H1", "H2", "V"],
            "track": ["general", "general", "vocational"],
            "batch": ["unified", "unified", "vocational"],
            "quota": [4, 2, v1],
            "quota_to_schools": [0.5, None, None],
            "min_score": [480.0, 400.0, None],
        }
    )
    # id, school, took exam, score, three years
    people = [
        ("a", "J1", True, 600.0, True),
        ("b", "J1", True, 560.0, True),
        ("c", "J1", True, 490.0, True),
        ("d", "J1", True, 300.0, True),
        ("e", "J2", True, 590.0, three_years_e),
        ("f", "J2", True, 520.0, False),
        ("g", "J2", False, None, True),
        ("h", "J2", True, 450.0, True),
        *extra,
    ]
    candidates = pd.DataFrame(
        {
            "candidate_id": [p[0] for p in people],
            "year": YEAR,
            "junior_school_id": [p[1] for p in people],
            "took_exam": [p[2] for p in people],
            "exam_score": [p[3] for p in people],
            "quality_grade": ["B" if p[2] else None for p in people],
            "three_years_at_school": [p[4] for p in people],
            "score_chinese": [p[5] if len(p) > 5 else 100.0 for p in people],
            "score_math": [100.0] * len(people),
            "score_english": [100.0] * len(people),
            "choice_1": ["P1" if p[2] else "V1" for p in people],
            "choice_2": ["P2" if p[2] else None for p in people],
            "choice_3": ["V1" if p[2] else None for p in people],
        }
    )
    return {"schools": schools, "programmes": programmes, "candidates": candidates}


def admitted(pairs: dict[str, tuple[str, str]]) -> list[dict[str, Any]]:
    return [
        {"candidate_id": c, "programme_id": p, "batch": b, "rank": i + 1} for i, (c, (p, b)) in enumerate(pairs.items())
    ]


# worked by hand: quota batch (line 460) J1 → a, J2 → e; unified P1 (2 left) b, f; c → P2 (P1 full);
# h → P2; d (300, under both lines) and g (no exam, 第7条) → V1
RIGHT = {
    "a": ("P1", "quota"),
    "e": ("P1", "quota"),
    "b": ("P1", "unified"),
    "f": ("P1", "unified"),
    "c": ("P2", "unified"),
    "h": ("P2", "unified"),
    "d": ("V1", "vocational"),
    "g": ("V1", "vocational"),
}


def allocation(pairs: dict[str, tuple[str, str]], returned: list[dict[str, Any]] = (), **rules: Any) -> dict[str, Any]:
    return {
        "params": {**RULES, **rules},
        "admitted": admitted(pairs),
        "unplaced": [],
        "returned_quota": list(returned),
    }


def failed(result: dict[str, Any]) -> set[str]:
    return {c["check"] for c in result["checks"] if not c["ok"]}


def test_it_passes_the_hand_admission() -> None:
    result = verify(frames(), YEAR, allocation(RIGHT))
    assert result["ok"], [translate(c["detail"], "en") for c in result["checks"]]
    assert [c["check"] for c in result["checks"]] == [
        "one_place",
        "quota",
        "eligibility",
        "no_envy",
        "quota_places",
        "returned",
    ]
    details = {c["check"]: translate(c["detail"], "zh") for c in result["checks"]}
    assert details["one_place"] == "8 人各录取一次，未录取 0 人，共 8 名考生"


def tampered(**moves: tuple[str, str]) -> dict[str, tuple[str, str]]:
    out = copy.deepcopy(RIGHT)
    out.update(moves)
    return out


TAMPERED = [
    # a candidate twice
    ("one_place", {**allocation(RIGHT), "admitted": admitted(RIGHT) + admitted({"a": ("P2", "unified")})}, "a"),
    # a candidate lost
    ("one_place", allocation({k: v for k, v in RIGHT.items() if k != "d"}), "d"),
    # c into the full P1 (c meets P1's line: only the quota is broken)
    ("quota", allocation(tampered(c=("P1", "unified"))), "P1"),
    # g, without the exam, into a general programme (第7条); h, refused there, envies
    ("eligibility", allocation(tampered(g=("P2", "unified"), h=("V1", "vocational"))), "g"),
    # c takes b's place at P1: b outranks c and preferred P1
    ("no_envy", allocation(tampered(b=("P2", "unified"), c=("P1", "unified"))), "b"),
    # J2's quota place to f, who did not study at J2 all three years
    ("quota_places", allocation(tampered(f=("P1", "quota"), e=("P1", "unified"))), "f"),
    # J2's quota place to b of J1
    ("quota_places", allocation(tampered(b=("P1", "quota"), e=("P1", "unified"))), "J1"),
    # a returned place declared that was not unused
    ("returned", allocation(RIGHT, [{"programme_id": "P1", "junior_school_id": "J2", "places": 1}]), "J2"),
]


@pytest.mark.parametrize(("check", "alloc", "words"), TAMPERED)
def test_it_fails_a_tampered_allocation(check: str, alloc: dict[str, Any], words: str) -> None:
    result = verify(frames(), YEAR, alloc)
    assert not result["ok"]
    assert check in failed(result)
    entry = next(c for c in result["checks"] if c["check"] == check)
    assert words in translate(entry["detail"], "en")


def test_it_follows_a_returned_place_to_the_unified_batch() -> None:
    # e did not study three years at J2: J2's quota place returns; P1 has 3 unified places: e, b, f
    right = tampered(e=("P1", "unified"))
    back = [{"programme_id": "P1", "junior_school_id": "J2", "places": 1}]
    assert verify(frames(three_years_e=False), YEAR, allocation(right, back))["ok"]
    # not declared returned
    assert failed(verify(frames(three_years_e=False), YEAR, allocation(right))) == {"returned"}
    # declared, but the unified batch left it empty though e wanted it
    wasted = tampered(e=("V1", "vocational"))
    assert "returned" in failed(verify(frames(three_years_e=False), YEAR, allocation(wasted, back)))


# x and y tie with f (520, the same subjects) for P1's last unified place
TIED = [("x", "J1", True, 520.0, False), ("y", "J1", True, 520.0, False)]


@pytest.mark.parametrize(
    ("rule", "moves", "ok"),
    [
        # 同分同录: all three take P1
        ("admit_all", {"x": ("P1", "unified"), "y": ("P1", "unified")}, True),
        ("strict", {"x": ("P1", "unified"), "y": ("P1", "unified")}, False),
        # strict: the tie is refused at P1 (a place stays empty) and at P2 (three for two places), which
        # then takes no one after them: f, x, y, c and h go to the vocational batch
        ("strict", {k: ("V1", "vocational") for k in "fxych"}, True),
        ("admit_all", {k: ("V1", "vocational") for k in "fxych"}, False),
        # strict, but P2 went on after the refused tie: h, below them, took a place they wanted
        ("strict", {**{k: ("V1", "vocational") for k in "fxyc"}, "h": ("P2", "unified")}, False),
        # lottery: f drew P1's place; x and y take P2, c and h go on to V1
        (
            "lottery",
            {"x": ("P2", "unified"), "y": ("P2", "unified"), "c": ("V1", "vocational"), "h": ("V1", "vocational")},
            True,
        ),
        (
            "strict",
            {"x": ("P2", "unified"), "y": ("P2", "unified"), "c": ("V1", "vocational"), "h": ("V1", "vocational")},
            False,
        ),
    ],
)
def test_it_reads_the_declared_tie_rule(rule: str, moves: dict[str, tuple[str, str]], ok: bool) -> None:
    alloc = allocation(tampered(**moves), tie_rule=rule)
    result = verify(frames(TIED, v1=10), YEAR, alloc)
    assert result["ok"] is ok, [translate(c["detail"], "en") for c in result["checks"]]


def test_it_reads_the_admitted_as_columns_as_it_reads_rows() -> None:
    # a large run hands the verifier columns (no million dicts); the verdict is the same
    def columns(alloc: dict[str, Any]) -> dict[str, Any]:
        rows = alloc["admitted"]
        return {**alloc, "admitted": {k: [a[k] for a in rows] for k in ("candidate_id", "programme_id", "batch")}}

    assert verify(frames(), YEAR, columns(allocation(RIGHT)))["ok"]
    wrong = columns(allocation(tampered(b=("P2", "unified"), c=("P1", "unified"))))
    assert failed(verify(frames(), YEAR, wrong)) == {"no_envy"}
    unknown = columns(allocation({**RIGHT, "zz": ("P1", "unified")}))
    assert "one_place" in failed(verify(frames(), YEAR, unknown))


def conditioned(boarding: dict[str, bool | None], gender: dict[str, str | None], p2: dict[str, Any]) -> dict[str, Any]:
    """The hand county with the candidates' boarding and gender answers and P2's conditions."""
    f = frames()
    cands = f["candidates"]
    cands["boarding"] = [boarding.get(c) for c in cands["candidate_id"]]
    cands["gender"] = [gender.get(c) for c in cands["candidate_id"]]
    progs = f["programmes"]
    progs["boarding"] = [p2.get("boarding") if p == "P2" else None for p in progs["programme_id"]]
    progs["gender"] = [p2.get("gender") if p == "P2" else None for p in progs["programme_id"]]
    return f


# c (490) would take P2 (P1 is full); P2 for day pupils only and c applies to board: c goes to V1, and
# P2's second place stays empty (h, 450, takes the first): no one eligible wanted it
C_TO_V1 = tampered(c=("V1", "vocational"))


@pytest.mark.parametrize(
    ("boarding", "p2", "ok_right", "ok_v1"),
    [
        ({"c": True}, "none", False, True),  # applies to board: no day-only programme
        ({"c": False}, "required", False, True),  # declined boarding: no boarding-only programme
        ({"c": None}, "none", True, False),  # either: P2 is theirs, and sending them on is envy
        ({"c": True}, "required", True, False),
        ({"c": False}, "optional", True, False),
    ],
)
def test_it_checks_the_boarding_condition(
    boarding: dict[str, bool | None], p2: str, ok_right: bool, ok_v1: bool
) -> None:
    f = conditioned(boarding, {}, {"boarding": p2})
    right = verify(f, YEAR, allocation(RIGHT))
    assert right["ok"] is ok_right
    if not ok_right:
        assert failed(right) == {"eligibility"}
        entry = next(c for c in right["checks"] if c["check"] == "eligibility")
        assert "c does not meet the boarding condition of P2" in translate(entry["detail"], "en")
        assert "住宿条件" in translate(entry["detail"], "zh")
    assert verify(f, YEAR, allocation(C_TO_V1))["ok"] is ok_v1


@pytest.mark.parametrize(
    ("rule", "gender_c", "ok_right", "ok_v1"),
    [
        ("apply", "male", False, True),  # P2 admits girls only: c, a boy, goes on to V1
        ("apply", None, False, True),  # no gender recorded: meets no gender condition
        ("apply", "female", True, False),
        ("ignore", "male", True, False),  # the rules do not apply gender: P2 is c's, h below them envied
    ],
)
def test_it_checks_the_gender_condition_only_where_the_rules_apply_it(
    rule: str, gender_c: str | None, ok_right: bool, ok_v1: bool
) -> None:
    f = conditioned({}, {"c": gender_c, "h": "female"}, {"gender": "female"})
    right = verify(f, YEAR, allocation(RIGHT, gender_conditions=rule))
    assert right["ok"] is ok_right, [translate(c["detail"], "en") for c in right["checks"]]
    if not ok_right:
        entry = next(c for c in right["checks"] if c["check"] == "eligibility")
        assert "c does not meet the gender condition of P2" in translate(entry["detail"], "en")
    v1 = verify(f, YEAR, allocation(C_TO_V1, gender_conditions=rule))
    assert v1["ok"] is ok_v1, [translate(c["detail"], "en") for c in v1["checks"]]
    if not ok_v1:
        assert "no_envy" in failed(v1)


def test_one_rule_answers_for_one_candidate_and_for_arrays() -> None:
    from countyedu.admissions.verify import Rules, eligible, read_candidates, read_programmes

    f = conditioned({"c": True}, {"c": "male"}, {"boarding": "none", "gender": "female"})
    rules = Rules.of({**RULES, "gender_conditions": "apply"})
    progs = read_programmes(f["programmes"], rules)
    cands = read_candidates(f["candidates"], progs)
    assert not eligible(cands["c"], progs["P2"], "unified", rules)
    assert eligible(cands["c"], progs["P1"], "unified", rules)
    assert not eligible(cands["f"], progs["P1"], "quota", rules)  # not three years at J2
    assert not eligible(cands["g"], progs["P2"], "unified", rules)  # no exam (第7条)
    assert eligible(cands["g"], progs["V1"], "vocational", rules)
    assert not eligible(cands["d"], progs["P2"], "unified", rules)  # 300 under the line 400


def test_it_finds_envy_inside_a_junior_schools_quota_places() -> None:
    # J1's one quota place at P1 to b, though a (600) outranks b (560) there and a takes a unified place
    result = verify(frames(), YEAR, allocation(tampered(a=("P1", "unified"), b=("P1", "quota"))))
    assert failed(result) == {"no_envy"}
    words = translate(next(c for c in result["checks"] if c["check"] == "no_envy")["detail"], "en")
    assert "a was refused at P1" in words and "though b" in words


def test_the_id_index_finds_each_id_however_it_is_stored() -> None:
    from countyedu.admissions.verify import Ids

    rng = np.random.default_rng(1)
    keys = [f"{'CX'[i % 2]}{i * 7919 % 100_003}" for i in range(3000)]  # widths 2 to 6
    queries = [*rng.choice(keys, 500).tolist(), "C", "", "C1x", "X99999999", keys[0] + " "]
    where = {k: i for i, k in enumerate(keys)}
    expected = [where.get(q, -1) for q in queries]
    for stored in (np.array(keys), np.array(keys, dtype=object), pd.Series(keys, dtype="string")):
        index = Ids(stored)
        assert index.first is None  # distinct hashes: the vectorised search
        for asked in (np.array(queries), pd.Series(queries, dtype=object), queries):
            assert index.find(asked).tolist() == expected
    # an id twice: the dict (the first of the two); a few codes: compared one by one
    assert Ids(np.array(["b", "a", "b"])).find(["b", "a", "c"]).tolist() == [0, 1, -1]
    assert Ids(np.array(["quota", "unified"])).find(np.array(["unified", "quota", "early"])).tolist() == [1, 0, -1]


def test_the_compiled_reading_of_a_large_year_gives_the_same_verdicts(monkeypatch: pytest.MonkeyPatch) -> None:
    # a large year's ids and code columns are read by compiled loops: forced here on the hand county,
    # every verdict and detail is the numpy reading's, also where the grouping by object gives up
    from countyedu.admissions import verify as module

    cases = [
        (frames(), allocation(RIGHT)),
        *((frames(), alloc) for _check, alloc, _words in TAMPERED),
        # envy inside a junior school's quota places, and the tie rules
        (frames(), allocation(tampered(a=("P1", "unified"), b=("P1", "quota")))),
        *(
            (frames(TIED, v1=10), allocation(tampered(**moves), tie_rule=rule))
            for rule, moves in (
                ("admit_all", {"x": ("P1", "unified"), "y": ("P1", "unified")}),
                ("strict", {k: ("V1", "vocational") for k in "fxych"}),
                ("strict", {**{k: ("V1", "vocational") for k in "fxyc"}, "h": ("P2", "unified")}),
                ("lottery", {"x": ("P2", "unified"), "y": ("P2", "unified"), "c": ("V1", "vocational")}),
            )
        ),
    ]
    expected = [verify(f, YEAR, alloc) for f, alloc in cases]
    assert {c["check"] for result in expected for c in result["checks"] if not c["ok"]} == set(module.CHECKS)
    monkeypatch.setattr(module, "COMPILED_FROM", 0)
    assert [verify(f, YEAR, alloc) for f, alloc in cases] == expected
    assert isinstance(module._Data.read(frames(), YEAR, module.Rules.of(RULES)).index, module.CompiledIds)
    monkeypatch.setattr(module, "ADDRESS_LIMIT", 1)
    assert [verify(f, YEAR, alloc) for f, alloc in cases] == expected


def test_the_compiled_id_index_finds_what_the_numpy_one_finds(monkeypatch: pytest.MonkeyPatch) -> None:
    from countyedu.admissions import verify as module
    from countyedu.admissions.verify import CompiledIds, Ids, compiled_ids

    assert not cast(CompiledIds, compiled_ids(np.array(["a", "b"]))).ascending  # a few ids: in a table
    monkeypatch.setattr(module, "SEARCH_FROM", 0)

    rng = np.random.default_rng(2)
    keys = [f"{'CX'[i % 2]}{i * 7919 % 100_003}" for i in range(3000)] + ["", "b", "b"]  # an id twice
    queries = [*rng.choice(keys, 500).tolist(), "C", "", "C1x", "X99999999", keys[0] + " ", "b", "学1"]
    assert Ids(np.array(keys)).find(["b"]).tolist() == [len(keys) - 2]  # the first of the two
    # ids in ascending order (searched without a table), asked in their order, in any order, or twice
    ascending = sorted(set(keys))
    for held, asked_ids in (
        (keys, queries),
        (ascending, queries),
        (ascending, sorted(queries)),
        (ascending, [*ascending[::7], *ascending[3::5]]),
        (ascending[:1], ["", ascending[0], "z"]),
        ([], ["a"]),
    ):
        expected = Ids(np.array(held, dtype=str)).find(asked_ids).tolist()
        for stored in (np.array(held, dtype=str), pd.Series(held, dtype=object), pd.Series(held, dtype="string")):
            index = compiled_ids(stored)
            assert isinstance(index, CompiledIds)
            assert index.ascending is (held is not keys)
            for asked in (np.array(asked_ids), pd.Series(asked_ids, dtype=object), asked_ids):
                assert index.find(asked).tolist() == expected
    # beyond ASCII, not strings, or missing: the numpy index instead
    assert compiled_ids(pd.Series(["学1", "b"], dtype=object)) is None
    assert compiled_ids(np.array(["学1", "b"])) is None
    assert compiled_ids(pd.Series([1, 2], dtype=object)) is None
    assert compiled_ids(pd.Series(["a", None], dtype=object)) is None
