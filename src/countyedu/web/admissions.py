"""The admissions office's pages (issue 14 item 6): the candidates and programmes of a year (from the
census: an import or the collection flow), the rules (the pack's admission parameters as a form), a
run in the background, the independent verifier's checks shown with it, a what-if comparison of two
runs, every candidate's answer and letter, and publishing (which freezes a run with an audit row).

Who sees what: the county-wide roles read every page; the admissions office (and the bureau
administrator) run and publish; leadership reads only (403 on every action). A junior-school clerk
sees only their own pupils' outcomes, and only once the year's run is published; township officials
and other clerks get 404.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from countyedu.admissions.explain import Answer, Explainer
from countyedu.admissions.reports import programme_names, report_blocks
from countyedu.errors import CountyEduError, ValidationFailed
from countyedu.messages import Msg, decode, encode, translate
from countyedu.runs import registry
from countyedu.web import access
from countyedu.web import census as census_data
from countyedu.web.actions import _assess, _audit, refuse
from countyedu.web.jobs import Progress, start_job
from countyedu.web.models import AdmissionRun, AuditLog, Role
from countyedu.web.plans import block_context
from countyedu.web.reading import lang, synthetic

KIND = "admissions"
RUNNERS = ("admissions", "bureau_admin")  # who runs and publishes (web.models.Role codes)
Status = AdmissionRun.Status


# ------------------------------------------------------------------------------ the computation


def _kind() -> registry.RunKind:
    return registry.get(KIND)


def allocation_of(frames: dict[str, pd.DataFrame], year: int, params: dict[str, Any]) -> dict[str, Any]:
    """The allocation of `year` under the rules given (the JSON of `countyedu admissions run`)."""
    result = _kind().compute(frames, census_data.packs(), year, _kind().resolve(params))
    return result.as_dict()


def _year_rows(frames: dict[str, pd.DataFrame], sheet: str, year: int) -> pd.DataFrame:
    f = frames[sheet]
    return f[f["year"] == year]


def inputs_digest(frames: dict[str, pd.DataFrame], version: str, year: int, params: dict[str, Any]) -> str:
    """SHA-256 of what a run read: census version, year, rules, and the year's candidates and programmes."""
    h = hashlib.sha256(json.dumps({"version": version, "year": year, "params": params}, sort_keys=True).encode())
    for sheet in ("candidates", "programmes"):
        h.update(_year_rows(frames, sheet, year).to_csv(index=False).encode())
    return h.hexdigest()


def compute_run(progress: Progress, run_id: int) -> dict[str, Any]:
    """The background work of a run: allocate and verify (the run kind runs the independent verifier
    once, after the allocation: its checks come with the result), keep both."""
    run = AdmissionRun.objects.get(pk=run_id)
    frames = census_data.census(run.census_version)
    try:
        progress(0.1, Msg("Allocating the places"))
        allocation = allocation_of(frames, run.year, run.params)
    except CountyEduError as exc:
        AdmissionRun.objects.filter(pk=run_id).update(status=Status.FAILED, message=exc.user_text())
        raise
    result = json.loads(json.dumps(allocation, default=encode))
    checked = result.get("verification") or {}
    AdmissionRun.objects.filter(pk=run_id).update(
        status=Status.DONE,
        result=result,
        verification={"ok": bool(checked.get("ok")), "checks": list(checked.get("checks", []))},
    )
    return {"run": run_id, "ok": bool(checked.get("ok"))}


def do_start_admission_run(version: str, year: int, params: dict[str, Any], *, acting_user: Any) -> AdmissionRun:
    """A new run (its inputs recorded, an audit row), computed by a task worker."""
    frames = census_data.census(version)
    with transaction.atomic():
        run = AdmissionRun.objects.create(
            year=year,
            census_version=version,
            params=params,
            inputs_digest=inputs_digest(frames, version, year, params),
            created_by=acting_user,
        )
        _audit(acting_user, "run_admission", run, None, _state(run))
    job = start_job(KIND, compute_run, {"run_id": run.pk}, user=acting_user)
    AdmissionRun.objects.filter(pk=run.pk).update(job=job)
    run.refresh_from_db()
    return run


