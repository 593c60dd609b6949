"""run_funding on the demo county: the four results, their blocks in order, JSON as_dict."""

from __future__ import annotations

import json

from funding_support import demo

from countyedu.funding.params import funding_params
from countyedu.funding.run import run_funding
from countyedu.policy.pack import load_pack


def test_run_on_the_demo_county() -> None:
    run = run_funding(demo(), funding_params(load_pack("nanfeng-2019")))
    assert run.year == 2025 and run.budget.years == list(range(2019, 2026))
    assert run.per_pupil.total == run.budget.funds[2025].total > 0
    d = json.loads(json.dumps(run.as_dict()))
    assert list(d) == ["year", "per_pupil", "budget", "compliance", "after_school"]
    for lang in ("zh", "en"):
        blocks = run.blocks(lang)
        ids = [b.id for b in blocks]
        assert ids[:4] == ["funding.per_pupil", "funding.per_pupil.schools", "funding.budget", "funding.compliance"]
        assert ids[-1] == "funding.after_school"
        assert all(b.id.startswith("funding.") and b.clause and b.title for b in blocks)
        json.dumps([b.as_dict() for b in blocks])
        for b in blocks:
            for t in b.tables:
                assert all(len(r) == len(t.columns) for r in t.rows), (b.id, t.title)
    assert "生均公用经费" in run.blocks("zh")[0].title and "Per-pupil" in run.blocks("en")[0].title


def test_an_earlier_year() -> None:
    run = run_funding(demo(), funding_params(None), 2021)
    assert run.per_pupil.year == 2021
    assert run.per_pupil.as_dict()["raise_factor"] == 1.1 * 1.1
