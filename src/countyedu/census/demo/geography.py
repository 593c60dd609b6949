"""The demo county's townships and communities: 琴城镇's real urban communities and villages, the
rural townships' seats and invented villages, with households, residents and coordinates."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from countyedu.census.demo.county import TOWNSHIPS, URBAN_TOWNSHIP, Rng, _between, _jitter

# 琴城镇's urban communities (NANFENG.md) with their resident households (invented; T-PRE-2 and
# 第1条 look at communities of ≥ 1000 and ≥ 1200 households).
QINCHENG_HOUSEHOLDS: dict[str, int] = {
    "人民路": 2850,
    "解放路": 2400,
    "建设路": 1950,
    "新建路": 880,
    "仓山路": 1150,
    "桔都东路": 2600,
    "桔都西路": 1320,
    "琴湖路": 2200,
    "国安路": 1080,
    "琴台路": 1900,
    "沿江路": 1020,
}
QINCHENG_VILLAGES = (
    "大堡",
    "下坊",
    "水北",
    "桥背",
    "徐家边",
    "茅店",
    "富溪",
    "游军",
    "艾源",
    "瑶浦",
    "水南",
    "杨梅",
    "果园",
    "朝先",
)
PERSONS_PER_HOUSEHOLD = (2.9, 3.25)
SEAT_COMMUNITY_SHARE = (0.08, 0.13)  # share of a rural township living in its seat 社区
PERSONS_PER_VILLAGE = 2000  # villages per township = residents / this, within 6–14
VILLAGES_PER_TOWNSHIP = (6, 14)
# registered (户籍) / resident: rural places lose people to out-migration, the county seat gains
REGISTERED_RATIO = {"urban": (0.82, 0.97), "seat": (1.00, 1.10), "periurban": (1.00, 1.15), "rural": (1.12, 1.38)}

# Invented village names are built from these characters (NANFENG.md lists no rural village).
VILLAGE_FIRST = "石黄罗上下新高双枫长杨李陈吴曾邹龙桃梅竹莲洋樟杉白青金马官中塘里源坪岭湖港溪桥田"
VILLAGE_SECOND = "坊家田源港塘湖岭坑溪洲坪湾口山桥岗陂埠背"
LAIXI_VILLAGE = "大源"  # 莱溪乡大源村教学点, the example the brief gives


def _township_rows() -> list[dict[str, Any]]:
    return [
        {"township_id": tid, "name": name, "kind": kind, "urban_core": tid == URBAN_TOWNSHIP}
        for tid, name, kind, *_ in TOWNSHIPS
    ]


@dataclass(frozen=True)
class _Community:
    community_id: str
    township_id: str
    name: str
    kind: str
    households: int
    residents: int
    registered_residents: int
    lat: float
    lon: float
    setting: str  # urban, periurban (琴城镇's villages), seat (rural township seat) or rural

    def row(self) -> dict[str, Any]:
        return {
            "community_id": self.community_id,
            "township_id": self.township_id,
            "name": self.name,
            "kind": self.kind,
            "households": self.households,
            "residents": self.residents,
            "registered_residents": self.registered_residents,
            "lat": self.lat,
            "lon": self.lon,
        }


def _village_names(rng: Rng) -> Iterator[str]:
    """Invented two-character village names, each used once, none clashing with 琴城镇's real ones."""
    reserved = set(QINCHENG_VILLAGES) | {LAIXI_VILLAGE}
    pairs = [a + b for a in VILLAGE_FIRST for b in VILLAGE_SECOND if a != b and a + b not in reserved]
    for i in rng.permutation(len(pairs)):
        yield pairs[int(i)]


def _community(
    rng: Rng,
    cid: str,
    tid: str,
    name: str,
    kind: str,
    residents: int,
    setting: str,
    lat: float,
    lon: float,
    households: int | None = None,
) -> _Community:
    if households is None:
        households = round(residents / _between(rng, PERSONS_PER_HOUSEHOLD))
    registered = round(residents * _between(rng, REGISTERED_RATIO[setting]))
    return _Community(cid, tid, name, kind, households, residents, registered, lat, lon, setting)


def _build_communities(rng: Rng) -> list[_Community]:
    names = _village_names(rng)
    out: list[_Community] = []
    for tid, tname, _kind, residents, lat, lon in TOWNSHIPS:
        if tid == URBAN_TOWNSHIP:
            out += _qincheng_communities(rng, tid, residents, lat, lon)
        else:
            out += _rural_communities(rng, tid, tname, residents, lat, lon, names)
    return out


def _qincheng_communities(rng: Rng, tid: str, total: int, lat: float, lon: float) -> list[_Community]:
    out = []
    for i, (name, households) in enumerate(QINCHENG_HOUSEHOLDS.items(), start=1):
        residents = round(households * _between(rng, PERSONS_PER_HOUSEHOLD))
        la, lo = _jitter(rng, lat, lon, 0.012)
        out.append(
            _community(
                rng, f"{tid}U{i:02d}", tid, f"{name}社区", "urban_community", residents, "urban", la, lo, households
            )
        )
    village_total = total - sum(c.residents for c in out)
    weights = rng.lognormal(0.0, 0.3, len(QINCHENG_VILLAGES))
    sizes = _split_total(village_total, weights)
    for i, (name, residents) in enumerate(zip(QINCHENG_VILLAGES, sizes, strict=True), start=1):
        la, lo = _jitter(rng, lat, lon, 0.045)
        out.append(_community(rng, f"{tid}V{i:02d}", tid, f"{name}村", "village", residents, "periurban", la, lo))
    return out


def _rural_communities(
    rng: Rng, tid: str, tname: str, total: int, lat: float, lon: float, names: Iterator[str]
) -> list[_Community]:
    short = tname[:-1]
    seat = round(total * _between(rng, SEAT_COMMUNITY_SHARE))
    la, lo = _jitter(rng, lat, lon, 0.004)
    out = [_community(rng, f"{tid}U01", tid, f"{short}社区", "urban_community", seat, "seat", la, lo)]
    n = int(np.clip(round(total / PERSONS_PER_VILLAGE), *VILLAGES_PER_TOWNSHIP))
    weights = rng.lognormal(0.0, 0.35, n)
    village_names = [next(names) for _ in range(n)]
    if tid == "NF10":  # 莱溪乡大源村: a small remote village with a teaching point
        village_names[-1] = LAIXI_VILLAGE
        weights[-1] = weights.min() * 0.8
    for i, (name, residents) in enumerate(zip(village_names, _split_total(total - seat, weights), strict=True), 1):
        la, lo = _jitter(rng, lat, lon, 0.06)
        out.append(_community(rng, f"{tid}V{i:02d}", tid, f"{name}村", "village", residents, "rural", la, lo))
    return out


def _split_total(total: int, weights: np.ndarray) -> list[int]:
    """Integers proportional to weights summing exactly to total (largest remainder)."""
    raw = total * weights / weights.sum()
    out = np.floor(raw).astype(int)
    for i in np.argsort(-(raw - out), kind="stable")[: total - int(out.sum())]:
        out[i] += 1
    return [int(v) for v in out]
