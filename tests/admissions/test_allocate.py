"""The allocator on hand cases whose answers are known: the public PAT 1080 sample (同分同录), a
quota batch with returned places, every tie rule, and small random instances against a plain
candidate-by-candidate loop written here from the rules (STANDARDS AD)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from countyedu.admissions.allocate import BATCHES, Instance, allocate
from countyedu.admissions.params import AdmissionParams

# PAT 1080 "Graduate Admission": N=11 applicants, M=6 schools, K=3 choices; GE, GI, choices. The final
# grade is (GE + GI) / 2, ties by GE; applicants tied on both apply together and are all admitted.
PAT_QUOTAS = (2, 1, 2, 2, 2, 3)
PAT_APPLICANTS = (
    (100, 100, 0, 1, 2),
    (60, 60, 2, 3, 5),
    (100, 90, 0, 3, 4),
    (90, 100, 1, 2, 0),
    (90, 90, 5, 1, 3),
    (80, 90, 1, 0, 2),
    (80, 80, 0, 1, 2),
    (80, 80, 0, 1, 2),
    (80, 70, 1, 3, 2),
    (70, 80, 1, 2, 3),
    (100, 100, 0, 2, 4),
)
PAT_OUTPUT = ("0 10", "3", "5 6 7", "2 8", "", "1 4")


def frames(
    candidates: list[dict[str, Any]], programmes: list[dict[str, Any]], urban: dict[str, bool]
) -> dict[str, pd.DataFrame]:
    schools = pd.DataFrame({"school_id": list(urban), "urban": list(urban.values())})
    cands = pd.DataFrame([{"year": 2019, "took_exam": True, "three_years_at_school": True, **c} for c in candidates])
    progs = pd.DataFrame([{"year": 2019, "track": "general", "school_id": "H1", **p} for p in programmes])
    return {"candidates": cands, "programmes": progs, "schools": schools}


def pat() -> Instance:
    cands = [
        {
            "candidate_id": f"{i:02d}",
            "junior_school_id": "J",
            "exam_score": (ge + gi) / 2,
            "score_chinese": ge,
            **{f"choice_{k + 1}": f"S{c}" for k, c in enumerate(choices)},
        }
        for i, (ge, gi, *choices) in enumerate(PAT_APPLICANTS)
    ]
    progs = [{"programme_id": f"S{i}", "quota": q, "quota_to_schools": 0.0} for i, q in enumerate(PAT_QUOTAS)]
    return Instance.from_frames(frames(cands, progs, {"J": True}), 2019)


def by_programme(inst: Instance, programme: np.ndarray) -> tuple[str, ...]:
    return tuple(
        " ".join(str(int(c)) for c in inst.candidate_ids[programme == p]) for p in range(len(inst.programme_ids))
    )


def test_it_reproduces_the_pat_1080_sample_under_admit_all() -> None:
    inst = pat()
    out = allocate(inst, AdmissionParams(tie_rule="admit_all", tie_order="chinese"))
    assert by_programme(inst, out.programme) == PAT_OUTPUT
    assert set(out.batch[out.programme >= 0]) == {BATCHES.index("unified")}
    # school 2 took the tie 6 and 7 beyond its 2 places; its cut-off is their final grade
    assert (2, BATCHES.index("unified"), 80.0) in out.cutoffs


def test_it_refuses_the_whole_tie_under_strict_and_parts_it_under_lottery() -> None:
    inst = pat()
    strict = allocate(inst, AdmissionParams(tie_rule="strict", tie_order="chinese"))
    # 6 and 7 (80, 80) both want school 2's last place: both refused there, and schools 0 and 1 are full
    assert by_programme(inst, strict.programme) == ("0 10", "3", "5", "2 8", "", "1 4")
    lottery = allocate(inst, AdmissionParams(tie_rule="lottery", tie_order="chinese", lottery_seed=1))
    got = by_programme(inst, lottery.programme)
    assert got[2] in ("5 6", "5 7") and got[:2] == PAT_OUTPUT[:2] and got[3:] == PAT_OUTPUT[3:]
    # the lottery is the order's last key: 6 and 7 have consecutive ranks, the admitted one first
    winner = 6 if got[2] == "5 6" else 7
    assert lottery.rank[winner] + 1 == lottery.rank[13 - winner]


def quota_case() -> dict[str, pd.DataFrame]:
    """One quality school H1 (10 places, half to 指标到校: 5 places), junior schools U (urban, 6
    graduates) and R (rural, 4 graduates): weights 6 and 4 × 1.5 = 6, so 2.5 and 2.5 places; the
    remainders tie, U has more graduates: U 3, R 2. Minimum line 500, margin 20: the quota line 480."""
    cands = []
    for i, score in enumerate((600, 590, 485, 470, 460, 450)):
        cands.append({"candidate_id": f"U{i}", "junior_school_id": "U", "exam_score": score, "choice_1": "P1"})
    for i, score in enumerate((520, 505, 490, 300)):
        cands.append({"candidate_id": f"R{i}", "junior_school_id": "R", "exam_score": score, "choice_1": "P1"})
    cands[2]["three_years_at_school"] = False  # U2 (485) moved school: no quota place
    progs = [{"programme_id": "P1", "quota": 10, "quota_to_schools": 0.5, "min_score": 500.0}]
    return frames(cands, progs, {"U": True, "R": False})


def test_quota_places_by_largest_remainder_and_returned_to_the_unified_batch() -> None:
    inst = Instance.from_frames(quota_case(), 2019)
    out = allocate(inst, AdmissionParams(rural_tilt=1.5, quota_margin=20))
    ids = list(inst.candidate_ids)
    got = {ids[i]: BATCHES[out.batch[i]] for i in range(inst.n) if out.programme[i] >= 0}
    # U: 600 and 590 take two of its 3 quota places; U2 (485) has no three years, U3 (470) is below 480
    # R: 520, 505 and 490 are above 480; its 2 places go to 520 and 505; 490 is left for 统招
    assert got == {"U0": "quota", "U1": "quota", "R0": "quota", "R1": "quota"}
    places = {(int(p), inst.school_ids[s]): (int(n), int(u)) for p, s, n, u in out.quota_places}
    assert places == {(0, "U"): (3, 2), (0, "R"): (2, 2)}
    returned = [(int(p), inst.school_ids[s], int(n)) for p, s, n in out.returned()]
    assert returned == [(0, "U", 1)]
    # 统招 has 10 − 4 = 6 places (the returned one among them) but nobody else is above the line 500
    assert (out.batch == BATCHES.index("unified")).sum() == 0


def test_the_unified_batch_takes_the_returned_places_above_its_line() -> None:
    f = quota_case()
    f["programmes"].loc[0, "quota"] = 5  # 3 quota places: U 2 (remainder 0.5 + more graduates), R 1
    inst = Instance.from_frames(f, 2019)
    out = allocate(inst, AdmissionParams(rural_tilt=1.5, quota_margin=20))
    got = {inst.candidate_ids[i]: BATCHES[out.batch[i]] for i in range(inst.n) if out.programme[i] >= 0}
    # quota: U0, U1 (U's 2), R0 (R's 1); 统招: 5 − 3 = 2 places, R1 (505) above 500; R2 (490) is not
    assert got == {"U0": "quota", "U1": "quota", "R0": "quota", "R1": "unified"}
    assert out.returned().size == 0


def serial(units: list[list[int]], keys: list[tuple[float, ...]], caps: list[int], rule: str) -> list[int]:
    """The rules by hand: candidates one by one in order (ties together), each to the first unit of
    their list with a place; a tie at the last place admitted (admit_all) or refused (strict)."""
    n = len(units)
    order = sorted(range(n), key=lambda i: keys[i], reverse=True)
    left = list(caps)
    closed = [c <= 0 for c in caps]
    got = [-1] * n
    i = 0
    while i < n:
        j = i
        while j < n and (j == i if rule == "lottery" else keys[order[j]] == keys[order[i]]):
            j += 1
        tie = order[i:j]
        refused: set[int] = set()
        while True:
            pick = {}
            for c in tie:
                for u in units[c]:
                    if u >= 0 and not closed[u] and u not in refused and (left[u] > 0 or rule == "admit_all"):
                        pick[c] = u
                        break
            demand: dict[int, int] = {}
            for u in pick.values():
                demand[u] = demand.get(u, 0) + 1
            if rule == "admit_all":
                for c, u in pick.items():
                    got[c] = u
                for u, d in demand.items():
                    left[u] -= d
                    if left[u] <= 0:
                        closed[u] = True
                break
            bad = {u for u, d in demand.items() if d > left[u]}
            if not bad:
                for c, u in pick.items():
                    got[c], left[u] = u, left[u] - 1
                break
            refused |= bad
            for u in bad:
                closed[u] = True
        i = j
    return got


@pytest.mark.parametrize("path", ["kernel", "rounds", "rounds in blocks"])
@pytest.mark.parametrize("rule", ["lottery", "admit_all", "strict"])
def test_it_agrees_with_a_plain_loop_on_random_instances(rule: str, path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The compiled serial pass (admissions/kernel.py) and the numpy rounds both give the plain loop's
    allocation."""
    from countyedu.admissions import allocate as module

    monkeypatch.setattr(module, "USE_KERNEL", path == "kernel")
    if (
        path == "rounds in blocks"
    ):  # blocks of 3 rows or more (a tie group never parted): places left and closed across blocks
        monkeypatch.setattr(module, "MIN_BLOCK", 3)
        monkeypatch.setattr(module, "BLOCKS", 10**6)
    rng = np.random.default_rng(5)
    for _ in range(40):  # three paths × three rules: 360 instances, as many as two paths × 60 before
        n, k, p = int(rng.integers(1, 30)), int(rng.integers(1, 4)), int(rng.integers(1, 6))
        caps = rng.integers(0, 4, p).tolist()
        scores = rng.integers(0, 4, n).astype(float)  # few values: many ties
        choices = rng.integers(-1, p, (n, k))
        cands = [
            {
                "candidate_id": f"C{i:02d}",
                "junior_school_id": "J",
                "exam_score": scores[i],
                **{f"choice_{j + 1}": (f"P{c}" if c >= 0 else None) for j, c in enumerate(choices[i])},
            }
            for i in range(n)
        ]
        progs = [{"programme_id": f"P{i}", "quota": caps[i], "quota_to_schools": 0.0} for i in range(p)]
        inst = Instance.from_frames(frames(cands, progs, {"J": True}), 2019)
        params = AdmissionParams(tie_rule=rule, tie_order="", lottery_seed=3)
        out = allocate(inst, params)
        # under the lottery the order is the rank the allocator drew (its own key), else the score
        keys = [(-float(out.rank[i]),) if rule == "lottery" else (scores[i],) for i in range(n)]
        assert out.programme.tolist() == serial(choices.tolist(), keys, caps, rule)


