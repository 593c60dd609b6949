"""The county page's key-target trend shows the items the packs declare first (Pack.key_targets), in
their order: another county's packs, other key targets, no code change."""

from __future__ import annotations

import json

from dash_support import hand_county  # noqa: F401

from countyedu.census.store import CensusStore
from countyedu.indicators.backends import open_tables
from countyedu.indicators.engine import assess
from countyedu.policy.pack import load_pack
from countyedu.web.dashboard_parts import county_parts
from countyedu.web.reading import indexed


def _trend(settings, packs) -> list[str]:
    store = CensusStore(settings.DATA_DIR)
    a = assess(open_tables(store, packs), packs)
    parts = county_parts(indexed(a), "zh")
    data = json.loads(str(parts["chart_json"]).split(">", 1)[1].rsplit("</script>", 1)[0])
    return [s["name"].split(" ")[0] for s in data["trend"]["series"]]


def test_the_shipped_packs_show_their_key_targets(settings, db) -> None:
    packs = [load_pack(p) for p in ("nanfeng-2019", "national-qb-2017", "national-pp-2020")]
    shown = _trend(settings, packs)
    assert list(dict.fromkeys(shown)) == ["T-PRE-5", "T-CMP-2", "T-HS-1", "QB-R-SCHOOL"]


def test_a_pack_whose_key_targets_differ_shows_those_first(settings, db) -> None:
    nanfeng = load_pack("nanfeng-2019").model_copy(update={"key_targets": ["T-HS-1", "T-PRE-5"]})
    shown = _trend(settings, [nanfeng, load_pack("national-pp-2020")])
    assert list(dict.fromkeys(shown)) == ["T-HS-1", "T-PRE-5"]
