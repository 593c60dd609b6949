"""census.xlsx_package.check_sheet clears a sheet in one search of its bytes when every reference is narrow
(issue 12 item 1); its verdict stays the one of the searches it replaced — every reference well formed and
inside Excel's grid (_BAD_REF), the widest row number and column name within the bounds (_widths), else the
exact last row and column (_extent), else the streaming reader — for any references, bounds and spelling.
_clears, the three searches before them, clears only sheets _plain_cells and _fits clear, whatever the spacing,
line breaks, prefixes and attributes r of its cells and rows."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from countyedu.census.xlsx_package import (
    _BAD_REF,
    SheetBounds,
    _clears,
    _exact,
    _extent,
    _fits,
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


# pieces of a sheet's XML around its cells and rows: spacings of the attribute r, line breaks and tabs next
# to it, prefixed and odd elements, attributes whose names end or start in r
SPACE = st.sampled_from([" ", "  ", "\t", "\n", "\r", "\r\n", " \n"])
R_ATTR = st.one_of(
    st.tuples(SPACE, st.sampled_from(['r="', "r='", 'r ="', 'r= "', "r = '", 'r="', 'ar="', 'r="'])).map("".join),
    st.sampled_from([' r="', ' r="', ' r="', " r ", " r=", "\tr=", "\nr=", " ref=", " r"]),
)
CELL = st.one_of(
    REF.map(lambda ref: f'<c r="{ref}" t="n"><v>1</v></c>'),
    st.tuples(R_ATTR, REF).map(lambda t: f'<c{t[0]}{t[1]}"><v>2</v></c>'),
    st.tuples(REF, R_ATTR, REF).map(lambda t: f'<c r="{t[0]}"{t[1]}{t[2]}"><v>3</v></c>'),
    st.sampled_from(['<c t="n"><v>4</v></c>', "<c/>", "<c>5</c>", '<x:c r="A1"><v>6</v></x:c>', '<c\tr="B2"/>']),
)
ROW = st.tuples(st.one_of(R_ATTR, st.just(' r="')), st.integers(1, 200_000), st.lists(CELL, max_size=4), SPACE).map(
    lambda t: f'<row{t[0]}{t[1]}">{t[3].join(t[2])}</row>'
)


@settings(max_examples=1_000, deadline=None)
@given(head=SPACE, rows=st.lists(ROW, min_size=0, max_size=5), bounds=BOUNDS)
def test_the_three_searches_clear_only_what_plain_cells_and_fits_clear(
    head: str, rows: list[str], bounds: SheetBounds
) -> None:
    xml = f'<?xml version="1.0"?>{head}<worksheet><sheetData>{"".join(rows)}</sheetData></worksheet>'.encode()
    if _clears(xml, bounds):
        assert _plain_cells(xml) and _fits(xml, bounds)
    assert check_sheet(xml, "学校", bounds) == before(xml, bounds)


def test_the_three_searches_clear_a_sheet_as_excel_writes_it_and_leave_others_to_the_readers_before() -> None:
    bounds = SheetBounds(1_048_575, 1_024, 20_000_000)
    plain = b'<?xml version="1.0"?>\r\n<worksheet><sheetData><row r="1" spans="1:2"><c r="A1" s="1"><v>1</v></c></row>'
    assert _clears(plain + b"</sheetData></worksheet>", bounds)
    for odd in (b'<row r="2"><c r="AA2"/></row>', b'<row\nr="2"/>', b'<row r="3" r="4"/>', b'<row r="5" r ="5"/>'):
        xml = plain + odd + b"</sheetData></worksheet>"
        assert not _clears(xml, bounds)
        assert check_sheet(xml, "学校", bounds) == before(xml, bounds)
