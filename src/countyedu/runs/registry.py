"""The registry of run kinds: what a capability declares so that the CLI (`countyedu demo`, `import`,
`run KIND`), the web's recompute after an approval, the API and the report chapters take it up
without being edited (docs/run-kinds.md).

A kind declares its name and label, its compute function (the census frames, the packs the census is
assessed with, the school year and its parameters → a result with `as_dict()` and `blocks(lang)`),
its parameters (defaults, ranges, help text), which roles may run and read it (role codes of the web
app's memberships, kept here as plain strings), its report chapter and its summary.

Kinds are found through `ENTRY_POINTS`, a list of modules each defining `KIND`: this package imports
none of them at import time (they stand above it).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

import pandas as pd

from countyedu.errors import CountyEduError
from countyedu.messages import Msg, Text, translate
from countyedu.policy.pack import Pack
from countyedu.runs.blocks import Block

# The modules that register a kind (each defines KIND), in the order the pipeline runs them and the
# report shows their chapters. Adding a capability adds one line here.
ENTRY_POINTS: tuple[str, ...] = (
    "countyedu.planning.kind",
    "countyedu.funding.kind",
    "countyedu.teachers.kind",
    "countyedu.admissions.kind",
    "countyedu.supervision.kind",
    "countyedu.quality.kind",
    "countyedu.private.kind",
    "countyedu.housing.kind",
    "countyedu.vocational.kind",
)

# Role codes (web.models.Role) of the county-wide memberships: who reads a county's runs by default.
BUREAU_ADMIN = "bureau_admin"
COUNTY_ROLES: tuple[str, ...] = (
    BUREAU_ADMIN,
    "planning",
    "finance",
    "personnel",
    "admissions",
    "inspector",
    "basic_education",
    "vocational",
    "leadership",
)


class Result(Protocol):
    """What a kind's compute function returns."""

    def as_dict(self) -> dict[str, Any]: ...

    def blocks(self, lang: str = "zh") -> list[Block]: ...


Compute = Callable[[Mapping[str, pd.DataFrame], Sequence[Pack], int | None, Mapping[str, Any]], Result]


@dataclass(frozen=True)
class Inputs:
    """What a kind reads besides the census, the packs and its parameters (e.g. supervision: the web's
    daily records snapshot and the assessment): a digest of it, part of the run's key (other inputs,
    another run), and a function making the values `compute` finds among its parameters, called only
    when the run is computed."""

    digest: str
    load: Callable[[], Mapping[str, Any]]


# the kind's inputs of a census version: (census store, version, packs) → Inputs
InputsOf = Callable[[Any, str, Sequence[Pack]], Inputs]


@dataclass(frozen=True)
class Param:
    """A run parameter: its type, default (None: the pack's value), accepted range and help text."""

    name: str
    help: Text
    type: type = float  # int | float
    default: float | int | None = None
    lo: float | None = None
    hi: float | None = None

    def parse(self, raw: Any) -> float | int | None:
        """The value of a raw one (text from a command line or a form): typed and in range."""
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return self.default
        try:
            value = self.type(float(raw)) if self.type is int else self.type(raw)
        except (TypeError, ValueError):
            raise CountyEduError(
                Msg("{name}: {value} is not a number", name=self.name, value=str(raw)[:40]), field=self.name
            ) from None
        if (self.lo is not None and value < self.lo) or (self.hi is not None and value > self.hi):
            raise CountyEduError(
                Msg("{name}: {value} is outside {lo}–{hi}", name=self.name, value=value, lo=self.lo, hi=self.hi),
                field=self.name,
            )
        return value

    def as_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type.__name__,
            "default": self.default,
            "min": self.lo,
            "max": self.hi,
            "help": translate(self.help, lang),
        }


@dataclass(frozen=True)
class ReportChapter:
    """A kind's chapter of the assessment report: its title and the short name of its Excel sheet."""

    title: Text
    sheet: Text


@dataclass(frozen=True)
class RunKind:
    name: str  # the run's key: folder of the run store, CLI and API name, first part of its block ids
    label: Text
    compute: Compute
    chapter: ReportChapter
    run_roles: tuple[str, ...] = (BUREAU_ADMIN,)  # who may (re)compute it
    read_roles: tuple[str, ...] = COUNTY_ROLES  # who may read it
    params: tuple[Param, ...] = ()
    # its blocks hold message keys (Msg): computed once by blocks() and worded at the edge (else
    # blocks(lang) words them, once per report language)
    messages: bool = False
    summary: Callable[[Any], dict[str, Any]] = lambda result: {}  # headline numbers (JSON)
    summary_lines: Callable[[Mapping[str, Any]], list[str]] = lambda summary: []  # the same, as lines
    inputs: InputsOf | None = None  # what it reads besides the census (None: the census alone)

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise CountyEduError(
            Msg(
                "unknown parameter {name} of {kind}; known: {known}",
                name=name,
                kind=self.name,
                known=tuple(p.name for p in self.params),
            ),
            field=name,
        )

    def resolve(self, given: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Every parameter's value: the given ones (raw or typed, checked) and the others' defaults."""
        given = given or {}
        for name in given:
            self.param(name)
        return {p.name: p.parse(given.get(p.name)) for p in self.params}

    def describe(self, lang: str = "en") -> dict[str, Any]:
        """The kind as the API and `countyedu run --help` list it."""
        return {
            "kind": self.name,
            "label": translate(self.label, lang),
            "chapter": translate(self.chapter.title, lang),
            "run_roles": list(self.run_roles),
            "read_roles": list(self.read_roles),
            "params": [p.as_dict(lang) for p in self.params],
        }


@cache
def kinds() -> dict[str, RunKind]:
    """The registered kinds by name, in ENTRY_POINTS order."""
    out: dict[str, RunKind] = {}
    for module in ENTRY_POINTS:
        kind: RunKind = importlib.import_module(module).KIND
        out[kind.name] = kind
    return out


def get(name: str) -> RunKind:
    """The kind of that name; a CountyEduError naming the known ones otherwise."""
    found = kinds().get(name)
    if found is None:
        raise CountyEduError(Msg("no run kind {name}; known: {known}", name=name, known=tuple(kinds())), kind=name)
    return found


@dataclass
class Chapter:
    """A chapter of a report: a kind's blocks under its title, in one language."""

    key: str
    title: str
    sheet: str  # a short name (an Excel sheet's)
    blocks: list[Block]


def chapters(blocks: list[Block], lang: str = "zh") -> list[Chapter]:
    """Blocks grouped into the report chapters their kinds declare (by the first part of a block's id,
    "planning.seats" → planning), in the order their chapters first appear, in words of `lang`."""
    out: dict[str, Chapter] = {}
    for b in blocks:
        key = b.id.split(".", 1)[0]
        if key not in out:
            kind = kinds().get(key)
            title, sheet = (kind.chapter.title, kind.chapter.sheet) if kind else (key, key[:31])
            out[key] = Chapter(key, translate(title, lang), translate(sheet, lang), [])
        out[key].blocks.append(b.localized(lang))
    return list(out.values())
