"""The formulas indicators use, as Ibis expressions (backend-agnostic).

Every formula returns *contributions*: rows (school_id, township_id, stage, year, num, den). The
engine aggregates them to school, township and county: a ratio indicator is Σnum / Σden (times its
scale), a count indicator is Σnum. A pack item names its formula and gives its parameters; the
numbers (thresholds, ages, grades) live in the pack, never here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from countyedu.census.store import moves_sql
from countyedu.indicators.tables import EDUCATION_RANK, CensusTables
from countyedu.policy.pack import Item

if TYPE_CHECKING:
    import ibis
    import ibis.expr.types as ir
else:
    from countyedu.indicators.lazy_ibis import ibis

Formula = Callable[[CensusTables, Item], "ir.Table"]
FORMULAS: dict[str, Formula] = {}
# formula → how its contributions aggregate: "ratio" (Σnum/Σden) or "sum" (Σnum)
AGGREGATE: dict[str, str] = {}
# formula → the sheets its inputs come from (for explain)
SOURCES: dict[str, tuple[str, ...]] = {}
# formula → what its numerator and denominator count, which decides how a status is compared
# (indicators.compare): "count" (whole numbers, exact), "money" (yuan, to the fen) or "measure"
COMPARE: dict[str, str] = {}
# formula → which rows of a source sheet went in (explain lists those, not the whole sheet)
SOURCE_ROWS: dict[str, Callable[[str, ir.Table, Item], ir.Table]] = {}


def formula(
    name: str, aggregate: str = "ratio", sources: tuple[str, ...] = (), compare: str = "count"
) -> Callable[[Formula], Formula]:
    def register(fn: Formula) -> Formula:
        FORMULAS[name] = fn
        AGGREGATE[name] = aggregate
        SOURCES[name] = sources
        COMPARE[name] = compare
        return fn

    return register


def compare_kind(item: Item) -> str:
    """How an item's values are compared with its targets: count, money or measure (see
    indicators.compare). A per-pupil item counting a whole-number column (classrooms, books) on a
    single-part school is still a measure: the column is shared between parts by weighted pupils."""
    if item.formula == "qb_school_pass":
        return "count"
    return COMPARE.get(item.formula or "", "measure")


def null_str() -> ir.Value:
    """A missing text value (the unit or stage of a contribution that has none)."""
    return ibis.null("string")


def contrib(
    t: ir.Table, *, school_id: Any, township_id: Any, stage: Any, year: Any, num: Any, den: Any = None
) -> ir.Table:
    """The standard contribution columns, with fixed types (so contributions can be unioned)."""
    return t.select(
        school_id=(school_id if school_id is not None else null_str()).cast("string"),
        township_id=township_id.cast("string"),
        stage=(stage if stage is not None else null_str()).cast("string"),
        year=year.cast("int64"),
        num=num.cast("float64"),
        den=(den if den is not None else ibis.null("float64")).cast("float64"),
    )


def part_contrib(t: ir.Table, *, num: Any, den: Any = None) -> ir.Table:
    """contrib() of a table of school parts (or teacher parts): each row counts for its school, township,
    stage part and year."""
    return contrib(t, school_id=t.school_id, township_id=t.township_id, stage=t.part, year=t.year, num=num, den=den)


def _parts_in(ct: CensusTables, item: Item) -> ir.Table:
    """Parts of the item's stages; teaching points under the QB size floor left out when asked."""
    p = ct.parts()
    stages = [s for s in item.stages if s]
    if stages:
        p = p.filter(p.part.isin(stages))
    small = item.params.get("exclude_teaching_points_under")
    if small:
        p = p.filter(~((p.stage == "teaching_point") & (p.school_pupils < small)))
    return p


def _county_anchor(ct: CensusTables) -> ir.Table:
    """One township row to hang a county-only value on (contributions carry a township). Ordered,
    because an unordered limit(1) may pick a different row on each backend, or each Spark run."""
    tw = ct["townships"]
    return tw.order_by(tw.township_id).limit(1).select(tw.township_id)


ROW_PART = object()  # _teacher_atoms: the school part is the row's own (t.part)


def _teacher_filter(t: ir.Table, cond: dict[str, Any], part: Any = ROW_PART) -> Any:
    """A boolean Ibis expression for a teacher condition of a pack (education_at_least, …): its
    atoms (_teacher_atoms) all true."""
    e = ibis.literal(True)
    for atom in _teacher_atoms(t, cond, part):
        e &= atom
    return e


def _teacher_atoms(t: ir.Table, cond: dict[str, Any], part: Any = ROW_PART) -> list[Any]:
    """The conditions a teacher condition of a pack is the conjunction of (boolean Ibis expressions, an
    any_of one of them); the school part is ``t.part`` unless given by name (None: a part the condition
    does not name, as in the grouped pass)."""
    atoms = []
    if "any_of" in cond:
        alt = ibis.literal(False)
        for sub in cond["any_of"]:
            alt |= _teacher_filter(t, sub, part)
        atoms.append(alt)
    if "normal_major" in cond:
        atoms.append(t.normal_major == bool(cond["normal_major"]))
    if "education_at_least" in cond:
        atoms.append(t.edu_rank >= EDUCATION_RANK[cond["education_at_least"]])
    if "education_at_least_by_stage" in cond:
        ranks = {k: EDUCATION_RANK[v] for k, v in cond["education_at_least_by_stage"].items()}
        need = t.part.substitute(ranks, else_=99) if part is ROW_PART else ranks.get(part, 99)
        atoms.append(t.edu_rank >= need)
    if "backbone_in" in cond:
        atoms.append(t.backbone.isin(cond["backbone_in"]))
    if "subject_in" in cond:
        atoms.append(t.subject.isin(cond["subject_in"]))
    for flag in ("certified", "dual_qualified", "full_time"):
        if flag in cond:
            atoms.append(t[flag] == bool(cond[flag]))
    if "training_hours_at_least" in cond:
        atoms.append(t.training_hours_5y.fill_null(0) >= cond["training_hours_at_least"])
    return atoms