def do_publish_admission_run(run: AdmissionRun, *, acting_user: Any) -> AdmissionRun:
    """Publish (freeze) a computed run whose every verifier check passed: one per year."""
    with transaction.atomic():
        run = AdmissionRun.objects.select_for_update().get(pk=run.pk)
        if run.status != Status.DONE:
            refuse("Only a computed run that is not yet published can be published.")
        if not run.verified:
            refuse("The verifier found problems in this run: it cannot be published.")
        if AdmissionRun.objects.filter(year=run.year, status=Status.PUBLISHED).exists():
            refuse("An admission of %(year)s is already published.", year=run.year)
        before = _state(run)
        run.status, run.published_by, run.published_at = Status.PUBLISHED, acting_user, timezone.now()
        try:
            with transaction.atomic():
                run.save()
        except IntegrityError:
            refuse("An admission of %(year)s is already published.", year=run.year)
        _audit(acting_user, "publish_admission", run, before, _state(run))
    return run


def _state(run: AdmissionRun) -> dict[str, Any]:
    return {
        "year": run.year,
        "census_version": run.census_version,
        "params": run.params,
        "inputs_digest": run.inputs_digest,
        "status": run.status,
        "verified": run.verified,
    }


# ------------------------------------------------------------------------------ reading runs


def _run_for_county(request: HttpRequest, pk: int) -> AdmissionRun:
    access.require_county(request)
    try:
        return AdmissionRun.objects.get(pk=pk)
    except AdmissionRun.DoesNotExist:
        raise Http404 from None


def _checks(run: AdmissionRun, lg: str) -> list[dict[str, Any]]:
    return [
        {"check": c["check"], "ok": c["ok"], "detail": translate(decode(c["detail"]), lg)}
        for c in (run.verification or {}).get("checks", [])
    ]


CHECK_LABELS = {
    "one_place": Msg("One place per candidate"),
    "quota": Msg("No programme over its places"),
    "eligibility": Msg("Eligibility and conditions"),
    "no_envy": Msg("No justified envy inside a batch"),
    "quota_places": Msg("Quota places to qualifying pupils of their junior school"),
    "returned": Msg("Returned places accounted for"),
}


def _labelled_checks(run: AdmissionRun, lg: str) -> list[dict[str, Any]]:
    return [{**c, "label": translate(CHECK_LABELS.get(c["check"], c["check"]), lg)} for c in _checks(run, lg)]


def _summary(run: AdmissionRun) -> dict[str, int]:
    r = run.result or {}
    return {"admitted": len(r.get("admitted", [])), "unplaced": len(r.get("unplaced", []))}


def _candidate_years(version: str | None) -> list[int]:
    if version is None:
        return []
    f = census_data.census(version)["candidates"]
    return sorted({int(y) for y in f["year"]})


# the rules' short labels on the form (the kind's help says more)
FIELD_LABELS = {
    "quota_share": Msg("Quota-to-schools share (where the sheet names none)"),
    "rural_tilt": Msg("Rural tilt of the quota places"),
    "quota_margin": Msg("Quota batch: points below the minimum line"),
    "tie_order": Msg("Tie order after the total (subject sums, in order)"),
    "tie_rule": Msg("Tie at the last place"),
    "lottery_seed": Msg("Lottery seed"),
    "gender_conditions": Msg("Programmes' gender conditions (where law allows)"),
}
SUBJECT_WORDS = {"chinese": Msg("Chinese"), "math": Msg("maths"), "english": Msg("English")}

