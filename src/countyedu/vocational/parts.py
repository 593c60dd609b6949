"""The parts of a vocational run (the plug-in point of the module), as teachers.parts: each a module
with `part(ctx) -> result | None` (None: the census has nothing for it), an optional `NEEDS`,
`summary()` on its result and `summary_lines(summary)` on its module. Block ids start "vocational."."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from countyedu.policy.pack import Pack
from countyedu.vocational.params import VocationalParams

# name → module, in the order they run and the report shows them.
PARTS: tuple[tuple[str, str], ...] = (
    ("majors", "countyedu.vocational.majors"),
    ("cooperation", "countyedu.vocational.cooperation"),
    ("certificates", "countyedu.vocational.certificates"),
    ("credit_bank", "countyedu.vocational.bank"),
)


@dataclass
class Context:
    """What every part is given: the census frames, the packs, the school year (resolved: the latest of
    the majors sheet when none is given), the vocational parameters and the parts so far."""

    frames: Mapping[str, pd.DataFrame]
    packs: Sequence[Pack]
    year: int | None
    params: VocationalParams
    values: Mapping[str, Any] = field(default_factory=dict)
    parts: dict[str, Any] = field(default_factory=dict)
