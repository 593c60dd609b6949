"""The labels of planning's own codes, registered with `countyedu.messages` when planning is imported
(a stored run's blocks keep the codes and are worded later, in whichever process reads them)."""

from __future__ import annotations

import json

from countyedu.messages import CodeLabeller, register_codes

# a solve's status: Chinese, English
SOLVER_STATUS = {"optimal": ("最优", "optimal"), "feasible": ("可行", "feasible")}
# a 第4条 promise's status
PROMISE_STATUS = {
    "missing": ("未立项", "no project"),
    "short": ("学位不足", "seats short"),
    "late": ("逾期", "late"),
    "delivered": ("按期完成", "delivered on time"),
    "pending": ("未到期", "not yet due"),
}
# An error raised with its two languages composed inline (not a Msg) is kept as both texts, a code of
# this vocabulary whose value is the JSON [Chinese, English].
ERROR_TEXT = "planning_error_text"


def _pair(words: dict[str, tuple[str, str]]) -> CodeLabeller:
    return lambda value, lang: words[value][lang == "en"] if value in words else value


register_codes("solver_status", _pair(SOLVER_STATUS))
register_codes("project_promise", _pair(PROMISE_STATUS))
register_codes(ERROR_TEXT, lambda value, lang: json.loads(value)[lang == "en"])