# the rules chosen from a list (the others are numbers or text): value → words
CHOICES = {
    "tie_rule": {
        "lottery": Msg("lottery among the tied (seeded)"),
        "strict": Msg("strict quota: a tie that does not fit is refused"),
        "admit_all": Msg("admit all tied"),
    },
    "gender_conditions": {
        "ignore": Msg("not applied"),
        "apply": Msg("applied"),
    },
}


def _params_form(values: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The kind's parameters as form fields (empty: the pack's value)."""
    values = values or {}
    lg = lang()
    return [
        {
            "name": p.name,
            "help": translate(FIELD_LABELS.get(p.name, p.help), lg),
            "value": "" if values.get(p.name) is None else values[p.name],
            "choices": [(k, translate(v, lg)) for k, v in CHOICES.get(p.name, {}).items()],
            "example": "chinese+math+english,math,chinese" if p.name == "tie_order" else "",
        }
        for p in _kind().params
    ]


def _value_words(name: str, value: Any, lg: str) -> str:
    """A rule's value as its reader reads it (a tie rule or tie order in words)."""
    if value in CHOICES.get(name, {}):
        return str(translate(CHOICES[name][value], lg))
    if name == "tie_order":
        plus, comma = ("+", "，") if lg == "zh" else (" + ", ", ")
        return comma.join(
            plus.join(str(translate(SUBJECT_WORDS.get(s.strip(), s.strip()), lg)) for s in term.split("+"))
            for term in str(value).split(",")
        )
    return str(value)


def _params_text(params: dict[str, Any]) -> str:
    """The rules a run changed, in words."""
    lg = lang()
    helps = {p.name: translate(FIELD_LABELS.get(p.name, p.help), lg) for p in _kind().params}
    given = [f"{helps.get(k, k)} = {_value_words(k, v, lg)}" for k, v in sorted(params.items()) if v is not None]
    return "；".join(given) if lang() == "zh" else "; ".join(given)


# ------------------------------------------------------------------------------ pages


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The year's candidates and programmes, the rules form and the runs."""
    m = access.require_county(request)
    version = census_data.latest_version()
    years = _candidate_years(version)
    raw = request.GET.get("year", "")
    year = int(raw) if raw.isdigit() and int(raw) in years else (years[-1] if years else None)
    counts: dict[str, int] = {}
    if version and year is not None:
        frames = census_data.census(version)
        counts = {s: len(_year_rows(frames, s, year)) for s in ("candidates", "programmes")}
    runs = list(AdmissionRun.objects.filter(year=year)) if year is not None else []
    return render(
        request,
        "web/admissions/index.html",
        {
            "version": version,
            "synthetic": bool(version) and synthetic(version),
            "years": years,
            "year": year,
            "counts": counts,
            "runs": [{"run": r, "summary": _summary(r), "params": _params_text(r.params)} for r in runs],
            "fields": _params_form(),
            "can_run": m.role in RUNNERS,
            "published": next((r for r in runs if r.status == Status.PUBLISHED), None),
        },
    )


def _given_params(request: HttpRequest) -> dict[str, Any]:
    given = {p.name: request.POST.get(p.name, "").strip() for p in _kind().params}
    resolved = _kind().resolve({k: v for k, v in given.items() if v})
    return {k: v for k, v in resolved.items() if v is not None}


@login_required
@require_POST
@access.role_required(*RUNNERS)
def run_start(request: HttpRequest) -> HttpResponse:
    """Run the admission of a year with the rules of the form (unchanged fields keep the pack's)."""
    version = census_data.latest_version()
    raw = request.POST.get("year", "")
    years = _candidate_years(version)
    if version is None or not raw.isdigit() or int(raw) not in years:
        messages.error(request, _("No candidates of that year in the census."))
        return redirect("web:admissions")
    try:
        params = _given_params(request)
    except CountyEduError as exc:
        messages.error(request, exc.message_zh if lang() == "zh" else exc.message_en)
        return redirect(f"{reverse('web:admissions')}?year={raw}")
    run = do_start_admission_run(version, int(raw), params, acting_user=request.user)
    return redirect("web:admissions_run", pk=run.pk)


