"""A plain pandas implementation of the QB resource indicators (QB-R1…R7 per school part and their
pupil-weighted CVs), as a county analyst would write it: the peer the engine is timed against.

Same definitions as the engine (indicators/tables.py): school parts by grade; floor area and
equipment shared by pupils weighted primary 1 : junior 1.1; teachers shared by pupils; teaching
points under 50 pupils left out. The same work as the engine's QB-R items but their statuses: values
per school part, township and county (Σ numerator / Σ denominator, as the pack's levels say), and the
CVs; reading only the columns they use (as the engine reads its store).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

PART = {"P": "primary", "J": "junior"}
WEIGHT = {"primary": 1.0, "junior": 1.1, "kindergarten": 1.0, "high": 1.1, "vocational": 1.1}
RANK = {"below_associate": 0, "associate": 1, "bachelor": 2, "master": 3, "doctorate": 4}
NEED = {"primary": 1, "junior": 2}
BACKBONE = {"county", "city", "province", "national"}
ARTS = {"pe", "music", "fine_art"}


FACILITIES = ["teaching_area_m2", "sports_area_m2", "equipment_value", "multimedia_classrooms"]


def qb_resources(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(values per school part and year for R1…R7, their township and county values, CV per
    indicator, stage and year)."""
    classes = pd.read_parquet(folder / "classes.parquet", columns=["school_id", "year", "grade", "pupils"])
    schools = pd.read_parquet(folder / "schools.parquet", columns=["school_id", "stage", "township_id"])
    sy = pd.read_parquet(folder / "school_years.parquet", columns=["school_id", "year", *FACILITIES])
    teachers = pd.read_parquet(
        folder / "teachers.parquet", columns=["school_id", "year", "education", "subject", "backbone", "full_time"]
    )

    classes["part"] = (
        classes["grade"]
        .str[0]
        .map({"K": "kindergarten", "P": "primary", "J": "junior", "H": "high", "V": "vocational"})
    )
    parts = classes.groupby(["school_id", "year", "part"], as_index=False)["pupils"].sum()
    parts["wp"] = parts["pupils"] * parts["part"].map(WEIGHT)
    tot = parts.groupby(["school_id", "year"])[["pupils", "wp"]].transform("sum")
    parts["pupil_share"] = parts["pupils"] / tot["pupils"]
    parts["phys_share"] = parts["wp"] / tot["wp"]
    parts["school_pupils"] = tot["pupils"]
    parts = parts.merge(schools, on="school_id")
    parts = parts[parts["part"].isin(["primary", "junior"])]
    parts = parts[~((parts["stage"] == "teaching_point") & (parts["school_pupils"] < 50))]

    t = teachers[teachers["full_time"]].merge(
        parts[["school_id", "year", "part", "pupil_share"]], on=["school_id", "year"]
    )
    t["rank"] = t["education"].map(RANK)
    t["r1"] = np.where(t["rank"] >= t["part"].map(NEED), t["pupil_share"], 0.0)
    t["r2"] = np.where(t["backbone"].isin(BACKBONE), t["pupil_share"], 0.0)
    t["r3"] = np.where(t["subject"].isin(ARTS), t["pupil_share"], 0.0)
    tsum = t.groupby(["school_id", "year", "part"], as_index=False)[["r1", "r2", "r3"]].sum()

    v = parts.merge(tsum, on=["school_id", "year", "part"], how="left").fillna({"r1": 0, "r2": 0, "r3": 0})
    v = v.merge(sy, on=["school_id", "year"], how="left")
    out = v[["school_id", "year", "part", "pupils"]].copy()
    out["QB-R1"] = 100 * v["r1"] / v["pupils"]
    out["QB-R2"] = 100 * v["r2"] / v["pupils"]
    out["QB-R3"] = 100 * v["r3"] / v["pupils"]
    out["QB-R4"] = v["teaching_area_m2"] * v["phys_share"] / v["pupils"]
    out["QB-R5"] = v["sports_area_m2"] * v["phys_share"] / v["pupils"]
    out["QB-R6"] = v["equipment_value"] * v["phys_share"] / v["pupils"]
    out["QB-R7"] = 100 * v["multimedia_classrooms"] * v["phys_share"] / v["pupils"]

    # township and county: Σ numerator × scale / Σ denominator (the pupils) of their school parts
    nums = v[["township_id", "year", "part", "pupils"]].assign(
        **{"QB-R1": v["r1"], "QB-R2": v["r2"], "QB-R3": v["r3"]},
        **{f"QB-R{i}": v[c] * v["phys_share"] for i, c in enumerate(FACILITIES, start=4)},
    )
    scale = pd.Series({"QB-R1": 100.0, "QB-R2": 100.0, "QB-R3": 100.0, "QB-R7": 100.0}).reindex(
        [f"QB-R{i}" for i in range(1, 8)], fill_value=1.0
    )
    levels = []
    for level, by in (("township", ["township_id", "year", "part"]), ("county", ["year", "part"])):
        g = nums.groupby(by).sum(numeric_only=True)
        levels.append((g[scale.index] * scale).div(g["pupils"], axis=0).reset_index().assign(level=level))

    cvs = []
    for col in [f"QB-R{i}" for i in range(1, 8)]:
        d = out[["year", "part", "pupils", col]].dropna()
        d = d.assign(px=d["pupils"] * d[col])
        g = d.groupby(["year", "part"])
        mean = g["px"].sum() / g["pupils"].sum()
        d = d.join(mean.rename("mean"), on=["year", "part"])
        d["dev"] = d["pupils"] * (d[col] - d["mean"]) ** 2
        s = np.sqrt(d.groupby(["year", "part"])["dev"].sum() / d.groupby(["year", "part"])["pupils"].sum())
        cvs.append((s / mean).rename("cv").reset_index().assign(indicator=col))
    return out, pd.concat(levels, ignore_index=True), pd.concat(cvs, ignore_index=True)
