"""The private-school register's rules (pack key `parameters.private`): every field a default and the
clause it comes from; "assumed" marks a choice the texts do not make."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from countyedu.errors import CountyEduError
from countyedu.messages import Msg
from countyedu.runs.store import parameters

M = TypeVar("M", bound=BaseModel)


class PrivateParams(BaseModel):
    """第16条 (regulate private schools), 第3条 (普惠 kindergartens treated as public ones)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # A licence or a 普惠 recognition running out within this many days is flagged as expiring (assumed: 90).
    warning_days: int = Field(default=90, ge=0, le=3650)
    # The annual inspection (年检) of a school year is due by this month and day of its first calendar
    # year; a row without a result after it is flagged as not inspected (assumed: 1 December).
    inspection_due: tuple[int, int] = (12, 1)
    # School kinds of compulsory education: none may be for-profit (民办教育促进法 2016 第19条; 第16条).
    compulsory_stages: tuple[str, ...] = ("primary", "junior", "nine_year", "teaching_point")


CLAUSES: dict[str, str] = {
    "warning_days": "第16条 (assumed)",
    "inspection_due": "第16条 (assumed)",
    "compulsory_stages": "第16条; 民办教育促进法 第19条",
}


def read_section(packs: Sequence[Any], name: str, model: type[M]) -> M:
    """The packs' `parameters.<name>` read by `model` (defaults for what they omit); a bad field is a
    CountyEduError naming `parameters.<name>.<field>`."""
    try:
        return model(**parameters(packs, name))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join([name, *(str(p) for p in first["loc"])])
        raise CountyEduError(
            Msg("parameters.{field}: {problem}", field=where, problem=first["msg"]), field=where
        ) from None


def private_params(packs: Sequence[Any] = ()) -> PrivateParams:
    """The packs' `parameters.private`."""
    return read_section(packs, "private", PrivateParams)
