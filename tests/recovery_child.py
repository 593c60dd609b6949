"""One process of the web app for tests/test_recovery.py, acting through its pages as users do:

python recovery_child.py DATA_DIR setup      migrate, import the hand county, open the 2025 round;
                                             P1's clerk uploads and submits the pre-filled workbook
python recovery_child.py DATA_DIR approve    the planner approves P1's submission
python recovery_child.py DATA_DIR return     the planner returns it to the school
python recovery_child.py DATA_DIR resubmit   the clerk uploads the pre-filled workbook again and submits it
python recovery_child.py DATA_DIR start      the web app's start (countyedu.web.wsgi), nothing else
python recovery_child.py DATA_DIR serve      what `countyedu serve` does before it starts gunicorn
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

HAND = Path(__file__).resolve().parent / "fixtures" / "hand"


def main(data_dir: str, step: str) -> None:
    os.environ.update(
        COUNTYEDU_DATA=data_dir,
        DJANGO_SETTINGS_MODULE="countyedu.web.settings",
        ALLOWED_HOSTS="testserver",
        SECURE_SSL="false",
    )
    os.environ["COUNTYEDU_JOBS_SYNC"] = "1"
    if step == "start":
        import countyedu.web.wsgi  # noqa: F401

        return
    if step == "serve":
        from countyedu.cli.serve import prepare_web

        prepare_web(Path(data_dir))
        return
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from countyedu.census.importer import import_census
    from countyedu.web import census as census_data
    from countyedu.web.models import CollectionRound, Membership, Role, Submission

    def client(name: str) -> Client:
        c = Client()
        c.force_login(User.objects.get(username=name))
        return c

    if step == "setup":
        call_command("migrate", interactive=False, verbosity=0)
        import_census(HAND, census_data.store())
        for name, role, school in (
            ("admin", Role.BUREAU_ADMIN, ""),
            ("planner", Role.PLANNING, ""),
            ("clerk", Role.SCHOOL, "P1"),
        ):
            u = User.objects.create_user(name, password="x")
            Membership.objects.create(user=u, role=role, school_id=school)
        assert client("admin").post(reverse("web:round_open"), {"year": 2025, "note": ""}).status_code == 302
        step = "resubmit"
    if step == "resubmit":
        r = CollectionRound.objects.get()
        data = client("clerk").get(reverse("web:submission_template", args=[r.pk, "P1"])).content
        up = SimpleUploadedFile("P1-2025.xlsx", data)
        client("clerk").post(reverse("web:submission_upload", args=[r.pk, "P1"]), {"file": up})
    sub = Submission.objects.get()
    if step == "resubmit":
        client("clerk").post(reverse("web:submission_submit", args=[sub.pk]))
    elif step == "approve":
        client("planner").post(reverse("web:submission_approve", args=[sub.pk]))
    elif step == "return":
        client("planner").post(reverse("web:submission_return", args=[sub.pk]), {"comment": "请核对"})
    else:
        raise SystemExit(f"unknown step {step}")
    sub.refresh_from_db()
    print(json.dumps({"status": sub.status}), file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
