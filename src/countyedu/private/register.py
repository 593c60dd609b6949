"""The private-school register as of a day (第16条; 第3条 for 普惠 kindergartens).

One entry per private school in the register's row of the school year: its licence, classification,
sponsor, annual inspection, fee and approval, staff with contracts and social insurance, 普惠
recognition and subsidy, and the flags a day puts on it:
- `licence_expired` (the licence's last day is before the day), `licence_expiring` (within
  `warning_days`);
- `inspection_failed` (年检 不合格), `inspection_rectify` (基本合格: to be put right), `not_inspected`
  (no result after the inspection's due day of the year);
- `for_profit_compulsory` (a for-profit school of compulsory education, which the law forbids);
- `fee_not_approved` (a fee without the price authority's approval or filing);
- `contracts_missing`, `insurance_missing` (staff without a labour contract, without social insurance);
- `inclusive_lapsed` (recognised as 普惠 this year, but the recognition ran out before the day),
  `inclusive_expiring` (within `warning_days`).
The register's 普惠 recognition of a year is what the PP and T-PRE indicators count for that year
(indicators.registers): a school without a register row keeps the schools sheet's flag.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd

from countyedu.messages import Code, Msg, Num
from countyedu.private.params import PrivateParams
from countyedu.runs.blocks import Block, BlockColumn, BlockTable, Finding, Value

CLAUSE = "第16条; 第3条"
# flag → (its words, the clause it answers for); the order pages and reports list them in
FLAGS: dict[str, tuple[Msg, str]] = {
    "licence_expired": (Msg("licence expired"), "第16条"),
    "licence_expiring": (Msg("licence expiring"), "第16条"),
    "inspection_failed": (Msg("annual inspection failed"), "第16条"),
    "inspection_rectify": (Msg("annual inspection basically passed: to put right"), "第16条"),
    "not_inspected": (Msg("not inspected this year"), "第16条"),
    "for_profit_compulsory": (Msg("for-profit school of compulsory education"), "第16条"),  # 民办教育促进法 第19条
    "fee_not_approved": (Msg("fee not approved or filed"), "第16条"),
    "contracts_missing": (Msg("staff without a labour contract"), "第16条"),
    "insurance_missing": (Msg("staff without social insurance"), "第16条"),
    "inclusive_lapsed": (Msg("inclusive recognition lapsed"), "第3条"),
    "inclusive_expiring": (Msg("inclusive recognition expiring"), "第3条"),
}


def _day(v: Any) -> date | None:
    return None if v is None or pd.isna(v) else date.fromisoformat(str(v))


def _int(v: Any) -> int | None:
    return None if v is None or pd.isna(v) else int(v)


def _opt(v: Any) -> Any:
    return None if v is None or (not isinstance(v, str) and pd.isna(v)) else v


@dataclass(frozen=True)
class PrivateSchool:
    """One private school's register entry in a school year, with its flags as of a day."""

    school_id: str
    name: str
    stage: str
    township_id: str
    licence_no: str
    licence_expiry: date | None
    classification: str
    sponsor: str
    inspection_result: str | None
    inspection_date: date | None
    fee_standard: float | None
    fee_approved: bool | None
    staff: int
    staff_contracted: int
    staff_insured: int
    inclusive: bool
    inclusive_until: date | None
    subsidy: float
    flags: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for k in ("licence_expiry", "inspection_date", "inclusive_until"):
            d[k] = d[k].isoformat() if d[k] else None
        d["flags"] = list(self.flags)
        return d


def flags_of(row: Mapping[str, Any], stage: str, day: date, year: int, p: PrivateParams) -> tuple[str, ...]:
    """The flags a register row carries on `day` (the module's docstring lists them)."""
    out: list[str] = []
    soon = day + timedelta(days=p.warning_days)
    expiry = _day(row.get("licence_expiry"))
    if expiry is not None and expiry < day:
        out.append("licence_expired")
    elif expiry is not None and expiry <= soon:
        out.append("licence_expiring")
    result = _opt(row.get("inspection_result"))
    if result == "fail":
        out.append("inspection_failed")
    elif result == "basic_pass":
        out.append("inspection_rectify")
    elif result is None and day > date(year, *p.inspection_due):
        out.append("not_inspected")
    if row.get("classification") == "for_profit" and stage in p.compulsory_stages:
        out.append("for_profit_compulsory")
    if _opt(row.get("fee_standard")) is not None and _opt(row.get("fee_approved")) is not True:
        out.append("fee_not_approved")
    staff = _int(row.get("staff")) or 0
    if (_int(row.get("staff_contracted")) or 0) < staff:
        out.append("contracts_missing")
    if (_int(row.get("staff_insured")) or 0) < staff:
        out.append("insurance_missing")
    until = _day(row.get("inclusive_until"))
    if _opt(row.get("inclusive")) is True and until is not None:
        if until < day:
            out.append("inclusive_lapsed")
        elif until <= soon:
            out.append("inclusive_expiring")
    return tuple(out)


@dataclass
class PrivateRegister:
    """The register of a school year as of a day: its entries (by school name) and their flags."""

    year: int | None
    as_of: date
    schools: list[PrivateSchool]
    params: PrivateParams

    def flagged(self, flag: str | None = None) -> list[PrivateSchool]:
        return [s for s in self.schools if (flag in s.flags if flag else s.flags)]

    def flag_counts(self) -> dict[str, int]:
        found = Counter(f for s in self.schools for f in s.flags)
        return {f: found[f] for f in FLAGS if found[f]}

    def summary(self) -> dict[str, Any]:
        kgs = [s for s in self.schools if s.stage == "kindergarten"]
        return {
            "year": self.year,
            "as_of": self.as_of.isoformat(),
            "private_schools": len(self.schools),
            "private_kindergartens": len(kgs),
            "inclusive_kindergartens": sum(s.inclusive for s in kgs),
            "subsidy": round(sum(s.subsidy for s in self.schools), 2),
            "flagged_schools": len(self.flagged()),
            "flags": self.flag_counts(),
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "as_of": self.as_of.isoformat(),
            "summary": self.summary(),
            "parameters": self.params.model_dump(mode="json"),
            "schools": [s.as_dict() for s in self.schools],
        }

    def blocks(self, lang: str | None = None) -> list[Block]:
        from countyedu.runs.blocks import worded

        return worded(register_blocks(self), lang)


