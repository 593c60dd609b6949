"""census.xlsx_package.check_sheet clears a sheet in one search of its bytes when every reference is narrow
(issue 12 item 1); its verdict stays the one of the searches it replaced — every reference well formed and
inside Excel's grid (_BAD_REF), the widest row number and column name within the bounds (_widths), else the
exact last row and column (_extent), else the streaming reader — for any references, bounds and spelling."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from countyedu.census.xlsx_package import (
    _BAD_REF,
    SheetBounds,
    _exact,
    _extent,
    _plain_cells,
    _widths,
    _within,
    check_sheet,
)


def before(xml: bytes, bounds: SheetBounds) -> list[object]:
    """check_sheet as it was: _plain_cells with _BAD_REF in it, then _widths, _extent, the exact reader."""
    if (
        _plain_cells(xml)
        and _BAD_REF.search(xml) is None
        and (_within(*_widths(xml), bounds) or _within(*_extent(xml), bounds))
    ):
        return []
    return _exact(xml, "学校", bounds)  # type: ignore[return-value]


LETTERS = st.text("ABCXYZ", min_size=0, max_size=4)
DIGITS = st.text("0123456789", min_size=0, max_size=9)
EDGES = [9, 10, 99, 100, 499, 500, 501, 502, 999, 1000, 2001, 2002, 9999, 10000, 99999, 100000, 769231, 999999]
ROWS = st.one_of(
    st.integers(1, 3_000),
    st.integers(1, 2_000_000),
    st.sampled_from([*EDGES, 1_000_000, 1_048_576, 1_048_577, 9_999_999, 10_000_000, 123_456_789]),
)
REF = st.one_of(
    st.tuples(st.sampled_from(["A", "B", "Z", "AA", "AZ", "ZZ", "XFD", "ZZZZ"]), ROWS).map(lambda t: f"{t[0]}{t[1]}"),
    st.tuples(LETTERS, DIGITS).map("".join),
)
BOUNDS = st.sampled_from(
    [SheetBounds(1_048_575, 1_024, 20_000_000), SheetBounds(2_000, 256, 500_000), SheetBounds(500, 256, 500_000)]
)


def sheet_xml(refs: list[str]) -> bytes:
    rows = "".join(f'<row r="{i + 1}"><c r="{ref}" t="n"><v>1</v></c></row>' for i, ref in enumerate(refs))
    return f'<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>{rows}</sheetData></worksheet>'.encode()


@settings(max_examples=500, deadline=None)
@given(refs=st.lists(REF, min_size=0, max_size=6), bounds=BOUNDS)
def test_it_clears_and_refuses_the_sheets_it_did(refs: list[str], bounds: SheetBounds) -> None:
    xml = sheet_xml(refs)
    assert check_sheet(xml, "学校", bounds) == before(xml, bounds)


def test_a_sheet_of_27_columns_and_10000_rows_is_cleared_by_the_searches_before() -> None:
    bounds = SheetBounds(1_048_575, 1_024, 20_000_000)
    xml = sheet_xml(["AA2", "B10000"])
    assert check_sheet(xml, "学校", bounds) == [] == before(xml, bounds)
    past = sheet_xml(["A1048577"])  # past the rows: the exact reader names the cell
    assert check_sheet(past, "学校", bounds) == before(past, bounds) != []
