"""大班额 on upload: the policy pack's rule for oversized classes (a class_share indicator with
``at_least``, e.g. T-CMP-2: no compulsory class of 56 or more, CS 大班额 ≥ 56) turned into a warning
on every class of a school's file that breaks it, so the clerk sees it before the bureau does."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from countyedu.census.problems import Problem
from countyedu.indicators.tables import PART_OF_GRADE
from countyedu.policy.pack import Pack


@dataclass(frozen=True)
class BigClassRule:
    """Classes of the stages with at least `at_least` pupils are 大班额 (`clause` of the pack)."""

    at_least: int
    stages: tuple[str, ...]
    clause: str

    @classmethod
    def from_packs(cls, packs: Iterable[Pack]) -> BigClassRule | None:
        """The first class_share indicator with an ``at_least`` threshold, in pack order; None if none."""
        for pack in packs:
            for item in pack.items:
                if item.formula == "class_share" and "at_least" in item.params:
                    stages = tuple(str(s) for s in item.stages if s)
                    return cls(int(item.params["at_least"]), stages, item.clause)
        return None

    def warnings(self, classes: pd.DataFrame | None, source: str) -> list[Problem]:
        """A located warning per class of the rule's stages at or over the threshold."""
        if classes is None or classes.empty or "pupils" not in classes.columns or "grade" not in classes.columns:
            return []
        stage = classes["grade"].astype(str).str[:1].map(PART_OF_GRADE)
        pupils = pd.to_numeric(classes["pupils"], errors="coerce")
        big = classes[stage.isin(self.stages) & (pupils >= self.at_least)]
        detail = f"≥ {self.at_least}; {self.clause}"
        return [
            Problem("warning", source, int(row), "pupils", int(n), "big_class_policy", detail=detail)
            for row, n in zip(big["_row"], big["pupils"], strict=True)
        ]