@login_required
@require_GET
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A run: the verifier's checks, the report (cut-offs, junior schools and townships, QB-G14,
    distribution, the year against last), a candidate lookup, the comparison and publishing."""
    m = access.require_county(request)
    run = _run_for_county(request, pk)
    lg = lang()
    parts: list[dict[str, Any]] = []
    charts: list[dict[str, Any]] = []
    if run.result:
        frames = census_data.census(run.census_version)
        blocks = report_blocks(frames, run.year, run.result)
        parts, charts = block_context(blocks, lg)
    others = AdmissionRun.objects.filter(year=run.year).exclude(pk=run.pk).exclude(status=Status.FAILED)
    published = AdmissionRun.objects.filter(year=run.year, status=Status.PUBLISHED).exclude(pk=run.pk).first()
    return render(
        request,
        "web/admissions/run.html",
        {
            "run": run,
            "synthetic": synthetic(run.census_version),
            "params": _params_text(run.params),
            "summary": _summary(run),
            "checks": _labelled_checks(run, lg),
            "parts": parts,
            "charts": charts,
            "others": others,
            "can_publish": m.role in RUNNERS and run.status == Status.DONE and run.verified and published is None,
            "published_other": published,
            "computing": run.status == Status.COMPUTING,
        },
    )


def _answer_context(run: AdmissionRun, candidate_id: str) -> dict[str, Any]:
    """A candidate's answer as page parts (404 for an unknown candidate)."""
    if not run.result:
        raise Http404
    frames = census_data.census(run.census_version)
    try:
        answer = Explainer(frames, run.year, run.result).answer(candidate_id)
    except CountyEduError:
        raise Http404 from None
    names = programme_names(frames, run.year)
    parts, charts = block_context(answer.blocks(names), lang())
    return {"run": run, "answer": answer, "parts": parts, "charts": charts}


@login_required
@require_GET
def candidate(request: HttpRequest, pk: int) -> HttpResponse:
    """A candidate's answer by exam number (?candidate=): where, which batch, rank, and why not above."""
    run = _run_for_county(request, pk)
    cid = (request.GET.get("candidate") or "").strip()
    ctx = _answer_context(run, cid)
    letter = reverse("web:admissions_letter", args=[run.pk, cid])
    return render(request, "web/admissions/candidate.html", {**ctx, "letter": letter, "back": run.pk})