# ------------------------------------------------------------------------------- pupils


@formula("enrolment_over_population", sources=("classes", "population", "communities"))
def enrolment_over_population(ct: CensusTables, item: Item) -> ir.Table:
    """Pupils of the given parts (all ages) / population of the given ages — gross enrolment."""
    p = _parts_in(ct, item)
    stage = item.stages[0]
    num = contrib(
        p,
        school_id=p.school_id,
        township_id=p.township_id,
        stage=ibis.literal(stage),
        year=p.year,
        num=p.pupils,
        den=ibis.literal(0.0),
    )
    lo, hi = item.params["ages"]
    pop, com = ct["population"], ct["communities"]
    pop = pop.filter(pop.age.between(lo, hi))
    j = pop.join(com, pop.community_id == com.community_id)
    den = contrib(
        j,
        school_id=None,
        township_id=j.township_id,
        stage=ibis.literal(stage),
        year=j.year,
        num=ibis.literal(0.0),
        den=j.persons,
    )
    return num.union(den)


@formula("pupil_share", sources=("classes", "schools"))
def pupil_share(ct: CensusTables, item: Item) -> ir.Table:
    """Pupils of the parts meeting a school condition / all pupils of the parts."""
    p = _parts_in(ct, item)
    cond = _school_condition(p, item.params.get("where", {}), ct)
    return part_contrib(p, num=ibis.ifelse(cond, p.pupils, 0), den=p.pupils)


@formula("pupils", aggregate="sum", sources=("classes",))
def pupils(ct: CensusTables, item: Item) -> ir.Table:
    """Pupils of the item's stages."""
    p = _parts_in(ct, item)
    return part_contrib(p, num=p.pupils)


@formula("part_share", sources=("classes",))
def part_share(ct: CensusTables, item: Item) -> ir.Table:
    """Pupils of some parts / pupils of the item's stages (e.g. vocational share of high-school stage)."""
    p = _parts_in(ct, item)
    num = ibis.ifelse(p.part.isin(item.params["parts"]), p.pupils, 0)
    return contrib(
        p,
        school_id=p.school_id,
        township_id=p.township_id,
        stage=ibis.literal(item.params["stage"]),
        year=p.year,
        num=num,
        den=p.pupils,
    )


# ------------------------------------------------------------------------------ classes


@formula("class_share", sources=("classes",))
def class_share(ct: CensusTables, item: Item) -> ir.Table:
    """Classes meeting a size rule / classes: ``at_least`` (大班额) or ``at_most`` per part or grade."""
    c = ct.classes_with_part()
    stages = [s for s in item.stages if s]
    c = c.filter(c.part.isin(stages))
    s = ct["schools"]
    c = c.join(s, c.school_id == s.school_id).select(c.school_id, c.year, c.part, c.grade, c.pupils, s.township_id)
    stage = null_str() if item.params.get("pool_stages") else c.part
    return contrib(
        c,
        school_id=c.school_id,
        township_id=c.township_id,
        stage=stage,
        year=c.year,
        num=ibis.ifelse(_class_hit(c, item), 1, 0),
        den=ibis.literal(1.0),
    )


def _class_hit(c: ir.Table, item: Item) -> Any:
    """Whether a class meets a class_share item's size rule."""
    prm = item.params
    if "at_least" in prm:
        return c.pupils >= prm["at_least"]
    if "at_most_by_grade" in prm:
        return c.pupils <= c.grade.substitute(prm["at_most_by_grade"], else_=10**6)
    return c.pupils <= c.part.substitute(prm["at_most_by_part"], else_=10**6)


def _class_rule(item: Item) -> str:
    """A class_share item's size rule as text (items with equal rules count the same classes)."""
    return json.dumps({k: v for k, v in item.params.items() if k.startswith("at_")}, sort_keys=True, default=str)


def class_family_bases(ct: CensusTables, items: list[Item]) -> dict[int, ir.Table]:
    """Rows (school_id, township_id, stage, year, num, den) of every class_share item among ``items``
    (keyed by position), from ONE grouped pass over the classes: each item's size rule counted per
    school, year and part, with the part's classes, kept (a province has 1.7 million classes and
    four such items); each item then sums its parts. Whole numbers: the same sums as class_share's."""
    family = [(i, it) for i, it in enumerate(items) if it.formula == "class_share"]
    if not family:
        return {}
    names: dict[str, str] = {}
    for _i, it in family:  # items with the same rule share one count
        names.setdefault(_class_rule(it), f"h{len(names)}")

    def hits(c: ir.Table) -> dict[str, Any]:
        return {names[_class_rule(it)]: ibis.ifelse(_class_hit(c, it), 1, 0).sum() for _i, it in family}

    # the classes' grouped pass, which the school parts are summed from too when they are made after it
    g = ct.class_groups(hits)
    s = ct["schools"]
    g = g.join(s, g.school_id == s.school_id).select(
        g.school_id, s.township_id, g.year, g.part, g.classes, *names.values()
    )
    w = ct.materialise(g, "classes")
    out = {}
    for i, it in family:
        rule = _class_rule(it)
        r = w.filter(w.part.isin([s for s in it.stages if s]))
        stage = null_str() if it.params.get("pool_stages") else r.part
        r = contrib(
            r,
            school_id=r.school_id,
            township_id=r.township_id,
            stage=stage,
            year=r.year,
            num=r[names[rule]],
            den=r.classes,
        )
        out[i] = r.group_by(["school_id", "township_id", "stage", "year"]).aggregate(num=r.num.sum(), den=r.den.sum())
    return out


