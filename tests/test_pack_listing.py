"""The packs' listing (policy.listing) kept in the user's cache: what `countyedu packs` prints from it is
what it printed from the loaded packs, and a changed pack file or code is another key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import countyedu.policy.listing as listing
from countyedu.policy.pack import available_packs, load_pack


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    return tmp_path / "user-cache" / "countyedu" / "packs"


def test_it_lists_every_shipped_pack_and_item_with_its_targets_in_words(cache: Path) -> None:
    made = listing.shipped()
    assert [p["id"] for p in made] == available_packs()
    for p, entry in zip((load_pack(x) for x in available_packs()), made, strict=True):
        assert entry["name_zh"] == p.name_zh
        assert [i["id"] for i in entry["items"]] == [i.id for i in p.items]
    qb = next(p for p in made if p["id"] == "national-qb-2017")
    r1 = next(i for i in qb["items"] if i["id"] == "QB-R1")
    target = load_pack("national-qb-2017").item("QB-R1").targets[0]
    assert r1["targets"].startswith(target.words("zh"))


def test_the_kept_listing_is_read_while_the_packs_are_unchanged(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = listing.shipped()
    assert len(list(cache.iterdir())) == 1
    monkeypatch.setattr(listing, "made", lambda: pytest.fail("made again"))
    assert listing.shipped() == first


def test_a_changed_pack_file_or_code_is_another_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    here = tmp_path / "policy"
    (here / "packs").mkdir(parents=True)
    for f in (*listing._PACKS.glob("*.yaml"), listing._HERE / "pack.py"):
        target = here / ("packs" if f.suffix == ".yaml" else "") / f.name
        target.write_bytes(f.read_bytes())
    monkeypatch.setattr(listing, "_HERE", here)
    monkeypatch.setattr(listing, "_PACKS", here / "packs")
    before = listing._key()
    pack = here / "packs" / "national-pp-2020.yaml"
    pack.write_bytes(pack.read_bytes() + b"\n")
    assert listing._key() != before
    changed = listing._key()
    code = here / "pack.py"
    code.write_bytes(code.read_bytes() + b"\n")
    assert listing._key() not in (before, changed)


def test_packs_from_the_kept_listing_loads_neither_pydantic_nor_yaml(tmp_path: Path) -> None:
    env = {
        "PYTHONPATH": str(Path(listing.__file__).parents[2]),
        "XDG_CACHE_HOME": str(tmp_path / "user-cache"),
        "COUNTYEDU_KEEP_OUTPUT": "off",
    }
    code = (
        "import sys, runpy\nsys.argv = ['countyedu', 'packs']\n"
        "try:\n    runpy.run_module('countyedu', run_name='__main__')\nexcept SystemExit:\n    pass\n"
        "print([m for m in ('pydantic', 'yaml') if m in sys.modules], file=sys.stderr)\n"
    )
    outs = []
    for _ in range(2):  # made, then read from the user's cache
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
        outs.append(proc)
    assert outs[0].stderr.strip() == "['pydantic', 'yaml']"
    assert outs[1].stderr.strip() == "[]"
    assert outs[0].stdout == outs[1].stdout and "QB-R1" in outs[1].stdout
