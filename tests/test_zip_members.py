"""A workbook with one damaged part (its CRC wrong) is refused naming that part, as zipfile's testzip named
it before every part was unzipped twice (issue 12 item 1): a sheet of the format's (checked as its XML is
read), another part (checked first), the workbook's own XML."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from countyedu.census.readers import read_source
from countyedu.errors import InputFileError
from untrusted_support import members, school_workbook, sheet_part


def damaged(parts: dict[str, bytes], part: str) -> bytes:
    """The parts zipped stored (not deflated), one byte of ``part`` changed: its CRC no longer matches."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zf:
        for name, body in parts.items():
            zf.writestr(name, body)
    data = bytearray(out.getvalue())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo(part)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    at = start + info.file_size // 2
    data[at] = data[at] ^ 0x01
    return bytes(data)


@pytest.fixture(scope="module")
def parts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    path = school_workbook(tmp_path_factory.mktemp("zip") / "P1-2025.xlsx")
    return members(path.read_bytes())


@pytest.mark.parametrize("which", ["sheet", "styles", "workbook"])
def test_the_damaged_part_is_named(parts: dict[str, bytes], tmp_path: Path, which: str) -> None:
    part = {"sheet": sheet_part(parts, "教师"), "styles": "xl/styles.xml", "workbook": "xl/workbook.xml"}[which]
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(damaged(parts, part))
    with pytest.raises(InputFileError) as caught:
        read_source(path)
    assert caught.value.facts.get("rule") == "unreadable"
    assert f"damaged member {part}" in str(caught.value.message_en)
    assert "damaged or truncated" in str(caught.value.message_en)


def test_the_same_parts_stored_whole_are_read(parts: dict[str, bytes], tmp_path: Path) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zf:
        for name, body in parts.items():
            zf.writestr(name, body)
    path = tmp_path / "stored.xlsx"
    path.write_bytes(out.getvalue())
    assert "teachers" in read_source(path).sheets  # the sheet named 教师
