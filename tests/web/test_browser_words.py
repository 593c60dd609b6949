"""Words at the edge (issue 11, "Done when"): a real browser walks every page a logged-in bureau user
reaches — county, stages, townships, schools, explanations, map, planning, catchments, funding, the
funding scenario, the HTML report, collection rounds, submissions, the online form, the audit log and
the 404 page — in Chinese and in English, and fails on what a reader should not see:

- a raw key: an `…_id`, a `finance:` item key, a snake_case code (`not_met`, `nine_year`), a table
  headed `num` or `den`;
- on a Chinese page, an English word outside the allow-list (proper names, units, clause ids, formats);
- on an English page, Chinese outside the proper names (the census's school, township and community
  names, the county's) and clause ids (第5条).

What is read: the page's visible text (without the language menu, whose options name each language in
its own), its title and the texts drawn by its ECharts charts (titles, legends, axis labels, series
names); the titles (tooltips) of its elements, where an id may stand behind its name, for raw keys only.
Pages another helper of issue 11 is still fixing are
marked `xfail(strict=True)` with the page and its owner; each mark goes when the page is fixed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from admissions_support import admission_pages
from browser_support import MARKS, PASSWORD, login_as
from django.contrib.auth.models import User
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from sv_visits_support import supervision_pages

from countyedu.planning.service import planning_params_of
from countyedu.runs.store import load_packs
from countyedu.supervision.tasks import parse_milestones
from countyedu.vocational.params import vocational_params
from countyedu.web import actions
from countyedu.web import census as census_data
from countyedu.web.models import Membership, Role
from demo_support import demo_copy, demo_frames

pytestmark = MARKS
VOCATIONAL = ("majors", "enterprises", "learning_outcomes")  # majors, partners and certificates go by their names

# ---------------------------------------------------------------------------------------- the rules

SNAKE = re.compile(r"(?<![\w./-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/.-])")  # not_met, school_id, nine_year
RAW = [
    (re.compile(r"\b\w+_id\b"), "an id column's key"),
    (re.compile(r"\bfinance:\w*"), "a finance item's key"),
    (SNAKE, "a snake_case code"),
]
RAW_HEADERS = {"num", "den"}  # as written, lower case: a column's key, not its label

# English a Chinese page may show: formats, products, units, clause and standard ids, the language menu
ZH_ALLOWED = {
    "English",
    "Excel",
    "GeoJSON",
    "PDF",
    "HTML",
    "CSV",
    "Parquet",
    "HiGHS",
    "ECharts",
    "OR-Tools",
    "WGS84",
    "km",
    "m²",
    "m2",
    "GB/T",
    "API",
    "xlsx",
    "Hamilton",
    "Perry",
}
# ids of indicators (T-PRE-5, QB-Q4), clauses and standards (PN, CS, FD, QB), policy packs (nanfeng-2019),
# census versions (v1), grades (K1, P6) and the unit letters of numbers
_A, _Z = r"(?<![A-Za-z0-9_])", r"(?![A-Za-z0-9_])"  # ASCII word edges (a Chinese character is a \w too)
ZH_TOKENS = re.compile(
    rf"{_A}[A-Z]{{1,5}}(?:-[A-Z0-9]+)+{_Z}|{_A}[A-Z]{{2,5}}{_Z}|{_A}[a-z]+(?:-[a-z]+)*-\d{{4}}{_Z}|{_A}v\d+{_Z}"
    rf"|{_A}[KPJHV]\d{_Z}|{_A}\d+(?:\.\d+)?[a-zA-Z²]+{_Z}"
    rf"|{_A}[A-Z]{{1,3}}\d{{2,}}{_Z}"  # a register's own ids: 住宅项目 HP01
    rf"|{_A}[0-9a-f]{{8,}}(?:…|\.\.\.)"  # the start of a file's digest
)
ASCII_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]")
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
EN_ALLOWED_CJK = re.compile(r"第[\d、，,/\s]+条|简体中文")


def raw_keys(text: str) -> list[str]:
    """The raw keys in a text, whatever its language."""
    return [f"{why}: {m.group(0)!r}" for pattern, why in RAW for m in pattern.finditer(text)]


def problems(text: str, lang: str, names: list[str], extra_allowed: set[str]) -> list[str]:
    """What a reader of `lang` should not see in `text`, each with a little context."""
    out: list[str] = []

    def found(m: re.Match[str], why: str) -> None:
        a, b = max(0, m.start() - 25), min(len(text), m.end() + 25)
        out.append(f"{why}: {m.group(0)!r} in …{text[a:b]!r}…".replace("\n", " "))

    for pattern, why in RAW:
        for m in pattern.finditer(text):
            found(m, why)
    if lang == "zh":
        rest = ZH_TOKENS.sub(" ", text)
        for m in ASCII_WORD.finditer(rest):
            if m.group(0) not in ZH_ALLOWED and m.group(0) not in extra_allowed:
                a, b = max(0, m.start() - 25), min(len(rest), m.end() + 25)
                out.append(f"an English word: {m.group(0)!r} in …{rest[a:b]!r}…".replace("\n", " "))
    else:
        rest = text
        for name in names:  # longest first, so 琴城镇 goes before 琴城
            rest = rest.replace(name, " ")
        rest = EN_ALLOWED_CJK.sub(" ", rest)
        for m in CJK.finditer(rest):
            a, b = max(0, m.start() - 25), min(len(rest), m.end() + 25)
            out.append(f"Chinese: {m.group(0)!r} in …{rest[a:b]!r}…".replace("\n", " "))
    return sorted(set(out))


READ_PAGE = """() => {
  const body = document.body.cloneNode(true);
  // code: a literal the reader types into a file (a property name), not a word to translate
  body.querySelectorAll('select[name=language], script, style, noscript, template, code').forEach((e) => e.remove());
  body.querySelectorAll('*').forEach((e) => e.append('\\n'));  // cells and blocks apart, hidden ones too
  const titles = [...document.querySelectorAll('[title]')].map((e) => e.getAttribute('title'));
  const headers = [...document.querySelectorAll('th')].map((e) => e.innerText.trim());
  const charts = [];
  if (window.echarts) {
    document.querySelectorAll('[_echarts_instance_]').forEach((el) => {
      const chart = window.echarts.getInstanceByDom(el);
      if (!chart) return;
      const o = chart.getOption();
      const texts = (xs) => (xs || []).flatMap((x) => [x && x.text, x && x.name, x && x.subtext]);
      charts.push(...texts(o.title));
      (o.legend || []).forEach((l) => charts.push(...(l.data || []).map((d) => (d && d.name) || d)));
      [...(o.xAxis || []), ...(o.yAxis || [])].forEach((a) => {
        charts.push(a.name);
        (a.data || []).forEach((d) => charts.push((d && d.value) || d));
      });
      (o.series || []).forEach((s) => charts.push(s.name));
    });
  }
  return {text: [document.title, body.textContent, ...charts.filter((c) => typeof c === 'string')].join('\\n'),
          titles: titles.join('\\n'), headers};
}"""


# ---------------------------------------------------------------------------------------- the county


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """The demo county as `countyedu demo` leaves it (imported from its workbook, assessed, every run kind
    stored; the session's shared build, copied: the walk opens rounds and uploads); its proper names."""
    data = demo_copy(tmp_path_factory, tmp_path_factory.mktemp("words") / "data")
    frames = demo_frames()
    names: set[str] = set()
    for sheet in ("schools", "townships", "communities", "projects", "programmes", "inspectors", *VOCATIONAL):
        frame: pd.DataFrame = frames[sheet]
        names |= {str(n) for n in frame["name"].dropna()}
    names |= {str(g) for g in frames["schools"]["group_id"].dropna()}  # school groups go by their names
    names |= {str(n) for c in ("name", "zone") for n in frames["inspectors"][c].dropna()}  # inspectors, zones
    # the county's task register is its own words (titles, owners, leads), as the import keeps them (NFKC)
    tasks = frames["tasks"]
    for column in ("title", "owner", "lead", "evidence"):
        names |= {unicodedata.normalize("NFKC", str(v)) for v in tasks[column].dropna()}
    milestones = tasks["milestones"].dropna()
    names |= {m.text for raw in milestones for m in parse_milestones(unicodedata.normalize("NFKC", raw))}
    # the registers' own words: sponsors, licence numbers, housing projects and developers (issue 16)
    names |= {
        str(v) for c in ("sponsor", "licence_no", "fee_approval_no") for v in frames["private_schools"][c].dropna()
    }
    names |= {str(v) for c in ("name", "developer") for v in frames["housing_projects"][c].dropna()}
    names |= {c.name for c in vocational_params(load_packs()).credit_bank.courses}  # the county's own courses
    names |= {"南丰县", "南丰", "琴城"}
    names |= {
        n for promise in planning_params_of(load_packs()).promises for n in promise.names
    }  # 第4条's named projects
    return data, sorted(names, key=len, reverse=True)


@pytest.fixture
def county(settings: Any, demo_dir: tuple[Path, list[str]]) -> Iterator[list[str]]:
    settings.DATA_DIR = demo_dir[0]  # the web app's caches are keyed by data dir: kept from page to page
    yield demo_dir[1]


# ---------------------------------------------------------------------------------------- the walk

Step = Callable[[Any, str, dict[str, Any]], list[str]]  # (page, base, ctx) → the paths it read


def links(page: Any, url_name: str, limit: int) -> list[str]:
    """The first `limit` distinct links of the page to pages of `url_name`."""
    out: list[str] = []
    for href in page.eval_on_selector_all("a[href]", "els => els.map((e) => e.getAttribute('href'))"):
        if not href or not href.startswith("/") or href in out:
            continue
        try:
            match = resolve(href.split("?")[0])
        except Exception:  # a link outside the app's URLs
            continue
        if match.url_name == url_name:
            out.append(href)
        if len(out) >= limit:
            break
    return out


def visit(page: Any, base: str, path: str) -> str:
    pending: dict[Any, str] = {}
    listeners = {
        "request": lambda r: pending.__setitem__(r, r.url),
        "requestfinished": lambda r: pending.pop(r, None),
        "requestfailed": lambda r: pending.pop(r, None),
    }
    for event, listener in listeners.items():
        page.on(event, listener)
    try:
        response = page.goto(base + path)
        assert response is not None and response.status in (200, 404), (path, response and response.status)
        try:
            page.wait_for_load_state("networkidle")
        except Exception as e:  # name what the page still waited for (a stall seen once in a full run)
            waiting = sorted(pending.values())
            raise AssertionError(f"{path}: the network never went idle; requests pending: {waiting}") from e
    finally:
        for event, listener in listeners.items():
            page.remove_listener(event, listener)
    return path


def read_report(page: Any, base: str, path: str) -> dict[str, Any]:
    """A report the app serves as a download (a file of its own, with its own inline styles): fetched as
    the user, shown in a blank page of the same browser and read there."""
    response = page.request.get(base + path)
    assert response.status == 200, path
    context = page.context.browser.new_context()
    blank = context.new_page()
    blank.set_content(response.text())
    read: dict[str, Any] = blank.evaluate(READ_PAGE)
    context.close()
    return read


def linked(start: str, url_name: str, limit: int) -> Step:
    def step(page: Any, base: str, ctx: dict[str, Any]) -> list[str]:
        visit(page, base, start)
        targets = links(page, url_name, limit)
        assert targets, f"no link to a {url_name} page on {start}"
        return targets

    return step


def fixed(*paths: str) -> Step:
    return lambda page, base, ctx: [p.format(**ctx) for p in paths]


def submitted(path: str, button: str) -> Step:
    """A page after its form is sent (the catchments solved, the scenario compared)."""

    def step(page: Any, base: str, ctx: dict[str, Any]) -> list[str]:
        visit(page, base, path)
        with page.expect_navigation():
            page.click(button)
        page.wait_for_load_state("networkidle")
        return [""]  # "" reads the page where the form left the browser

    return step


def evaluation_pages(page: Any, base: str, ctx: dict[str, Any]) -> list[str]:
    """The evaluation's county page, the county's first school's township's and the school's reports."""
    school = sorted(census_data.schools_by_id(census_data.latest_version()))[0]  # type: ignore[arg-type]
    town = (census_data.school(school) or {}).get("township_id")
    return [
        "/supervision/evaluation/",
        f"/supervision/evaluation/township/{town}/",
        f"/supervision/evaluation/school/{school}/",
        "/supervision/evaluation/entries/",
    ]


# page group → (how its pages are found, the url names it covers)
PAGES: dict[str, tuple[Step, tuple[str, ...]]] = {
    "county": (fixed("/county/"), ("county", "home")),
    "stage": (linked("/county/", "stage", 5), ("stage",)),
    "township": (linked("/county/", "township", 2), ("township",)),
    "school": (linked("/stage/primary/", "school", 2), ("school",)),
    "explain": (linked("/county/", "explain", 4), ("explain",)),
    "explain_school": (linked("/stage/primary/", "explain", 3), ()),
    "map": (fixed("/map/"), ("map",)),
    "report": (fixed("/report/county/{county_id}.html"), ("report",)),
    "planning": (fixed("/planning/"), ("planning",)),
    "catchments": (submitted("/planning/catchments/", "main form button[type=submit]"), ("catchments",)),
    "funding": (fixed("/funding/"), ("funding",)),
    "scenario": (submitted("/funding/scenario/", "main form button[type=submit]"), ("funding_scenario",)),
    "rounds": (fixed("/collection/"), ("rounds",)),
    "round": (fixed("/collection/{round}/"), ("round_detail",)),
    "form": (fixed("/collection/{round}/schools/{school}/form/"), ("submission_form",)),
    "submission": (fixed("/submissions/{submission}/", "/submissions/{submission}/review/"), ()),
    "audit": (fixed("/audit/"), ("audit",)),
    "admissions": (fixed("/admissions/"), ("admissions",)),
    "admission_run": (submitted("/admissions/", "#rules button[type=submit]"), ("admissions_run",)),
    "admission_pages": (admission_pages, ("admissions_candidate", "admissions_compare", "admissions_upload")),
    "teachers": (
        fixed("/teachers/rotation/", "/teachers/qualifications/", "/teachers/backbone/"),
        ("teachers_rotation", "teachers_qualifications", "teachers_backbone"),
    ),
    "teachers_staffing": (fixed("/teachers/", "/teachers/allocation/"), ("teachers", "teachers_allocation")),
    "supervision_assign": (
        fixed(
            "/supervision/assign/",
            "/supervision/assign/?leaving=I07",
            "/supervision/plaque/",
            "/supervision/plan/?month=2025-09",
            "/supervision/plan/?month=2025-08",
        ),
        ("supervision_assign", "supervision_plaque", "supervision_plan"),
    ),
    "registers": (fixed("/private/", "/private/?as_of=2026-01-15", "/housing/"), ("private_schools", "housing")),
    "not_found": (fixed("/school/NO-SUCH-SCHOOL/"), ()),
    "supervision_visits": (supervision_pages, ("sv_visits", "sv_visit_new", "sv_visit", "sv_rectification")),
    "supervision_evaluation": (
        evaluation_pages,
        (
            "supervision_evaluation",
            "supervision_evaluation_township",
            "supervision_evaluation_school",
            "supervision_entries",
        ),
    ),
    "supervision_tasks": (
        fixed("/supervision/", "/supervision/tasks/", "/supervision/tasks/?by=owner", "/supervision/tasks/TK03/"),
        ("supervision", "supervision_tasks", "supervision_task"),
    ),
    # quality (issue 16 item 1): the county page and 南丰二中's own report (the demo's value added above)
    "quality": (fixed("/quality/", "/quality/school/S002/"), ("quality", "quality_school")),
    # vocational (issue 16 item 3): its three pages and a pupil's conversions (an elderly-care pupil of 2023)
    "vocational": (
        fixed("/vocational/", "/vocational/cooperation/", "/vocational/credits/", "/vocational/credits/2023060001/"),
        ("vocational", "vocational_cooperation", "vocational_credits", "vocational_pupil"),
    ),
}
# url names that are not pages to read: actions (POST), downloads, JSON, the API
NOT_PAGES = {
    "login",  # read logged out, see test_the_login_page_reads_in_each_language
    "logout",
    "set_language",
    "round_open",
    "round_close",
    "submission_template",
    "submission_upload",
    "submission_submit",
    "submission_recheck",
    "submission_approve",
    "submission_return",
    "plans_compute",
    "funding_scenario_xlsx",
    "map_boundaries",
    "map_county_outline",
    "job_status",
    "admissions_run_start",
    "admissions_publish",
    "admissions_letter",  # a candidate's letter: a document of the report renderers, like the report
    "admissions_letter_pdf",
    "admissions_pupil_letter",
    "admissions_pupil_letter_pdf",
    "teachers_rotation_solve",
    "teachers_rotation_decide",
    "teachers_rotation_xlsx",
    "sv_answer",
    "sv_check",
    "sv_hazard_check",
    "sv_file",
    "supervision_assign_adopt",
    "supervision_task_update",
    "supervision_task_decide",
    "supervision_task_file",
    "supervision_entries_scores",
    "supervision_entries_veto",
    "supervision_entries_withdraw",
    "supervision_entries_account",
    "supervision_entries_account_withdraw",
    "supervision_tasks_report",  # the progress report: a document of the report renderers (PDF, Excel)
}
# the submission detail and review pages are read in the "submission" group
COVERED_ELSEWHERE = {"submission_detail", "submission_review"}
# a 约谈 letter (a unit on the list only): read in test_supervision_evaluate_pages
COVERED_ELSEWHERE |= {"supervision_evaluation_letter"}
# a junior-school clerk's pages (404 for the bureau): read in test_browser_admissions
COVERED_ELSEWHERE |= {"admissions_pupils", "admissions_pupil"}

# Known failures, each the page and the helper of issue 11 fixing it: strict, so a fixed page fails
# here until its mark is removed.
KNOWN: dict[tuple[str, str], str] = {}


def _params() -> list[Any]:
    out = []
    for lang in ("zh", "en"):
        for group in PAGES:
            owner = KNOWN.get((group, lang))
            marks = [pytest.mark.xfail(strict=True, reason=f"{group} ({lang}): {owner}")] if owner else []
            out.append(pytest.param(lang, group, marks=marks, id=f"{lang}-{group}"))
    return out


def _context(admin: User) -> dict[str, Any]:
    """A collection round of the next year with one school's submission uploaded (as its clerk would)."""
    from collection_support import template_bytes, upload

    years = census_data.years(census_data.latest_version()).years  # type: ignore[arg-type]
    rnd = actions.do_open_round(max(years) + 1, "", acting_user=admin)
    school = sorted(census_data.schools_by_id(census_data.latest_version()))[0]  # type: ignore[arg-type]
    data = template_bytes({"admin": admin}, rnd, school)
    sub, _job = actions.do_upload_submission(rnd, school, upload(data, f"{school}.xlsx"), acting_user=admin)
    return {"round": rnd.pk, "school": school, "submission": sub.pk}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("lang", "group"), _params())
