"""The floor under `countyedu import` of a workbook: what any importer on this stack pays before it
validates, stores or assesses anything — Python started, the libraries the import uses imported
(pandas, DuckDB, Arrow) and every sheet of the workbook parsed by python-calamine into Python values.

Run as a child process by benchmarks/run.py (bench_demo_import), so Python's start counts:
``python -m benchmarks.import_floor WORKBOOK serial`` imports, then parses; ``... overlapped`` parses
on a thread (calamine releases the GIL while it parses) while the libraries are imported, as the
importer does: the lower of the two is the least an import of this workbook can take here.
"""

from __future__ import annotations

import sys
import threading
from typing import Any


def _parse(path: str, out: list[Any]) -> None:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(path)
    out.append(sum(len(book.get_sheet_by_name(name).to_python()) for name in book.sheet_names))


def _libraries() -> None:
    import duckdb  # noqa: F401
    import pandas  # noqa: F401
    import pyarrow  # noqa: F401


def main(path: str, how: str) -> int:
    rows: list[Any] = []
    if how == "serial":
        _libraries()
        _parse(path, rows)
    else:
        parser = threading.Thread(target=_parse, args=(path, rows))
        parser.start()
        _libraries()
        parser.join()
    print(rows[0] if rows else 0)  # the rows parsed, header rows included
    return 0 if rows and rows[0] > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "serial"))