def read_register(frames: Mapping[str, pd.DataFrame], year: int | None, day: date, p: PrivateParams) -> PrivateRegister:
    """The register's rows of `year` (default: the register's latest year) as of `day`."""
    reg = frames.get("private_schools")
    if reg is None or not len(reg):
        return PrivateRegister(year, day, [], p)
    y = int(reg["year"].max()) if year is None else year
    rows = reg[reg["year"] == y]
    schools = frames["schools"].set_index("school_id")
    out = []
    for r in rows.to_dict("records"):
        sid = str(r["school_id"])
        s = schools.loc[sid] if sid in schools.index else None
        stage = str(s["stage"]) if s is not None else ""
        out.append(
            PrivateSchool(
                school_id=sid,
                name=str(s["name"]) if s is not None else sid,
                stage=stage,
                township_id=str(s["township_id"]) if s is not None else "",
                licence_no=str(r["licence_no"]),
                licence_expiry=_day(r.get("licence_expiry")),
                classification=str(r["classification"]),
                sponsor=str(r["sponsor"]),
                inspection_result=_opt(r.get("inspection_result")),
                inspection_date=_day(r.get("inspection_date")),
                fee_standard=None if _opt(r.get("fee_standard")) is None else float(r["fee_standard"]),
                fee_approved=_opt(r.get("fee_approved")),
                staff=_int(r.get("staff")) or 0,
                staff_contracted=_int(r.get("staff_contracted")) or 0,
                staff_insured=_int(r.get("staff_insured")) or 0,
                inclusive=_opt(r.get("inclusive")) is True,
                inclusive_until=_day(r.get("inclusive_until")),
                subsidy=float(_opt(r.get("subsidy")) or 0.0),
                flags=flags_of(r, stage, day, y, p),
            )
        )
    out.sort(key=lambda e: (e.stage != "kindergarten", e.name))
    return PrivateRegister(y, day, out, p)


def _flag_words(flags: tuple[str, ...]) -> Value:
    return tuple(FLAGS[f][0] for f in flags) if flags else Msg("none")  # type: ignore[return-value]


def register_blocks(r: PrivateRegister) -> list[Block]:
    """The report chapter: the headline with each flag's count, the flagged schools, the whole register."""
    if not r.schools:
        return [
            Block(
                "private.register",
                Msg("Private schools"),
                CLAUSE,
                [Msg("This census holds no private-school register: import the private_schools sheet (民办学校).")],
            )
        ]
    s = r.summary()
    head = Msg(
        "{n} private schools in the register of {year} ({kg} kindergartens, {inclusive} of them inclusive); "
        "{flagged} flagged as of {day}",
        n=s["private_schools"],
        year=r.year,
        kg=s["private_kindergartens"],
        inclusive=s["inclusive_kindergartens"],
        flagged=s["flagged_schools"],
        day=r.as_of.isoformat(),
    )
    findings = [
        Finding(
            FLAGS[f][1],
            FLAGS[f][0],
            Num(n, "count"),
            "not_met",
            tuple(e.name for e in r.flagged(f)),  # type: ignore[arg-type]
        )
        for f, n in r.flag_counts().items()
    ]
    flagged = BlockTable(
        Msg("Flagged private schools"),
        [
            BlockColumn("school", Msg("School")),
            BlockColumn("stage", Msg("School kind")),
            BlockColumn("flags", Msg("Flags")),
            BlockColumn("licence_expiry", Msg("Licence valid until")),
            BlockColumn("inspection", Msg("Annual inspection")),
        ],
        [
            [
                e.name,
                Code("stage", e.stage),
                _flag_words(e.flags),
                e.licence_expiry.isoformat() if e.licence_expiry else None,
                Code("inspection_result", e.inspection_result) if e.inspection_result else Msg("not inspected"),
            ]
            for e in r.flagged()
        ],
        clause=CLAUSE,
    )
    register = BlockTable(
        Msg("The private-school register"),
        [
            BlockColumn("school", Msg("School")),
            BlockColumn("stage", Msg("School kind")),
            BlockColumn("classification", Msg("Classification")),
            BlockColumn("sponsor", Msg("Sponsor")),
            BlockColumn("licence_no", Msg("Licence")),
            BlockColumn("fee", Msg("Fee per term"), "yuan"),
            BlockColumn("staff", Msg("Staff"), "count"),
            BlockColumn("contracted", Msg("With a contract"), "count"),
            BlockColumn("insured", Msg("Insured"), "count"),
            BlockColumn("inclusive", Msg("Inclusive")),
            BlockColumn("subsidy", Msg("Inclusive subsidy"), "yuan"),
        ],
        [
            [
                e.name,
                Code("stage", e.stage),
                Code("private_classification", e.classification),
                e.sponsor,
                e.licence_no,
                e.fee_standard,
                e.staff,
                e.staff_contracted,
                e.staff_insured,
                e.inclusive,
                e.subsidy or None,
            ]
            for e in r.schools
        ],
        clause=CLAUSE,
    )
    return [
        Block("private.register", Msg("Private schools"), CLAUSE, [head], findings, [flagged, register]),
    ]
