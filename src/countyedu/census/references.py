"""Checks across sheets on the census an import would produce: references, grades fitting the
school's stage, schools open in the year, and plausibility warnings.

Only rows coming from the imported file (``_row`` set) are reported: stored rows were checked
when they were imported.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from countyedu.census.problems import Problem
from countyedu.census.schema import CODES, CORE_SHEETS, GRADES_BY_STAGE, SHEET_BY_NAME
from countyedu.census.vocational_refs import check_vocational

# Plausibility thresholds (warnings, never errors).
BIG_CLASS_WARNING = 80


def _new(df: pd.DataFrame) -> pd.DataFrame:
    return df[df["_row"].notna()]


def _ref(
    problems: list[Problem],
    sources: dict[str, str],
    sheet: str,
    df: pd.DataFrame,
    column: str,
    target: str,
    keys: pd.Series,
) -> None:
    rows = _new(df)
    rows = rows[rows[column].notna()]
    missing = rows[~rows[column].isin(set(keys.dropna()))]
    for row, value in zip(missing["_row"], missing[column], strict=True):
        problems.append(
            Problem(
                "error", sources[sheet], int(row), column, value, "reference", detail=f"{target}.{keys.name} = {value}"
            )
        )


def check_references(census: dict[str, pd.DataFrame], sources: dict[str, str]) -> list[Problem]:
    """Every cross-sheet problem of the rows being imported."""
    problems: list[Problem] = []
    present = {k: v for k, v in census.items() if len(v)}
    for core in CORE_SHEETS:
        if core not in present:
            needed_by = [s for s in present if s != core]
            if needed_by:
                problems.append(
                    Problem(
                        "error",
                        SHEET_BY_NAME[core].zh,
                        None,
                        None,
                        None,
                        "missing_sheet",
                        detail=f"{core} ({SHEET_BY_NAME[core].zh})",
                    )
                )
    if problems:
        return problems
    town = present["townships"]["township_id"].rename("township_id")
    schools = present["schools"]
    school_ids = schools["school_id"].rename("school_id")
    communities = present.get("communities")
    community_ids = (communities["community_id"] if communities is not None else pd.Series([], dtype="string")).rename(
        "community_id"
    )

    if communities is not None:
        _ref(problems, sources, "communities", communities, "township_id", "townships", town)
    if "population" in present:
        _ref(problems, sources, "population", present["population"], "community_id", "communities", community_ids)
    _ref(problems, sources, "schools", schools, "township_id", "townships", town)
    if communities is not None or _new(schools)["community_id"].notna().any():
        _ref(problems, sources, "schools", schools, "community_id", "communities", community_ids)
    _ref(problems, sources, "schools", schools, "partner_school_id", "schools", school_ids)
    _year_order(problems, sources, "schools", schools, "opened_year", "closed_year")
    for sheet in ("school_years", "classes", "teachers", "after_school"):
        if sheet in present:
            _ref(problems, sources, sheet, present[sheet], "school_id", "schools", school_ids)
            _school_open(problems, sources, sheet, present[sheet], schools)
    if "classes" in present:
        _grades_fit(problems, sources, present["classes"], schools)
        _big_classes(problems, sources, present["classes"])
        known = present["classes"][present["classes"]["school_id"].isin(set(school_ids))]  # others: reference
        _no_teachers(problems, sources, known, present.get("teachers"), present.get("school_years"))
    if "catchments" in present:  # QB-G13: the plan names communities and schools that exist
        _ref(problems, sources, "catchments", present["catchments"], "community_id", "communities", community_ids)
        _ref(problems, sources, "catchments", present["catchments"], "school_id", "schools", school_ids)
    if "rotation_exemptions" in present and "teachers" in present:
        _teacher_year_ref(problems, sources, present["rotation_exemptions"], present["teachers"])
    if "inspectors" in present:  # SV: a former school and a base township that exist
        _ref(problems, sources, "inspectors", present["inspectors"], "former_school_id", "schools", school_ids)
        _ref(problems, sources, "inspectors", present["inspectors"], "township_id", "townships", town)
    check_vocational(problems, sources, present, school_ids, _ref)  # 第12、13、15条: the vocational sheets
    if "tasks" in present:  # 第33条: a township's or a school's task names one that exists
        _task_owners(problems, sources, present["tasks"], set(town.dropna()), set(school_ids.dropna()))
    if "results" in present:  # quality (第29条): the school exists, the grade fits it, a score within its marks
        results = present["results"]
        _ref(problems, sources, "results", results, "school_id", "schools", school_ids)
        _grades_fit(problems, sources, results, schools, "results")
        _score_within_marks(problems, sources, results)
    if "private_schools" in present:  # 第16条: the register names private schools of the schools sheet
        _private_register(problems, sources, present["private_schools"], schools)
    if "housing_projects" in present:  # 第2、19条: a project's township, community and facility exist
        hp = present["housing_projects"]
        _ref(problems, sources, "housing_projects", hp, "township_id", "townships", town)
        _ref(problems, sources, "housing_projects", hp, "community_id", "communities", community_ids)
        _ref(problems, sources, "housing_projects", hp, "facility_school_id", "schools", school_ids)
    if "projects" in present:
        _ref(problems, sources, "projects", present["projects"], "school_id", "schools", school_ids)
        _year_order(problems, sources, "projects", present["projects"], "start_year", "end_year")
    if "programmes" in present:
        _ref(problems, sources, "programmes", present["programmes"], "school_id", "schools", school_ids)
        _batch_fits_track(problems, sources, present["programmes"])
    if "candidates" in present:
        cands = present["candidates"]
        _ref(problems, sources, "candidates", cands, "junior_school_id", "schools", school_ids)
        _choices(problems, sources, cands, present.get("programmes"))
        _candidate_scores(problems, sources, cands)
    return problems


def _task_owners(
    problems: list[Problem], sources: dict[str, str], tasks: pd.DataFrame, townships: set[str], schools: set[str]
) -> None:
    """A task owned by a township or a school gives that unit's id (its officials update it on the web)."""
    if "owner_kind" not in tasks.columns:
        return
    rows = _new(tasks)
    for row, kind, owner in zip(rows["_row"], rows["owner_kind"], rows["owner_id"], strict=True):
        known = {"township": townships, "school": schools}.get(str(kind)) if pd.notna(kind) else None
        if known is not None and (pd.isna(owner) or str(owner) not in known):
            value = None if pd.isna(owner) else owner
            detail = f"owner_kind={kind}, owner_id={'' if value is None else value}"
            problems.append(
                Problem("error", sources["tasks"], int(row), "owner_id", value, "task_owner", detail=detail)
            )


