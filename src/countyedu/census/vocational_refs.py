"""Cross-sheet checks of the vocational sheets (第12、13、15条): majors, enterprises, order classes,
internships and the credit bank's learning outcomes name schools, majors and enterprises that exist;
graduates' destinations add up; periods end after they start. Called by census.references."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from countyedu.census.problems import Problem

Ref = Callable[[list[Problem], dict[str, str], str, pd.DataFrame, str, str, pd.Series], None]


def _new(df: pd.DataFrame) -> pd.DataFrame:
    return df[df["_row"].notna()]


def check_vocational(
    problems: list[Problem],
    sources: dict[str, str],
    present: dict[str, pd.DataFrame],
    school_ids: pd.Series,
    ref: Ref,
) -> None:
    """Every problem of the vocational sheets' rows being imported (`ref`: references._ref)."""
    majors = present.get("majors")
    major_ids = (majors["major_id"] if majors is not None else pd.Series([], dtype="string")).rename("major_id")
    ents = present.get("enterprises")
    ent_ids = (ents["enterprise_id"] if ents is not None else pd.Series([], dtype="string")).rename("enterprise_id")
    for sheet in ("majors", "enterprises", "order_classes", "internships", "learning_outcomes"):
        if sheet in present:
            ref(problems, sources, sheet, present[sheet], "school_id", "schools", school_ids)
    for sheet in ("order_classes", "internships", "learning_outcomes"):
        if sheet in present:
            ref(problems, sources, sheet, present[sheet], "major_id", "majors", major_ids)
    for sheet in ("order_classes", "internships"):
        if sheet in present:
            ref(problems, sources, sheet, present[sheet], "enterprise_id", "enterprises", ent_ids)
    if majors is not None:
        _destinations(problems, sources, majors)
    if ents is not None:
        _date_order(problems, sources, "enterprises", ents, "agreement_date", "ended_date")
    if "internships" in present:
        _date_order(problems, sources, "internships", present["internships"], "start_date", "end_date")


def _destinations(problems: list[Problem], sources: dict[str, str], majors: pd.DataFrame) -> None:
    """Employed and further study are at most the graduates; those employed locally at most the employed."""
    rows = _new(majors)
    if "graduates" not in rows:
        return

    def num(col: str) -> pd.Series:
        return pd.to_numeric(rows[col], errors="coerce") if col in rows else pd.Series(float("nan"), index=rows.index)

    grads, employed, local, study = num("graduates"), num("employed"), num("employed_locally"), num("further_study")
    over = (employed.fillna(0) + study.fillna(0)) > grads
    for row, e, s, g in zip(rows["_row"][over], employed[over], study[over], grads[over], strict=True):
        detail = (
            f"employed {0 if pd.isna(e) else int(e)} + further_study {0 if pd.isna(s) else int(s)} > graduates {int(g)}"
        )
        problems.append(Problem("error", sources["majors"], int(row), "employed", e, "graduate_counts", detail=detail))
    over = local > employed
    for row, lo, e in zip(rows["_row"][over], local[over], employed[over], strict=True):
        detail = f"employed_locally {int(lo)} > employed {int(e)}"
        problems.append(
            Problem("error", sources["majors"], int(row), "employed_locally", lo, "graduate_counts", detail=detail)
        )


def _date_order(
    problems: list[Problem], sources: dict[str, str], sheet: str, df: pd.DataFrame, start: str, end: str
) -> None:
    """An end date before its start date (ISO text compares as dates)."""
    rows = _new(df)
    if end not in rows:
        return
    bad = rows[rows[start].notna() & rows[end].notna() & (rows[end].astype(str) < rows[start].astype(str))]
    for row, a, b in zip(bad["_row"], bad[start], bad[end], strict=True):
        problems.append(
            Problem("error", sources[sheet], int(row), end, b, "date_order", detail=f"{start}={a} > {end}={b}")
        )
