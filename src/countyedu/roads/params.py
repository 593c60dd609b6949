"""Road parameters (pack key `parameters.roads`): speeds per road class and mode, the snapping limit.

Every field has a default and says where it comes from. The school bus limits are 校车安全管理条例
第三十五条 (≤ 80 km/h on expressways, ≤ 60 km/h on other roads, ≤ 20 km/h on narrow and steep
roads); the speeds below that are assumed averages of a loaded bus on a hilly county's roads.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Mode = Literal["walk", "bus"]
MODES: tuple[Mode, ...] = ("walk", "bus")

CLAUSES: dict[str, str] = {
    "walk_kmh": "assumed (a primary pupil walks 4 km/h)",
    "bus_kmh": "校车安全管理条例 第三十五条 (limits); averages assumed",
    "snap_km": "assumed",
}


class RoadParams(BaseModel):
    """Speeds (km/h) per road class for each mode; a class left out is not used by that mode."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # A pupil on foot: 4 km/h on every road a pupil may walk on (not expressways), assumed.
    walk_kmh: dict[str, float] = Field(
        default_factory=lambda: {
            c: 4.0
            for c in (
                "trunk",
                "primary",
                "secondary",
                "tertiary",
                "unclassified",
                "residential",
                "service",
                "track",
                "path",
            )
        }
    )
    # A school bus: ≤ 80 expressway, ≤ 60 other roads, ≤ 20 narrow (第三十五条); averages assumed.
    bus_kmh: dict[str, float] = Field(
        default_factory=lambda: {
            "motorway": 70.0,
            "trunk": 50.0,
            "primary": 45.0,
            "secondary": 35.0,
            "tertiary": 30.0,
            "unclassified": 20.0,
            "residential": 20.0,
            "service": 15.0,
            "track": 10.0,
        }
    )
    # A community or school farther than this from every road is reported (assumed: 1 km); its leg to
    # the nearest junction is walked in a straight line at `access_kmh` whatever the mode.
    snap_km: float = Field(default=1.0, gt=0)
    access_kmh: float = Field(default=4.0, gt=0)

    def speeds(self, mode: Mode) -> dict[str, float]:
        return dict(self.walk_kmh if mode == "walk" else self.bus_kmh)


def road_params(raw: Any = None) -> RoadParams:
    """The road parameters of a mapping (a pack's `parameters.roads`), defaults for what it omits."""
    return RoadParams(**(dict(raw) if raw else {}))
