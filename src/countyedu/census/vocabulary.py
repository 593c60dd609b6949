"""One vocabulary: the label (zh, en), order and colour of every code of the exchange format.

The codes and their labels are those of the exchange format (census.schema CODES and CODES_EN);
pages, reports, charts, the CLI and the computations ask here, and define no label, order or colour
of their own. Stages (学段) are always listed 学前 → 小学 → 初中 → 高中 → 中职, special education (特殊教育) last.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from countyedu.census.schema import CODES, CODES_EN
from countyedu.messages import LANGS as LANGS  # the languages labels are given in
from countyedu.messages import register_code_lists

# The stages of compulsory education (义务教育): 小学 and 初中.
COMPULSORY_STAGES: tuple[str, ...] = ("primary", "junior")

# The stages of education (学段), in the one order every table, chart and list uses.
STAGES: tuple[str, ...] = tuple(CODES["education_stage"])

# The stage of a grade, by the grade's letter (K1–K3 preschool, P1–P6 primary, …).
STAGE_OF_GRADE: dict[str, str] = {
    "K": "kindergarten",
    "P": "primary",
    "J": "junior",
    "H": "high",
    "V": "vocational",
    "S": "special",  # a special-education school's grades S1–S12 (特殊教育, listed last)
}

# One colour per stage in every chart (web and report); what has no stage (county-wide) is dark grey.
STAGE_COLOURS: dict[str, str] = {
    "kindergarten": "#d9730d",
    "primary": "#1f5fa8",
    "junior": "#2e7d32",
    "high": "#7b1fa2",
    "vocational": "#00838f",
    "special": "#6d4c41",
}
NO_STAGE_COLOUR = "#455a64"
# Further series (not stages) take these in turn.
PALETTE = (
    "#1f5fa8",
    "#d9730d",
    "#2e7d32",
    "#7b1fa2",
    "#c62828",
    "#00838f",
    "#6d4c41",
    "#ad1457",
    "#558b2f",
    "#283593",
    "#ef6c00",
    "#00695c",
    "#4e342e",
    "#9e9d24",
    "#5d4037",
    "#0277bd",
)


def label(code_list: str, code: str, lang: str = "zh") -> str:
    """A code's label in a language; an unknown code is shown as itself."""
    labels = CODES[code_list] if lang == "zh" else CODES_EN[code_list]
    return labels.get(code, code)


def labels(code_list: str, lang: str = "zh") -> dict[str, str]:
    """code → label of a code list, in its order."""
    return {code: label(code_list, code, lang) for code in CODES[code_list]}


def order(code_list: str) -> tuple[str, ...]:
    """A code list's codes in the order they are shown."""
    return tuple(CODES[code_list])


def sort_key(code_list: str, code: str | None) -> tuple[int, str]:
    """Sorts codes of a list in its order; unknown codes (and None) after the known, by name."""
    codes = CODES[code_list]
    return (list(codes).index(code), "") if code in codes else (len(codes), code or "")


def stage_order(stage: str | None) -> int:
    """A stage's place in 学前 → 小学 → 初中 → 高中 → 中职; anything else after them."""
    return STAGES.index(stage) if stage in STAGES else len(STAGES)


def sorted_stages(stages: Iterable[str]) -> list[str]:
    """Stages in the fixed order (anything that is no stage after them, by name)."""
    return sorted(stages, key=lambda s: sort_key("education_stage", s))


def stage_label(stage: str, lang: str = "zh") -> str:
    """A stage's name (学前, 小学 …); a school's stage that is no 学段 (九年一贯制 …) by its school type."""
    if stage in CODES["education_stage"]:
        return label("education_stage", stage, lang)
    return label("stage", stage, lang)


def school_type_label(stage: str, lang: str = "zh") -> str:
    """The kind of school a school's `stage` names (幼儿园, 小学, 九年一贯制 …)."""
    return label("stage", stage, lang)


def colour(stage: str | None) -> str:
    """A stage's colour, the same in every chart."""
    return STAGE_COLOURS.get(stage or "", NO_STAGE_COLOUR)


def series_colours(colours: Iterable[str], n: int) -> list[str]:
    """The colours of a chart's n series: those given (a stage's own), the palette in turn for the rest."""
    given = list(colours)
    return [given[i] if i < len(given) and given[i] else PALETTE[i % len(PALETTE)] for i in range(n)]


def stage_of_grade(grade: str) -> str:
    """The stage of a grade code (K1 → kindergarten, …)."""
    return STAGE_OF_GRADE[grade[:1]]


def stage_key(column: Any) -> Any:
    """For DataFrame.sort_values(key=…): a `stage` column sorts in the stages' order, others as they are."""
    return column.map(stage_order) if column.name == "stage" else column


# a Msg's Code parameters (countyedu.messages) are labelled here
register_code_lists(CODES.__contains__, label)
