"""The personnel office's (人事股) pages (issue 13): teachers' staffing (编制, surplus and shortage), the
Teacher post allocation, the exchange-rotation review (lock, veto, re-solve, download the list),
qualifications to 2025 and backbone teachers and titles.

Who sees what: the county-wide roles read every page (leadership and the other offices read only);
the personnel office and the bureau administrator lock, veto and re-solve the rotation; a township
official sees the staffing of the township's schools, a school clerk the own school's.

The pages show the stored teachers run (computed with the assessment after an import or approval) as
the blocks the report prints. The rotation is re-solved in the background (as the planning compute)
with the office's locked and vetoed moves; the page then shows the newest solve of the census version
and year, and its Excel list is the one the bureau publishes.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from countyedu.census import vocabulary
from countyedu.census.years import without_partial
from countyedu.messages import Msg, translate
from countyedu.reports.model import status_of
from countyedu.runs.blocks import format_value
from countyedu.runs.store import StoredRun
from countyedu.web import access
from countyedu.web import census as census_data
from countyedu.web.actions import _audit, refuse
from countyedu.web.jobs import Progress, start_job
from countyedu.web.models import Job, RotationDecision
from countyedu.web.plans import _base, _year_ctx, block_context, chosen_year, stored
from countyedu.web.reading import lang

# who locks, vetoes and re-solves the rotation
EDITORS: tuple[str, ...] = ("bureau_admin", "personnel")
JOB_KIND = "rotation"

# the report blocks each page shows, by the start of their ids
SECTIONS = {
    "staffing": ("teachers.staffing",),
    "allocation": ("teachers.allocation",),
    "qualifications": ("teachers.qualification",),
    "backbone": ("teachers.backbone", "teachers.titles"),
}


def _run(version: str | None, year: int | None) -> StoredRun | None:
    return stored("teachers", version, year) if version else None


def _year(request: HttpRequest, version: str | None) -> int | None:
    return chosen_year(request, census_data.years(version)) if version else None


def _section_page(request: HttpRequest, section: str, template: str, **ctx: Any) -> HttpResponse:
    """A county page of the stored teachers run's blocks of one section."""
    version = census_data.latest_version()
    year = _year(request, version)
    run = _run(version, year)
    lg = lang()
    blocks = [b for b in run.blocks[lg] if b.id.startswith(SECTIONS[section])] if run else []
    parts, charts = block_context(blocks, lg)
    return render(
        request,
        template,
        {
            **_base(version),
            "run": run,
            "parts": parts,
            "charts": charts,
            "section": section,
            "computing": _computing(),
            **_year_ctx(request, version, year),
            **ctx,
        },
    )


def _computing() -> Job | None:
    jobs = Job.objects.filter(kind__in=("plans", "assessment"), status__in=(Job.Status.QUEUED, Job.Status.RUNNING))
    return jobs.order_by("-pk").first()


# ------------------------------------------------------------------------------ staffing


@require_GET
@login_required
def staffing(request: HttpRequest) -> HttpResponse:
    """Staffing norms (编制), teachers in post, surplus and shortage: the county's blocks for the
    county-wide roles; a township's or a school's own rows for their officials and clerks."""
    m = access.membership_of(request)
    if m.county_wide:
        return _section_page(request, "staffing", "web/teachers/section.html", title=_("Teacher staffing"))
    version = census_data.latest_version()
    year = _year(request, version)
    run = _run(version, year)
    allowed = access.visible_school_ids(m) or set()
    rows = _staffing_rows(run, allowed) if run else []
    return render(
        request,
        "web/teachers/own_staffing.html",
        {**_base(version), "run": run, "rows": rows, **_year_ctx(request, version, year)},
    )


def _staffing_rows(run: StoredRun, allowed: set[str]) -> list[dict[str, Any]]:
    """The staffing contract's rows of the schools a user may see, worded for the page."""
    lg = lang()
    names = census_data.names(run.census_version)
    rows = (run.data.get("staffing") or {}).get("schools") or []
    out = []
    for r in rows:
        if r["school_id"] not in allowed:
            continue
        out.append(
            {
                "school_id": r["school_id"],
                "school": names.get(r["school_id"], r["school_id"]),
                "stage": vocabulary.stage_label(r["stage"], lg) if r.get("stage") in vocabulary.STAGES else "",
                **{k: format_value(r.get(k), "count" if k in ("pupils", "classes") else "", lg) for k in _NUMBERS},
            }
        )
    return out


_NUMBERS = ("pupils", "classes", "norm", "actual", "surplus", "shortage")


