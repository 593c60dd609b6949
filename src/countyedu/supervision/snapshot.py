"""The web's daily records as a snapshot file in the data dir (`SNAPSHOT`, plain JSON, readable
without Django), the way the checklist evidence is (`indicators.evidence`): the web rewrites it after
each change of a visit, a rectification, a notice, a task update, an assignment or an evaluation entry;
the registry's supervision run reads it, and its digest is part of the run's key (a change of the
records is another run)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import fields
from pathlib import Path
from typing import Any

import pandas as pd

from countyedu.supervision import records as rec
from countyedu.supervision.records import Records

SNAPSHOT = Path("supervision") / "records.json"


def path(data_dir: Path) -> Path:
    return Path(data_dir) / SNAPSHOT


def _cell(v: Any) -> Any:
    if v is None or v is pd.NA or (isinstance(v, float) and v != v) or v is pd.NaT:
        return None
    if isinstance(v, pd.Timestamp):
        return v.date().isoformat()
    if hasattr(v, "item"):  # numpy scalars
        return v.item()
    return v


def dumps(r: Records) -> bytes:
    """The snapshot's bytes: every records frame as rows, in a stable order (equal records, equal bytes)."""
    doc: dict[str, list[dict[str, Any]]] = {}
    for f in fields(r):
        df = getattr(r, f.name)
        rows = [{k: _cell(v) for k, v in row.items()} for row in df.astype(object).to_dict("records")]
        rows.sort(key=lambda row: json.dumps(row, sort_keys=True, ensure_ascii=False))
        doc[f.name] = rows
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12] if data else ""


def read_bytes(data_dir: Path) -> bytes:
    """The snapshot's bytes (b"" when the web has recorded nothing yet)."""
    try:
        return path(data_dir).read_bytes()
    except FileNotFoundError:
        return b""


def loads(data: bytes) -> Records:
    """The records of a snapshot's bytes (empty records for b"")."""
    if not data:
        return Records()
    doc = json.loads(data)
    return Records(**{name: rec.frame(name, doc.get(name, [])) for name in rec.COLUMNS})
