"""One HiGHS instance as every solver of countyedu wants it: silent, two threads, an optional time limit
(planning's catchments, siting and consolidation, the harder-instance solvers, the inspectors'
assignment and the teachers' rotation)."""

from __future__ import annotations

import os
import sys

import highspy

_HIGHS_STATE = {"banner": False}


def new_highs(time_limit_s: float | None = None) -> highspy.Highs:
    """A silent HiGHS instance (its one-off start-up banner goes to /dev/null, not to our stdout)."""
    if not _HIGHS_STATE["banner"]:
        sys.stdout.flush()
        saved, null = os.dup(1), os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        try:
            h = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(null)
        _HIGHS_STATE["banner"] = True
    else:
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 2)
    if time_limit_s is not None:
        h.setOptionValue("time_limit", float(time_limit_s))
    return h
