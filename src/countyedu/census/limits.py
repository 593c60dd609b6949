"""Bounds on one input file, so that no file, by mistake or by design, can exhaust the machine that
reads it: its size, the zip package of a workbook, the rows of each sheet, the problems kept.

Two sets of defaults: IMPORT for the bureau's own census (``countyedu import``: a whole county in
one workbook) and UPLOAD for a school's submission on the web (a few hundred classes and teachers at
most). Each bound can be set in the environment, ``COUNTYEDU_IMPORT_<NAME>`` or
``COUNTYEDU_UPLOAD_<NAME>`` (e.g. ``COUNTYEDU_UPLOAD_UPLOAD_BYTES=31457280``,
``COUNTYEDU_UPLOAD_ROWS_TEACHERS=3000``); README "Limits" lists them.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

MIB = 1 << 20
EXCEL_ROWS = 1_048_576  # Excel's grid: rows 1…1,048,576, columns A…XFD
EXCEL_COLUMNS = 16_384


@dataclass(frozen=True)
class Limits:
    """The bounds one read of a file keeps to (see the module docstring for where they are set)."""

    upload_bytes: int = field(default=20 * MIB, metadata={"help": "size of an uploaded file"})
    zip_entries: int = field(default=1_000, metadata={"help": "parts in a workbook's zip package"})
    unzipped_bytes: int = field(default=100 * MIB, metadata={"help": "size of a workbook's parts once unzipped"})
    zip_ratio: int = field(
        default=100,
        metadata={"help": "how many times a part may be larger unzipped (parts over 1 MiB; a workbook is 5–15×)"},
    )
    sheet_rows: int = field(
        default=EXCEL_ROWS - 1, metadata={"help": "data rows of a sheet without a bound of its own (below the header)"}
    )
    rows: Mapping[str, int] = field(
        default_factory=dict, metadata={"help": "data rows of one sheet, by its code (ROWS_<SHEET>)"}
    )
    sheet_columns: int = field(default=1_024, metadata={"help": "columns of a sheet (A … AMJ)"})
    sheet_cells: int = field(
        default=20_000_000, metadata={"help": "cells of a sheet's used area, from A1 to its last row and column"}
    )
    problems: int = field(default=1_000, metadata={"help": "problems listed per check; the rest are counted by kind"})
    isolate: bool = field(
        default=False, metadata={"help": "read workbooks in a child process with the memory and time below"}
    )
    parse_memory_bytes: int = field(default=4096 * MIB, metadata={"help": "memory of that child process"})
    parse_seconds: int = field(default=600, metadata={"help": "time that child process may take"})

    def rows_of(self, sheet: str) -> int:
        """The most data rows the sheet (by code) may hold: its own bound, else SHEET_ROWS."""
        return self.rows.get(sheet, self.sheet_rows)


# A school's workbook holds one school and one year: its school row, its school-year row, its classes
# (the largest schools have about 200), its teachers (about 500) and its after-school terms.
SCHOOL_ROWS = {"schools": 10, "school_years": 10, "classes": 500, "teachers": 2_000, "after_school": 100}

IMPORT = Limits(upload_bytes=1024 * MIB, zip_entries=10_000, unzipped_bytes=2048 * MIB)
UPLOAD = Limits(
    rows=SCHOOL_ROWS,
    sheet_rows=2_000,
    sheet_columns=256,
    sheet_cells=500_000,
    isolate=True,
    parse_memory_bytes=1024 * MIB,
    parse_seconds=60,
)


def from_environ(env: Mapping[str, str], prefix: str, base: Limits) -> Limits:
    """``base`` with the bounds set in ``env`` as ``<prefix>_<NAME>`` (ROWS_<SHEET> per sheet)."""
    changes: dict[str, object] = {}
    for f in dataclasses.fields(Limits):
        name = f"{prefix}_{f.name.upper()}"
        if f.name == "rows":
            rows = dict(base.rows)
            start = f"{prefix}_ROWS_"
            rows.update({k[len(start) :].lower(): int(v) for k, v in env.items() if k.startswith(start)})
            changes["rows"] = rows
        elif name in env:
            value = env[name].strip()
            changes[f.name] = value.lower() in ("1", "true", "yes", "on") if f.type == "bool" else int(value)
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def documented() -> list[tuple[str, str, str, str]]:
    """(name, import default, upload default, help) of every bound, as README "Limits" lists them."""
    out = []
    for f in dataclasses.fields(Limits):
        if f.name == "rows":
            for sheet, n in SCHOOL_ROWS.items():
                out.append((f"ROWS_{sheet.upper()}", "–", str(n), f"data rows of the {sheet} sheet"))
            continue
        out.append((f.name.upper(), str(getattr(IMPORT, f.name)), str(getattr(UPLOAD, f.name)), f.metadata["help"]))
    return out


def import_limits() -> Limits:
    """The bounds of ``countyedu import``: IMPORT with the environment's COUNTYEDU_IMPORT_* set."""
    return from_environ(os.environ, "COUNTYEDU_IMPORT", IMPORT)
