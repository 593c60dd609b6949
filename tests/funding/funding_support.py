"""Tiny hand-made censuses for the funding tests, and the demo county cached once."""

from __future__ import annotations

import functools
from typing import Any

import pandas as pd

from demo_support import demo_frames

GRADES = {"K": ["K1", "K2", "K3"], "P": ["P1", "P2", "P3", "P4", "P5", "P6"], "J": ["J1", "J2", "J3"]}
GRADES["H"] = ["H1", "H2", "H3"]
GRADES["S"] = ["S1", "S2", "S3"]  # a special-education school's declared grades


@functools.cache
def _demo() -> dict[str, pd.DataFrame]:
    return demo_frames()


def demo() -> dict[str, pd.DataFrame]:
    """The demo county (generated once per process), a fresh copy of each frame."""
    return {k: v.copy() for k, v in _demo().items()}


def school(
    sid: str,
    stage: str,
    pupils: dict[str, int],
    *,
    urban: bool = False,
    ownership: str = "public",
    inclusive: bool = True,
    boarders: int = 0,
    disabled: int = 0,
    township: str = "T1",
    received: float | None = None,
) -> dict[str, Any]:
    """A school with `pupils` per level (K/P/J/H), the pupils of a level all in its first grade."""
    return {
        "school_id": sid,
        "stage": stage,
        "pupils": pupils,
        "urban": urban,
        "ownership": ownership,
        "inclusive": inclusive,
        "boarders": boarders,
        "disabled": disabled,
        "township": township,
        "received": received,
    }


def census(*schools: dict[str, Any], years: tuple[int, ...] = (2023,)) -> dict[str, pd.DataFrame]:
    """Frames (townships, schools, classes, school_years) holding these schools in every year given."""
    townships = pd.DataFrame(
        {
            "township_id": ["T1", "T2"],
            "name": ["甲镇", "乙乡"],
            "kind": ["town", "township"],
            "urban_core": [True, False],
        }
    )
    srows, crows, yrows = [], [], []
    for s in schools:
        srows.append(
            {
                "school_id": s["school_id"],
                "name": f"学校{s['school_id']}",
                "stage": s["stage"],
                "ownership": s["ownership"],
                "inclusive": s["inclusive"],
                "township_id": s["township"],
                "urban": s["urban"],
                "boarding": s["boarders"] > 0,
            }
        )
        for y in years:
            for level, n in s["pupils"].items():
                crows.append(
                    {"school_id": s["school_id"], "year": y, "grade": GRADES[level][0], "class_no": 1, "pupils": n}
                )
            yrows.append(
                {
                    "school_id": s["school_id"],
                    "year": y,
                    "boarders": s["boarders"],
                    "disabled_pupils": s["disabled"],
                    "public_funding": s["received"],
                }
            )
    return {
        "townships": townships,
        "schools": pd.DataFrame(srows),
        "classes": pd.DataFrame(crows),
        "school_years": pd.DataFrame(yrows),
    }


def finance(rows: dict[int, dict[str, float]]) -> pd.DataFrame:
    """The finance sheet from {year: {item: amount}}."""
    return pd.DataFrame([{"year": y, "item": i, "amount": a} for y, items in rows.items() for i, a in items.items()])
