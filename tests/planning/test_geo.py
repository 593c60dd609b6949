"""Distances and the travel-matrix reader (第4、5条; PN)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from countyedu.planning.geo import TravelMatrixError, haversine_km, k_nearest, read_travel

DEG_KM = 2 * math.pi * 6371.0088 / 360  # one degree of a great circle = 111.195 km


def test_it_measures_a_degree_on_the_equator_and_a_meridian():
    assert haversine_km(0, 0, 0, 1) == pytest.approx(DEG_KM)
    assert haversine_km(10, 116, 11, 116) == pytest.approx(DEG_KM)
    assert haversine_km(27.2, 116.5, 27.2, 116.5) == 0


def test_k_nearest_orders_by_distance():
    dist = np.array([[5.0, 1.0, 3.0, 2.0], [0.0, 9.0, 8.0, 7.0]])
    assert k_nearest(dist, 2).tolist() == [[1, 3], [0, 3]]
    assert k_nearest(dist, 9).tolist() == [[1, 3, 2, 0], [0, 3, 2, 1]]


def test_it_reads_a_good_matrix():
    t = read_travel(pd.DataFrame({"community_id": ["a", "b"], "school_id": ["S", "S"], "minutes": ["5", "7.5"]}))
    assert t["minutes"].tolist() == [5.0, 7.5]


def test_it_locates_every_problem():
    raw = pd.DataFrame(
        {
            "community_id": ["a", "a", "zz", ""],
            "school_id": ["S", "S", "S", "S"],
            "km": ["1", "2", "-3", "x"],
        }
    )
    with pytest.raises(TravelMatrixError) as err:
        read_travel(raw, communities=["a", "b"], schools=["S"])
    found = {(p.row, p.column, p.rule) for p in err.value.problems}
    # rows as a user sees them: header = 1, first data row = 2
    assert (3, "school_id", "duplicate_key") in found
    assert (4, "km", "negative") in found
    assert (4, "community_id", "reference") in found
    assert (5, "community_id", "required") in found
    assert (5, "km", "type_number") in found
    assert "第" in err.value.message_zh


def test_it_names_a_missing_column():
    with pytest.raises(TravelMatrixError) as err:
        read_travel(pd.DataFrame({"community_id": ["a"], "school_id": ["S"]}))
    assert err.value.problems[0].column == "minutes|km"
