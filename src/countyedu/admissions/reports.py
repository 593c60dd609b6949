"""The admission's report blocks (issue 14 item 5), in the admissions chapter: cut-offs per programme
and batch; admission by junior school and township (the rural share of the 指标到校 places, QB-G14);
the score distribution; the year against last year.

Reads the census frames and allocations (the JSON of `countyedu admissions run`); returns blocks of
message keys, worded at the edge.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping
from typing import Any

import pandas as pd

from countyedu.admissions.verify import QUOTA, Rules, batch_code, quota_places, read_candidates, read_programmes
from countyedu.messages import Msg, Num
from countyedu.runs.blocks import Block, BlockChart, BlockColumn, BlockTable, Finding

QB_G14_SHARE = 0.5  # QB-G14: ≥ 50% of quality high schools' places divided among junior schools
SCORE_BINS = 50  # points per bar of the distribution


def programme_names(frames: Mapping[str, pd.DataFrame], year: int) -> dict[str, str]:
    """Programme id → its name: the sheet's name, else its school's (and the id where a school has several)."""
    progs = frames["programmes"]
    progs = progs[progs["year"] == year]
    schools = frames.get("schools")
    school_name = {} if schools is None else dict(zip(schools["school_id"], schools["name"], strict=True))
    per_school = Counter(progs["school_id"])
    out: dict[str, str] = {}
    for row in progs.to_dict("records"):
        pid, sid = str(row["programme_id"]), row["school_id"]
        name = row.get("name")
        if isinstance(name, str) and name:
            out[pid] = name if per_school[sid] == 1 or not school_name.get(sid) else f"{school_name[sid]} {name}"
        else:
            base = school_name.get(sid, str(sid))
            out[pid] = base if per_school[sid] == 1 else f"{base}（{pid}）"
    return out


class _Year:
    """One year's candidates, programmes and allocation, read once."""

    def __init__(self, frames: Mapping[str, pd.DataFrame], year: int, allocation: Mapping[str, Any]) -> None:
        self.year = year
        self.rules = Rules.of(allocation.get("params", {}))
        progs = frames["programmes"]
        self.progs = read_programmes(progs[progs["year"] == year], self.rules)
        cands = frames["candidates"]
        self.cands = read_candidates(cands[cands["year"] == year], self.progs)
        self.names = programme_names(frames, year)
        self.outcome = {
            str(a["candidate_id"]): (str(a["programme_id"]), str(a["batch"])) for a in allocation["admitted"]
        }
        schools = frames["schools"]
        self.school_name = dict(zip(schools["school_id"].astype(str), schools["name"], strict=True))
        self.township_of = dict(zip(schools["school_id"].astype(str), schools["township_id"].astype(str), strict=True))
        self.rural = {str(r.school_id): not bool(r.urban) for r in schools.itertuples()}
        townships = frames.get("townships")
        self.township_name = (
            {} if townships is None else dict(zip(townships["township_id"].astype(str), townships["name"], strict=True))
        )
        self.places = quota_places(self.progs, self.cands, self.rural, self.rules)
        self.cutoffs = {
            (str(c["programme_id"]), str(c["batch"])): c.get("score") for c in allocation.get("cutoffs", [])
        }

    def admitted_at(self, pid: str, batch: str) -> list[str]:
        return [c for c, (p, b) in self.outcome.items() if p == pid and b == batch]

    def general(self, cid: str) -> bool:
        got = self.outcome.get(cid)
        return got is not None and self.progs[got[0]].track != "vocational"

    def cutoff(self, pid: str, batch: str) -> float | None:
        """The declared cut-off, else the lowest total admitted."""
        if (pid, batch) in self.cutoffs and self.cutoffs[(pid, batch)] is not None:
            return float(self.cutoffs[(pid, batch)])  # type: ignore[arg-type]
        totals = [t for c in self.admitted_at(pid, batch) if (t := self.cands[c].total) is not None]
        return min(totals) if totals else None


def report_blocks(
    frames: Mapping[str, pd.DataFrame],
    year: int,
    allocation: Mapping[str, Any],
    previous: Mapping[str, Any] | None = None,
) -> list[Block]:
    """The chapter's blocks for `year`'s allocation, and the year against last year: `previous`, last
    year's allocation, or (when the census holds last year's candidates) last year allocated under
    the same rules."""
    now = _Year(frames, year, allocation)
    blocks = [_cutoffs(now), _by_school(now), _distribution(now)]
    if previous is None:
        previous = last_year(frames, year, allocation.get("params", {}))
    if previous is not None:
        blocks.append(_year_on_year(_Year(frames, year - 1, previous), now))
    return blocks


