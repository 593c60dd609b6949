"""The demo's responsible inspectors (责任督学, SV; the inspectors sheet): 30 serving inspectors for the
county's ~143 open schools (about one per 5), in nine inspection zones of at most 20 schools, and one
who left in 2025 (not serving: the assignment leaves them out). Full-time inspectors are former
principals; part-time ones serve at a school, which they may not inspect (their former_school_id).

Names and telephone numbers are invented. Nothing is drawn from the generator: the rest of the demo
stays as it was.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

# zone code → (townships it covers, inspectors it has); the zones' schools together stay ≤ 20.
ZONES: dict[str, tuple[tuple[str, ...], int]] = {
    "琴城一区": (("NF01",), 4),
    "琴城二区": (("NF01",), 4),
    "太和区": (("NF02",), 3),
    "白舍区": (("NF03",), 3),
    "市山洽湾区": (("NF04", "NF05"), 4),
    "桑田东坪区": (("NF06", "NF09"), 3),
    "紫霄莱溪区": (("NF07", "NF10"), 4),
    "三溪太源区": (("NF08", "NF11"), 3),
    "傅坊区": (("NF12",), 2),
}

NAMES = [
    "刘建华",
    "黄志明",
    "曾文斌",
    "吴秀英",
    "李国平",
    "邓小红",
    "陈卫东",
    "王春兰",
    "周建军",
    "付丽萍",
    "罗海涛",
    "谢玉梅",
    "饶光明",
    "朱红霞",
    "徐长根",
    "袁美华",
    "杨德胜",
    "揭淑芬",
    "舒永强",
    "赵金兰",
    "余新民",
    "聂桂香",
    "江志刚",
    "熊慧敏",
    "许国庆",
    "胡凤英",
    "程立新",
    "邱小燕",
    "危建平",
    "彭月娥",
    "黎守诚",
]

FULL_TIME_EVERY = 4  # every fourth inspector of a zone, and its first, is full-time (invented)


def _inspector_rows(schools: Sequence[Any]) -> list[dict[str, Any]]:
    """The inspectors sheet's rows (codes), in inspector_id order."""
    by_township: dict[str, list[str]] = defaultdict(list)
    for s in sorted(schools, key=lambda s: s.school_id):
        if s.closed_year is None:
            by_township[s.township_id].append(s.school_id)
    rows: list[dict[str, Any]] = []
    n = 0
    for zone, (townships, count) in ZONES.items():
        for k in range(count):
            township = townships[k % len(townships)]
            pool = by_township[township]
            # a part-time inspector serves at (a full-time one retired from) a school of their township
            former = pool[(3 * k + 1 + (4 if zone == "琴城二区" else 0)) % len(pool)] if pool else None
            rows.append(
                {
                    "inspector_id": f"I{n + 1:02d}",
                    "name": NAMES[n],
                    "employment": "full_time" if k % FULL_TIME_EVERY == 0 else "part_time",
                    "former_school_id": former,
                    "phone": f"0794-32{(n * 7919) % 100000:05d}",
                    "township_id": township,
                    "zone": zone,
                    "lat": None,
                    "lon": None,
                    "max_schools": None,
                    "active": True,
                }
            )
            n += 1
    # one inspector left in 2025 (retired): kept in the register, not serving
    rows.append(
        {
            "inspector_id": f"I{n + 1:02d}",
            "name": NAMES[n],
            "employment": "full_time",
            "former_school_id": by_township["NF02"][0] if by_township["NF02"] else None,
            "phone": f"0794-32{(n * 7919) % 100000:05d}",
            "township_id": "NF02",
            "zone": "太和区",
            "lat": None,
            "lon": None,
            "max_schools": None,
            "active": False,
        }
    )
    return rows