# ----------------------------------------------------------------------------- schools


def _inclusive_in_year(ct: CensusTables, s: ir.Table) -> Any:
    """A school's 普惠 flag in each row's year (`s` has school_id, year, inclusive): the private-school
    register's recognition that year (第3、16条; issue 16), else the schools sheet's flag."""
    reg = ct["private_schools"]
    key = s.school_id.cast("string") + "|" + s.year.cast("string")
    reg_key = reg.school_id.cast("string") + "|" + reg.year.cast("string")
    recognised = reg.filter(reg.inclusive == True).select(k=reg_key)  # noqa: E712
    listed = reg.select(k=reg_key)
    return ibis.ifelse(key.isin(recognised.k), True, ibis.ifelse(key.isin(listed.k), False, s.inclusive == True))  # noqa: E712


def _school_condition(s: ir.Table, where: dict[str, Any], ct: CensusTables | None = None) -> Any:
    """A condition on schools; `public_or_inclusive` reads the year's 普惠 recognition of the private-school
    register when given the census (`ct`; indicators.registers)."""
    e = ibis.literal(True)
    for col, want in where.items():
        if col == "stage_in":
            e &= s.stage.isin(want)
        elif col == "ownership":
            e &= s.ownership == want
        elif col == "public_or_inclusive":
            inclusive = s.inclusive == True if ct is None else _inclusive_in_year(ct, s)  # noqa: E712
            e &= (s.ownership == "public") | inclusive
        else:
            e &= s[col] == want
    return e


def _open_schools(ct: CensusTables) -> ir.Table:
    """Schools with a school_years row that year (open), with their township."""
    sy, s = ct["school_years"], ct["schools"]
    return sy.join(s, sy.school_id == s.school_id).select(
        sy.school_id,
        sy.year,
        sy.seats,
        s.stage,
        s.ownership,
        s.inclusive,
        s.community_supporting,
        s.urban,
        s.boarding,
        s.township_id,
        s.community_id,
        s.partner_school_id,
    )


@formula("count_schools", aggregate="sum", sources=("schools", "school_years", "townships"))
def count_schools(ct: CensusTables, item: Item) -> ir.Table:
    """Open schools meeting a condition (optionally only in urban-core townships)."""
    o = _open_schools(ct)
    prm = item.params
    o = o.filter(_school_condition(o, prm.get("where", {}), ct))
    if prm.get("urban_core_only"):
        tw = ct["townships"]
        o = o.join(tw.filter(tw.urban_core == True), o.township_id == tw.township_id).select(o)  # noqa: E712
    return contrib(
        o,
        school_id=o.school_id,
        township_id=o.township_id,
        stage=ibis.literal(item.stages[0]),
        year=o.year,
        num=ibis.literal(1.0),
    )


@formula("townships_lacking", aggregate="sum", sources=("schools", "school_years", "townships"))
def townships_lacking(ct: CensusTables, item: Item) -> ir.Table:
    """Per township and year: 1 if no open school meets any of the conditions, else 0."""
    o = _open_schools(ct)
    cond = ibis.literal(False)
    for alt in item.params["any_of"]:
        cond |= _school_condition(o, alt, ct)
    has = o.group_by(["township_id", "year"]).aggregate(n=ibis.ifelse(cond, 1, 0).sum())
    tw = ct["townships"]
    years = o.select("year").distinct()
    grid = tw.cross_join(years).select(tw.township_id, years.year)
    j = grid.left_join(has, (grid.township_id == has.township_id) & (grid.year == has.year))
    lacks = ibis.ifelse(j.n.fill_null(0) > 0, 0, 1)
    return contrib(
        j, school_id=None, township_id=j.township_id, stage=ibis.literal(item.stages[0]), year=j.year, num=lacks
    )


@formula("seats_added", aggregate="sum", sources=("school_years", "schools"))
def seats_added(ct: CensusTables, item: Item) -> ir.Table:
    """Seats of open schools meeting a condition, minus those of a base year (first or previous)."""
    o = _open_schools(ct)
    o = o.filter(_school_condition(o, item.params.get("where", {}), ct))
    by = o.group_by(["township_id", "year"]).aggregate(seats=o.seats.sum())
    years = ct["school_years"].select("year").distinct()
    tw = ct["townships"]
    grid = tw.cross_join(years).select(tw.township_id, years.year)
    full = grid.left_join(by, (grid.township_id == by.township_id) & (grid.year == by.year)).select(
        grid.township_id, grid.year, seats=by.seats.fill_null(0)
    )
    other = full.view()  # a self-join needs its own reference (ibis would merge the two sides)
    if item.params.get("base") == "previous_year":
        prev = other.select(township_id=other.township_id, year=other.year + 1, base=other.seats)
    else:
        first = int(item.params["base_year"])
        b = other.filter(other.year == first)
        prev = b.cross_join(years.select(y2=years.year)).select(township_id=b.township_id, year=ibis._.y2, base=b.seats)
    j = full.join(prev, (full.township_id == prev.township_id) & (full.year == prev.year))
    return contrib(
        j,
        school_id=None,
        township_id=j.township_id,
        stage=ibis.literal(item.stages[0]),
        year=j.year,
        num=j.seats - j.base,
    )