def last_year(frames: Mapping[str, pd.DataFrame], year: int, params: Mapping[str, Any]) -> dict[str, Any] | None:
    """Last year's admission under these rules ({"params", "admitted", "cutoffs"}), None without its candidates."""
    from countyedu.admissions.allocate import BATCHES, Instance, allocate
    from countyedu.admissions.params import AdmissionParams

    cands = frames.get("candidates")
    if cands is None or not (pd.to_numeric(cands["year"]) == year - 1).any():
        return None
    known = set(AdmissionParams.__dataclass_fields__)
    rules = AdmissionParams(**{k: v for k, v in params.items() if k in known})
    inst = Instance.from_frames(frames, year - 1)
    a = allocate(inst, rules)
    admitted = [
        {
            "candidate_id": str(inst.candidate_ids[i]),
            "programme_id": str(inst.programme_ids[a.programme[i]]),
            "batch": BATCHES[a.batch[i]],
        }
        for i in range(inst.n)
        if a.programme[i] >= 0
    ]
    return {"params": dict(params), "admitted": admitted}


def _cutoffs(y: _Year) -> Block:
    rows: list[list[Any]] = []
    for batch in ("early", QUOTA, "unified", "vocational"):
        for pid, p in sorted(y.progs.items()):
            runs_in = p.batch == batch or (batch == QUOTA and p.quota_share > 0)
            if not runs_in:
                continue
            ids = y.admitted_at(pid, batch)
            places = sum(n for (q, _), n in y.places.items() if q == pid) if batch == QUOTA else p.quota
            rows.append([y.names.get(pid, pid), batch_code(batch), places, len(ids), y.cutoff(pid, batch)])
    table = BlockTable(
        Msg("Cut-offs per programme and batch"),
        [
            BlockColumn("programme", Msg("Programme")),
            BlockColumn("batch", Msg("Batch")),
            BlockColumn("places", Msg("Places"), "count"),
            BlockColumn("admitted", Msg("Admitted"), "count"),
            BlockColumn("cutoff", Msg("Lowest score admitted"), "count"),
        ],
        rows,
        note=Msg(
            "In the quota batch the places are the quota-to-schools places; unused ones return to the unified batch."
        ),
        clause="第7条; AD",
    )
    return Block("admissions.cutoffs", Msg("Cut-offs"), "第7条; AD", tables=[table])


def _by_school(y: _Year) -> Block:
    grads: Counter[str] = Counter(c.school for c in y.cands.values())
    general: Counter[str] = Counter(c.school for cid, c in y.cands.items() if y.general(cid))
    quota_in: Counter[str] = Counter(c.school for cid, c in y.cands.items() if y.outcome.get(cid, ("", ""))[1] == QUOTA)
    unplaced: Counter[str] = Counter(c.school for cid, c in y.cands.items() if cid not in y.outcome)
    places: Counter[str] = Counter()
    for (_pid, school), n in y.places.items():
        places[school] += n
    school_rows = [
        [
            y.school_name.get(s, s),
            y.township_name.get(y.township_of.get(s, ""), ""),
            Msg("rural") if y.rural.get(s) else Msg("urban"),
            grads[s],
            places[s],
            quota_in[s],
            general[s],
            unplaced[s],
            general[s] / grads[s] if grads[s] else None,
        ]
        for s in sorted(grads, key=lambda s: (y.township_of.get(s, ""), y.school_name.get(s, s)))
    ]
    town_rows: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for s, n in grads.items():
        t = y.township_of.get(s, "")
        for i, v in enumerate((n, places[s], quota_in[s], general[s])):
            town_rows[t][i] += v
    townships = [[y.township_name.get(t, t), *v, v[3] / v[0] if v[0] else None] for t, v in sorted(town_rows.items())]
    total_places = sum(places.values())
    rural_places = sum(n for s, n in places.items() if y.rural.get(s))
    quota_programmes = [p for p in y.progs.values() if p.quota_share > 0]
    quality_places = sum(p.quota for p in quota_programmes)
    share = total_places / quality_places if quality_places else None
    findings = [
        Finding(
            "QB-G14",
            Msg("at least half of the quality high schools' places divided among junior schools"),
            Num(share, "share") if share is not None else Msg("no data"),
            "no_data" if share is None else ("met" if share >= QB_G14_SHARE - 1e-9 else "not_met"),
            Msg(
                "{quota} of {places} places of {programmes} programmes are quota-to-schools places",
                quota=Num(total_places, "count"),
                places=Num(quality_places, "count"),
                programmes=len(quota_programmes),
            ),
        ),
        Finding(
            "AD",
            Msg("rural junior schools' share of the quota-to-schools places"),
            Num(rural_places / total_places if total_places else None, "share"),
            "no_data" if not total_places else "met",
            Msg(
                "{rural} of {places} places to rural junior schools, whose graduates are {graduates} of {all}",
                rural=Num(rural_places, "count"),
                places=Num(total_places, "count"),
                graduates=Num(sum(n for s, n in grads.items() if y.rural.get(s)), "count"),
                all=Num(sum(grads.values()), "count"),
            ),
        ),
    ]
    cols = [
        BlockColumn("graduates", Msg("Candidates"), "count"),
        BlockColumn("quota_places", Msg("Quota-to-schools places"), "count"),
        BlockColumn("quota_admitted", Msg("Admitted on quota places"), "count"),
        BlockColumn("general", Msg("Admitted to general high school"), "count"),
    ]
    by_school = BlockTable(
        Msg("Admission by junior school"),
        [
            BlockColumn("school", Msg("Junior school")),
            BlockColumn("township", Msg("Township")),
            BlockColumn("area", Msg("Urban or rural")),
            *cols,
            BlockColumn("unplaced", Msg("Not admitted"), "count"),
            BlockColumn("share", Msg("Share to general high school"), "share"),
        ],
        school_rows,
        clause="QB-G14; AD",
    )
    by_township = BlockTable(
        Msg("Admission by township"),
        [
            BlockColumn("township", Msg("Township")),
            *cols,
            BlockColumn("share", Msg("Share to general high school"), "share"),
        ],
        townships,
        clause="QB-G14; AD",
    )
    return Block(
        "admissions.schools",
        Msg("Admission by junior school and township"),
        "QB-G14; AD",
        findings=findings,
        tables=[by_township, by_school],
    )


