"""The demo county's population sheet: persons by community, year and single year of age 0–25,
cohorts aged one year at a time (Hamilton–Perry projections make sense on it)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from countyedu.census.demo.county import FIRST_YEAR, N_AGES, YEARS, Rng
from countyedu.census.demo.geography import _Community
from countyedu.census.schema import SHEET_BY_NAME

# Resident persons of the county in 2019 by birth year (ages 0–25): the cohorts of 2012–2017 are
# larger (two-child policy 2016), births fall after 2017 as China's did; young adults have left.
COHORT_2019: dict[int, int] = {
    1994: 2500,
    1995: 2500,
    1996: 2550,
    1997: 2550,
    1998: 2600,
    1999: 2600,
    2000: 2650,
    2001: 2700,
    2002: 2750,
    2003: 2800,
    2004: 2850,
    2005: 2850,
    2006: 2900,
    2007: 2900,
    2008: 2950,
    2009: 2950,
    2010: 3000,
    2011: 3050,
    2012: 3850,
    2013: 3950,
    2014: 3900,
    2015: 3850,
    2016: 4100,
    2017: 4150,
    2018: 3350,
    2019: 2950,
}
BIRTHS: dict[int, int] = {2020: 2500, 2021: 2250, 2022: 2050, 2023: 1950, 2024: 2000, 2025: 1850}
# Yearly survival-and-migration factor by setting, for children, young adults (16–22), others.
MIGRATION = {
    "urban": (1.008, 1.015, 1.0),
    "periurban": (1.002, 1.0, 0.998),
    "seat": (1.0, 0.985, 0.995),
    "rural": (0.992, 0.965, 0.99),
}
BIRTH_FACTOR = {"urban": 1.05, "periurban": 1.0, "seat": 1.0, "rural": 0.97}
CHILD_SHARE_SPREAD = 0.08  # lognormal spread of communities' share of children


def _project_population(rng: Rng, communities: list[_Community]) -> np.ndarray:
    """Persons (community × year × age 0–25), ints, cohorts aged year by year (Hamilton–Perry friendly)."""
    residents = np.array([c.residents for c in communities], dtype=float)
    child = rng.lognormal(0.0, CHILD_SHARE_SPREAD, len(communities))
    share = residents * child
    share /= share.sum()
    settings = [c.setting for c in communities]
    factor = np.ones((len(communities), N_AGES))
    for i, s in enumerate(settings):
        kid, young, other = MIGRATION[s]
        factor[i, 1:16] = kid
        factor[i, 16:23] = young
        factor[i, 23:] = other
    births = np.array([BIRTH_FACTOR[s] for s in settings])
    births = births / (births * share).sum()
    out = np.zeros((len(communities), len(YEARS), N_AGES))
    out[:, 0, :] = np.outer(share, [COHORT_2019[FIRST_YEAR - a] for a in range(N_AGES)])
    for yi, y in enumerate(YEARS[1:], start=1):
        out[:, yi, 0] = BIRTHS[y] * share * births
        out[:, yi, 1:] = out[:, yi - 1, :-1] * factor[:, 1:]
    return np.rint(out).astype(np.int64)


def _population_frame(communities: list[_Community], persons: np.ndarray) -> pd.DataFrame:
    n_c, n_y, n_a = persons.shape
    frame = pd.DataFrame(
        {
            "community_id": np.repeat([c.community_id for c in communities], n_y * n_a).astype(object),
            "year": np.tile(np.repeat(np.array(YEARS, dtype=np.int64), n_a), n_c),
            "age": np.tile(np.arange(n_a, dtype=np.int64), n_c * n_y),
            "persons": persons.reshape(-1).astype(np.int64),
        }
    )
    return frame[[c.name for c in SHEET_BY_NAME["population"].columns]]