@formula("school_share", sources=("schools", "school_years", "classes"))
def school_share(ct: CensusTables, item: Item) -> ir.Table:
    """Open schools meeting a condition / open schools in scope (e.g. rural schools with a partner)."""
    o = _open_schools(ct)
    o = o.filter(_school_condition(o, item.params.get("scope", {}), ct))
    hit = _school_condition(o, item.params.get("where", {}), ct)
    if item.params.get("has_partner"):
        hit &= o.partner_school_id.notnull()
    return contrib(
        o,
        school_id=o.school_id,
        township_id=o.township_id,
        stage=ibis.literal(item.stages[0]),
        year=o.year,
        num=ibis.ifelse(hit, 1, 0),
        den=ibis.literal(1.0),
    )


@formula("seat_share", sources=("schools", "school_years"))
def seat_share(ct: CensusTables, item: Item) -> ir.Table:
    """Seats of open schools meeting a condition / seats of open schools in scope (T-PRE-8)."""
    o = _open_schools(ct)
    o = o.filter(_school_condition(o, item.params.get("scope", {}), ct))
    hit = _school_condition(o, item.params.get("where", {}), ct)
    return contrib(
        o,
        school_id=o.school_id,
        township_id=o.township_id,
        stage=ibis.literal(item.stages[0]),
        year=o.year,
        num=ibis.ifelse(hit, o.seats, 0),
        den=o.seats,
    )


@formula("school_size_ok", sources=("classes", "schools"))
def school_size_ok(ct: CensusTables, item: Item) -> ir.Table:
    """Schools whose compulsory-stage pupils are within the limit for their kind / schools."""
    p = ct.parts()
    p = p.filter(p.part.isin(["primary", "junior"]))
    g = p.group_by(["school_id", "year", "stage", "township_id"]).aggregate(n=p.pupils.sum())
    limit = g.stage.substitute(item.params["limit_by_school_stage"], else_=10**9)
    return contrib(
        g,
        school_id=g.school_id,
        township_id=g.township_id,
        stage=ibis.literal(None, "string"),
        year=g.year,
        num=ibis.ifelse(g.n <= limit, 1, 0),
        den=ibis.literal(1.0),
    )


@formula("communities_served", sources=("communities", "schools", "school_years"))
def communities_served(ct: CensusTables, item: Item) -> ir.Table:
    """Communities (of a size) with an open school meeting a condition in them / such communities."""
    com = ct["communities"]
    prm = item.params
    com = com.filter(com[prm["size_column"]] >= prm["size_at_least"])
    if "community_kind" in prm:
        com = com.filter(com.kind == prm["community_kind"])
    o = _open_schools(ct)
    o = o.filter(_school_condition(o, prm.get("where", {}), ct))
    served = o.group_by(["community_id", "year"]).aggregate(n=o.school_id.count())
    years = ct["school_years"].select("year").distinct()
    grid = com.cross_join(years).select(com.community_id, com.township_id, years.year)
    j = grid.left_join(served, (grid.community_id == served.community_id) & (grid.year == served.year))
    return contrib(
        j,
        school_id=None,
        township_id=j.township_id,
        stage=ibis.literal(item.stages[0]),
        year=j.year,
        num=ibis.ifelse(j.n.fill_null(0) > 0, 1, 0),
        den=ibis.literal(1.0),
    )


# ---------------------------------------------------------------------------- teachers


@formula("teacher_share", sources=("teachers", "classes"), compare="measure")
def teacher_share(ct: CensusTables, item: Item) -> ir.Table:
    """Teachers (allocated to parts by pupil share) meeting a condition / teachers in scope."""
    t = ct.teacher_parts()
    stages = [s for s in item.stages if s]
    if stages:
        t = t.filter(t.part.isin(stages))
    scope = item.params.get("scope", {})
    if scope:
        t = t.filter(_teacher_filter(t, scope))
    hit = _teacher_filter(t, item.params["condition"])
    return part_contrib(t, num=ibis.ifelse(hit, t.share, 0.0), den=t.share)


@formula("per_pupil", sources=("teachers", "classes", "school_years"), compare="measure")
def per_pupil(ct: CensusTables, item: Item) -> ir.Table:
    """Per-pupil resources of a school part (QB-R): teachers meeting a condition, or a facility
    column shared by weighted pupils, divided by the part's pupils (× scale in the engine)."""
    p = _parts_in(ct, item)
    prm = item.params
    if "teacher_condition" in prm:
        t = ct.teacher_parts()
        t = t.filter(_teacher_filter(t, prm["teacher_condition"]))
        n = t.group_by(["school_id", "year", "part"]).aggregate(v=t.share.sum())
    else:  # the part's share of its school's row that year: one join (a part is one school and year)
        sy = ct["school_years"]
        sy = sy.select(sy_school=sy.school_id, sy_year=sy.year, v=sy[prm["column"]].cast("float64"))
        j = p.left_join(sy, (p.school_id == sy.sy_school) & (p.year == sy.sy_year))
        return part_contrib(j, num=(j.v * j.phys_share).fill_null(0.0), den=j.pupils)
    j = p.left_join(n, (p.school_id == n.school_id) & (p.year == n.year) & (p.part == n.part))
    return part_contrib(j, num=j.v.fill_null(0.0), den=j.pupils)


