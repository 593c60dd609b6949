"""Policy packs: the shipped ones load and cite real clauses; a broken one names file, line, field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from countyedu.indicators.engine import check_formulas
from countyedu.policy.pack import PackError, available_packs, load_pack, load_pack_file

SHARED = Path(__file__).resolve().parents[2] / "shared"
GOOD = """\
id: test-pack
name_zh: 测试
name_en: test
source: test
items:
  - id: X-1
    name_zh: 学前三年毛入园率
    name_en: Preschool gross enrolment ratio
    formula: enrolment_over_population
    params: {ages: [3, 5]}
    levels: [township, county]
    stages: [kindergarten]
    targets:
      - {op: ">=", value: 0.88, by: 2023}
    clause: 第3条
    mark: policy
"""


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "pack.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_it_loads_every_shipped_pack_with_known_formulas() -> None:
    packs = [load_pack(p) for p in available_packs()]
    assert {p.id for p in packs} == {"nanfeng-2019", "national-qb-2017", "national-pp-2020"}
    check_formulas(packs)
    ids = {i.id for p in packs for i in p.items}
    nanfeng_targets = {
        "T-PRE-1",
        "T-PRE-2",
        "T-PRE-3",
        "T-PRE-4",
        "T-PRE-5",
        "T-PRE-6",
        "T-PRE-7",
        "T-PRE-8",
        "T-CMP-1",
        "T-CMP-2",
        "T-CMP-3",
        "T-CMP-4",
        "T-HS-1",
        "T-HS-2",
        "T-HS-3",
        "T-VOC-1",
        "T-VOC-2",
        "T-VOC-3",
    }
    assert nanfeng_targets <= ids
    assert {
        "TQ-PRE-ASSOC",
        "TQ-PRI-POSTGRAD",
        "TQ-JUN-BACH",
        "TQ-JUN-POSTGRAD",
        "TQ-HIGH-BACH",
        "TQ-HIGH-POSTGRAD",
    } <= ids
    assert {f"QB-R{i}" for i in range(1, 8)} | {f"QB-R{i}-CV" for i in range(1, 8)} | {"QB-R-SCHOOL"} <= ids
    assert {f"PP-{i}" for i in range(1, 9)} <= ids


@pytest.mark.skipif(not (SHARED / "POLICY.md").exists(), reason="shared docs not beside the repo")
def test_every_item_cites_a_clause_that_exists() -> None:
    text = (SHARED / "POLICY.md").read_text(encoding="utf-8") + (SHARED / "STANDARDS.md").read_text(encoding="utf-8")
    known = set(re.findall(r"(?:T|QB|PP)-[A-Z0-9]+(?:-[A-Z0-9]+)*", text)) | set(re.findall(r"- (第\d+条)", text))
    for m in re.finditer(r"(QB-[A-Z])(\d+)\s*…\s*(?:QB-[A-Z])?[A-Z]?(\d+)", text):  # ranges: QB-Q3 … QB-Q8
        known |= {f"{m.group(1)}{i}" for i in range(int(m.group(2)), int(m.group(3)) + 1)}
    for p in (load_pack(x) for x in available_packs()):
        for it in p.items:
            assert it.clause in known, (p.id, it.id, it.clause)


def test_a_good_pack_loads(tmp_path: Path) -> None:
    pack = load_pack_file(_write(tmp_path, GOOD))
    assert pack.item("X-1").target_for(2020).value == 0.88


@pytest.mark.parametrize(
    ("change", "line", "field"),
    [
        (('op: ">="', 'op: "=>"'), 14, "items.0.targets.0.op"),
        (("    clause: 第3条\n", ""), 6, "items.0.clause"),
        (("by: 2023", "by: 1800"), 14, "items.0.targets.0.by"),
        (("levels: [township, county]", "levels: [province]"), 11, "items.0.levels.0"),
        (("    mark: policy\n", "    mark: policy\n    colour: red\n"), 17, "items.0.colour"),
    ],
)
def test_a_broken_pack_names_file_line_and_field(
    tmp_path: Path, change: tuple[str, str], line: int, field: str
) -> None:
    text = GOOD.replace(*change)
    with pytest.raises(PackError) as exc:
        load_pack_file(_write(tmp_path, text))
    assert f"pack.yaml, line {line}, field {field}" in exc.value.message_en
    assert f"第 {line} 行" in exc.value.message_zh


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    with pytest.raises(PackError) as exc:
        load_pack_file(_write(tmp_path, GOOD.replace("name_en: test\n", "name_en: test: broken\n")))
    assert "line 3" in exc.value.message_en


def test_an_unknown_formula_is_refused(tmp_path: Path) -> None:
    pack = load_pack_file(_write(tmp_path, GOOD.replace("enrolment_over_population", "magic")))
    with pytest.raises(PackError, match="unknown formula magic"):
        check_formulas([pack])


def test_a_duplicate_item_id_is_refused(tmp_path: Path) -> None:
    item = GOOD.split("items:\n")[1]
    with pytest.raises(PackError, match="given twice"):
        load_pack_file(_write(tmp_path, GOOD + item))


BIG_CLASSES = """\
id: test-pack
name_zh: 测试
name_en: test
source: test
parameters:
  planning: {big_class_at_least: 56}
items:
  - id: B-1
    name_zh: 大班额比例
    name_en: share of big classes
    formula: class_share
    params: {at_least: 56}
    levels: [county]
    stages: [primary]
    targets:
      - {op: "<=", value: 0.0, by: 2020}
    clause: 第4条
    mark: policy
"""


def test_big_classes_have_one_threshold_in_a_pack(tmp_path: Path) -> None:
    """大班额 (CS): the planning parameter and a class_share item's at_least are one number; a pack that
    gives two is refused, naming both."""
    assert load_pack_file(_write(tmp_path, BIG_CLASSES)).item("B-1").params["at_least"] == 56
    with pytest.raises(PackError) as exc:
        load_pack_file(_write(tmp_path, BIG_CLASSES.replace("{at_least: 56}", "{at_least: 55}")))
    assert "big_class_at_least is 56" in exc.value.message_en and "B-1" in exc.value.message_en
    shipped = load_pack("nanfeng-2019")
    assert shipped.parameters["planning"]["big_class_at_least"] == shipped.item("T-CMP-2").params["at_least"]
