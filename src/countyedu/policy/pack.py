"""Policy packs: YAML files of indicators, targets and parameters, each citing its clause.

A pack is validated on load (pydantic); an error names the file, the line and the field.
Code holds formulas (countyedu.indicators.formulas); packs hold numbers and which formula applies.

A `same_as` item (params {pack, item}) reads an item of another pack. It is resolved when the pack
loads: the other pack is looked for next to the pack's file, then among the shipped packs, and kept
with the pack (Pack.same_as), so that the engine computes on the packs it is given and never reads
packs from disk itself. A pack also declares which of its items pages and reports show first
(`key_targets`).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, Literal, NoReturn

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

from countyedu.errors import CountyEduError
from countyedu.messages import Msg

PACK_DIR = Path(__file__).parent / "packs"

Level = Literal["school", "township", "county"]
Stage = Literal["kindergarten", "primary", "junior", "high", "vocational", "special"]
Mark = Literal["policy", "text", "practice", "assumed"]
Op = Literal[">=", "<=", ">", "<", "==", "≈"]

OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
    "==": lambda a, b: abs(a - b) < 1e-9,
}


class PackError(CountyEduError):
    """A pack file that does not load: file, line and field are named."""


class Target(BaseModel):
    """A target: op and value, to be reached by the end of school year `by`."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    op: Op
    value: float
    by: int = Field(ge=1949, le=2100)
    tolerance: float | None = Field(default=None, ge=0, description="for ≈: allowed distance")
    stage: Stage | None = Field(default=None, description="the stage this value applies to (QB: primary/junior)")

    def met(self, value: float) -> bool:
        """Whether a value meets the target."""
        if self.op == "≈":
            return abs(value - self.value) <= (self.tolerance or 0.0) + 1e-12
        return OPS[self.op](value, self.value)

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"op": self.op, "value": self.value, "by": self.by}
        if self.tolerance is not None:
            d["tolerance"] = self.tolerance
        return d

    def words(self, lang: str = "zh") -> str:
        tol = f" ± {self.tolerance:g}" if self.tolerance else ""
        op = {">=": "≥", "<=": "≤"}.get(self.op, self.op)
        if lang == "zh":
            return f"{op} {self.value:g}{tol}（{self.by} 年）"
        return f"{op} {self.value:g}{tol} by {self.by}"


def _no_stage() -> list[Stage | None]:
    return [None]


class Item(BaseModel):
    """One indicator (or inspector checklist item) of a pack."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    name_zh: str
    name_en: str
    kind: Literal["indicator", "checklist"] = "indicator"
    formula: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    description_zh: str = ""
    description_en: str = ""
    levels: list[Level]
    stages: list[Stage | None] = Field(default_factory=_no_stage)
    unit: str = ""
    targets: list[Target] = Field(default_factory=list)
    clause: str
    mark: Mark

    @model_validator(mode="after")
    def _formula_for_indicators(self) -> Item:
        if self.kind == "indicator" and not self.formula:
            raise ValueError("an indicator needs a formula")
        return self

    @field_validator("targets")
    @classmethod
    def _sorted(cls, v: list[Target]) -> list[Target]:
        return sorted(v, key=lambda t: t.by)

    def target_for(self, year: int, stage: str | None = None) -> Target | None:
        """The milestone in force for a year (and stage): the first whose deadline is not past,
        else the last."""
        ts = [t for t in self.targets if t.stage is None or t.stage == stage]
        for t in ts:
            if year <= t.by:
                return t
        return ts[-1] if ts else None


class Pack(BaseModel):
    """A policy pack."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    name_zh: str
    name_en: str
    source: str
    parameters: dict[str, Any] = Field(default_factory=dict)
    key_targets: list[str] = Field(
        default_factory=list,
        description="ids of this pack's items that pages and reports show first (the county page's and "
        "the report's key-target trend), in order",
    )
    items: list[Item]
    # the packs this pack's same_as items read, by id: resolved when the pack loads (not pack text)
    _references: dict[str, Pack] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _unique_ids(self) -> Pack:
        seen: set[str] = set()
        for it in self.items:
            if it.id in seen:
                raise ValueError(f"item id {it.id} is given twice")
            seen.add(it.id)
        return self

    @model_validator(mode="after")
    def _one_big_class_threshold(self) -> Pack:
        """大班额 (CS; 第4条) has one threshold: the planning parameter and every class_share item's
        ``at_least`` of the pack agree (the planning, the indicators and the upload warning read it)."""
        planning = self.parameters.get("planning") or {}
        given = planning.get("big_class_at_least") if isinstance(planning, dict) else None
        if given is None:
            return self
        for it in self.items:
            at_least = it.params.get("at_least") if it.formula == "class_share" else None
            if at_least is not None and int(at_least) != int(given):
                raise ValueError(
                    f"parameters.planning.big_class_at_least is {given} but item {it.id} counts classes of "
                    f"at least {at_least}: 大班额 has one threshold (CS), give the same number in both"
                )
        return self

    def item(self, item_id: str) -> Item:
        for it in self.items:
            if it.id == item_id:
                return it
        raise KeyError(item_id)

    def same_as(self, item: Item, given: dict[str, Pack] | None = None) -> tuple[Pack, Item]:
        """The pack and item a same_as item reads: the pack of that id among `given` (the packs a
        computation was given) if there, else the one resolved when this pack loaded."""
        ref_id = str(item.params["pack"])
        ref = (given or {}).get(ref_id) or (self if ref_id == self.id else self._references[ref_id])
        return ref, ref.item(str(item.params["item"]))