@formula("pupils_per_teacher", sources=("teachers", "classes"), compare="measure")
def pupils_per_teacher(ct: CensusTables, item: Item) -> ir.Table:
    """Pupils of a part / full-time teachers allocated to it."""
    p = _parts_in(ct, item)
    t = ct.teacher_parts()
    t = t.filter(_teacher_filter(t, item.params.get("teacher_condition", {"full_time": True})))
    n = t.group_by(["school_id", "year", "part"]).aggregate(v=t.share.sum())
    j = p.left_join(n, (p.school_id == n.school_id) & (p.year == n.year) & (p.part == n.part))
    return part_contrib(j, num=j.pupils, den=j.v.fill_null(0.0))


@formula("rotation_share", sources=("teachers",), compare="measure")
def rotation_share(ct: CensusTables, item: Item) -> ir.Table:
    """Of the teachers eligible in year y−1 (≥ N years at their school), the share at another
    school in year y (QB-G11); optionally the backbone share among those who moved. Each teacher
    counts with their part's pupil share (a teacher of a two-part school counts in both)."""
    prm = item.params
    j = _moves(ct, [s for s in item.stages if s], prm["eligible_years"])
    moved = j.moved
    if prm.get("backbone_among_movers"):
        j = j.filter(moved)
        hit = _teacher_filter(j, {"backbone_in": prm["backbone_among_movers"]})
    else:
        hit = moved
    return contrib(
        j,
        school_id=j.school_id,
        township_id=j.township_id,
        stage=j.part,
        year=j.y2,
        num=ibis.ifelse(hit, j.share * j.teachers, 0.0),
        den=j.share * j.teachers,
    )


def _moves(ct: CensusTables, stages: list[str], eligible_years: Any) -> ir.Table:
    """The eligible teachers of a year (≥ N years at their school, in a part of the stages) by where
    they are the next year, counted per school part, next year, backbone title and whether they moved
    (a part's teachers all carry its share: Σ share = teachers × share), made once and kept for every
    rotation item with the same stages and N. The moves are counted once per census version, at import
    (census.store.moves_sql; a province's self-join of millions of teachers), here only summed over the
    years at school and shared between the school's parts."""
    m = _counted_moves(ct)
    m = m.filter(m.years_at_school >= eligible_years)
    g = m.group_by(["school_id", "year_next", "backbone", "moved"]).aggregate(teachers=m.teachers.sum().cast("int64"))
    p = ct.parts()
    if stages:
        p = p.filter(p.part.isin(stages))
    j = g.join(p, (g.school_id == p.school_id) & (g.year_next == p.year + 1))
    j = j.select(
        g.school_id,
        p.township_id,
        p.part,
        y2=g.year_next,
        share=p.pupil_share,
        backbone=g.backbone,
        moved=g.moved,
        teachers=g.teachers,
    )
    return ct.materialise(j, "moves")


def _counted_moves(ct: CensusTables) -> ir.Table:
    """The version's teacher moves (census.store.MOVES_COLUMNS): as the store counted them at import
    (duckdb_tables' census_moves), else counted now by the same SQL over the version's teachers (Spark,
    the web's in-memory copy)."""
    if "moves" in ct.t:
        return ct["moves"]
    name = ct["teachers"].get_name()
    return ct.backend.sql(moves_sql(name, name))


@formula("salary_parity", sources=("teachers", "finance"), compare="money")
def salary_parity(ct: CensusTables, item: Item) -> ir.Table:
    """Mean full-time teacher pay / the finance item of civil-servant mean pay (county). The pay is
    summed per school and year first (one grouped pass over the teachers, millions in a province:
    with other teacher items, teacher_family_bases' pass), then over the schools of the census."""
    t = ct["teachers"]
    t = t.filter(_paid(t))
    return _pay_parity(ct, item, t.group_by(["school_id", "year"]).aggregate(total=t.annual_salary.sum(), n=t.count()))


def _paid(t: ir.Table) -> Any:
    """The teachers whose pay counts in salary_parity: full-time, with a salary."""
    return (t.full_time == True) & t.annual_salary.notnull()  # noqa: E712


def _pay_parity(ct: CensusTables, item: Item, per_school: ir.Table) -> ir.Table:
    """salary_parity's contributions from the pay summed per school and year (school_id, year, total, n)."""
    s = ct["schools"]
    j = per_school.join(s.select("school_id"), "school_id")
    g = j.group_by("year").aggregate(total=j.total.sum(), n=j.n.sum().cast("float64"))
    f = ct["finance"]
    f = f.filter(f.item == item.params["item"])
    k = g.join(f, g.year == f.year)
    k = k.cross_join(_county_anchor(ct))
    return contrib(
        k, school_id=None, township_id=k.township_id, stage=None, year=k.year, num=k.total / k.n, den=k.amount
    )


# ----------------------------------------------------------------------------- finance


