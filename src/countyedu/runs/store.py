"""The one run store: every computed run of a census version kept beside the census, in the data dir.

Assessments, planning and funding runs (and every later kind) and report files are all kept under
one key: the census version, the digest of the policy packs the census is assessed with, the digest
of the run's parameters, and the school years in collection (census.years: opening or closing a year
names another stored run, so a page never shows one made under the other state). Files are written
by one atomic writer: a reader never sees half a file, and a crash leaves the previous file.

Layout: ``<data dir>/<kind>/<version>[-<years>]-<packs digest>[-<params digest>].json`` (a report
file keeps its own suffix under ``reports/``).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from countyedu.caches import write_atomic as write_atomic  # the one atomic writer, used from here too
from countyedu.census.years import Years
from countyedu.messages import LANGS as LANGS  # the report languages a stored run keeps its blocks in
from countyedu.policy.pack import Pack, load_pack
from countyedu.runs.blocks import Block

# The packs a census is assessed with unless the caller names others (the CLI's --pack, a county's own).
DEFAULT_PACKS: tuple[str, ...] = ("nanfeng-2019", "national-qb-2017", "national-pp-2020")


def load_packs(ids: Iterable[str] | None = None) -> list[Pack]:
    """The packs by id or .yaml path (default: DEFAULT_PACKS)."""
    return [load_pack(p) for p in (ids or DEFAULT_PACKS)]


def parameters(packs: Sequence[Pack], name: str) -> dict[str, Any]:
    """`parameters.<name>` of the first pack that sets it ({} when none does): a computation's numbers
    come from the packs the census is assessed with, the county's own pack first."""
    for p in packs:
        found = (p.parameters or {}).get(name)
        if found:
            return dict(found)
    return {}


# A pack's JSON, made once per loaded pack object (load_pack caches packs: the same object every time).
_pack_json: dict[int, tuple[Pack, str]] = {}


def _json_of(pack: Pack) -> str:
    held = _pack_json.get(id(pack))
    if held is None or held[0] is not pack:
        held = (pack, json.dumps(pack.model_dump(mode="json"), sort_keys=True))
        _pack_json[id(pack)] = held
    return held[1]


def packs_digest(packs: Sequence[Pack]) -> str:
    """A short digest of the packs (their whole content, in order): another pack is another run."""
    doc = "[" + ", ".join(_json_of(p) for p in packs) + "]"  # = json.dumps([dumps…], sort_keys=True)
    return hashlib.sha256(doc.encode()).hexdigest()[:12]


def params_digest(params: Mapping[str, Any]) -> str:
    """A short digest of a run's parameters (anything JSON can write)."""
    return hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()[:12]


@dataclass(frozen=True)
class RunKey:
    """Where a run is kept: its kind, census version, packs, parameters and years in collection."""

    kind: str  # assessments | planning | funding | reports | … (the folder)
    version: str
    packs: str  # packs_digest
    params: str = ""  # params_digest ("" for a run without parameters: the assessment)
    years: str = ""  # Years.key(): "" when every year is closed, else "p2026"

    @property
    def name(self) -> str:
        return "-".join(x for x in (self.version, self.years, self.packs, self.params) if x)


def run_key(
    kind: str, version: str, packs: Sequence[Pack], years: Years, params: Mapping[str, Any] | None = None
) -> RunKey:
    """The key of a run of `kind` on a census version under its years' states now."""
    return RunKey(kind, version, packs_digest(packs), params_digest(params) if params is not None else "", years.key())


@dataclass
class StoredRun:
    """A run as kept: its result (`as_dict()`), its blocks in each report language, its summary
    (what `countyedu demo` prints) and the parameters it ran with."""

    key: RunKey
    params: dict[str, Any]
    data: dict[str, Any]
    blocks: dict[str, list[Block]]  # lang → blocks
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return self.key.kind

    @property
    def census_version(self) -> str:
        return self.key.version

    def as_doc(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "census_version": self.census_version,
            "key": self.key.name,
            "params": self.params,
            "data": self.data,
            "blocks": {lang: [b.as_dict() for b in bs] for lang, bs in self.blocks.items()},
            "summary": self.summary,
        }


def damaged(path: Path, exc: BaseException) -> None:
    """Log a kept file that cannot be read (it is computed again and written over)."""
    import logging

    logging.getLogger("countyedu.runs").warning(
        "已保存的结果无法读取，重新计算 / a kept result could not be read, computed again: %s (%r)", path, exc
    )


class RunStore:
    """The runs kept in a data dir."""

    def __init__(self, data_dir: str | os.PathLike[str]) -> None:
        self.data_dir = Path(data_dir)

    def path(self, key: RunKey, suffix: str = ".json") -> Path:
        return self.data_dir / key.kind / f"{key.name}{suffix}"

    def save_doc(self, key: RunKey, doc: Any) -> Path:
        """Write a JSON document atomically."""

        def write(tmp: Path) -> None:
            # dumps, not dump: json.dump streams through the pure-Python encoder (seconds for an assessment)
            tmp.write_text(json.dumps(doc, ensure_ascii=False, default=str), encoding="utf-8")

        return write_atomic(self.path(key), write)

    def load_doc(self, key: RunKey) -> Any | None:
        """The stored JSON document, or None when it was not computed yet — or when the file cannot be
        read as one (damaged on disk, edited by hand): a kept result is a cache of its inputs, so it is
        computed again and written over whole (logged, never an error for the user)."""
        path = self.path(key)
        if not path.exists():
            return None
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            damaged(path, exc)
            return None

    def save(self, run: StoredRun) -> Path:
        return self.save_doc(run.key, run.as_doc())

    def load(self, key: RunKey) -> StoredRun | None:
        doc = self.load_doc(key)
        if doc is None:
            return None
        blocks = {lang: [Block.from_dict(b) for b in bs] for lang, bs in doc["blocks"].items()}
        return StoredRun(key, doc.get("params", {}), doc["data"], blocks, doc.get("summary", {}))

    def file(self, key: RunKey, suffix: str, write: Callable[[Path], None]) -> Path:
        """A file kept under `key` (a report), written atomically by `write` the first time it is asked for."""
        path = self.path(key, suffix)
        return path if path.exists() else write_atomic(path, write)
