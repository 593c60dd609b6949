"""Words at the edge: message keys with parameters, worded in Chinese or English from the one catalogue.

A computation says what it found as a `Msg`: the English text as the key (gettext's msgid), with named
`{placeholders}` and their values. It never words it; the CLI, the PDF/Excel writers and the web call
`translate(msg, lang)` when they show it. A Msg is JSON (`as_dict` / `from_dict`), so a stored run keeps
keys and parameters, not words, and reads in either language later.

Parameter values are worded too:
- a `Msg` (a phrase inside a sentence) is translated;
- a `Code(vocabulary, value)` (e.g. `Code("stage", "kindergarten")`) is labelled by the vocabulary's
  labeller (census.vocabulary registers the exchange format's code lists; `register_codes` others);
- a `Num(value, unit)` is formatted with its unit (`UNITS`: yuan 元, persons 人, m2 平方米,
  share %, percent %, km, count, year, "" plain);
- a tuple is a list, joined with "、" in Chinese and ", " in English;
- an int is shown as written (a year, a small count), a float as `Num(value)`; a str as it is (a name,
  an id). Placeholders take no format spec: a number that needs separators or a unit is a `Num`.

The catalogue is the gettext one the web app uses (`countyedu/locale/zh_Hans/LC_MESSAGES/django.po`),
read with polib once. English is the key itself; Chinese is its msgstr (the key, when missing: a test
checks every `Msg("…")` literal in the code has its Chinese).

Imports only the standard library and polib: every package may use it, Django or not.
"""

from __future__ import annotations

import functools
import importlib
import json
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, overload

import polib

LOCALE_DIR = Path(__file__).parent / "locale"
CATALOGUE = LOCALE_DIR / "zh_Hans" / "LC_MESSAGES" / "django.po"
LANGS = ("zh", "en")


@dataclass(frozen=True)
class Num:
    """A number shown with its unit (see UNITS); `digits` overrides the unit's decimals."""

    value: float | int | None
    unit: str = ""
    digits: int | None = None


@dataclass(frozen=True)
class Code:
    """A code of a vocabulary (stage, ownership, term, status…), labelled in the reader's language."""

    vocabulary: str
    value: str


# unit → (decimals, Chinese suffix, English suffix, singular English suffix); share is a fraction shown as %
UNITS: dict[str, tuple[int, str, str, str]] = {
    "": (-1, "", "", ""),  # -1: two decimals below 1,000, none above (as blocks.format_value)
    "count": (0, "", "", ""),
    "year": (0, "", "", ""),
    "yuan": (0, " 元", " yuan", " yuan"),
    "persons": (0, " 人", " persons", " person"),
    "pupils": (0, " 人", " pupils", " pupil"),
    "m2": (0, " 平方米", " m²", " m²"),
    "km": (2, " 公里", " km", " km"),
    "share": (1, "%", "%", "%"),  # value 0.25 → 25.0%
    "percent": (1, "%", "%", "%"),  # value 25 → 25.0%
}

_Plain = TypeVar("_Plain", int, float, bool, None)  # what translate passes through unchanged
Param = Any  # str | int | float | bool | None | Msg | Num | Code | tuple of these


class Msg:
    """A message key (the English text, with `{name}` placeholders) and its named parameters."""

    __slots__ = ("key", "params")

    key: str
    params: tuple[tuple[str, Param], ...]

    def __init__(self, key: str, /, **params: Param) -> None:
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "params", tuple(sorted((k, _frozen(v)) for k, v in params.items())))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Msg is immutable")

    def __reduce__(self) -> tuple[Any, ...]:  # copy, deepcopy (dataclasses.asdict) and pickle
        return (_msg, (self.key, self.params))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Msg) and (self.key, self.params) == (other.key, other.params)

    def __hash__(self) -> int:
        return hash((self.key, self.params))

    def __repr__(self) -> str:
        args = "".join(f", {k}={v!r}" for k, v in self.params)
        return f"Msg({self.key!r}{args})"

    def __str__(self) -> str:  # English: what a log line or a traceback shows
        return translate(self, "en")

    @property
    def kwargs(self) -> dict[str, Param]:
        return dict(self.params)

    def as_dict(self) -> dict[str, Any]:
        """JSON: {"msg": key, "params": {name: value}} (Num, Code and Msg values as their own dicts)."""
        return {"msg": self.key, "params": {k: _encode(v) for k, v in self.params}}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Msg:
        return cls(d["msg"], **{k: _decode(v) for k, v in d.get("params", {}).items()})


