"""The REST API: the census, results and explanations to read, school submissions to write.

Token (`Authorization: Token <key>`, from POST /api/token/ or `manage.py drf_create_token <user>`)
or session authentication. Scopes are the pages' scopes: a school clerk sees its school, a township
official its township and its schools, county roles everything; what is outside answers 404. Every
error has the one shape of web/api_errors.py. The OpenAPI schema is at /api/schema/.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied
from django.core.validators import ProhibitNullCharactersValidator
from django.urls import path, re_path
from django.utils import translation
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework import exceptions, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.decorators import api_view, authentication_classes, parser_classes, permission_classes
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from countyedu.census import vocabulary
from countyedu.indicators.engine import Assessment, Result
from countyedu.runs.blocks import localize
from countyedu.web import access, reading, throttle
from countyedu.web import census as census_data
from countyedu.web.models import CollectionRound, Membership, Role

# ------------------------------------------------------------------------------ shapes (for the schema)


class ErrorBodySerializer(serializers.Serializer):
    status = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField()
    message_zh = serializers.CharField()
    details = serializers.JSONField(allow_null=True)


class ErrorSerializer(serializers.Serializer):
    error = ErrorBodySerializer()


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class VersionSerializer(serializers.Serializer):
    version = serializers.CharField()
    created_at = serializers.DateTimeField()
    source = serializers.CharField()
    sha256 = serializers.CharField()
    row_counts = serializers.DictField(child=serializers.IntegerField())
    replaced = serializers.DictField(child=serializers.ListField(child=serializers.IntegerField(allow_null=True)))


class VersionsSerializer(serializers.Serializer):
    latest = serializers.CharField(allow_null=True)
    versions = VersionSerializer(many=True)


class SchoolSerializer(serializers.Serializer):
    """A row of the census schools sheet (exchange format v1; columns may be added)."""

    school_id = serializers.CharField()
    name = serializers.CharField()
    stage = serializers.CharField()
    ownership = serializers.CharField()
    township_id = serializers.CharField()
    community_id = serializers.CharField(allow_null=True)
    lat = serializers.FloatField(allow_null=True)
    lon = serializers.FloatField(allow_null=True)


class SchoolsSerializer(serializers.Serializer):
    census_version = serializers.CharField()
    count = serializers.IntegerField()
    schools = SchoolSerializer(many=True)


class CoverageSerializer(serializers.Serializer):
    reported = serializers.IntegerField(help_text="schools with a row of the year in school_years")
    schools_open = serializers.IntegerField(help_text="schools open that year (schools: opened_year, closed_year)")
    zh = serializers.CharField()
    en = serializers.CharField()


class SchoolYearSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    state = serializers.ChoiceField(choices=["collecting", "closed"], help_text="collecting: partial, in collection")
    reported = serializers.IntegerField()
    schools_open = serializers.IntegerField()
    coverage_zh = serializers.CharField()
    coverage_en = serializers.CharField()
    changed_at = serializers.CharField(allow_null=True)
    note = serializers.CharField(allow_blank=True)


class TargetSerializer(serializers.Serializer):
    op = serializers.CharField()
    value = serializers.FloatField()
    by = serializers.IntegerField()
    tolerance = serializers.FloatField(required=False)


class ResultSerializer(serializers.Serializer):
    pack = serializers.CharField()
    indicator = serializers.CharField()
    level = serializers.ChoiceField(choices=["school", "township", "county"])
    unit = serializers.CharField()
    stage = serializers.CharField(allow_null=True)
    year = serializers.IntegerField()
    value = serializers.FloatField(allow_null=True)
    target = TargetSerializer(allow_null=True)
    status = serializers.ChoiceField(choices=["met", "not_met", "at_risk", "no_data", "needs_evidence"])
    num = serializers.FloatField(allow_null=True)
    den = serializers.FloatField(allow_null=True)
    trend_at_deadline = serializers.FloatField(allow_null=True)


class ResultsSerializer(serializers.Serializer):
    census_version = serializers.CharField()
    count = serializers.IntegerField(help_text="results matching the filters (before limit and offset)")
    results = ResultSerializer(many=True)
    default_year = serializers.IntegerField(help_text="the latest closed school year (what pages show by default)")
    years = SchoolYearSerializer(many=True, help_text="the census's school years, their states and coverage")


class ExplanationSerializer(serializers.Serializer):
    """The JSON of `countyedu explain --format json`."""

    census_version = serializers.CharField()
    indicator = serializers.CharField()
    pack = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    formula_zh = serializers.CharField()
    formula_en = serializers.CharField()
    clause = serializers.CharField()
    mark = serializers.CharField()
    unit_of_measure = serializers.CharField()
    level = serializers.CharField()
    unit = serializers.CharField()
    stage = serializers.CharField(allow_null=True)
    year = serializers.IntegerField()
    value = serializers.FloatField(allow_null=True)
    target = TargetSerializer(allow_null=True)
    status = serializers.CharField()
    numerator = serializers.FloatField(allow_null=True)
    denominator = serializers.FloatField(allow_null=True)
    trend_at_deadline = serializers.FloatField(allow_null=True)
    contributions = serializers.ListField(child=serializers.DictField())
    sources = serializers.DictField(child=serializers.DictField())
    year_state = serializers.ChoiceField(choices=["collecting", "closed"], help_text="collecting: a partial year")
    coverage = CoverageSerializer()


class SubmissionUploadSerializer(serializers.Serializer):
    round = serializers.IntegerField(help_text="id of an open collection round")
    school_id = serializers.CharField(
        required=False, help_text="the school (a clerk's own school by default; required for the bureau administrator)"
    )
    file = serializers.FileField(help_text="the school's workbook (.xlsx) or CSV")


class SubmissionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    round = serializers.IntegerField()
    year = serializers.IntegerField()
    school_id = serializers.CharField()
    status = serializers.CharField()
    file_name = serializers.CharField()
    sha256 = serializers.CharField()
    errors = serializers.IntegerField()
    warnings = serializers.IntegerField()
    problems = serializers.ListField(child=serializers.DictField())


# ------------------------------------------------------------------------------ query parameters
# One serializer per view: the schema documents its fields as the query parameters (types, enums,
# minimums) and query() checks a request against the same fields, so an invalid parameter answers
# 400 in the error shape naming it instead of being ignored.


class WholeNumberField(serializers.IntegerField):
    """A whole-number parameter; the error quotes what was sent."""

    def to_internal_value(self, data: Any) -> int:
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError:
            raise serializers.ValidationError(f"{data!r} is not a whole number") from None


class IdField(serializers.CharField):
    """An id parameter taken as sent: any non-empty text is well formed (ids are the census's own
    strings), and one that names nothing answers 404 — not trimmed to blank, no NUL refused as 400,
    which the schema could not say."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(trim_whitespace=False, **kwargs)
        kept = [v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)]  # type: ignore[has-type]
        self.validators = kept


