"""What every part of the demo county shares: its school years, grades and the age of each, its
townships and bounds, and the random draws (one generator, drawn in a fixed order)."""

from __future__ import annotations

import math

import numpy as np

FIRST_YEAR, LAST_YEAR = 2019, 2025
YEARS = tuple(range(FIRST_YEAR, LAST_YEAR + 1))
N_AGES = 26  # single years of age 0–25 (schema: population.age)
URBAN_TOWNSHIP = "NF01"  # 琴城镇, the county seat
N_CHOICES = 5  # candidates.choice_1 … choice_5

Rng = np.random.Generator

# (id, name, kind, residents 2023, seat latitude, seat longitude). Names and kinds: NANFENG.md;
# residents: 琴城镇 ≈ 90,000 (NANFENG.md), the rest invented to sum to ≈ 266,000 (end of 2023).
TOWNSHIPS: tuple[tuple[str, str, str, int, float, float], ...] = (
    ("NF01", "琴城镇", "town", 90_000, 27.218, 116.532),
    ("NF02", "太和镇", "town", 28_000, 27.110, 116.590),
    ("NF03", "白舍镇", "town", 24_000, 27.370, 116.470),
    ("NF04", "市山镇", "town", 22_000, 27.070, 116.460),
    ("NF05", "洽湾镇", "town", 14_000, 27.000, 116.560),
    ("NF06", "桑田镇", "town", 17_000, 27.300, 116.630),
    ("NF07", "紫霄镇", "town", 16_000, 27.160, 116.380),
    ("NF08", "三溪乡", "township", 13_000, 27.310, 116.380),
    ("NF09", "东坪乡", "township", 9_000, 27.210, 116.710),
    ("NF10", "莱溪乡", "township", 11_000, 27.050, 116.350),
    ("NF11", "太源乡", "township", 8_000, 26.960, 116.670),
    ("NF12", "傅坊乡", "township", 14_000, 27.430, 116.580),
)
COUNTY_LAT = (26.91, 27.49)
COUNTY_LON = (116.31, 116.79)

GRADE_AGE = {
    "K1": 3,
    "K2": 4,
    "K3": 5,
    "P1": 6,
    "P2": 7,
    "P3": 8,
    "P4": 9,
    "P5": 10,
    "P6": 11,
    "J1": 12,
    "J2": 13,
    "J3": 14,
    "H1": 15,
    "H2": 16,
    "H3": 17,
    "V1": 15,
    "V2": 16,
    "V3": 17,
}
LEVEL_GRADES = {
    "K": ("K1", "K2", "K3"),
    "P": ("P1", "P2", "P3", "P4", "P5", "P6"),
    "J": ("J1", "J2", "J3"),
    "H": ("H1", "H2", "H3"),
    "V": ("V1", "V2", "V3"),
}


def _pick(rng: Rng, dist: dict[str, float]) -> str:
    """One key of a probability table (weights need not sum to 1)."""
    u = rng.random() * sum(dist.values())
    last = ""
    for key, p in dist.items():
        u -= p
        last = key
        if u < 0:
            return key
    return last


def _clamp(value: float, bounds: tuple[float, float]) -> float:
    return min(max(value, bounds[0]), bounds[1])


def _between(rng: Rng, bounds: tuple[float, float]) -> float:
    return float(rng.uniform(bounds[0], bounds[1]))


def _jitter(rng: Rng, lat: float, lon: float, radius: float) -> tuple[float, float]:
    """A point near (lat, lon), kept inside the county."""
    angle = rng.uniform(0, 2 * math.pi)
    r = radius * math.sqrt(rng.uniform(0.1, 1.0))
    lat2 = _clamp(lat + r * math.sin(angle), COUNTY_LAT)
    lon2 = _clamp(lon + r * math.cos(angle) * 1.12, COUNTY_LON)
    return round(lat2, 5), round(lon2, 5)


def _year_fraction(y: int) -> float:
    return (y - FIRST_YEAR) / (LAST_YEAR - FIRST_YEAR)


def _ramp(bounds: tuple[float, float], y: int) -> float:
    return bounds[0] + (bounds[1] - bounds[0]) * _year_fraction(y)