def _letter(run: AdmissionRun, answer: Answer, fmt: str) -> HttpResponse:
    from countyedu.reports.letter import letter_html, letter_pdf

    lg = lang()
    frames = census_data.census(run.census_version)
    block = answer.blocks(programme_names(frames, run.year))[0].localized(lg)
    county = next((str(p.parameters["county_name"]) for p in census_data.packs() if "county_name" in p.parameters), "")
    html = letter_html(
        block,
        lang=lg,
        title=translate(Msg("Admission letter of {candidate}", candidate=answer.candidate_id), lg),
        county=county or translate(Msg("Admissions office"), lg),
        year_label=translate(Msg("High-school admission {year}", year=run.year), lg),
        footer=translate(Msg("Published run {run}, inputs {digest}", run=run.pk, digest=run.inputs_digest[:12]), lg),
        synthetic=translate(Msg("Synthetic demo data"), lg) if synthetic(run.census_version) else "",
    )
    if fmt == "pdf":
        response = HttpResponse(letter_pdf(html), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{answer.candidate_id}.pdf"'
        return response
    return HttpResponse(html, content_type="text/html; charset=utf-8")


@login_required
@require_GET
def letter(request: HttpRequest, pk: int, candidate_id: str, fmt: str = "html") -> HttpResponse:
    run = _run_for_county(request, pk)
    return _letter(run, _answer_context(run, candidate_id)["answer"], fmt)


@login_required
@require_GET
def compare(request: HttpRequest) -> HttpResponse:
    """Two runs of a year side by side (what-if): their rules, cut-offs and the candidates whose outcome changes."""
    access.require_county(request)
    a = _run_for_county(request, _int(request.GET.get("a")))
    b = _run_for_county(request, _int(request.GET.get("b")))
    if a.year != b.year or not a.result or not b.result:
        raise Http404
    frames = census_data.census(b.census_version)
    names = programme_names(frames, a.year)
    lg = lang()

    def outcomes(run: AdmissionRun) -> dict[str, tuple[str, str]]:
        return {str(x["candidate_id"]): (str(x["programme_id"]), str(x["batch"])) for x in run.result["admitted"]}  # type: ignore[index]

    oa, ob = outcomes(a), outcomes(b)
    cands = _year_rows(frames, "candidates", a.year)
    school_of = dict(zip(cands["candidate_id"].astype(str), cands["junior_school_id"].astype(str), strict=True))
    school_names = census_data.names(b.census_version)

    def label(o: tuple[str, str] | None) -> str:
        if o is None:
            return translate(Msg("not admitted"), lg)
        return f"{names.get(o[0], o[0])} · {translate(_batch(o[1]), lg)}"

    changed = [
        {
            "id": cid,
            "school": school_names.get(school_of.get(cid, ""), school_of.get(cid, "")),
            "a": label(oa.get(cid)),
            "b": label(ob.get(cid)),
        }
        for cid in sorted(set(oa) | set(ob) | set(school_of))
        if oa.get(cid) != ob.get(cid)
    ]
    cut_a = {(c["programme_id"], c["batch"]): c.get("score") for c in a.result.get("cutoffs", [])}
    cut_b = {(c["programme_id"], c["batch"]): c.get("score") for c in b.result.get("cutoffs", [])}
    cutoffs = [
        {
            "programme": names.get(p, p),
            "batch": translate(_batch(bt), lg),
            "a": cut_a.get((p, bt)),
            "b": cut_b.get((p, bt)),
        }
        for p, bt in sorted(set(cut_a) | set(cut_b))
    ]
    return render(
        request,
        "web/admissions/compare.html",
        {
            "a": a,
            "b": b,
            "params_a": _params_text(a.params),
            "params_b": _params_text(b.params),
            "checks_a": _labelled_checks(a, lg),
            "checks_b": _labelled_checks(b, lg),
            "changed": changed[:500],
            "n_changed": len(changed),
            "cutoffs": cutoffs,
            "synthetic": synthetic(b.census_version),
        },
    )


def _batch(code: str) -> Any:
    from countyedu.admissions.verify import batch_code

    return batch_code(code)


def _int(raw: str | None) -> int:
    if not raw or not raw.isdigit():
        raise Http404
    return int(raw)


@login_required
@require_POST
@access.role_required(*RUNNERS)
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish the run: frozen, audited; junior-school clerks then see their pupils' outcomes."""
    run = _run_for_county(request, pk)
    try:
        do_publish_admission_run(run, acting_user=request.user)
    except Exception as exc:  # ActionRefused: say why
        if not hasattr(exc, "message_zh"):
            raise
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The admission is published: junior schools now see their pupils' outcomes."))
    return redirect("web:admissions_run", pk=run.pk)


# ------------------------------------------------------------------------------ the office's upload

ADMISSION_SHEETS = ("candidates", "programmes")  # what the office's upload may hold


def check_admission_file(path: Path, file_name: str) -> tuple[dict[str, pd.DataFrame], list[dict[str, Any]]]:
    """(the file's sheets, its problems as dicts): the census's own checks of an import (types, codes,
    ranges, the candidates' junior schools and choices against the census), each problem naming its
    sheet, Excel row and column; and only the candidates and programmes sheets."""
    from countyedu.census.importer import check_source
    from countyedu.census.problems import Problem, capped
    from countyedu.errors import InputFileError

    try:
        typed, _merged, problems = check_source(
            path, census_data.store(), limits=settings.UPLOAD_LIMITS, name=file_name
        )
    except InputFileError as exc:
        problems = [Problem("error", file_name, None, None, None, exc.facts.get("rule", "unreadable"))]
        return {}, [p.as_dict() for p in problems]
    problems += [
        Problem("error", file_name, None, None, None, "scope_sheet", detail=name)
        for name in typed
        if name not in ADMISSION_SHEETS
    ]
    if not typed and not any(p.severity == "error" for p in problems):
        problems.append(Problem("error", file_name, None, None, None, "empty_file"))
    return typed, [p.as_dict() for p in capped(problems, settings.UPLOAD_LIMITS.problems)]


def do_import_admission_file(path: Path, file_name: str, *, acting_user: Any) -> dict[str, Any]:
    """Import the office's candidates and programmes as a new census version (the years the file holds
    replace those years' rows; the other sheets stay as they are), with an audit row, and start its
    assessment in the background. Returns
    {"version", "years", "counts"}; ValidationFailed when the census's checks find errors."""
    from countyedu.census.importer import import_census

    result = import_census(
        path,
        census_data.store(),
        limits=settings.UPLOAD_LIMITS,
        origin={"admissions_upload": file_name, "user": getattr(acting_user, "pk", None)},
    )
    version = result.version.version_id
    frames = census_data.census(version)
    cands = _year_rows_any(frames, "candidates")
    years = sorted({int(y) for y in cands["year"]}) if len(cands) else []
    after = {"version": version, "file": file_name, "years": years}
    with transaction.atomic():
        AuditLog.objects.create(
            actor=acting_user,
            action="import_admission_sheets",
            object_type="census_version",
            object_id=version,
            before=None,
            after=after,
        )
    # the pages read a version's stored assessment: computed in the background, as after an approval
    start_job("assessment", _assess, {"version": version}, user=acting_user)
    return after


def _year_rows_any(frames: dict[str, pd.DataFrame], sheet: str) -> pd.DataFrame:
    f = frames.get(sheet)
    return f if f is not None else pd.DataFrame(columns=["year"])


@login_required
@access.role_required(*RUNNERS)
def upload(request: HttpRequest) -> HttpResponse:
    """The admissions office's upload: a workbook of the candidates and programmes sheets (the
    census template's), checked as an import is (every error named by sheet, row and column) and,
    when clean, stored as a new census version; junior schools' data come through collection as before."""
    problems: list[dict[str, Any]] = []
    file_name = ""
    if request.method == "POST":
        uploaded = request.FILES.get("file")
        if uploaded is None:
            messages.error(request, _("Choose a file to upload."))
        elif uploaded.size > settings.UPLOAD_LIMITS.upload_bytes:
            messages.error(request, _("The file is too large."))
        else:
            file_name = Path(uploaded.name or "upload.xlsx").name
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / (file_name if file_name.lower().endswith(".xlsx") else f"{file_name}.xlsx")
                with path.open("wb") as out:
                    for chunk in uploaded.chunks():
                        out.write(chunk)
                _typed, problems = check_admission_file(path, file_name)
                if not any(p["severity"] == "error" for p in problems):
                    try:
                        done = do_import_admission_file(path, file_name, acting_user=request.user)
                    except ValidationFailed as exc:
                        problems = [p.as_dict() for p in exc.problems]
                    else:
                        messages.success(
                            request,
                            _("Imported as census version %(version)s: candidates of %(years)s.")
                            % {"version": done["version"], "years": "、".join(str(y) for y in done["years"])},
                        )
                        year = done["years"][-1] if done["years"] else ""
                        return redirect(f"{reverse('web:admissions')}?year={year}")
    elif request.method != "GET":
        return HttpResponse(status=405)
    return render(
        request,
        "web/admissions/upload.html",
        {
            "errors": [p for p in problems if p["severity"] == "error"],
            "warnings": [p for p in problems if p["severity"] != "error"],
            "file_name": file_name,
            "version": census_data.latest_version(),
        },
    )


# ------------------------------------------------------------------------------ junior-school clerks


def _clerk_run(request: HttpRequest) -> tuple[str, AdmissionRun | None]:
    """The clerk's school and the latest published run (None before publishing); 404 for other roles."""
    m = access.membership_of(request)
    if m.role != Role.SCHOOL:
        raise Http404
    return m.school_id, AdmissionRun.objects.filter(status=Status.PUBLISHED).order_by("-year").first()


@login_required
@require_GET
def pupils(request: HttpRequest) -> HttpResponse:
    """A junior-school clerk's pupils and their outcomes, once the admission is published."""
    school, run = _clerk_run(request)
    rows: list[dict[str, Any]] = []
    if run is not None and run.result:
        frames = census_data.census(run.census_version)
        names = programme_names(frames, run.year)
        outcome = {str(x["candidate_id"]): x for x in run.result["admitted"]}
        cands = _year_rows(frames, "candidates", run.year)
        for cid in sorted(cands.loc[cands["junior_school_id"].astype(str) == school, "candidate_id"].astype(str)):
            got = outcome.get(cid)
            rows.append(
                {
                    "id": cid,
                    "programme": names.get(got["programme_id"], got["programme_id"]) if got else None,
                    "batch": translate(_batch(str(got["batch"])), lang()) if got else None,
                    "rank": got.get("rank") if got else None,
                }
            )
    school_name = census_data.names(census_data.latest_version()).get(school, school)
    return render(request, "web/admissions/pupils.html", {"run": run, "rows": rows, "school_name": school_name})


def _own_pupil(request: HttpRequest, candidate_id: str) -> tuple[AdmissionRun, dict[str, Any]]:
    school, run = _clerk_run(request)
    if run is None:
        raise Http404
    ctx = _answer_context(run, candidate_id)
    if ctx["answer"].junior_school_id != school:
        raise Http404
    return run, ctx


@login_required
@require_GET
def pupil(request: HttpRequest) -> HttpResponse:
    """One of the clerk's pupils by exam number (?candidate=); 404 for anyone else's."""
    cid = (request.GET.get("candidate") or "").strip()
    _run, ctx = _own_pupil(request, cid)
    letter = reverse("web:admissions_pupil_letter", args=[cid])
    return render(request, "web/admissions/candidate.html", {**ctx, "letter": letter, "back": None})


@login_required
@require_GET
def pupil_letter(request: HttpRequest, candidate_id: str, fmt: str = "html") -> HttpResponse:
    run, ctx = _own_pupil(request, candidate_id)
    return _letter(run, ctx["answer"], fmt)


urlpatterns = [
    path("admissions/", index, name="admissions"),
    path("admissions/run/", run_start, name="admissions_run_start"),
    path("admissions/upload/", upload, name="admissions_upload"),
    path("admissions/runs/<int:pk>/", run_detail, name="admissions_run"),
    path("admissions/runs/<int:pk>/candidate/", candidate, name="admissions_candidate"),
    path("admissions/runs/<int:pk>/letters/<str:candidate_id>.html", letter, name="admissions_letter"),
    path(
        "admissions/runs/<int:pk>/letters/<str:candidate_id>.pdf", letter, {"fmt": "pdf"}, name="admissions_letter_pdf"
    ),
    path("admissions/runs/<int:pk>/publish/", publish, name="admissions_publish"),
    path("admissions/compare/", compare, name="admissions_compare"),
    path("admissions/pupils/", pupils, name="admissions_pupils"),
    path("admissions/pupils/candidate/", pupil, name="admissions_pupil"),
    path("admissions/pupils/letters/<str:candidate_id>.html", pupil_letter, name="admissions_pupil_letter"),
    path(
        "admissions/pupils/letters/<str:candidate_id>.pdf",
        pupil_letter,
        {"fmt": "pdf"},
        name="admissions_pupil_letter_pdf",
    ),
]