@require_GET
@login_required
def allocation(request: HttpRequest) -> HttpResponse:
    """县管校聘: posts per school and the reassignment of surplus teachers (RT)."""
    access.require_county(request)
    return _section_page(request, "allocation", "web/teachers/section.html", title=_("Teacher post allocation"))


@require_GET
@login_required
def qualifications(request: HttpRequest) -> HttpResponse:
    """Qualifications to 2025 (第26条): each target's path, retirements, upgrades and hires."""
    access.require_county(request)
    return _section_page(request, "qualifications", "web/teachers/section.html", title=_("Teacher qualifications"))


@require_GET
@login_required
def backbone(request: HttpRequest) -> HttpResponse:
    """Backbone teachers (第24条, QB-R2) and titles against the post structure (第25条)."""
    access.require_county(request)
    return _section_page(request, "backbone", "web/teachers/section.html", title=_("Backbone teachers and titles"))


# ------------------------------------------------------------------------------ rotation


def solve_rotation(progress: Progress, version: str, year: int | None) -> dict[str, Any]:
    """The background job: the rotation of `year` on `version` with the office's locks and vetoes
    (read when the job runs); its result is the rotation's JSON contract and the decisions it kept."""
    from countyedu.teachers.rotation import plan_rotation

    progress(0.05, Msg("Reading the census"))
    ys = census_data.years(version)
    frames = without_partial(census_data.census(version), ys.partial, year)
    decided = RotationDecision.objects.filter(census_version=version, year=_contract_year(frames, year))
    locks = [(d.teacher_id, d.to_school_id) for d in decided if d.kind == RotationDecision.Kind.LOCK]
    vetoes = [(d.teacher_id, d.to_school_id) for d in decided if d.kind == RotationDecision.Kind.VETO]
    progress(0.2, Msg("Solving the exchange rotation"))
    plan = plan_rotation(frames, census_data.packs(), year, locks=locks, vetoes=vetoes)
    return {"rotation": plan.contract(version), "locks": locks, "vetoes": vetoes}


def _contract_year(frames: Any, year: int | None) -> int:
    """The census year a rotation is planned from (default: the latest with teachers)."""
    return int(year) if year is not None else int(frames["teachers"]["year"].max())


def _latest_solve(version: str, year: int) -> Job | None:
    """The newest finished re-solve of this version and year."""
    jobs = Job.objects.filter(kind=JOB_KIND, status=Job.Status.DONE, arguments__version=version).order_by("-pk")
    for job in jobs[:20]:
        r = (job.result or {}).get("rotation") or {}
        if r.get("year") == year:
            return job
    return None


def _shown(version: str, year: int | None) -> tuple[dict[str, Any] | None, Job | None]:
    """The rotation the page shows: the newest re-solve, else the stored run's."""
    run = _run(version, year)
    stored_rotation = (run.data.get("rotation") if run else None) or None
    y = (stored_rotation or {}).get("year")
    if y is None and run is not None:
        y = run.data.get("year")
    job = _latest_solve(version, int(y)) if y is not None else None
    if job is not None:
        return job.result["rotation"], job
    return stored_rotation, None


def _running_solve() -> Job | None:
    jobs = Job.objects.filter(kind=JOB_KIND, status__in=(Job.Status.QUEUED, Job.Status.RUNNING))
    return jobs.order_by("-pk").first()


def _failed_solve(version: str, shown: Job | None) -> Job | None:
    """The newest re-solve of the version that failed after the plan shown (e.g. a lock no plan keeps)."""
    jobs = Job.objects.filter(kind=JOB_KIND, status=Job.Status.FAILED, arguments__version=version)
    if shown is not None:
        jobs = jobs.filter(pk__gt=shown.pk)
    return jobs.order_by("-pk").first()


