"""Teachers benchmark (issue 13): the exchange-rotation plan on the demo county and on a generated county
of 150 schools and about 3,000 teachers — the MILP's time and gap, the greedy baseline's objective in
the same run.

Run as `python -m benchmarks.teachers` (benchmarks/run.py does, in a fresh process); prints the rows as
JSON on its last line. The generated county comes from a fixed seed: 10 townships, each with a central
school and village schools and teaching points, and 30 urban schools in the county seat; urban schools
overstaffed by about 15 %, rural ones short by about 10 %; subjects drawn by the curriculum's periods.
"""

from __future__ import annotations

import json
import time
from typing import Any

import numpy as np
import pandas as pd

Row = tuple[str, str, str]
YEAR = 2024
SUBJECTS_P = {"chinese": 0.3, "math": 0.2, "english": 0.08, "pe": 0.1, "music": 0.07, "fine_art": 0.07}
SUBJECTS_P |= {"science": 0.06, "moral": 0.07, "it": 0.05}
SUBJECTS_J = {"chinese": 0.15, "math": 0.15, "english": 0.14, "physics": 0.08, "chemistry": 0.05, "biology": 0.06}
SUBJECTS_J |= {
    "history": 0.06,
    "geography": 0.06,
    "moral": 0.07,
    "pe": 0.09,
    "music": 0.03,
    "fine_art": 0.03,
    "it": 0.03,
}


def county(seed: int = 13, townships: int = 10) -> dict[str, pd.DataFrame]:
    """A generated county of about 150 schools and 3,000 teachers (census frames)."""
    rng = np.random.default_rng(seed)
    schools: list[dict[str, Any]] = []
    classes: list[dict[str, Any]] = []

    def school(sid: str, stage: str, tw: str, urban: bool, central: bool, lat: float, lon: float) -> None:
        schools.append(
            {
                "school_id": sid,
                "name": sid,
                "stage": stage,
                "ownership": "public",
                "township_id": tw,
                "urban": urban,
                "central": central,
                "boarding": False,
                "lat": lat,
                "lon": lon,
            }
        )
        grades = ["J1", "J2", "J3"] if stage == "junior" else ["P1", "P2", "P3", "P4", "P5", "P6"]
        per = {"teaching_point": 1, "primary": 4 if urban else (2 if central else 1), "junior": 6 if urban else 3}[
            stage
        ]
        size = {"teaching_point": (4, 12), "primary": (38, 48) if urban else (15, 40), "junior": (40, 50)}[stage]
        for g in grades[: 2 if stage == "teaching_point" else None]:
            for k in range(per):
                classes.append(
                    {"school_id": sid, "year": YEAR, "grade": g, "class_no": k + 1, "pupils": int(rng.integers(*size))}
                )

    for i in range(30):
        stage = "junior" if i < 4 else "primary"
        school(
            f"U{i:02d}", stage, "T00", True, False, 27.2 + rng.uniform(-0.02, 0.02), 116.5 + rng.uniform(-0.02, 0.02)
        )
    for t in range(1, townships + 1):
        tw = f"T{t:02d}"
        lat, lon = 27.2 + rng.uniform(-0.4, 0.4), 116.5 + rng.uniform(-0.4, 0.4)
        school(f"C{t:02d}", "primary", tw, False, True, lat, lon)
        school(f"J{t:02d}", "junior", tw, False, False, lat + 0.01, lon)
        for v in range(6):
            school(
                f"V{t:02d}{v}", "primary", tw, False, False, lat + rng.uniform(-0.1, 0.1), lon + rng.uniform(-0.1, 0.1)
            )
        for p in range(4):
            school(
                f"P{t:02d}{p}",
                "teaching_point",
                tw,
                False,
                False,
                lat + rng.uniform(-0.15, 0.15),
                lon + rng.uniform(-0.15, 0.15),
            )
    cls = pd.DataFrame(classes)
    pupils = cls.groupby("school_id")["pupils"].sum()
    teachers: list[dict[str, Any]] = []
    for s in schools:
        junior = s["stage"] == "junior"
        norm = pupils[s["school_id"]] / (13.5 if junior else 19.0)
        n = max(1, round(norm * (1.15 if s["urban"] else 0.9) + (1 if s["stage"] == "teaching_point" else 0)))
        subjects = SUBJECTS_J if junior else SUBJECTS_P
        names, probs = list(subjects), np.array(list(subjects.values()))
        for _ in range(n):
            teachers.append(
                {
                    "teacher_id": f"t{len(teachers):05d}",
                    "school_id": s["school_id"],
                    "year": YEAR,
                    "birth_year": int(rng.integers(1966, 2000)),
                    "gender": "female" if rng.random() < 0.6 else "male",
                    "education": str(rng.choice(["associate", "bachelor", "master"], p=[0.3, 0.62, 0.08])),
                    "subject": str(rng.choice(names, p=probs / probs.sum())),
                    "backbone": str(
                        rng.choice(["none", "county", "city"], p=[0.8, 0.15, 0.05]) if s["urban"] else "none"
                    ),
                    "years_at_school": int(rng.integers(0, 20)),
                    "full_time": bool(rng.random() < 0.97),
                }
            )
    tw = pd.DataFrame({"township_id": [f"T{t:02d}" for t in range(townships + 1)]}).assign(name=lambda d: d.township_id)
    return {"schools": pd.DataFrame(schools), "classes": cls, "teachers": pd.DataFrame(teachers), "townships": tw}


def _rotation(frames: dict[str, pd.DataFrame], packs: Any, label: str) -> list[Row]:
    from countyedu.teachers.rotation import plan_rotation

    start = time.perf_counter()
    plan = plan_rotation(frames, packs)
    wall = time.perf_counter() - start
    n_t = int((frames["teachers"]["year"] == plan.year).sum())
    return [
        (
            f"rotation, {label} ({n_t:,} teachers): plan with staffing, MILP and greedy",
            f"{wall:.1f} s",
            f"HiGHS {plan.seconds:.1f} s, gap {100 * plan.gap:.2f}%, objective {plan.objective:.2f}, "
            f"{len(plan.moves)} moves; greedy objective {plan.greedy['objective']:.2f} "
            f"({plan.greedy['moves']} moves, rules {'met' if plan.greedy['meets_rules'] else 'not all met'}); "
            f"{len(plan.shortfalls)} rules no plan can meet",
        )
    ]


def main() -> list[Row]:
    from countyedu.census import demo
    from countyedu.runs.store import load_packs

    packs = load_packs(None)
    rows = _rotation(demo.generate(), packs, "demo county")
    rows += _rotation(county(), packs, "generated county of 150 schools")
    return rows


if __name__ == "__main__":
    out = main()
    for r in out:
        print(" | ".join(r))
    print(json.dumps(out, ensure_ascii=False))
