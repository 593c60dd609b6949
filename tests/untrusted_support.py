"""Reading untrusted workbooks in a separate process, so that a crash (SIGABRT) or a hang fails the
test that caused it instead of killing pytest, and workbooks mutated the ways the issue's fuzzing
did: cell references, numbers, headers and the XML bytes of a school's pre-filled workbook.

`Reader` starts `python tests/untrusted_support.py DATA_DIR` once and sends it one file at a time;
the child answers one JSON line per file (strict JSON: allow_nan=False) through three paths:
- "import": `import_census` into a fresh empty store as `countyedu import` calls it (the workbook's checks
  started ahead in a child, census.xlsx_package.check_ahead; a clean import is a success),
- "check": `check_source` against the hand county in DATA_DIR, as the school's submission,
- "web": `web.actions.check_submission`, the web's background check (Django settings, upload limits).
"""

from __future__ import annotations

import io
import json
import os
import re
import select
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
HAND = HERE / "fixtures" / "hand"


def school_workbook(path: Path) -> Path:
    """P1's pre-filled workbook for 2025, as the web page serves it (census.submission.prefilled)."""
    from countyedu.census.readers import read_source
    from countyedu.census.submission import prefilled
    from countyedu.census.validate import validate_sheet
    from countyedu.census.writers import write_workbook

    census = {name: validate_sheet(rs)[0] for name, rs in read_source(HAND).sheets.items()}
    return write_workbook(path, prefilled(census, "P1", 2025), note="P1 2025")


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {i.filename: zf.read(i.filename) for i in zf.infolist()}


def zipped(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in parts.items():
            zf.writestr(name, body)
    return out.getvalue()


def sheet_part(parts: dict[str, bytes], sheet: str) -> str:
    """The member holding a sheet named in the workbook (write_workbook: sheet n is sheet<n>.xml)."""
    wb = parts["xl/workbook.xml"].decode()
    rid = re.search(rf'<sheet name="{re.escape(sheet)}" sheetId="\d+" r:id="rId(\d+)"', wb)
    assert rid, sheet
    return f"xl/worksheets/sheet{rid.group(1)}.xml"


class Reader:
    """The child process that reads workbooks; `ask` fails the test if it dies or hangs."""

    def __init__(self, data_dir: Path) -> None:
        env = {**os.environ, "COUNTYEDU_DATA": str(data_dir), "DJANGO_SETTINGS_MODULE": "countyedu.web.settings"}
        env.pop("COUNTYEDU_JOBS_SYNC", None)
        self.proc = subprocess.Popen(
            [sys.executable, __file__, str(data_dir)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )

    def ask(self, mode: str, path: Path, timeout: float = 60) -> dict[str, Any]:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(json.dumps({"mode": mode, "path": str(path)}).encode() + b"\n")
        self.proc.stdin.flush()
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            self.proc.kill()
            raise AssertionError(f"{mode} of {path.name}: no answer within {timeout} s (a hang)")
        line = self.proc.stdout.readline()
        if not line:
            code = self.proc.wait()
            raise AssertionError(f"{mode} of {path.name}: the reading process died (exit {code})")
        return json.loads(line)  # type: ignore[no-any-return]

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(timeout=30)


# ------------------------------------------------------------------------------- the child


def _answer(mode: str, path: Path) -> dict[str, Any]:
    from countyedu.census.importer import check_source, import_census
    from countyedu.census.limits import UPLOAD, import_limits
    from countyedu.census.store import CensusStore
    from countyedu.census.xlsx_package import check_ahead
    from countyedu.errors import InputFileError, ValidationFailed

    try:
        if mode == "web":
            from countyedu.web.actions import check_submission

            return {"problems": check_submission(path, path.name, "P1", 2025)}
        if mode == "check":
            store = CensusStore(Path(os.environ["COUNTYEDU_DATA"]))
            _typed, _merged, found = check_source(path, store, limits=UPLOAD, schools={"P1"})
            return {"problems": [p.as_dict() for p in found]}
        limits = import_limits()
        with tempfile.TemporaryDirectory() as tmp:
            import_census(path, CensusStore(Path(tmp)), limits=limits, ahead=check_ahead(path, limits))
        return {"imported": True}
    except ValidationFailed as exc:
        return {"problems": [p.as_dict() for p in exc.problems]}
    except InputFileError as exc:
        return {
            "file_error": {"rule": exc.facts.get("rule"), "message_zh": exc.message_zh, "message_en": exc.message_en}
        }


def _serve(data_dir: Path) -> None:
    import django

    django.setup()
    from countyedu.census.importer import import_census
    from countyedu.census.store import CensusStore

    store = CensusStore(data_dir)
    if store.latest() is None:
        import_census(HAND, store)
    for line in sys.stdin:
        req = json.loads(line)
        try:
            answer = _answer(req["mode"], Path(req["path"]))
        except Exception as exc:  # an exception is a finding too, reported, not a dead child
            answer = {"exception": f"{type(exc).__name__}: {exc}"}
        try:
            text = json.dumps(answer, ensure_ascii=False, allow_nan=False)
        except ValueError as exc:  # NaN or infinity in a problem list: the database would refuse it
            text = json.dumps({"exception": f"not strict JSON: {exc}"})
        sys.stdout.write(text + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    _serve(Path(sys.argv[1]))
