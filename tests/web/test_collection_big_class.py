"""大班额 on upload (issue 10, item 11): a class of 56 or more pupils in a compulsory grade gives a
located warning, by the policy pack's rule (nanfeng-2019 T-CMP-2, at_least 56; CS 大班额 ≥ 56). The
submission stays a draft: a warning does not block. P1's template holds class 一年级 2 with 58 pupils
(Excel row 3) and six classes of 40–45."""

from __future__ import annotations

from collection_support import edit, open_round, template_bytes, upload
from django.urls import reverse

from countyedu.web.models import Submission


def warnings_of(sub: Submission) -> list[tuple]:
    return [(p["sheet"], p["row"], p["column"], p["value"]) for p in sub.problems if p["rule"] == "big_class_policy"]


class TestBigClass:
    def test_a_class_of_56_or_more_is_warned_about(self, client, users):
        rnd = open_round(users)
        data = edit(template_bytes(users, rnd), "班级", 4, "pupils", 60)  # 二年级 1
        data = edit(data, "班级", 5, "pupils", 55)  # 三年级 1: under the threshold
        data = edit(data, "班级", 6, "pupils", 56)  # 四年级 1: at it
        client.force_login(users["clerk_p1"])
        r = client.post(reverse("web:submission_upload", args=[rnd.pk, "P1"]), {"file": upload(data)}, follow=True)
        sub = Submission.objects.get(round=rnd, school_id="P1")
        assert sub.status == "draft"
        assert warnings_of(sub) == [("班级", 3, "pupils", 58), ("班级", 4, "pupils", 60), ("班级", 6, "pupils", 56)]
        p = next(p for p in sub.problems if p["rule"] == "big_class_policy" and p["row"] == 4)
        assert p["severity"] == "warning"
        assert p["message_zh"] == "班额 60 人，属大班额（≥ 56; T-CMP-2），请核实或说明"
        assert p["message_en"] == "a class of 60 pupils is oversized (大班额, ≥ 56; T-CMP-2): please check or explain"
        assert "属大班额" in r.content.decode()