def _bins(totals: list[float]) -> list[int]:
    return sorted({int(math.floor(t / SCORE_BINS) * SCORE_BINS) for t in totals})


def _distribution(y: _Year) -> Block:
    totals = {cid: c.total for cid, c in y.cands.items() if c.total is not None}
    edges = _bins(list(totals.values())) or [0]
    groups: dict[Any, Counter[int]] = {
        Msg("general high school"): Counter(),
        Msg("vocational"): Counter(),
        Msg("not admitted"): Counter(),
    }
    keys = list(groups)
    for cid, t in totals.items():
        b = int(math.floor(t / SCORE_BINS) * SCORE_BINS)
        got = y.outcome.get(cid)
        g = keys[2] if got is None else keys[0] if y.general(cid) else keys[1]
        groups[g][b] += 1
    no_exam = sum(1 for c in y.cands.values() if c.total is None)
    chart = BlockChart(
        Msg("Candidates by score and outcome"),
        "bar",
        [f"{e}–{e + SCORE_BINS - 1}" for e in edges],
        {g: [float(cnt[e]) for e in edges] for g, cnt in groups.items()},
        y_label=Msg("Candidates"),
        unit="count",
    )
    paragraphs: list[Any] = [
        Msg(
            "{n} candidates sat the exam; {missing} did not and may enter vocational programmes only (第7条)",
            n=Num(len(totals), "count"),
            missing=Num(no_exam, "count"),
        )
    ]
    return Block("admissions.distribution", Msg("Score distribution"), "第7条", paragraphs=paragraphs, charts=[chart])


def _year_on_year(before: _Year, now: _Year) -> Block:
    def counts(y: _Year) -> tuple[int, int, int, int]:
        general = sum(1 for c in y.cands if y.general(c))
        admitted = len([c for c in y.cands if c in y.outcome])
        return len(y.cands), general, admitted - general, len(y.cands) - admitted

    a, b = counts(before), counts(now)
    labels = [Msg("Candidates"), Msg("general high school"), Msg("vocational"), Msg("not admitted")]
    rows: list[list[Any]] = [[lab, x, y_] for lab, x, y_ in zip(labels, a, b, strict=True)]
    for pid in sorted(set(before.progs) | set(now.progs)):
        for batch in ("unified", "vocational", "early"):
            x = before.cutoff(pid, batch) if pid in before.progs else None
            z = now.cutoff(pid, batch) if pid in now.progs else None
            if x is None and z is None:
                continue
            name = now.names.get(pid) or before.names.get(pid, pid)
            rows.append([Msg("cut-off of {programme}", programme=name), x, z])
    table = BlockTable(
        Msg("{year} against {last}", year=now.year, last=before.year),
        [
            BlockColumn("what", Msg("Item")),
            BlockColumn("last", Msg("Last year"), "count"),
            BlockColumn("this", Msg("This year"), "count"),
        ],
        rows,
        clause="第7条",
    )
    return Block("admissions.years", Msg("The year against last year"), "第7条", tables=[table])