def test_every_page_reads_in_the_readers_language(
    live_server: Any, browser: Any, county: list[str], lang: str, group: str
) -> None:
    admin = User.objects.create_user("admin", password=PASSWORD)
    Membership.objects.create(user=admin, role=Role.BUREAU_ADMIN)
    ctx = _context(admin) if group in ("round", "form", "submission", "rounds", "audit") else {}
    ctx["county_id"] = _county_id()
    base = live_server.url
    page = browser.new_page(locale="zh-CN" if lang == "zh" else "en-US", viewport={"width": 1280, "height": 900})
    page.context.add_cookies([{"name": "django_language", "value": "zh-hans" if lang == "zh" else "en", "url": base}])
    login_as(page, base, admin)
    found: dict[str, list[str]] = {}
    step, _names = PAGES[group]
    for path in step(page, base, ctx):
        if path.startswith("/report/"):
            read = read_report(page, base, path)
        else:
            if path:
                visit(page, base, path)
            read = page.evaluate(READ_PAGE)
        if not path.startswith("/report/"):  # the page in the reader's language (a report names its own)
            assert page.locator("html").get_attribute("lang") == ("zh-hans" if lang == "zh" else "en"), path
        # what users wrote themselves (a step lists it in ctx["free_text"]) is shown as they wrote it
        bad = problems(read["text"], lang, county + ctx.get("free_text", []), {"admin"})
        bad += raw_keys(read["titles"])  # a tooltip may hold an id, never a raw key
        bad += [f"a raw header: {h!r}" for h in read["headers"] if h.lower() in RAW_HEADERS]
        if bad:
            found[path or page.url.removeprefix(base)] = bad
    page.close()
    assert not found, "\n".join(f"{p}:\n  " + "\n  ".join(b[:25]) for p, b in found.items())


