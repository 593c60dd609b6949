"""The package's exception hierarchy: every user-facing failure is a CountyEduError.

An error is raised with a message key and its parameters (`CountyEduError(Msg("no pupils in {year}",
year=y), year=y)`) and worded at the edge: `text(lang)` in one language, `user_text()` in both (the
CLI), `message_zh` / `message_en` from the one catalogue (countyedu.messages)."""

from __future__ import annotations

from typing import Any

from countyedu.messages import Msg, Text, translate


class CountyEduError(Exception):
    """Base of every error countyedu reports to a user (never shown as a traceback). `facts` are the
    details a caller may read (sheet, row, rule, value…)."""

    def __init__(self, message: Text, message_zh: str = "", **facts: Any) -> None:
        # `message_zh`: the Chinese of a plain-text message, for errors whose words are made elsewhere
        # (a file reader's own message); a Msg has its Chinese in the catalogue.
        self.message: Text = message
        self._zh = message_zh
        super().__init__(self.message_en)
        self.facts = facts

    def text(self, lang: str) -> str:
        """The message in words of `lang` (zh / en)."""
        if not isinstance(self.message, str):
            return str(translate(self.message, lang))
        return self._zh if (self._zh and lang.startswith("zh")) else self.message

    @property
    def message_en(self) -> str:
        return self.text("en")

    @property
    def message_zh(self) -> str:
        return self.text("zh")

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
        super().__init__(Msg("{count} error(s) found; nothing was imported", count=count))
        self.problems = problems


class StoreError(CountyEduError):
    """The census store is missing, locked or holds no such version."""