def _label(codes: str, code: object) -> str:
    return f"{CODES[codes].get(str(code), code)} ({code})"


def _private_register(
    problems: list[Problem], sources: dict[str, str], reg: pd.DataFrame, schools: pd.DataFrame
) -> None:
    """A row names a private school; 普惠 recognition and its subsidy are a kindergarten's; no more staff
    with contracts or insurance than staff (第16条, 第3条)."""
    src = sources["private_schools"]
    _ref(problems, sources, "private_schools", reg, "school_id", "schools", schools["school_id"].rename("school_id"))
    rows = _new(reg).merge(schools[["school_id", "ownership", "stage"]], on="school_id", how="inner")
    for row, sid, own in zip(rows["_row"], rows["school_id"], rows["ownership"], strict=True):
        if own != "private":
            problems.append(
                Problem("error", src, int(row), "school_id", sid, "not_private", detail=_label("ownership", own))
            )
    inclusive = rows["inclusive"].eq(True).fillna(False) if "inclusive" in rows else pd.Series(False, index=rows.index)
    for row, stage in zip(rows.loc[inclusive, "_row"], rows.loc[inclusive, "stage"], strict=True):
        if stage != "kindergarten":
            problems.append(
                Problem(
                    "error", src, int(row), "inclusive", True, "inclusive_kindergarten", detail=_label("stage", stage)
                )
            )
    if "subsidy" in rows:
        paid = rows[(rows["subsidy"].fillna(0) > 0) & ~inclusive]
        for row, v in zip(paid["_row"], paid["subsidy"], strict=True):
            problems.append(Problem("error", src, int(row), "subsidy", float(v), "subsidy_inclusive"))
    for col in ("staff_contracted", "staff_insured"):
        over = rows[rows[col].notna() & rows["staff"].notna() & (rows[col] > rows["staff"])]
        for row, v, staff in zip(over["_row"], over[col], over["staff"], strict=True):
            problems.append(Problem("error", src, int(row), col, int(v), "over_staff", detail=str(int(staff))))