def key_targets(packs: list[Pack]) -> list[str]:
    """The items pages and reports show first: each pack's key_targets, in the packs' order."""
    return list(dict.fromkeys(i for p in packs for i in p.key_targets))


def _line_of(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """The 1-based line of the YAML node at a pydantic error location (nearest existing parent)."""
    line = node.start_mark.line + 1 if node is not None else None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            nxt = next((v for k, v in node.value if k.value == key), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            nxt = node.value[key]
        else:
            nxt = None
        if nxt is None:
            break
        node = nxt
        line = node.start_mark.line + 1
    return line


def load_pack_file(path: Path, *, _loading: frozenset[Path] = frozenset()) -> Pack:
    """Load and validate one pack file, its same_as items resolved; PackError names file, line and field."""
    text = path.read_text(encoding="utf-8")
    try:
        # libyaml's loader when present (several times faster); the node tree only to locate an error
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else "?"
        raise PackError(
            Msg("{name}, line {line}: not valid YAML ({exc})", name=path.name, line=line, exc=exc),
            file=str(path),
            line=line,
        ) from exc
    try:
        pack = Pack.model_validate(data)
    except ValidationError as exc:
        root = yaml.compose(text)
        lines_en, lines_zh = [], []
        for e in exc.errors():
            loc = tuple(e["loc"])
            line = _line_of(root, loc)
            field = ".".join(str(x) for x in loc) or "(pack)"
            lines_en.append(f"{path.name}, line {line}, field {field}: {e['msg']}")
            lines_zh.append(f"{path.name} 第 {line} 行，字段 {field}：{e['msg']}")
        raise PackError("\n".join(lines_en), "\n".join(lines_zh), file=str(path)) from exc
    ids = {it.id for it in pack.items}
    for i, key in enumerate(pack.key_targets):
        if key not in ids:
            _located(path, text, ("key_targets", i), Msg("{key} is no item of this pack", key=key))
    _resolve_same_as(pack, path, text, _loading | {path.resolve()})
    return pack


def _resolve_same_as(pack: Pack, path: Path, text: str, loading: frozenset[Path]) -> None:
    """Load the packs the same_as items read (next to `path`, else shipped) and check their items."""
    for i, it in enumerate(pack.items):
        if it.formula != "same_as":
            continue
        ref_id, ref_item = it.params.get("pack"), it.params.get("item")
        if not ref_id or not ref_item:
            _located(
                path,
                text,
                ("items", i, "params"),
                Msg("same_as needs params pack and item"),
            )
        ref_id = str(ref_id)
        if ref_id != pack.id and ref_id not in pack._references:
            ref_path = next(
                (f for f in (path.parent / f"{ref_id}.yaml", PACK_DIR / f"{ref_id}.yaml") if f.exists()), None
            )
            if ref_path is None:
                _located(path, text, ("items", i, "params", "pack"), Msg("no pack {ref_id}", ref_id=ref_id))
            if ref_path.resolve() in loading:
                _located(
                    path,
                    text,
                    ("items", i, "params", "pack"),
                    Msg("pack {ref_id} reads this one back (a same_as cycle)", ref_id=ref_id),
                )
            shipped = ref_path == PACK_DIR / f"{ref_id}.yaml"
            pack._references[ref_id] = load_pack(ref_id) if shipped else load_pack_file(ref_path, _loading=loading)
        ref = pack if ref_id == pack.id else pack._references[ref_id]
        if not any(x.id == str(ref_item) for x in ref.items):
            _located(
                path,
                text,
                ("items", i, "params", "item"),
                Msg(
                    "same_as names item {ref_item}, which pack {ref_id} does not have", ref_item=ref_item, ref_id=ref_id
                ),
            )


def _located(path: Path, text: str, loc: tuple[int | str, ...], what: Msg) -> NoReturn:
    """A PackError at a field, naming file, line and field (as a schema error does)."""
    line = _line_of(yaml.compose(text), loc)
    field = ".".join(str(x) for x in loc)
    raise PackError(
        Msg("{name}, line {line}, field {field}: {what}", name=path.name, line=line, field=field, what=what),
        file=str(path),
        line=line,
    )


def available_packs() -> list[str]:
    """Ids of the packs shipped with countyedu."""
    return sorted(p.stem for p in PACK_DIR.glob("*.yaml"))


@cache
def load_pack(name_or_path: str) -> Pack:
    """A shipped pack by id, or a pack file by path."""
    p = Path(name_or_path)
    if p.suffix in (".yaml", ".yml") and p.exists():
        return load_pack_file(p)
    f = PACK_DIR / f"{name_or_path}.yaml"
    if not f.exists():
        known = ", ".join(available_packs())
        raise PackError(
            Msg(
                "no policy pack {name_or_path} (shipped: {known}; or give a .yaml path)",
                name_or_path=name_or_path,
                known=known,
            ),
        )
    return load_pack_file(f)