@require_GET
@login_required
def rotation(request: HttpRequest) -> HttpResponse:
    """The exchange-rotation plan to review: the move list with lock and veto, the rules' checks, the
    office's decisions, re-solve and the Excel list."""
    m = access.require_county(request)
    version = census_data.latest_version()
    year = _year(request, version)
    ctx: dict[str, Any] = {**_base(version), **_year_ctx(request, version, year)}
    result, job = _shown(version, year) if version else (None, None)
    lg = lang()
    ctx.update(
        result=result,
        solved_by_job=job,
        can_edit=m.role in EDITORS,
        solving=_running_solve(),
        computing=_computing(),
        failed=_failed_solve(version, job) if version else None,
    )
    if result is None:
        return render(request, "web/teachers/rotation.html", ctx)
    assert version is not None
    names = census_data.names(version)
    decisions = {
        (d.teacher_id, d.to_school_id): d
        for d in RotationDecision.objects.filter(census_version=version, year=result["year"])
    }
    moves = []
    for i, mv in enumerate(result.get("moves") or [], start=1):
        d = decisions.get((mv["teacher_id"], mv["to_school_id"]))
        moves.append(
            {
                "n": i,
                **mv,
                "from_name": names.get(mv["from_school_id"], mv["from_school_id"]),
                "to_name": names.get(mv["to_school_id"], mv["to_school_id"]),
                "subject_label": vocabulary.label("subject", mv["subject"], lg),
                "backbone_text": format_value(bool(mv.get("backbone")), "", lg),
                "decision": d.get_kind_display() if d else "",
                "locked": bool(d and d.kind == RotationDecision.Kind.LOCK),
            }
        )
    from countyedu.teachers.rotation_words import rule_words

    checks = []
    for c in result.get("checks") or []:
        rule = str(c.get("rule") or "")
        unit = "share" if "share" in rule or "CV" in rule else ""
        checks.append(
            {
                "rule": translate(rule_words(rule), lg),
                "school": names.get(c.get("school_id") or "", c.get("school_id") or ""),
                "value": format_value(c.get("value"), unit, lg),
                "target": format_value(c.get("target"), unit, lg),
                "status": status_of(c.get("status") or "no_data", lg),
            }
        )
    vetoed = [
        {
            "pk": d.pk,
            "teacher_id": d.teacher_id,
            "from_name": names.get(d.from_school_id, d.from_school_id),
            "to_name": names.get(d.to_school_id, d.to_school_id),
            "kind": d.get_kind_display(),
        }
        for d in decisions.values()
    ]
    ctx.update(
        moves=moves,
        checks=checks,
        decisions=vetoed,
        eligible=len(result.get("eligible") or []),
        objective=format_value(result.get("objective"), "", lg),
        bound=format_value(result.get("bound"), "", lg),
        gap=format_value(result.get("gap"), "share", lg) if result.get("gap") is not None else "—",
        rotation_year=result["year"],
        distance_basis=translate(_basis_words(result.get("distance_basis")), lg),  # roads2: the km's basis
    )
    return render(request, "web/teachers/rotation.html", ctx)


def _basis_words(doc: Any) -> Msg:
    from countyedu.roads.travel import basis_from

    return basis_from(doc).words()


def _back(request: HttpRequest) -> HttpResponse:
    year = request.POST.get("year") or ""
    url = reverse("web:teachers_rotation")
    return redirect(f"{url}?year={year}" if year.isdigit() else url)


@require_POST
@login_required
@access.role_required(*EDITORS)
def rotation_solve(request: HttpRequest) -> HttpResponse:
    """Re-solve the rotation in the background with the decisions taken so far."""
    version = census_data.latest_version()
    if version is None:
        messages.error(request, _("No census has been imported yet."))
        return redirect("web:teachers_rotation")
    year = _year(request, version)
    job = start_job(JOB_KIND, solve_rotation, {"version": version, "year": year}, user=request.user)
    if job.status == Job.Status.FAILED:
        messages.error(request, job.progress_text() or _("The rotation could not be solved."))
    else:
        messages.success(request, _("The rotation is being solved; this page shows it when done."))
    return _back(request)


@require_POST
@login_required
@access.role_required(*EDITORS)
def rotation_decide(request: HttpRequest) -> HttpResponse:
    """Lock or veto one move of the plan shown, or take a decision back."""
    version = census_data.latest_version()
    if version is None:
        raise Http404
    action = request.POST.get("action", "")
    try:
        if action == "clear":
            do_clear_rotation_decision(version, int(request.POST.get("pk", "0")), acting_user=request.user)
        elif action in (RotationDecision.Kind.LOCK, RotationDecision.Kind.VETO):
            year = _year(request, version)
            result, _job = _shown(version, year)
            if result is None:
                raise Http404
            tid, to = request.POST.get("teacher_id", ""), request.POST.get("to_school_id", "")
            move = next((mv for mv in result["moves"] if (mv["teacher_id"], mv["to_school_id"]) == (tid, to)), None)
            if move is None:
                refuse("No such move in the plan: %(teacher)s → %(school)s.", teacher=tid[:64], school=to[:64])
            do_decide_rotation_move(version, int(result["year"]), move, action, acting_user=request.user)
        else:
            return HttpResponse(status=400)
    except ValueError:
        return HttpResponse(status=400)
    except Exception as exc:
        from countyedu.web.actions import ActionRefused

        if not isinstance(exc, ActionRefused):
            raise
        messages.error(request, str(exc))
    return _back(request)