STAGES = list(vocabulary.STAGES)  # the pack Stage literal's values, in their order


def year_field(help_text: str) -> WholeNumberField:
    return WholeNumberField(required=False, min_value=1900, max_value=2999, help_text=help_text)


class ResultsQuery(serializers.Serializer):
    indicator = IdField(required=False, help_text="indicator id, e.g. T-PRE-5")
    level = serializers.ChoiceField(["school", "township", "county"], required=False)
    unit = IdField(required=False, help_text="school id, township id or the county id")
    year = year_field("school year")
    stage = serializers.ChoiceField(
        [*STAGES, "none"], required=False, help_text="the stage; `none` for results without a stage"
    )
    limit = WholeNumberField(required=False, min_value=0, help_text="at most this many results (default: all)")
    offset = WholeNumberField(required=False, min_value=0, help_text="skip this many results first")


class ExplainQuery(serializers.Serializer):
    unit = IdField(required=False, help_text="school id, township id or the county id (default: the county)")
    year = year_field("school year (default: the latest closed)")
    stage = serializers.ChoiceField(STAGES, required=False, help_text="the stage, when the indicator has several")


class RunQuery(serializers.Serializer):
    lang = serializers.ChoiceField(["zh", "en"], required=False, help_text="language of the blocks (default zh)")
    year = year_field("school year (default: the latest closed; a year in collection is partial)")


def query(request: Request, fields: type[serializers.Serializer]) -> dict[str, Any]:
    """The request's query parameters checked against their serializer: ValidationError (400,
    naming the parameter) for a value of the wrong kind, outside its choices or range, or empty."""
    ser = fields(data=request.query_params.dict())
    ser.is_valid(raise_exception=True)
    return dict(ser.validated_data)


ERRORS = {code: ErrorSerializer for code in (401, 403, 404)}
READ_ERRORS = {**ERRORS, 503: ErrorSerializer}


# ------------------------------------------------------------------------------ helpers