@formula("finance_ratio", sources=("finance",), compare="money")
def finance_ratio(ct: CensusTables, item: Item) -> ir.Table:
    """A finance item over another (optionally of the previous year), or over 1 when none is given."""
    f = ct["finance"]
    prm = item.params
    a = f.filter(f.item == prm["item"]).select(year=ibis._.year, a=ibis._.amount)
    if "over" in prm:
        lag = 1 if prm.get("over_previous_year") else 0
        b = f.filter(f.item == prm["over"]).select(yb=ibis._.year + lag, b=ibis._.amount)
        a = a.join(b, a.year == b.yb).select(a.year, a.a, den=b.b)
    else:
        a = a.mutate(den=ibis.literal(1.0))
    k = a.cross_join(_county_anchor(ct))
    return contrib(k, school_id=None, township_id=k.township_id, stage=None, year=k.year, num=k.a, den=k.den)


@formula("disabled_enrolment", sources=("school_years", "finance"))
def disabled_enrolment(ct: CensusTables, item: Item) -> ir.Table:
    """Disabled pupils enrolled / the finance-sheet count of school-age disabled children (QB-Q2)."""
    sy = ct["school_years"]
    n = sy.group_by("year").aggregate(n=sy.disabled_pupils.sum())
    f = ct["finance"]
    f = f.filter(f.item == item.params["children_item"])
    k = n.join(f, n.year == f.year).cross_join(_county_anchor(ct))
    return contrib(k, school_id=None, township_id=k.township_id, stage=None, year=k.year, num=k.n, den=k.amount)


@formula("retention", sources=("classes",))
def retention(ct: CensusTables, item: Item) -> ir.Table:
    """Pupils in the last grade in year y / pupils in the first grade in year y − (span) (QB-Q1).

    The exchange format has no transfers or deaths, so this is the cohort form of the [practice]
    formula with those terms taken as zero."""
    prm = item.params
    classes = ct["classes"]
    s = ct["schools"]
    # the two grades' classes only are joined with their schools (a province has 1.7 million classes)
    c = classes.filter(classes.grade.isin([prm["last_grade"], prm["first_grade"]]))
    c = c.join(s, c.school_id == s.school_id).select(c.school_id, c.year, c.grade, c.pupils, s.township_id)
    last = c.filter(c.grade == prm["last_grade"])
    first = c.filter(c.grade == prm["first_grade"])
    stage = ibis.literal(item.stages[0])
    num = contrib(
        last,
        school_id=last.school_id,
        township_id=last.township_id,
        stage=stage,
        year=last.year,
        num=last.pupils,
        den=ibis.literal(0.0),
    )
    den = contrib(
        first,
        school_id=first.school_id,
        township_id=first.township_id,
        stage=stage,
        year=first.year + prm["span"],
        num=ibis.literal(0.0),
        den=first.pupils,
    )
    years = classes.join(s, classes.school_id == s.school_id).select(y=classes.year).distinct()
    u = num.union(den)
    return u.join(years, u.year == years.y).select(u)


@formula("funding_floor", sources=("school_years", "classes", "schools"))
def funding_floor(ct: CensusTables, item: Item) -> ir.Table:
    """Small rural schools whose operating funds reach the floor (funded as N pupils) / such schools."""
    prm = item.params
    p = ct.parts()
    g = p.group_by(["school_id", "year", "stage", "township_id", "urban"]).aggregate(n=p.pupils.sum())
    g = g.filter(g.stage.isin(prm["school_stages"]) & (g.urban == False) & (g.n < prm["floor_pupils"]))  # noqa: E712
    sy = ct["school_years"]
    j = g.join(sy, (g.school_id == sy.school_id) & (g.year == sy.year))
    need = prm["floor_pupils"] * j.stage.substitute(prm["per_pupil_by_school_stage"], else_=0)
    ok = j.public_funding.fill_null(0) >= need
    return contrib(
        j,
        school_id=j.school_id,
        township_id=j.township_id,
        stage=ibis.literal(item.stages[0]),
        year=j.year,
        num=ibis.ifelse(ok, 1, 0),
        den=ibis.literal(1.0),
    )


@formula("candidates_share", sources=("candidates",))
def candidates_share(ct: CensusTables, item: Item) -> ir.Table:
    """Candidates meeting a flag (e.g. took the academic level exam, 第7条) / candidates."""
    c = ct["candidates"]
    s = ct["schools"]
    j = c.join(s, c.junior_school_id == s.school_id)
    hit = j[item.params["flag"]] == True  # noqa: E712
    return contrib(
        j,
        school_id=j.junior_school_id,
        township_id=j.township_id,
        stage=ibis.literal("junior"),
        year=j.year,
        num=ibis.ifelse(hit, 1, 0),
        den=ibis.literal(1.0),
    )


@formula("quota_share", sources=("programmes", "schools"), compare="measure")
def quota_share(ct: CensusTables, item: Item) -> ir.Table:
    """Places of the quality high schools' programmes allocated to junior schools (指标到校:
    quota × quota_to_schools, none where it is not declared) / their places (QB-G14).

    A quality high school (优质高中) is one the pack lists (``quality_schools``), by default every
    school with a programme of the track that declares quota_to_schools — the county allocates
    places only of the schools it counts as quality ones. Measured in places (a share of a quota
    is not a whole number until the allocator rounds it)."""
    prm = item.params
    pr = ct["programmes"]
    pr = pr.filter(pr.track == prm.get("track", "general"))
    quality = prm.get("quality_schools")
    if quality:
        pr = pr.filter(pr.school_id.isin(list(quality)))
    else:
        declared = pr.filter(pr.quota_to_schools.notnull()).select(qs=pr.school_id, qy=pr.year).distinct()
        pr = pr.join(declared, (pr.school_id == declared.qs) & (pr.year == declared.qy)).select(pr)
    s = ct["schools"]
    j = pr.join(s, pr.school_id == s.school_id).select(
        pr.school_id, pr.year, pr.quota, pr.quota_to_schools, s.township_id
    )
    return contrib(
        j,
        school_id=j.school_id,
        township_id=j.township_id,
        stage=ibis.literal(item.stages[0]),
        year=j.year,
        num=j.quota.cast("float64") * j.quota_to_schools.fill_null(0.0),
        den=j.quota,
    )


