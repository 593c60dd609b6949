"""The package's exception hierarchy: every user-facing failure is a CountyEduError."""

from __future__ import annotations

from typing import Any


class CountyEduError(Exception):
    """Base of every error countyedu reports to a user (never shown as a traceback)."""

    def __init__(self, message_en: str, message_zh: str = "", **facts: Any) -> None:
        super().__init__(message_en)
        self.message_en = message_en
        self.message_zh = message_zh or message_en
        self.facts = facts

    def user_text(self) -> str:
        """Chinese, then English, as one message for a terminal or a page."""
        if self.message_zh == self.message_en:
            return self.message_en
        return f"{self.message_zh}\n{self.message_en}"


class InputFileError(CountyEduError):
    """A file that cannot be read as the exchange format at all (not Excel, truncated, empty)."""


class ValidationFailed(CountyEduError):
    """An input with located problems; carries them all (see census.problems.Problem)."""

    def __init__(self, problems: list[Any]) -> None:
        # a line summing up problems left out of a long list (census.problems.capped) counts them all
        count = sum(
            int(str(p.value).replace(",", "")) if p.rule == "more_problems" else 1
            for p in problems
            if p.severity == "error"
        )
        super().__init__(
            f"{count} error(s) found; nothing was imported",
            f"发现 {count} 处错误，未导入任何数据",
        )
        self.problems = problems


class StoreError(CountyEduError):
    """The census store is missing, locked or holds no such version."""