def _batch_fits_track(problems: list[Problem], sources: dict[str, str], progs: pd.DataFrame) -> None:
    """A vocational programme runs in the vocational batch (职校), a general one never does (AD)."""
    rows = _new(progs)
    if "batch" not in rows or "track" not in rows:
        return
    given = rows[rows["batch"].notna() & rows["track"].notna()]
    bad = given[(given["track"] == "vocational") != (given["batch"] == "vocational")]
    for row, batch, track in zip(bad["_row"], bad["batch"], bad["track"], strict=True):
        problems.append(Problem("error", sources["programmes"], int(row), "batch", batch, "batch_track", detail=track))


def _candidate_scores(problems: list[Problem], sources: dict[str, str], cands: pd.DataFrame) -> None:
    """A bonus names its reason; no subject score above the total; no score without the exam (第7条)."""
    rows = _new(cands)
    if "bonus" in rows:
        reason = rows["bonus_reason"] if "bonus_reason" in rows else pd.Series(pd.NA, index=rows.index)
        bad = rows[(rows["bonus"].fillna(0) > 0) & reason.isna()]
        for row, bonus in zip(bad["_row"], bad["bonus"], strict=True):
            problems.append(Problem("error", sources["candidates"], int(row), "bonus", float(bonus), "bonus_reason"))
    if "exam_score" not in rows:
        return
    for col in ("score_chinese", "score_math", "score_english", "pe_score"):
        if col not in rows:
            continue
        over = rows[rows[col].notna() & rows["exam_score"].notna() & (rows[col] > rows["exam_score"])]
        for row, v, total in zip(over["_row"], over[col], over["exam_score"], strict=True):
            problems.append(
                Problem(
                    "error", sources["candidates"], int(row), col, float(v), "subject_over_total", detail=f"{total:g}"
                )
            )
    if "took_exam" in rows:
        stray = rows[rows["took_exam"].eq(False).fillna(False) & rows["exam_score"].notna()]
        for row, v in zip(stray["_row"], stray["exam_score"], strict=True):
            problems.append(
                Problem("warning", sources["candidates"], int(row), "exam_score", float(v), "score_without_exam")
            )


def _teacher_year_ref(
    problems: list[Problem], sources: dict[str, str], ex: pd.DataFrame, teachers: pd.DataFrame
) -> None:
    """An exemption names a teacher of that year's teachers sheet (RT)."""
    rows = _new(ex)
    known = set(zip(teachers["teacher_id"].astype(str), teachers["year"].astype(int), strict=True))
    for row, tid, year in zip(rows["_row"], rows["teacher_id"], rows["year"], strict=True):
        if (str(tid), int(year)) not in known:
            problems.append(
                Problem(
                    "error",
                    sources["rotation_exemptions"],
                    int(row),
                    "teacher_id",
                    tid,
                    "reference",
                    detail=f"teachers.teacher_id = {tid}, year = {year}",
                )
            )


def _year_order(
    problems: list[Problem], sources: dict[str, str], sheet: str, df: pd.DataFrame, start: str, end: str
) -> None:
    rows = _new(df)
    bad = rows[rows[start].notna() & rows[end].notna() & (rows[start] > rows[end])]
    for row, a, b in zip(bad["_row"], bad[start], bad[end], strict=True):
        problems.append(
            Problem("error", sources[sheet], int(row), end, b, "year_order", detail=f"{start}={a} > {end}={b}")
        )


def _school_open(
    problems: list[Problem], sources: dict[str, str], sheet: str, df: pd.DataFrame, schools: pd.DataFrame
) -> None:
    """A row for a school in a year before it opened or from the year it closed."""
    rows = _new(df).merge(schools[["school_id", "opened_year", "closed_year"]], on="school_id", how="inner")
    early = rows["opened_year"].notna() & (rows["year"] < rows["opened_year"])
    late = rows["closed_year"].notna() & (rows["year"] >= rows["closed_year"])
    bad = rows[(early | late).fillna(False)]
    for row, sid, year, o, c in zip(
        bad["_row"], bad["school_id"], bad["year"], bad["opened_year"], bad["closed_year"], strict=True
    ):
        span = f"{sid}: {'' if pd.isna(o) else o}–{'' if pd.isna(c) else c}"
        problems.append(Problem("error", sources[sheet], int(row), "year", year, "school_not_open", detail=span))


