"""The large-instance algorithms (issue 17 item 3): `catchment_gap.solve_gap` (whole-community
catchments) and `siting.large.solve_large` (capacitated p-median), on hand cases and on small random
instances whose optimum an independent full MIP proves (scipy.optimize.milp, written here apart from the
code it checks: no shared code beyond the instance). Each claims: a feasible plan, a bound at or below
the proven optimum, a plan at or above it, the gap stated from the two."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import lil_matrix

from countyedu.planning import catchment_gap
from countyedu.planning.catchment_gap import GapInfeasible, solve_gap
from countyedu.planning.siting.large import LargeSitingInfeasible, solve_large


def _random(seed: int, n: int, m: int, slack: float, per: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    pts, sites = rng.uniform(0, 20, (n, 2)), rng.uniform(0, 20, (m, 2))
    km = np.hypot(*(pts[:, None, :] - sites[None, :, :]).transpose(2, 0, 1))
    d = rng.integers(20, 300, n).astype(float)
    cap = np.round(rng.uniform(0.8, 1.2, m) * slack * d.sum() / per)
    return km, d, cap


def _milp_optimum(km: np.ndarray, d: np.ndarray, cap: np.ndarray, p: int | None = None) -> float:
    """The proven optimum of the full model: x_ij binary (and y_j, Σy = p, x ≤ y, capacity × y when p)."""
    n, m = km.shape
    nx = n * m
    ny = 0 if p is None else m
    cost = np.concatenate([(d[:, None] * km).ravel(), np.zeros(ny)])
    rows = n + m + (0 if p is None else nx + 1)
    a = lil_matrix((rows, nx + ny))
    lo, hi = np.zeros(rows), np.zeros(rows)
    for i in range(n):
        a[i, i * m : (i + 1) * m] = 1
        lo[i] = hi[i] = 1
    for j in range(m):
        for i in range(n):
            a[n + j, i * m + j] = d[i]
        if p is None:
            lo[n + j], hi[n + j] = -np.inf, cap[j]
        else:
            a[n + j, nx + j] = -cap[j]
            lo[n + j], hi[n + j] = -np.inf, 0
    if p is not None:
        for t in range(nx):
            a[n + m + t, t] = 1
            a[n + m + t, nx + t % m] = -1
            lo[n + m + t], hi[n + m + t] = -np.inf, 0
        a[rows - 1, nx:] = 1
        lo[rows - 1] = hi[rows - 1] = p
    res = milp(
        cost,
        constraints=LinearConstraint(a.tocsr(), lo, hi),
        integrality=np.ones(nx + ny),
        bounds=Bounds(0, 1),
        options={"mip_rel_gap": 1e-9},
    )
    assert res.status == 0, res.message
    return float(res.fun)


def _check_plan(km: np.ndarray, d: np.ndarray, cap: np.ndarray, assign: np.ndarray, objective: float) -> None:
    assert np.isfinite(km[np.arange(len(d)), assign]).all()
    assert (np.bincount(assign, weights=d, minlength=len(cap)) <= cap + 1e-6).all()
    assert objective == pytest.approx(float((d * km[np.arange(len(d)), assign]).sum()), rel=1e-12)


def test_it_solves_a_hand_case_whole() -> None:
    # two schools of 100 seats; A (60) and B (60) are both nearer school 0, C (40) sits between:
    # the optimum sends A and C to 0 (100 seats exactly) and B on to 1: 60·1 + 40·2 + 60·3 = 320
    km = np.array([[1.0, 5.0], [1.0, 3.0], [2.0, 2.5]])
    r = solve_gap(km, [60, 60, 40], [100, 100])
    assert r.assign.tolist() == [0, 1, 0]
    assert r.objective == pytest.approx(320.0)
    assert r.bound <= 320.0 + 1e-9
    # the divisible optimum (the LP) moves 20 of B's pupils at +2 and 40 at ... its value bounds the plan
    assert r.bound >= 300.0


def test_it_says_when_demand_exceeds_the_seats() -> None:
    with pytest.raises(GapInfeasible) as e:
        solve_gap(np.ones((2, 1)), [60, 60], [100])
    assert e.value.facts["demand"] == 120.0
    with pytest.raises(GapInfeasible):
        solve_gap(np.array([[1.0, np.inf], [np.nan, np.inf]]), [1, 1], [5, 5])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_whole_community_plans_match_the_proven_optimum(seed: int) -> None:
    km, d, cap = _random(seed, 24, 5, 1.1, 5)
    opt = _milp_optimum(km, d, cap)
    r = solve_gap(km, d, cap, target_gap=0.0, time_limit_s=10)
    _check_plan(km, d, cap, r.assign, r.objective)
    assert r.bound <= opt * (1 + 1e-9)
    assert r.objective >= opt * (1 - 1e-9)
    assert r.gap == pytest.approx((r.objective - r.bound) / r.objective)
    assert r.objective <= opt * 1.005  # the reduced MIP closes it


def test_the_heuristic_alone_states_its_gap_from_the_bound() -> None:
    km, d, cap = _random(5, 60, 8, 1.15, 8)
    r = solve_gap(km, d, cap, target_gap=1.0)  # no MIP: the heuristic's plan and the Lagrangian bound
    opt = _milp_optimum(km, d, cap)
    _check_plan(km, d, cap, r.assign, r.objective)
    assert r.bound <= opt * (1 + 1e-9) <= r.objective * (1 + 1e-9)
    lam_bound, _u = catchment_gap.lagrangian_bound(km, d, cap, r.prices)
    assert r.bound == pytest.approx(lam_bound)


def test_p_median_hand_case() -> None:
    # four communities on a line at 0, 1, 10, 11 km, sites at each; p = 2, capacity 2 communities' worth
    x = np.array([0.0, 1.0, 10.0, 11.0])
    km = np.abs(x[:, None] - x[None, :])
    r = solve_large(km, [10, 10, 10, 10], [20, 20, 20, 20], 2)
    assert r.objective == pytest.approx(20.0)  # one site per pair, 10 pupils 1 km each
    assert len(r.opened) == 2 and {int(r.opened[0]) // 2, int(r.opened[1]) // 2} == {0, 1}
    assert r.gap <= 0.005


@pytest.mark.parametrize(("seed", "p"), [(4, 3), (6, 4)])
def test_p_median_matches_the_proven_optimum(seed: int, p: int) -> None:
    km, d, cap = _random(seed, 20, 8, 1.3, p)
    opt = _milp_optimum(km, d, cap, p)
    r = solve_large(km, d, cap, p, time_limit_s=10)
    _check_plan(km, d, cap, r.assign, r.objective)
    assert set(np.unique(r.assign)) <= set(r.opened.tolist()) and len(r.opened) == p
    assert r.bound <= opt * (1 + 1e-9) <= r.objective * (1 + 1e-9)
    assert r.objective <= opt * 1.005
    assert r.gap == pytest.approx(max(0.0, (r.objective - r.bound) / r.objective))


def test_p_median_keeps_the_sites_that_must_stay_open() -> None:
    km, d, cap = _random(8, 20, 8, 1.5, 3)
    must = np.zeros(8, dtype=bool)
    must[[1, 6]] = True
    r = solve_large(km, d, cap, 3, must_open=must, time_limit_s=10)
    assert {1, 6} <= set(r.opened.tolist())
    _check_plan(km, d, cap, r.assign, r.objective)
    with pytest.raises(LargeSitingInfeasible):
        solve_large(km, d, np.full(8, 10.0), 3)


def test_the_library_runs_the_large_method_beside_the_exact_one() -> None:
    from countyedu.planning.siting.location import capacitated_p_median

    km, d, cap = _random(9, 20, 8, 1.3, 3)
    exact = capacitated_p_median(km, d, cap, p=3)
    large = capacitated_p_median(km, d, cap, p=3, method="large", time_limit_s=10)
    assert exact.status == "optimal"
    assert large.bound <= exact.objective * (1 + 1e-9) <= large.objective * (1 + 1e-9)
    assert large.objective <= exact.objective * 1.005
    assert len(large.sites) == 3 and set(large.assignment["site_id"]) <= set(large.sites)
    assert large.load.sum() == pytest.approx(d.sum())
    assert large.solver["method"] == "large"


def _brute_force(km: np.ndarray, d: np.ndarray, cap: np.ndarray) -> float:
    """The least cost over every assignment of the communities to the schools that fits (enumeration)."""
    n, m = km.shape
    best = np.inf
    for code in range(m**n):
        a = np.array([(code // m**i) % m for i in range(n)])
        if (np.bincount(a, weights=d, minlength=m) <= cap).all():
            best = min(best, float((d * km[np.arange(n), a]).sum()))
    return best


@pytest.mark.parametrize("seed", [21, 22])
def test_the_school_pair_knapsack_shares_two_schools_optimally(seed: int) -> None:
    # two schools and their communities: the compiled search's pair step is exact on two schools, so from
    # any start that fits it reaches the optimum the enumeration proves
    from countyedu.planning import gap_search

    rng = np.random.default_rng(seed)
    km = rng.uniform(1, 10, (11, 2))
    d = rng.integers(5, 60, 11).astype(float)
    cap = np.array([np.floor(d.sum() * 0.55), np.ceil(d.sum() * 0.55)])
    start = catchment_gap.repair(km, d, cap, np.zeros(11, dtype=np.int64))
    assert start is not None
    a, rounds = gap_search.search(km, d, cap, np.tile([0, 1], (11, 1)), np.array([[1], [0]]), start, np.inf)
    _check_plan(km, d, cap, a, float((d * km[np.arange(11), a]).sum()))
    assert rounds >= 1
    assert float((d * km[np.arange(11), a]).sum()) == pytest.approx(_brute_force(km, d, cap), rel=1e-12)


def test_the_compiled_search_on_larger_instances(monkeypatch: pytest.MonkeyPatch) -> None:
    # the compiled path (from COMPILED_FROM pairs) forced on small instances: its plan alone fits, is at
    # or above the proven optimum and near it; with the MIP after it, the optimum
    monkeypatch.setattr(catchment_gap, "COMPILED_FROM", 0)
    for seed in (1, 2):
        km, d, cap = _random(seed, 24, 5, 1.1, 5)
        opt = _milp_optimum(km, d, cap)
        r = solve_gap(km, d, cap, target_gap=1.0)
        assert "pair_rounds" in r.stats
        _check_plan(km, d, cap, r.assign, r.objective)
        assert r.bound <= opt * (1 + 1e-9) <= r.objective * (1 + 1e-9)
        assert r.objective <= opt * 1.03
        exact = solve_gap(km, d, cap, target_gap=0.0, time_limit_s=10)
        assert exact.objective == pytest.approx(opt, rel=1e-9)
    # fractional demand: the numpy search instead (the knapsack counts whole pupils)
    km, d, cap = _random(3, 24, 5, 1.1, 5)
    r = solve_gap(km, d + 0.5, cap + 12, target_gap=1.0)
    assert "pair_rounds" not in r.stats
    _check_plan(km, d + 0.5, cap + 12, r.assign, r.objective)
