"""Planning and funding runs kept beside the census, like assessments (indicators.cache): computed once
per census version and parameters, read many times by the web app. A stored run is its JSON result
(`as_dict()`) and its blocks in both report languages."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from countyedu.runs.blocks import Block

LANGS = ("zh", "en")


@dataclass
class StoredRun:
    kind: str  # planning | funding
    census_version: str
    key: str  # digest of the parameters
    data: dict[str, Any]
    blocks: dict[str, list[Block]]  # lang → blocks


def params_key(params: Any) -> str:
    """A short digest of a run's parameters (anything JSON can write)."""
    return hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()[:12]


def _path(data_dir: Path, kind: str, version: str, key: str) -> Path:
    return Path(data_dir) / kind / f"{version}-{key}.json"


def save(data_dir: Path, run: StoredRun) -> Path:
    """Write a run atomically (a reader never sees half a file)."""
    path = _path(data_dir, run.kind, run.census_version, run.key)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {
        "kind": run.kind,
        "census_version": run.census_version,
        "key": run.key,
        "data": run.data,
        "blocks": {lang: [b.as_dict() for b in bs] for lang, bs in run.blocks.items()},
    }
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, ensure_ascii=False, default=str)
    os.replace(tmp, path)
    return path


def load(data_dir: Path, kind: str, version: str, key: str) -> StoredRun | None:
    """The stored run, or None when it was not computed yet."""
    path = _path(data_dir, kind, version, key)
    if not path.exists():
        return None
    doc = json.loads(path.read_text(encoding="utf-8"))
    blocks = {lang: [block_from_dict(b) for b in bs] for lang, bs in doc["blocks"].items()}
    return StoredRun(doc["kind"], doc["census_version"], doc["key"], doc["data"], blocks)


def block_from_dict(d: dict[str, Any]) -> Block:
    """The inverse of Block.as_dict."""
    return Block.from_dict(d)
