"""Packs come from the caller: `same_as` is resolved when a pack loads (the engine reads no pack from
disk), a reference to a missing pack or item is a located load error in both languages, and the
items pages and reports show first are the packs' `key_targets`."""

from __future__ import annotations

from pathlib import Path

import pytest

from countyedu.census.importer import import_census
from countyedu.census.store import CensusStore
from countyedu.indicators.backends import open_tables
from countyedu.indicators.engine import Assessment, assess
from countyedu.policy.pack import Pack, PackError, key_targets, load_pack, load_pack_file
from countyedu.reports.charts import _key_groups
from countyedu.reports.model import build_report

HAND = Path(__file__).parent / "fixtures" / "hand"

REFERRING = """\
id: a-pack
name_zh: 引用
name_en: referring
source: test
key_targets: [A-2, A-1]
items:
  - id: A-1
    name_zh: 入园率（引用）
    name_en: enrolment (referred)
    formula: same_as
    params: {pack: b-pack, item: B-1}
    levels: [county]
    stages: [kindergarten]
    clause: 第3条
    mark: policy
  - id: A-2
    name_zh: 入园率
    name_en: enrolment
    formula: enrolment_over_population
    params: {ages: [3, 5]}
    levels: [county]
    stages: [kindergarten]
    targets:
      - {op: ">=", value: 0.9, by: 2025}
    clause: 第3条
    mark: policy
"""

REFERRED = """\
id: b-pack
name_zh: 被引用
name_en: referred
source: test
items:
  - id: B-1
    name_zh: 入园率（{ages}）
    name_en: enrolment ({ages})
    formula: enrolment_over_population
    params: {ages: [AGES]}
    levels: [township, county]
    stages: [kindergarten]
    clause: 第3条
    mark: policy
"""


def _packs(tmp_path: Path, ages: str = "3, 5") -> Path:
    (tmp_path / "b-pack.yaml").write_text(REFERRED.replace("AGES", ages), encoding="utf-8")
    a = tmp_path / "a-pack.yaml"
    a.write_text(REFERRING, encoding="utf-8")
    return a


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> CensusStore:
    s = CensusStore(tmp_path_factory.mktemp("hand"))
    import_census(HAND, s)
    return s


def _assess(store: CensusStore, packs: list[Pack]) -> Assessment:
    return assess(open_tables(store, packs), packs)


def _county(a: Assessment, indicator: str) -> dict[int, float | None]:
    return {r.year: r.value for r in a.results if r.indicator == indicator and r.level == "county"}


def test_a_same_as_item_works_when_its_pack_is_gone_from_disk(store: CensusStore, tmp_path: Path) -> None:
    pack = load_pack_file(_packs(tmp_path))
    (tmp_path / "b-pack.yaml").unlink()
    a = _assess(store, [pack])
    referred, own = _county(a, "A-1"), _county(a, "A-2")
    assert referred and referred == own  # the same formula and ages, read through the reference


def test_the_engine_reads_the_referred_pack_it_was_given(store: CensusStore, tmp_path: Path) -> None:
    pack = load_pack_file(_packs(tmp_path))
    other = tmp_path / "other"
    other.mkdir()
    given = load_pack_file(_packs(other, ages="3, 4"))._references["b-pack"]  # b-pack, ages 3–4
    a = _assess(store, [pack, given])
    assert _county(a, "A-1") == _county(a, "B-1") != _county(a, "A-2")


def test_the_shipped_reference_resolves_on_load() -> None:
    nanfeng = load_pack("nanfeng-2019")
    ref, item = nanfeng.same_as(nanfeng.item("T-CMP-4"))
    assert (ref.id, item.id) == ("national-qb-2017", "QB-R-SCHOOL")
    assert ref is load_pack("national-qb-2017")


@pytest.mark.parametrize(
    ("change", "field", "en", "zh"),
    [
        ("item: B-9", "items.0.params.item", "same_as names item B-9, which pack b-pack does not have", "B-9"),
        ("pack: c-pack", "items.0.params.pack", "no pack c-pack", "没有政策包 c-pack"),
    ],
)
def test_a_reference_to_nothing_is_a_located_load_error(
    tmp_path: Path, change: str, field: str, en: str, zh: str
) -> None:
    path = _packs(tmp_path)
    key = change.split(":")[0]
    path.write_text(REFERRING.replace(f"{key}: {'B-1' if key == 'item' else 'b-pack'}", change), encoding="utf-8")
    with pytest.raises(PackError) as exc:
        load_pack_file(path)
    assert exc.value.message_en == f"a-pack.yaml, line 11, field {field}: {en}"
    assert exc.value.message_zh.startswith(f"a-pack.yaml 第 11 行，字段 {field}：")
    assert zh in exc.value.message_zh


def test_a_key_target_must_be_an_item_of_the_pack(tmp_path: Path) -> None:
    path = _packs(tmp_path)
    path.write_text(REFERRING.replace("[A-2, A-1]", "[A-2, T-PRE-5]"), encoding="utf-8")
    with pytest.raises(PackError) as exc:
        load_pack_file(path)
    assert "line 5, field key_targets" in exc.value.message_en
    assert "T-PRE-5 is no item of this pack" in exc.value.message_en


def test_the_shipped_key_targets_are_the_county_pages() -> None:
    packs = [load_pack(p) for p in ("nanfeng-2019", "national-qb-2017", "national-pp-2020")]
    assert key_targets(packs) == ["T-PRE-5", "T-CMP-2", "T-HS-1", "QB-R-SCHOOL"]


def test_a_pack_whose_key_targets_differ_shows_those_first(store: CensusStore, tmp_path: Path) -> None:
    pack = load_pack_file(_packs(tmp_path))
    report = build_report(_assess(store, [pack]), lang="en")
    assert report.key_targets == ["A-2", "A-1"]
    assert [g[0].indicator for g in _key_groups(report, report.key_targets)] == ["A-2"]  # A-1 has no target