def _msg(key: str, params: tuple[tuple[str, Param], ...]) -> Msg:
    return Msg(key, **dict(params))


Text = str | Msg | Code  # a text field of a result: words already made, a message or a code to word


def _frozen(value: Param) -> Param:
    """A parameter as kept: lists as tuples, anything JSON cannot write (a path, an exception) as its text."""
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
    if value is None or isinstance(value, str | int | float | bool | Msg | Num | Code):
        return value
    return str(value)


def encode(value: Any) -> Any:
    """A text or parameter value as JSON (a str or number stays as it is)."""
    return _encode(value)


def decode(value: Any) -> Any:
    """The inverse of `encode`."""
    return _decode(value)


def _encode(value: Param) -> Any:
    if isinstance(value, Msg):
        return value.as_dict()
    if isinstance(value, Num):
        return {"num": value.value, "unit": value.unit, "digits": value.digits}
    if isinstance(value, Code):
        return {"code": value.vocabulary, "value": value.value}
    if isinstance(value, tuple):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Param:
    if isinstance(value, dict):
        if "msg" in value:
            return Msg.from_dict(value)
        if "num" in value:
            return Num(value["num"], value.get("unit", ""), value.get("digits"))
        if "code" in value:
            return Code(value["code"], value["value"])
    if isinstance(value, list):
        return tuple(_decode(v) for v in value)
    return value


# ---- the catalogue


@functools.cache
def catalogue() -> dict[str, str]:
    """English msgid → Chinese msgstr, from the one .po file (read once)."""
    out: dict[str, str] = {}
    for entry in polib.pofile(str(CATALOGUE)):
        if entry.msgctxt or entry.obsolete or "fuzzy" in entry.flags or not entry.msgstr:
            continue
        out[entry.msgid] = entry.msgstr
    return out


def lang_of(lang: str | None) -> str:
    """ "zh" or "en" from a language code ("zh-hans", "zh_Hans", "en-us", None → zh)."""
    return "en" if (lang or "zh").lower().startswith("en") else "zh"


# ---- code labels

CodeLabeller = Callable[[str, str], str]  # (value, lang) → label
CodeListLabeller = Callable[[str, str, str], str]  # (vocabulary, value, lang) → label
_CODES: dict[str, CodeLabeller] = {}
_CODE_LISTS: list[tuple[Callable[[str], bool], CodeListLabeller]] = []


def register_codes(vocabulary: str, labeller: CodeLabeller) -> None:
    """Say how the codes of one vocabulary are labelled."""
    _CODES[vocabulary] = labeller


def register_code_lists(known: Callable[[str], bool], labeller: CodeListLabeller) -> None:
    """Say how the codes of every vocabulary `known` accepts are labelled (census.vocabulary registers
    the exchange format's code lists on import)."""
    _CODE_LISTS.append((known, labeller))


# The modules that register labels when imported: imported by name when a code's vocabulary is not
# registered yet (a command that words a block without having imported them, as the CLI's lazy imports
# allow), so a status is never shown as its raw code. By name: this bottom module imports neither.
REGISTRARS = ("countyedu.census.vocabulary", "countyedu.reports.labels", "countyedu.supervision.rubric")


def _registered(vocabulary: str) -> bool:
    return vocabulary in _CODES or any(known(vocabulary) for known, _ in _CODE_LISTS)


