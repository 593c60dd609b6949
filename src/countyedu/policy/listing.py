"""The shipped policy packs as `countyedu packs` lists them: each pack's id and Chinese name, and each
item's id, names, targets in words (Chinese), kind, clause and mark.

Made from the packs as `load_pack` loads them (YAML, validated by pydantic) and kept in the user's cache
under the content of the pack files and of the code that loads and words them (policy/pack.py, this
file) and the Python that runs it: while those are unchanged the listing is one small JSON file, read
without pydantic or YAML (their imports and the loading are about a third of `countyedu packs`).
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from countyedu.caches import user_cache, write_whole

_HERE = Path(__file__).parent
_PACKS = _HERE / "packs"  # policy.pack.PACK_DIR, named without loading that module (pydantic)


def shipped() -> list[dict[str, Any]]:
    """The shipped packs' listing, in the order of their ids."""
    path = user_cache("packs") / f"{_key()}.json"
    try:
        return list(json.loads(path.read_bytes()))
    except (OSError, ValueError):
        pass
    listing = made()
    write_whole(path, json.dumps(listing, ensure_ascii=False).encode())
    return listing


def made() -> list[dict[str, Any]]:
    """The listing, made from the loaded packs."""
    from countyedu.policy.pack import available_packs, load_pack

    return [
        {
            "id": p.id,
            "name_zh": p.name_zh,
            "items": [
                {
                    "id": i.id,
                    "name_zh": i.name_zh,
                    "name_en": i.name_en,
                    "targets": "; ".join(x.words("zh") + (f" ({x.stage})" if x.stage else "") for x in i.targets),
                    "kind": i.kind,
                    "clause": i.clause,
                    "mark": i.mark,
                }
                for i in p.items
            ],
        }
        for p in (load_pack(name) for name in available_packs())
    ]


def _key() -> str:
    """The digest of every pack file's name and bytes, the loading and wording code's, and the Python's."""
    h = hashlib.sha256(f"{sys.version}|{sys.prefix}\n".encode())
    for f in [*sorted(_PACKS.glob("*.yaml")), _HERE / "pack.py", Path(__file__)]:
        data = f.read_bytes()
        h.update(f"{f.name}:{len(data)}\n".encode())
        h.update(data)
    return h.hexdigest()[:32]