def do_decide_rotation_move(
    version: str, year: int, move: dict[str, Any], kind: str, *, acting_user: Any
) -> RotationDecision:
    """Lock or veto a move (teacher → school); a teacher has one locked move at most. Audit row in the
    same transaction."""
    with transaction.atomic():
        if kind == RotationDecision.Kind.LOCK:
            other = RotationDecision.objects.filter(
                census_version=version, year=year, teacher_id=move["teacher_id"], kind=RotationDecision.Kind.LOCK
            ).exclude(to_school_id=move["to_school_id"])
            if other.exists():
                refuse("Teacher %(teacher)s already has a locked move.", teacher=move["teacher_id"])
        d, created = RotationDecision.objects.select_for_update().get_or_create(
            census_version=version,
            year=year,
            teacher_id=move["teacher_id"],
            to_school_id=move["to_school_id"],
            defaults={"from_school_id": move["from_school_id"], "kind": kind, "decided_by": acting_user},
        )
        before = None if created else d.state()
        d.kind, d.decided_by = kind, acting_user
        d.save()
        _audit(acting_user, f"rotation_{kind}", d, before, d.state())
    return d


def do_clear_rotation_decision(version: str, pk: int, *, acting_user: Any) -> None:
    """Take back a lock or a veto. Audit row in the same transaction."""
    with transaction.atomic():
        d = RotationDecision.objects.select_for_update().filter(pk=pk, census_version=version).first()
        if d is None:
            raise Http404
        _audit(acting_user, "rotation_clear", d, d.state(), {})
        d.delete()


@require_GET
@login_required
def rotation_xlsx(request: HttpRequest) -> HttpResponse:
    """The move list as the Excel workbook the bureau publishes."""
    access.require_county(request)
    version = census_data.latest_version()
    result, _job = _shown(version, _year(request, version)) if version else (None, None)
    if result is None or version is None:
        raise Http404
    out = Path(tempfile.mkdtemp(dir=settings.DATA_DIR)) / f"rotation-{result['year']}.xlsx"
    write_move_list(result, census_data.names(version), out, lang())
    return FileResponse(out.open("rb"), as_attachment=True, filename=out.name)


def write_move_list(result: dict[str, Any], names: dict[str, str], out: Path, lg: str) -> None:
    """The move list: one row per teacher moving, numbered, with the schools' names."""
    from countyedu.census.writers import workbook

    wb = workbook(out)
    head = wb.add_format({"bold": True, "bg_color": "#EAF1F9", "border": 1})
    ws = wb.add_worksheet(str(translate(Msg("Exchange rotation"), lg))[:28])
    title = translate(Msg("Teacher exchange rotation, school year {year}", year=result["year"]), lg)
    ws.write(0, 0, str(title), wb.add_format({"bold": True, "font_size": 14}))
    cols = (Msg("No."), Msg("Teacher"), Msg("Subject"), Msg("Backbone teacher"), Msg("From school"), Msg("To school"))
    ws.write_row(2, 0, [str(translate(c, lg)) for c in cols], head)
    for i, mv in enumerate(result.get("moves") or [], start=1):
        ws.write_row(
            2 + i,
            0,
            [
                i,
                mv["teacher_id"],
                vocabulary.label("subject", mv["subject"], lg),
                format_value(bool(mv.get("backbone")), "", lg),
                names.get(mv["from_school_id"], mv["from_school_id"]),
                names.get(mv["to_school_id"], mv["to_school_id"]),
            ],
        )
    ws.set_column(0, 0, 6)
    ws.set_column(1, 5, 18)
    wb.close()


urlpatterns = [
    path("teachers/", staffing, name="teachers"),
    path("teachers/allocation/", allocation, name="teachers_allocation"),
    path("teachers/rotation/", rotation, name="teachers_rotation"),
    path("teachers/rotation/solve/", rotation_solve, name="teachers_rotation_solve"),
    path("teachers/rotation/decide/", rotation_decide, name="teachers_rotation_decide"),
    path("teachers/rotation.xlsx", rotation_xlsx, name="teachers_rotation_xlsx"),
    path("teachers/qualifications/", qualifications, name="teachers_qualifications"),
    path("teachers/backbone/", backbone, name="teachers_backbone"),
]
