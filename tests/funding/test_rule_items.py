"""Which pack item a funding rule decides is declared in the pack (parameters.funding), not in code."""

from __future__ import annotations

from funding_support import demo

from countyedu.funding.compliance import compliance
from countyedu.funding.params import funding_params
from countyedu.policy.pack import load_pack


def _clauses(frames, params) -> set[str]:
    return {ch.finding.clause for ch in compliance(frames, params).checks if ch.id == "training_share"}


def test_the_shipped_pack_names_the_item_the_training_share_check_decides() -> None:
    params = funding_params(load_pack("nanfeng-2019"))
    assert params.training_share_item == "QB-Q4"
    load_pack("national-qb-2017").item("QB-Q4")  # the item exists where the pack says
    assert _clauses(demo(), params) == {"QB-Q4"}


def test_another_pack_may_name_another_item() -> None:
    params = funding_params({"training_share_item": "LC-Q4"})
    assert _clauses(demo(), params) == {"LC-Q4"}
