"""The codes and clause ids siting and consolidation share with their wording (planning.siting.blocks)."""

from __future__ import annotations

CLAUSE = "第4条; 第5条; PN"  # siting: new schools where the seats are short (第4条), small schools (第5条)
CONSOLIDATION_CLAUSE = "第5条; 第22条; PN; CS; FD"
KEEP, OPTIMISE, MERGE_ALL = "keep", "optimise", "merge_all"  # the consolidation scenarios' modes