def _county_id() -> str:
    a = census_data.assessment()
    assert a is not None
    return next(r.unit for r in a.results if r.level == "county")


def _url_names(patterns: list[Any]) -> Iterator[str]:
    for p in patterns:
        if isinstance(p, URLResolver):
            if p.namespace == "api" or str(p.pattern).startswith("i18n"):
                continue
            yield from _url_names(p.url_patterns)
        elif isinstance(p, URLPattern) and p.name:
            yield p.name


def test_the_walk_covers_every_page_of_the_app() -> None:
    """A page added to web/urls.py is walked here, or said not to be a page."""
    names = set(_url_names(get_resolver().url_patterns))
    walked = {n for _step, covered in PAGES.values() for n in covered}
    assert names - walked - NOT_PAGES - COVERED_ELSEWHERE == set()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_login_page_reads_in_each_language(live_server: Any, browser: Any, county: list[str], lang: str) -> None:
    base = live_server.url
    page = browser.new_page()
    page.context.add_cookies([{"name": "django_language", "value": "zh-hans" if lang == "zh" else "en", "url": base}])
    visit(page, base, "/login/")
    read = page.evaluate(READ_PAGE)
    assert problems(read["text"], lang, county, set()) == []
    page.close()


def test_the_rules_catch_what_the_issue_names() -> None:
    """The checks themselves, on the strings issue 11 saw on the pages."""
    assert problems("school_id township_id stage", "en", [], set())
    assert problems("数据：finance:informatization_spending", "zh", [], set())
    assert problems("学段 kindergarten 265.0", "zh", [], set())
    assert problems("状态 not_met", "en", [], set())
    assert problems("全部保留 / keep all", "zh", [], set())
    assert problems("Ownership 民办", "en", [], set())
    assert problems("琴城第一小学 · 第5条 · status met", "en", ["琴城第一小学"], set()) == []
    assert (
        problems("T-PRE-5 学前三年毛入园率 2025 年前 ≥ 90%（第1条; PN）3.2 km nanfeng-2019 v1", "zh", [], set()) == []
    )
