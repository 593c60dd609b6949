"""The demo's personal exemptions from the exchange rotation (RT; the rotation_exemptions sheet):
each year a few teachers who would be eligible (full-time, ≥ 6 years at their school) are exempted —
young women for pregnancy, others for serious illness or family hardship. Drawn from a generator of
their own (seed + EXEMPTIONS_SEED_OFFSET), so nothing else of the demo changes with them."""

from __future__ import annotations

from typing import Any

import numpy as np

EXEMPTIONS_SEED_OFFSET = 613
SHARE = 0.012  # of the teachers who would be eligible, per year (invented)


def _exemption_rows(rng: np.random.Generator, teachers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Exemptions per year, as sheet rows (teacher_id, year, reason, note)."""
    rows: list[dict[str, Any]] = []
    for year in sorted({int(t["year"]) for t in teachers}):
        pool = [t for t in teachers if t["year"] == year and t["full_time"] and t["years_at_school"] >= 6]
        pool.sort(key=lambda t: t["teacher_id"])
        n = round(SHARE * len(pool))
        for i in sorted(rng.choice(len(pool), size=min(n, len(pool)), replace=False)):
            t = pool[int(i)]
            age = year - int(t["birth_year"])
            if t["gender"] == "female" and age <= 38 and rng.random() < 0.7:
                reason, note = "pregnancy", "孕期（医院证明）"
            elif rng.random() < 0.6:
                reason, note = "illness", "重病（县级以上医院诊断证明）"
            else:
                reason, note = "family", "家庭特殊困难（需照顾重病家属）"
            rows.append({"teacher_id": t["teacher_id"], "year": year, "reason": reason, "note": note})
    return rows