def _grades_fit(
    problems: list[Problem],
    sources: dict[str, str],
    classes: pd.DataFrame,
    schools: pd.DataFrame,
    sheet: str = "classes",
) -> None:
    rows = _new(classes).merge(schools[["school_id", "stage"]], on="school_id", how="inner")
    if rows.empty:
        return
    grades, stages = rows["grade"].to_numpy(dtype=object), rows["stage"].to_numpy(dtype=object)  # no pandas scalars
    fits = [g in GRADES_BY_STAGE.get(st, ()) for g, st in zip(grades, stages, strict=True)]
    bad = rows[[not f for f in fits]]
    for row, grade, stage in zip(bad["_row"], bad["grade"], bad["stage"], strict=True):
        problems.append(Problem("error", sources[sheet], int(row), "grade", grade, "grade_stage", detail=stage))


def _score_within_marks(problems: list[Problem], sources: dict[str, str], results: pd.DataFrame) -> None:
    """A result's score is at most the subject's full marks (quality)."""
    rows = _new(results)
    bad = rows[rows["score"].notna() & rows["full_marks"].notna() & (rows["score"] > rows["full_marks"])]
    for row, score, full in zip(bad["_row"], bad["score"], bad["full_marks"], strict=True):
        problems.append(
            Problem("error", sources["results"], int(row), "score", float(score), "score_over_full", detail=f"{full:g}")
        )


def _big_classes(problems: list[Problem], sources: dict[str, str], classes: pd.DataFrame) -> None:
    rows = _new(classes)
    big = rows[rows["pupils"] > BIG_CLASS_WARNING]
    for row, pupils in zip(big["_row"], big["pupils"], strict=True):
        problems.append(Problem("warning", sources["classes"], int(row), "pupils", int(pupils), "big_class"))


def _no_teachers(
    problems: list[Problem],
    sources: dict[str, str],
    classes: pd.DataFrame,
    teachers: pd.DataFrame | None,
    school_years: pd.DataFrame | None,
) -> None:
    """Schools with pupils in a year for which teachers are reported, but none for that school."""
    if teachers is None or teachers.empty:
        return
    new = _new(classes)
    pupils = new.groupby(["school_id", "year"], as_index=False).agg(pupils=("pupils", "sum"), row=("_row", "min"))
    pupils = pupils[pupils["pupils"] > 0]
    years_with_teachers = set(teachers["year"].dropna().astype(int))
    staffed = set(zip(teachers["school_id"], teachers["year"].astype(int), strict=True))
    for sid, year, n, row in zip(pupils["school_id"], pupils["year"], pupils["pupils"], pupils["row"], strict=True):
        if int(year) in years_with_teachers and (sid, int(year)) not in staffed:
            problems.append(
                Problem(
                    "warning",
                    sources["classes"],
                    int(row),
                    "school_id",
                    sid,
                    "no_teachers",
                    detail=f"{int(year)}: {int(n)}",
                )
            )


def _choices(
    problems: list[Problem], sources: dict[str, str], cands: pd.DataFrame, programmes: pd.DataFrame | None
) -> None:
    choice_cols = [c for c in cands.columns if c.startswith("choice_")]
    if not choice_cols:
        return
    known = set() if programmes is None else set(zip(programmes["programme_id"], programmes["year"], strict=True))
    rows = _new(cands)
    years = rows["year"].to_numpy(dtype=object)  # a column as Python objects: no pandas scalar per cell
    for col in choice_cols:
        given = rows[col].notna().to_numpy()
        pids = rows[col].to_numpy(dtype=object)
        unknown = np.flatnonzero(given)
        unknown = unknown[[(p, y) not in known for p, y in zip(pids[unknown], years[unknown], strict=True)]]
        for row, pid, year in zip(rows["_row"].to_numpy()[unknown], pids[unknown], years[unknown], strict=True):
            problems.append(
                Problem(
                    "error",
                    sources["candidates"],
                    int(row),
                    col,
                    pid,
                    "reference",
                    detail=f"programmes.programme_id = {pid} ({year})",
                )
            )
