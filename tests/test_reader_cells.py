"""The parser's cells packed by column (census.readers.Cells) to cross from its child process: every
cell comes back as the parser gave it, value and type, whatever the column holds."""

from __future__ import annotations

import datetime as dt
import pickle

from countyedu.census.readers import Cells


def _unpacked(cells: Cells) -> list[list[object]]:
    cols = [cells.column(j) for j in range(cells.width)]
    return [list(cells.header)] + [[c[i] for c in cols] for i in range(cells.rows)]


ROWS = [
    ["id", "n", "gaps", "mixed", "sep", "dates", "blank"],
    ["S1", 1.0, 2.5, True, "a\x00b", dt.datetime(2025, 6, 30), ""],
    ["S2", -0.0, "", "text", "\x1fc", dt.date(2025, 7, 1), ""],
    ["S3", 1e15, 3.0, 7, "\x1e\x01", dt.time(8, 30), ""],
    ["学校", 12.0, "", None, "", "", ""],
]


def test_every_kind_of_column_comes_back_cell_for_cell() -> None:
    rows = ROWS
    cells = pickle.loads(pickle.dumps(Cells(rows)))  # as it crosses from the child
    back = _unpacked(cells)
    assert back == rows
    assert [[type(v) for v in r] for r in back] == [[type(v) for v in r] for r in rows]
    assert str(back[2][1]) == "-0.0"  # the sign of zero kept
    # a text column is one string, numbers one array: a few objects to pickle, not one per cell
    assert [p[0] for p in cells._packed] == ["s", "f", "f", "o", "o", "o", "s"]


def test_cells_outside_the_sheet_are_empty_and_short_rows_are_padded() -> None:
    cells = Cells([["a", "b"], ["x"], ["y", 2.0]])
    assert cells.rows == 2 and cells.width == 2
    assert cells.at(0, 1) == "b" and cells.at(1, 1) is None and cells.at(2, 1) == 2.0
    assert cells.at(3, 0) is None and cells.at(1, 5) is None and cells.at(0, 9) is None
    assert list(cells.column(7)) == [None, None]
    empty = Cells([])
    assert empty.header == [] and empty.rows == 0 and empty.width == 0
    header_only = Cells([["a"]])
    assert header_only.rows == 0 and list(header_only.column(0)) == []


def test_cells_read_in_this_process_are_the_parsers_unpacked() -> None:
    cells = Cells(ROWS, packed=False)  # no child: nothing to pack
    back = _unpacked(cells)
    assert back == ROWS == _unpacked(Cells(ROWS))
    assert [[type(v) for v in r] for r in back] == [[type(v) for v in r] for r in ROWS]
    assert {p[0] for p in cells._packed} == {"a"}
    assert cells.at(2, 1) == -0.0 and cells.at(5, 0) is None