class AssessmentPending(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "assessment_pending"
    default_detail = "The assessment of the latest census is being computed; try again in a minute."


class BadCredentials(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "bad_credentials"
    default_detail = "Wrong user name or password."


def _assessment() -> Assessment:
    a = census_data.assessment()
    if a is None:
        raise AssessmentPending
    return a


def result_json(r: Result) -> dict[str, Any]:
    return {**r.as_dict(), "pack": r.pack, "num": r.num, "den": r.den, "trend_at_deadline": r.trend_at_deadline}


def in_scope(m: Membership) -> Any:
    """A predicate: may the member see this result? (Township and school users: their units only.)"""
    if m.county_wide:
        return lambda r: True
    if m.role == Role.TOWNSHIP:
        schools = census_data.schools_of_township(m.township_id)
        return lambda r: (
            (r.level == "township" and r.unit == m.township_id) or (r.level == "school" and r.unit in schools)
        )
    return lambda r: r.level == "school" and r.unit == m.school_id


# ------------------------------------------------------------------------------ views


@extend_schema(
    operation_id="token_create",
    summary="Get an API token",
    description="User name and password → the user's token; send it as `Authorization: Token <key>`.",
    request=TokenRequestSerializer,
    responses={200: TokenSerializer, 400: ErrorSerializer, 415: ErrorSerializer, 429: ErrorSerializer},
    auth=[],
)
@api_view(["POST"])
@authentication_classes([])
@permission_classes([AllowAny])
def token(request: Request) -> Response:
    """The user's token (created on first request), with the login page's limit on failures."""
    ser = TokenRequestSerializer(data=request.data)
    ser.is_valid(raise_exception=True)
    name = ser.validated_data["username"]
    if throttle.locked(request._request, name):
        raise exceptions.Throttled(wait=throttle.WINDOW.total_seconds())
    user = authenticate(request._request, username=name, password=ser.validated_data["password"])
    if user is None or not user.is_active:
        throttle.failed(request._request, name)
        raise BadCredentials
    throttle.succeeded(request._request, name)
    tok, _created = Token.objects.get_or_create(user=user)
    return Response({"token": tok.key})


@extend_schema(operation_id="census_versions", summary="Census versions", responses={200: VersionsSerializer, **ERRORS})
@api_view(["GET"])
def census_versions(request: Request) -> Response:
    """Every census version in use, oldest first, and the latest one's id."""
    access.membership_of(request)
    versions = census_data.store().versions(usable=True)
    return Response(
        {"latest": versions[-1].version_id if versions else None, "versions": [v.as_dict() for v in versions]}
    )


@extend_schema(
    operation_id="census_schools_list", summary="Schools (your scope)", responses={200: SchoolsSerializer, **ERRORS}
)
@api_view(["GET"])
def census_schools(request: Request) -> Response:
    """The census schools the user may see (latest version)."""
    allowed = access.visible_school_ids(access.membership_of(request))
    version = census_data.latest_version()
    schools = [s for sid, s in sorted(census_data.schools_by_id(version).items()) if allowed is None or sid in allowed]
    return Response({"census_version": version, "count": len(schools), "schools": schools})


@extend_schema(operation_id="census_school_retrieve", summary="One school", responses={200: SchoolSerializer, **ERRORS})
@api_view(["GET"])
def census_school(request: Request, school_id: str) -> Response:
    """One census school; 404 outside the user's scope."""
    return Response(access.get_school_for_user(request, school_id))


@extend_schema(
    operation_id="results_list",
    summary="Results (your scope)",
    parameters=[ResultsQuery],
    responses={200: ResultsSerializer, 400: ErrorSerializer, **READ_ERRORS},
)
@api_view(["GET"])
def results(request: Request) -> Response:
    """Results of the stored assessment; school and township users see only their units' results."""
    m = access.membership_of(request)
    q = query(request, ResultsQuery)
    limit, offset = q.get("limit"), q.get("offset", 0)
    a = _assessment()
    if "indicator" in q and not any(it.id == q["indicator"] for p in a.packs for it in p.items):
        raise exceptions.NotFound(f"no indicator {q['indicator']} in the packs")
    if q.get("unit"):
        reading.get_unit_for_user(request, a, q["unit"])
    visible = in_scope(m)
    stage = q.get("stage")
    wanted = {k: q.get(k) for k in ("indicator", "level", "unit", "year")}
    found = [
        r
        for r in a.results
        if all(v is None or getattr(r, k) == v for k, v in wanted.items())
        and (not stage or r.stage == (None if stage == "none" else stage))
        and visible(r)
    ]
    page = found[offset : offset + limit if limit is not None else None]
    return Response(
        {
            "census_version": a.census_version,
            "count": len(found),
            "results": [result_json(r) for r in page],
            "default_year": a.default_year(),
            "years": a.years.as_list(),
        }
    )


class RunPending(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "run_pending"
    default_detail = "The planning and funding of the latest census have not been computed yet."


class LangQuery(serializers.Serializer):
    lang = serializers.ChoiceField(["zh", "en"], required=False, help_text="language of the labels (default zh)")


class RunParamSerializer(serializers.Serializer):
    name = serializers.CharField()
    type = serializers.ChoiceField(choices=["int", "float", "str"])
    default = serializers.FloatField(allow_null=True, help_text="null: the policy pack's value (or the latest year)")
    min = serializers.FloatField(allow_null=True)
    max = serializers.FloatField(allow_null=True)
    help = serializers.CharField()


class RunKindSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="the kind's name: GET /api/runs/{kind}/ serves its stored run")
    label = serializers.CharField()
    chapter = serializers.CharField(help_text="the title of its chapter in the assessment report")
    run_roles = serializers.ListField(child=serializers.CharField(), help_text="roles that may recompute it")
    read_roles = serializers.ListField(child=serializers.CharField(), help_text="roles that may read it")
    params = RunParamSerializer(many=True)


def _readable_kinds(request: Request) -> list[Any]:
    """The registered run kinds the user's role may read."""
    from countyedu.runs.registry import kinds

    role = access.membership_of(request).role
    return [k for k in kinds().values() if role in k.read_roles]


class StoredRunSerializer(serializers.Serializer):
    kind = serializers.CharField()
    census_version = serializers.CharField()
    year = serializers.IntegerField(help_text="the school year (default: the latest closed)")
    year_state = serializers.ChoiceField(choices=["collecting", "closed"])
    coverage = CoverageSerializer()
    data = serializers.JSONField(help_text="the run's result (as `countyedu plan run` / `funding run --format json`)")
    blocks = serializers.JSONField(help_text="the same as blocks (tables, findings, charts) in the request language")


def _stored_run(request: Request, kind: str) -> Response:
    from countyedu.web.plans import stored

    if kind not in {k.name for k in _readable_kinds(request)}:
        raise exceptions.NotFound(f"no run kind {kind} you may read")
    q = query(request, RunQuery)
    lang = q.get("lang", "zh")
    version = census_data.latest_version()
    ys = census_data.years(version)
    year = q.get("year")
    if year is not None and ys.get(year) is None:
        raise exceptions.NotFound(f"no school year {year} in the census (it holds: {ys.years})")
    run = stored(kind, version, year) if version else None
    if run is None:
        raise RunPending
    shown = int(run.data.get("year") or ys.default() or 0)
    return Response(
        {
            "kind": run.kind,
            "census_version": run.census_version,
            "year": shown,
            **ys.info(shown).state_fields(),
            "data": run.data,
            "blocks": [b.as_dict() for b in localize(run.blocks[lang], lang)],
        }
    )


@extend_schema(
    operation_id="runs_list",
    summary="The registered run kinds the user may read (planning, funding, …) and their parameters",
    parameters=[LangQuery],
    responses={200: RunKindSerializer(many=True), 400: ErrorSerializer, **ERRORS},
)
@api_view(["GET"])
def runs(request: Request) -> Response:
    """Every run kind of the registry (countyedu.runs.registry) the user's role may read."""
    lang = query(request, LangQuery).get("lang", "zh")
    return Response([k.describe(lang) for k in _readable_kinds(request)])


@extend_schema(
    operation_id="runs_retrieve",
    summary="The stored run of one kind on the latest census (the kind's read roles)",
    parameters=[RunQuery],
    responses={200: StoredRunSerializer, 400: ErrorSerializer, **READ_ERRORS},
)
@api_view(["GET"])
def run(request: Request, kind: str) -> Response:
    """The run of a registered kind with its default parameters: its result and blocks; 404 for a kind
    that is not registered or that the user's role may not read."""
    return _stored_run(request, kind)


@extend_schema(
    operation_id="planning_retrieve",
    summary="The planning of the latest census (county roles)",
    parameters=[RunQuery],
    responses={200: StoredRunSerializer, 400: ErrorSerializer, **READ_ERRORS},
)
@api_view(["GET"])
def planning(request: Request) -> Response:
    """Projection, seats and 大班额, facility norms, projects, catchments, consolidation (第1、4、5条)."""
    return _stored_run(request, "planning")


@extend_schema(
    operation_id="funding_retrieve",
    summary="The funding of the latest census (county roles)",
    parameters=[RunQuery],
    responses={200: StoredRunSerializer, 400: ErrorSerializer, **READ_ERRORS},
)
@api_view(["GET"])
def funding(request: Request) -> Response:
    """Per-pupil funds per school, the budget plan, compliance, the after-school ledger (第5、17、20–23、30、34条)."""
    return _stored_run(request, "funding")


@extend_schema(
    operation_id="explain_retrieve",
    summary="Explain one result",
    parameters=[ExplainQuery],
    responses={200: ExplanationSerializer, 400: ErrorSerializer, **READ_ERRORS},
)
@api_view(["GET"])
def explain(request: Request, indicator: str) -> Response:
    """The formula, clause, target, numbers, contributing and source rows of one result."""
    access.membership_of(request)
    year = query(request, ExplainQuery).get("year")
    a = _assessment()
    unit, y, stage = reading.explain_args(request.query_params, a, year or reading.indexed(a).year)
    reading.get_unit_for_user(request, a, unit)
    e = reading.explanation(request, a, indicator, unit, y, stage)
    if e is None:
        raise exceptions.NotFound(f"no result of {indicator} for unit {unit} in {y}" + (f" ({stage})" if stage else ""))
    return Response({**e.as_dict(), **a.years.info(y).state_fields()})


@extend_schema(
    operation_id="submissions_create",
    summary="Upload a school's submission",
    description=(
        "For a school's data clerk (or the bureau administrator, naming the school): the file is stored and "
        "checked (status draft, or invalid with its problems)."
    ),
    request={"multipart/form-data": SubmissionUploadSerializer},
    responses={201: SubmissionSerializer, 400: ErrorSerializer, 415: ErrorSerializer, **ERRORS},
)
@api_view(["POST"])
@parser_classes([MultiPartParser, FormParser])
def submissions(request: Request) -> Response:
    """Upload a school's file to a collection round (its clerk, or the bureau administrator)."""
    from countyedu.web import actions

    m = access.membership_of(request)
    if m.role not in (Role.SCHOOL, Role.BUREAU_ADMIN):
        raise PermissionDenied
    ser = SubmissionUploadSerializer(data=request.data)
    ser.is_valid(raise_exception=True)
    school_id = ser.validated_data.get("school_id") or m.school_id
    if not school_id:
        raise exceptions.ValidationError({"school_id": ["required for the bureau administrator"]})
    access.get_school_for_user(request, school_id)
    try:
        rnd = CollectionRound.objects.get(pk=ser.validated_data["round"])
    except CollectionRound.DoesNotExist:
        raise exceptions.NotFound(f"no collection round {ser.validated_data['round']}") from None
    # the API has no page to follow a job: the check runs within the request and its result is answered
    sub, _job = actions.do_upload_submission(
        rnd, school_id, ser.validated_data["file"], acting_user=request.user, background=False
    )
    body = {"id": sub.pk, **actions.submission_state(sub), "problems": sub.problems}
    return Response(body, status=status.HTTP_201_CREATED)


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE"])
@authentication_classes([])
@permission_classes([AllowAny])
def not_found(request: Request, rest: str = "") -> Response:
    """Any other path under /api/: 404 in the error shape, never an HTML page."""
    raise exceptions.NotFound


def english(view: Callable[..., Any]) -> Callable[..., Any]:
    """DRF words its messages in the request's language; the error shape's `message` is English
    (`message_zh` beside it), so API views run in English whatever the page language."""

    @wraps(view)
    def wrapped(request: Any, *args: Any, **kwargs: Any) -> Any:
        with translation.override("en"):
            return view(request, *args, **kwargs)

    return wrapped


urlpatterns = [
    path("token/", english(token), name="token"),
    path("census/versions/", english(census_versions), name="census_versions"),
    path("census/schools/", english(census_schools), name="census_schools"),
    path("census/schools/<str:school_id>/", english(census_school), name="census_school"),
    path("results/", english(results), name="results"),
    path("explain/<str:indicator>/", english(explain), name="explain"),
    path("submissions/", english(submissions), name="submissions"),
    path("planning/", english(planning), name="planning"),
    path("funding/", english(funding), name="funding"),
    path("runs/", english(runs), name="runs"),
    path("runs/<str:kind>/", english(run), name="run"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    re_path(r"^(?P<rest>.*)$", english(not_found)),
]