@pytest.mark.parametrize("rule", ["lottery", "admit_all", "strict"])
def test_the_kernel_and_the_rounds_in_blocks_or_whole_agree(rule: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """12,000 candidates with the quota batch: the compiled serial pass, the numpy rounds in 3 blocks
    of the order and in one block give one allocation."""
    from benchmarks.admissions import instance

    from countyedu.admissions import allocate as module

    inst = instance(12_000, seed=3)
    params = AdmissionParams(tie_rule=rule)
    assert module.USE_KERNEL
    serial = allocate(inst, params)
    monkeypatch.setattr(module, "USE_KERNEL", False)
    blocks = allocate(inst, params)
    monkeypatch.setattr(module, "BLOCKS", 1)
    monkeypatch.setattr(module, "MIN_BLOCK", 10**9)
    whole = allocate(inst, params)
    for other in (blocks, whole):
        assert (serial.programme == other.programme).all() and (serial.batch == other.batch).all()
        assert (serial.quota_places == other.quota_places).all() and serial.cutoffs == other.cutoffs
    assert (serial.batch == BATCHES.index("quota")).sum() > 150  # the quota batch takes part


def conditions_case() -> dict[str, pd.DataFrame]:
    """Three programmes of one place each: B boarding only, D day pupils only, G boys only (a gender
    condition), O open. Candidates best first, every one choosing B, D, G, O in that order."""
    rows = (  # id, score, applies to board, gender
        ("C1", 600, False, "female"),  # no boarding: not B; D
        ("C2", 590, True, "male"),  # boards: B
        ("C3", 580, True, "female"),  # boards: B full, not D (day only), not G (a girl): O
        ("C4", 570, None, None),  # either: B, D full; G needs a recorded boy: none left
        ("C5", 560, None, "male"),  # either, a boy: G
    )
    cands = [
        {
            "candidate_id": cid,
            "junior_school_id": "J",
            "exam_score": score,
            "boarding": boards,
            "gender": gender,
            **{f"choice_{k + 1}": p for k, p in enumerate(("B", "D", "G", "O"))},
        }
        for cid, score, boards, gender in rows
    ]
    progs = [
        {"programme_id": "B", "quota": 1, "quota_to_schools": 0.0, "boarding": "required"},
        {"programme_id": "D", "quota": 1, "quota_to_schools": 0.0, "boarding": "none"},
        {"programme_id": "G", "quota": 1, "quota_to_schools": 0.0, "gender": "male"},
        {"programme_id": "O", "quota": 1, "quota_to_schools": 0.0},
    ]
    return frames(cands, progs, {"J": True})


def test_boarding_and_gender_conditions_bar_the_candidates_who_do_not_meet_them() -> None:
    inst = Instance.from_frames(conditions_case(), 2019)
    out = allocate(inst, AdmissionParams(gender_conditions="apply"))
    got = {inst.candidate_ids[i]: inst.programme_ids[p] for i, p in enumerate(out.programme) if p >= 0}
    assert got == {"C1": "D", "C2": "B", "C3": "O", "C5": "G"}
    # the gender condition applies only when the rules say so: then C3 (a girl) takes G, C4 takes O
    out = allocate(inst, AdmissionParams(gender_conditions="ignore"))
    got = {inst.candidate_ids[i]: inst.programme_ids[p] for i, p in enumerate(out.programme) if p >= 0}
    assert got == {"C1": "D", "C2": "B", "C3": "G", "C4": "O"}


def test_the_answer_names_the_condition_not_met() -> None:
    from countyedu.admissions.explain import Explainer
    from countyedu.messages import translate as render

    f = conditions_case()
    inst = Instance.from_frames(f, 2019)
    params = AdmissionParams(gender_conditions="apply")
    out = allocate(inst, params)
    admitted = [
        {"candidate_id": inst.candidate_ids[i], "programme_id": inst.programme_ids[p], "batch": "unified", "rank": 0}
        for i, p in enumerate(out.programme)
        if p >= 0
    ]
    ex = Explainer(f, 2019, {"params": params.as_dict(), "admitted": admitted})
    why = {r.programme_id: render(r.why, "zh") for r in ex.answer("C3").reasons}
    assert why["D"] == "该计划不提供住宿，你申请了住校" and why["G"] == "该计划只招收男生"
    assert render(ex.answer("C1").reasons[0].why, "zh") == "该计划要求全部住校，你未申请住校"
    assert render(ex.answer("C4").reasons[2].why, "en") == "this programme admits male candidates only"


def test_the_conditions_hold_in_the_quota_batch_too() -> None:
    """H1's quota places (half of 4: 2, both to junior school J) board every pupil: J's best pupil
    declared no boarding and is passed over there (and in 统招); the next two take the places."""
    cands = [
        {"candidate_id": "Q1", "junior_school_id": "J", "exam_score": 600, "boarding": False, "choice_1": "P"},
        {"candidate_id": "Q2", "junior_school_id": "J", "exam_score": 590, "boarding": True, "choice_1": "P"},
        {"candidate_id": "Q3", "junior_school_id": "J", "exam_score": 580, "choice_1": "P"},
    ]
    progs = [{"programme_id": "P", "quota": 4, "quota_to_schools": 0.5, "boarding": "required"}]
    inst = Instance.from_frames(frames(cands, progs, {"J": True}), 2019)
    out = allocate(inst, AdmissionParams())
    got = {inst.candidate_ids[i]: BATCHES[out.batch[i]] for i in range(inst.n) if out.programme[i] >= 0}
    assert got == {"Q2": "quota", "Q3": "quota"}
    assert [(int(p), int(s), int(n), int(u)) for p, s, n, u in out.quota_places] == [(0, 0, 2, 2)]


def test_a_year_without_candidates_places_no_one() -> None:
    """A county whose census has programmes but no candidate yet (the run kind runs on every census):
    nothing admitted, every place left, no error."""
    cands = frames([{"candidate_id": "X", "junior_school_id": "J", "exam_score": 600.0}], [], {"J": True})["candidates"]
    progs = [{"programme_id": "S0", "quota": 5, "quota_to_schools": 0.0}]
    f = frames([], progs, {"J": True}) | {"candidates": cands.iloc[0:0]}
    inst = Instance.from_frames(f, 2019)
    out = allocate(inst, AdmissionParams())
    assert len(inst.candidate_ids) == 0 and len(out.programme) == 0


def test_the_kernel_is_cached_in_the_users_cache_dir_never_the_source_tree(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import numba

    from countyedu.admissions import kernel

    monkeypatch.setattr(numba.config, "CACHE_DIR", "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(kernel, "_KERNEL", None)
    assert kernel.kernel() is not None and kernel.CACHED
    where = kernel.cache_dir()
    assert where is not None and where.startswith(str(tmp_path))


def test_the_kernel_works_without_a_writable_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """No cache dir can be made (it would sit under a file): the kernel is compiled in memory and
    allocates as the cached one (the PAT 1080 sample)."""
    import numba

    from countyedu.admissions import kernel

    monkeypatch.setattr(numba.config, "CACHE_DIR", "")
    monkeypatch.setenv("XDG_CACHE_HOME", "/dev/null/cache")
    monkeypatch.setattr(kernel, "_KERNEL", None)
    assert kernel.kernel() is not None and kernel.CACHED is False and kernel.cache_dir() is None
    inst = pat()
    out = allocate(inst, AdmissionParams(tie_rule="admit_all", tie_order="chinese"))
    assert by_programme(inst, out.programme) == PAT_OUTPUT