# ------------------------------------------------------------------------------ catchments


@formula("catchment_share", sources=("catchments", "classes", "schools", "townships"))
def catchment_share(ct: CensusTables, item: Item) -> ir.Table:
    """Pupils of the urban and town public schools (boarding schools excepted) enrolled within their
    catchment / their pupils, per school part and year (QB-G13, 第4条 划片招生).

    The catchment plan is the catchments sheet: the pupils of each community a school's catchment
    takes, per stage and year (the planning tool's plan, as the county adopts it). A school part
    takes its catchment's pupils first; pupils enrolled beyond them come from outside it:
    num = least(pupils enrolled, pupils its catchment sends), den = pupils enrolled. A school counts
    when public (``ownership``), not boarding (``exclude_boarding``) and urban or in a 镇 (a township
    of kind town; ``towns``). A year or stage the plan does not cover has no value."""
    prm = item.params
    p = _parts_in(ct, item)
    tw = ct["townships"]
    p = p.join(tw, p.township_id == tw.township_id).select(p, tw_kind=tw.kind)
    keep = p.ownership == prm.get("ownership", "public")
    if prm.get("exclude_boarding", True):
        keep &= p.boarding == False  # noqa: E712
    place = p.urban == True  # noqa: E712
    if prm.get("towns", True):
        place |= p.tw_kind == "town"
    p = p.filter(keep & place)
    c = ct["catchments"]
    plan = c.group_by(["school_id", "stage", "year"]).aggregate(planned=c.pupils.sum())
    covered = c.select(cs=c.stage, cy=c.year).distinct()  # the stages and years the plan covers
    p = p.join(covered, (p.part == covered.cs) & (p.year == covered.cy)).select(p)
    j = p.left_join(plan, (p.school_id == plan.school_id) & (p.part == plan.stage) & (p.year == plan.year))
    planned = j.planned.fill_null(0)
    return part_contrib(j, num=ibis.least(j.pupils, planned), den=j.pupils)


# ------------------------------------------------------------------------------ exam results


def gaokao_places(results: ir.Table) -> ir.Table:
    """Each 高考 candidate's place in the province per year (T-HS-3, 第8条): person_id, year, school_id
    and place, the smallest province_rank on their 高考 rows of the year (the sheet puts it on the
    total row); a candidate with no rank has a null place. The one definition: the quality module's
    T-HS-3 table (quality.top100) counts from it too."""
    g = results.filter(results.exam == "gaokao")
    return g.group_by(["person_id", "year"]).aggregate(
        school_id=g.school_id.cast("string").min(), place=g.province_rank.cast("int64").min()
    )


@formula("gaokao_top", aggregate="sum", sources=("results",))
def gaokao_top(ct: CensusTables, item: Item) -> ir.Table:
    """The county's 高考 candidates placed in the province's top ``rank_at_most`` (T-HS-3, 第8条), per
    year: one row per candidate sitting the 高考, num = 1 if their place ≤ rank_at_most, else 0. A year
    without 高考 rows in the results sheet has no value (no_data, indicators.missing says why)."""
    limit = int(item.params.get("rank_at_most", 100))
    c = gaokao_places(ct["results"])
    s = ct["schools"]
    j = c.join(s, c.school_id == s.school_id).select(c.school_id, c.year, c.place, s.township_id)
    return contrib(
        j,
        school_id=j.school_id,
        township_id=j.township_id,
        stage=ibis.literal(item.stages[0] if item.stages else "high"),
        year=j.year,
        num=ibis.ifelse(j.place.notnull() & (j.place <= limit), 1, 0),
    )


def _gaokao_rows(sheet: str, t: ir.Table, item: Item) -> ir.Table:
    """explain's rows of T-HS-3: the 高考 rows carrying a province rank, best first."""
    t = t.filter((t.exam == "gaokao") & t.province_rank.notnull())
    return t.order_by([t.province_rank, t.person_id])


SOURCE_ROWS["gaokao_top"] = _gaokao_rows


# ------------------------------------------------------------- the teacher family in one pass


def _parts_named(cond: dict[str, Any]) -> set[str]:
    """The school parts a teacher condition names (its education_at_least_by_stage keys)."""
    out = set(cond.get("education_at_least_by_stage", {}))
    for sub in cond.get("any_of", []):
        out |= _parts_named(sub)
    return out


def _all(conditions: Any) -> Any:
    """The conjunction of boolean Ibis expressions."""
    out = None
    for c in conditions:
        out = c if out is None else out & c
    return out


def in_teacher_family(item: Item) -> bool:
    """Items whose numbers are sums of teachers' shares per school part, or of their pay: evaluated
    together (one grouped pass over the teachers)."""
    if item.formula in ("teacher_share", "pupils_per_teacher", "salary_parity"):
        return True
    return item.formula == "per_pupil" and "teacher_condition" in item.params