def code_label(code: Code, lang: str) -> str:
    """A code's label; an unknown vocabulary shows the code itself."""
    if not _registered(code.vocabulary):
        for module in REGISTRARS:
            importlib.import_module(module)
    if code.vocabulary in _CODES:
        return _CODES[code.vocabulary](code.value, lang_of(lang))
    for known, labeller in _CODE_LISTS:
        if known(code.vocabulary):
            return labeller(code.vocabulary, code.value, lang_of(lang))
    return code.value


# ---- numbers


def format_number(num: Num, lang: str) -> str:
    """A number with its unit: 1,234 元 / 1,234 yuan; 25.0%; 3.20 公里 / 3.20 km."""
    if num.value is None:
        return "—"
    if num.unit not in UNITS:
        raise ValueError(f"unknown unit {num.unit!r}; known: {', '.join(UNITS)}")
    digits, zh, en, en_one = UNITS[num.unit]
    value = float(num.value) * (100 if num.unit == "share" else 1)
    if num.digits is not None:
        digits = num.digits
    if digits < 0:
        digits = 0 if abs(value) >= 1000 or float(value).is_integer() else 2
    sep = "" if num.unit == "year" else ","
    text = f"{value:{sep}.{digits}f}"
    if lang_of(lang) == "zh":
        return text + zh
    return text + (en_one if value == 1 else en)


# ---- wording


def word(value: Param, lang: str) -> str:
    """One parameter (or text) in words."""
    if isinstance(value, Msg):
        return translate(value, lang)
    if isinstance(value, Num):
        return format_number(value, lang)
    if isinstance(value, Code):
        return code_label(value, lang)
    if isinstance(value, tuple):
        return ("、" if lang_of(lang) == "zh" else ", ").join(word(v, lang) for v in value)
    if isinstance(value, bool):
        return ("是" if value else "否") if lang_of(lang) == "zh" else ("yes" if value else "no")
    if isinstance(value, int):
        return str(value)  # a year, an id-like count: as written (Num formats with separators and units)
    if isinstance(value, float):
        return format_number(Num(value), lang)
    return "" if value is None else str(value)


@overload
def translate(text: Msg | Num | Code | tuple[Any, ...] | str, lang: str) -> str: ...
@overload
def translate(text: _Plain, lang: str) -> _Plain: ...


def translate(text: Any, lang: str) -> Any:
    """A Msg (or Num, Code, tuple) in words of `lang` ("zh"/"en"); anything else passes through as it is."""
    if isinstance(text, Msg):
        pattern = text.key if lang_of(lang) == "en" else catalogue().get(text.key, text.key)
        if not text.params:
            return pattern
        return _Formatter().vformat(pattern, (), {k: word(v, lang) for k, v in text.params})
    if isinstance(text, Num | Code | tuple):
        return word(text, lang)
    return text


class _Formatter(string.Formatter):
    """str.format that leaves an unknown {placeholder} as it is rather than failing at the edge."""

    def get_value(self, key: int | str, args: Any, kwargs: Mapping[str, Any]) -> Any:
        if isinstance(key, str) and key not in kwargs:
            return "{" + key + "}"
        return super().get_value(key, args, kwargs)


def dumps(text: Text) -> str:
    """A text as one string to keep in a text column (a job's progress message): a message as its JSON,
    words as they are (`loads` reads either back)."""
    return json.dumps(encode(text), ensure_ascii=False) if isinstance(text, Msg | Code) else text


def loads(stored: str) -> Text:
    """The inverse of `dumps`: a message kept as JSON, or the words kept."""
    if stored.startswith('{"') and stored.endswith("}"):
        try:
            value = decode(json.loads(stored))
        except (ValueError, KeyError, TypeError):
            return stored
        if isinstance(value, Msg | Code):
            return value
    return stored


def both(text: Any) -> tuple[str, str]:
    """(Chinese, English) words of a text."""
    return translate(text, "zh"), translate(text, "en")
