"""High-school admission at scale (issue 14): 1,000,000 candidates × 10 choices × 2,000 programmes
with the quota batch (指标到校) through `countyedu.admissions.allocate` (goal < 0.5 s for the
allocation, < 2 s with the verifier), and the same instance shape at 10,000 candidates through the
`matching` package's HospitalResident solver (resident-optimal deferred acceptance, the bench extra)
in the same run: the per-candidate speed ratio (goal ≥ 1000×) and the equality of the allocations.

The instance: 500 junior schools (60% rural), 1,800 general programmes (the first 400 with a 50%
指标到校 share) and 200 vocational ones, places for 80% of the candidates; scores normal, subject
scores in proportion; each candidate lists 10 distinct programmes near their own level (score
percentile, with noise), the better programmes first, the weaker half adding vocational ones. `matching` solves the unified batch alone (no quota batch,
ties parted by the lottery: one common order), which is where both apply.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from countyedu.admissions.allocate import ANY_GRADE, BATCHES, UNIFIED, VOCATIONAL, Instance, allocate
from countyedu.admissions.params import AdmissionParams

N_SCHOOLS, N_GENERAL, N_QUOTA, N_VOCATIONAL, K = 500, 1_800, 400, 200, 10


def instance(n: int, seed: int = 7, quota: bool = True, n_programmes: int | None = None) -> Instance:
    """A synthetic county-of-counties: n candidates, K choices each, the programmes above (scaled
    down with n_programmes for the small peer instance)."""
    rng = np.random.default_rng(seed)
    n_prog = n_programmes or N_GENERAL + N_VOCATIONAL
    n_voc = max(1, n_prog * N_VOCATIONAL // (N_GENERAL + N_VOCATIONAL))
    n_gen = n_prog - n_voc
    n_q = n_gen * N_QUOTA // N_GENERAL if quota else 0
    n_schools = max(2, min(N_SCHOOLS, n // 200))
    score = np.clip(rng.normal(480, 110, n), 0, 750).round()
    subjects = {
        s: np.clip(score / 750 * 120 + rng.normal(0, 8, n), 0, 120).round() for s in ("chinese", "math", "english")
    }
    # programmes ranked by how wanted they are (0 best): a candidate aims near their own level
    # (score percentile), better programmes first, the weakest add vocational programmes
    k = min(K, n_prog)
    level = (1 - (np.argsort(np.argsort(score, kind="stable"), kind="stable") + 0.5) / n) * n_gen
    raw = level[:, None] + rng.normal(0, 0.08 * n_gen, (n, 3 * k))
    raw = np.clip(raw, 0, n_gen - 1).astype(np.int32)
    voc = rng.integers(n_gen, n_prog, (n, 3 * k)).astype(np.int32)
    weak = (level > 0.55 * n_gen)[:, None] & (np.arange(3 * k)[None, :] >= k // 2)
    raw = np.where(weak, voc, raw)
    raw.sort(axis=1)  # programme index = rank: better first, vocational last
    choices = np.full((n, k), -1, dtype=np.int32)
    first = np.ones_like(raw, dtype=bool)
    first[:, 1:] = raw[:, 1:] != raw[:, :-1]
    pos = np.cumsum(first, axis=1) - 1
    keep = first & (pos < k)
    r, c = np.nonzero(keep)
    choices[r, pos[r, c]] = raw[r, c]
    quota = np.maximum(1, (0.8 * n / n_prog) * (0.5 + rng.random(n_prog))).astype(np.int64)
    share = np.where(np.arange(n_prog) < n_q, 0.5, 0.0)
    batch = np.where(np.arange(n_prog) < n_gen, BATCHES.index(UNIFIED), BATCHES.index(VOCATIONAL)).astype(np.int8)
    took = rng.random(n) < 0.99
    return Instance(
        candidate_ids=np.arange(n),
        school=rng.integers(0, n_schools, n),
        took_exam=took,
        total=np.where(took, score, np.nan),
        subjects=subjects,
        grade=rng.integers(0, 4, n),
        three_years=rng.random(n) < 0.93,
        choices=choices,
        school_ids=np.array([f"J{i:04d}" for i in range(n_schools)]),
        rural=rng.random(n_schools) < 0.6,
        programme_ids=np.array([f"P{i:04d}" for i in range(n_prog)]),
        prog_school=np.array([f"H{i // 4:03d}" for i in range(n_prog)]),
        prog_batch=batch,
        prog_vocational=np.arange(n_prog) >= n_gen,
        prog_quota=quota,
        prog_share=share,
        prog_min_score=np.where(np.arange(n_prog) < n_gen, 300.0, np.nan),
        prog_min_grade=np.where(np.arange(n_prog) < 50, 1, ANY_GRADE),
    )


def time_allocation(inst: Instance, params: AdmissionParams, repeat: int = 3) -> tuple[float, Any]:
    """Best wall time of `repeat` allocations, and the allocation."""
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = allocate(inst, params)
        best = min(best, time.perf_counter() - t0)
    return best, out