def teacher_family_bases(ct: CensusTables, items: list[Item]) -> dict[int, ir.Table]:
    """Rows (school_id, township_id, stage, year, num, den), one per school part and year, of every
    teacher-based item among ``items`` (keyed by position), from ONE grouped pass over the teachers:
    each teacher condition of any item becomes one count per school and year (one per part it names,
    where it names parts: education_at_least_by_stage), put on the school's parts as Σ share·[condition]
    = count × the part's pupil share (a part's teachers all carry its share) — the sums the items' own
    formulas (teacher_share, per_pupil, pupils_per_teacher) make with one pass over the teachers each.
    count × share rounds once where a sum of the shares rounded once per teacher, in whatever order
    the database added them (two runs could differ in the last bits)."""
    family = [(i, it) for i, it in enumerate(items) if in_teacher_family(it)]
    if not family:
        return {}
    t = ct["teachers"]
    t = t.mutate(edu_rank=t.education.substitute(EDUCATION_RANK, else_=-1))
    atoms: dict[Any, str] = {}  # an atom of the conditions (its Ibis operation) → its column, computed once
    flags: dict[str, Any] = {}
    counted: dict[frozenset[str], str] = {}  # the atoms a teacher meets all of → the column counting them
    columns: dict[str, tuple[list[tuple[str | None, str]], bool]] = {}
    names: dict[str, str] = {}

    def count_where(conds: tuple[dict[str, Any], ...], part: str | None) -> str:
        meets = set()
        for c in conds:
            for atom in _teacher_atoms(t, c, part):
                meets.add(atoms.setdefault(atom.op(), f"a{len(atoms)}"))
                flags[atoms[atom.op()]] = atom
        return counted.setdefault(frozenset(meets), f"n{len(counted)}")  # the same atoms: one count

    def share_where(conds: tuple[dict[str, Any], ...], count: bool = False) -> str:
        key = json.dumps([list(conds), count], sort_keys=True, default=str)  # equal conditions: one column
        if key not in names:
            name = names[key] = f"c{len(names)}"
            named = sorted(set().union(*(_parts_named(c) for c in conds)))
            # None: any part the conditions do not name
            columns[name] = ([(part, count_where(conds, part)) for part in [*named, None]], not count)
        return names[key]

    spec: dict[int, tuple[str, ...]] = {}
    pay = False
    for i, it in family:
        prm = it.params
        if it.formula == "salary_parity":  # the pay of the full-time teachers, summed in the same pass
            pay = True
        elif it.formula == "teacher_share":
            scope = (prm["scope"],) if prm.get("scope") else ()
            hit = (*scope, prm["condition"])
            spec[i] = ("share", share_where(scope, count=True), share_where(hit), share_where(scope))
        elif it.formula == "per_pupil":
            spec[i] = ("per_pupil", share_where((prm["teacher_condition"],)))
        else:
            spec[i] = ("per_teacher", share_where((prm.get("teacher_condition", {"full_time": True}),)))
    # the teachers counted per school and year in one grouped pass (no join of millions of rows), then
    # put on the school's parts: a part's teachers all carry its pupil share, so Σ share = count × share.
    # Each atom is computed once per teacher (a column), each count a COUNT(*) FILTER over them.
    t = t.mutate(**flags)
    counts = {
        col: t.count(where=_all(t[a] for a in sorted(meets, key=lambda a: int(a[1:])))) if meets else t.count()
        for meets, col in counted.items()
    }
    if pay:
        counts.update(pay_total=t.annual_salary.sum(where=_paid(t)), pay_n=t.count(where=_paid(t)))
    n = ct.materialise(t.group_by(["school_id", "year"]).aggregate(**counts), "teacher_counts")
    p = ct.parts()
    j = p.join(n, ["school_id", "year"])
    sums = {}
    for name, (variants, share) in columns.items():
        *named, (_none, other) = variants
        v = ibis.cases(*((j.part == part, j[col]) for part, col in named), else_=j[other]) if named else j[other]
        sums[name] = v.cast("float64") * j.pupil_share if share else v
    keys = ["school_id", "township_id", "year", "part"]
    w = ct.materialise(j.select(*keys, **sums), "teachers")  # school parts × years: small, read by every item
    out = {}
    for i, it in family:
        if it.formula == "salary_parity":  # the school-years with pay to sum, as salary_parity's own pass has
            paid = n.filter(n.pay_n > 0).select("school_id", "year", total=n.pay_total, n=n.pay_n)
            pay = _pay_parity(ct, it, paid)
            out[i] = pay.group_by(["school_id", "township_id", "stage", "year"]).aggregate(
                num=pay.num.sum(), den=pay.den.sum()
            )  # summed per school, township, stage and year as the engine sums any formula's rows
            continue
        kind, *c = spec[i]
        if kind == "share":
            n_col, hit_col, scope_col = c
            stages = [s for s in it.stages if s]
            r = w.filter(w[n_col] > 0)  # a part with no teacher in scope has no row
            if stages:
                r = r.filter(r.part.isin(stages))
            out[i] = part_contrib(r, num=r[hit_col], den=r[scope_col])
            continue
        p = _parts_in(ct, it)
        j = p.left_join(w, (p.school_id == w.school_id) & (p.year == w.year) & (p.part == w.part))
        v = j[c[0]].fill_null(0.0)
        out[i] = part_contrib(j, num=v if kind == "per_pupil" else j.pupils, den=j.pupils if kind == "per_pupil" else v)
    return out
