"""Siting and consolidation (第4、5条; PN; CS; FD): which sites to open, which small schools to merge.

- `location`: the models on any cost matrix, the library every caller uses (`p_median`,
  `capacitated_p_median`, `facility_location` → `LocationResult`);
- `solver`: the formulation (capacitated p-median / facility location) and its certified HiGHS solve;
- `model`: the siting model (`solve_siting` on plain tables, `census_siting` on a census);
- `consolidation`: the consolidation model of 第5条 (`consolidation`, its scenarios and transition);
- `sites_file`: the candidate-sites file (`read_sites`);
- `blocks`: their words — the plans as blocks;
- `terms`: the codes and clause ids the models and their words share.
"""

from countyedu.planning.siting.consolidation import (
    ConsolidationParams,
    ConsolidationPlan,
    consolidation,
    transition_schedule,
)
from countyedu.planning.siting.location import (
    LocationResult,
    capacitated_p_median,
    facility_location,
    p_median,
)
from countyedu.planning.siting.model import SitingPlan, census_siting, solve_siting
from countyedu.planning.siting.sites_file import SITE_COLUMNS, SITES_SHEET, SitesFileError, read_sites
from countyedu.planning.siting.solver import SitingInfeasible
from countyedu.planning.siting.terms import CLAUSE, CONSOLIDATION_CLAUSE, KEEP, MERGE_ALL, OPTIMISE

__all__ = [
    "CLAUSE",
    "CONSOLIDATION_CLAUSE",
    "KEEP",
    "MERGE_ALL",
    "OPTIMISE",
    "SITES_SHEET",
    "SITE_COLUMNS",
    "ConsolidationParams",
    "ConsolidationPlan",
    "LocationResult",
    "SitesFileError",
    "SitingInfeasible",
    "SitingPlan",
    "capacitated_p_median",
    "census_siting",
    "consolidation",
    "facility_location",
    "p_median",
    "read_sites",
    "solve_siting",
    "transition_schedule",
]
