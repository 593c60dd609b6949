"""The `countyedu` process keeps what `assess --format json/html`, `versions`, `packs` and `--help`
wrote under the digest of what they read (cli.kept), and replays it while nothing of it changed
(issue 12 item 1: those commands at the speed of Python's start). Checked here against the same
commands with keeping off, and against each input that must make them compute again."""

from __future__ import annotations

import contextlib
import io
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

import countyedu.cli.kept as kept
from assess_support import alter_a_kept_status
from countyedu.census.store import CensusStore
from countyedu.cli import app, main
from countyedu.cli.common import _state


@pytest.fixture
def keeping(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Keeping on, as in the `countyedu` process, with a user cache of the test's own."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    monkeypatch.delenv("COUNTYEDU_KEEP_OUTPUT", raising=False)
    monkeypatch.setitem(_state, "keep", True)
    yield


def _cli(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def _computed_never(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on an assessment computed or read by the engine is a failure: only a replay answers."""
    import countyedu.cli.assess as assess

    def fail(*_a: object, **_k: object) -> None:
        raise AssertionError("computed, not replayed")

    monkeypatch.setattr(assess, "_run_assessment", fail)


def test_assess_json_and_html_are_replayed_until_what_they_read_changes(
    small_store: CensusStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, keeping: None
) -> None:
    data = str(small_store.data_dir)

    def assess(fmt: str, name: str) -> str:
        out = tmp_path / name
        _cli("assess", "--data-dir", data, "--format", fmt, "--out", str(out))
        return out.read_text(encoding="utf-8")

    monkeypatch.setitem(_state, "keep", False)
    plain_json, plain_html = assess("json", "plain.json"), assess("html", "plain.html")  # computes, keeps none
    assert not (small_store.data_dir / kept.CLI_CACHE).exists()
    monkeypatch.setitem(_state, "keep", True)
    assert assess("json", "1.json") == plain_json  # the kept assessment read, its output kept
    html = assess("html", "1.html")
    stamp = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d")
    assert stamp.sub("T", html) == stamp.sub("T", plain_html) and len(stamp.findall(html)) == 2

    with monkeypatch.context() as m:
        _computed_never(m)
        assert assess("json", "2.json") == plain_json
        assert stamp.sub("T", assess("html", "2.html")) == stamp.sub("T", plain_html)
        # another option is another output: computed (and fails here)
        with pytest.raises(AssertionError, match="computed"):
            CliRunner().invoke(
                app, ["assess", "--data-dir", data, "--format", "html", "--lang", "en", "--out", str(tmp_path / "x")],
                catch_exceptions=False,
            )  # fmt: skip

    # the kept assessment altered by hand (as tests/test_assess_stored.py does): what assess writes follows it
    r = alter_a_kept_status(small_store.data_dir)
    changed = json.loads(assess("json", "3.json"))
    [again] = [
        x
        for x in changed["results"]
        if (x["indicator"], x["level"], x["unit"], x["year"]) == (r["indicator"], "county", r["unit"], r["year"])
    ]
    assert again["status"] == "not_met"

    # a school year opened in the store (the census store written): computed again, not replayed
    year = max(json.loads(plain_json)["years"], key=lambda y: y["year"])["year"]
    small_store.set_year_state(year, "collecting")
    with monkeypatch.context() as m:
        _computed_never(m)
        with pytest.raises(AssertionError, match="computed"):
            CliRunner().invoke(
                app, ["assess", "--data-dir", data, "--format", "json", "--out", str(tmp_path / "4.json")],
                catch_exceptions=False,
            )  # fmt: skip


def test_versions_follow_the_store_and_equal_the_listing_unkept(
    small_store: CensusStore, monkeypatch: pytest.MonkeyPatch, keeping: None
) -> None:
    data = str(small_store.data_dir)
    first = _cli("versions", "--data-dir", data, "--format", "json")
    assert _cli("versions", "--data-dir", data, "--format", "json") == first  # replayed
    table = _cli("versions", "--data-dir", data)
    assert _cli("versions", "--data-dir", data) == table and "v1" in table
    small_store.mark_unapproved("v1")  # the store written: the listing says so at once
    after = _cli("versions", "--data-dir", data)
    assert after != table and "not used" in after  # the state is text, not Rich markup
    after_json = _cli("versions", "--data-dir", data, "--format", "json")
    assert [v["state"] for v in json.loads(first)["versions"]] == [None]
    assert [v["state"] for v in json.loads(after_json)["versions"]] == ["unapproved"]
    monkeypatch.setitem(_state, "keep", False)
    assert _cli("versions", "--data-dir", data) == after
    assert _cli("versions", "--data-dir", data, "--format", "json") == after_json


def test_packs_and_the_root_help_equal_their_unkept_output(
    monkeypatch: pytest.MonkeyPatch, keeping: None, capsys: pytest.CaptureFixture[str]
) -> None:
    for fmt in ("json", "table"):
        kept_once, kept_twice = _cli("packs", "--format", fmt), _cli("packs", "--format", fmt)
        monkeypatch.setitem(_state, "keep", False)
        assert kept_once == kept_twice == _cli("packs", "--format", fmt)
        monkeypatch.setitem(_state, "keep", True)
    assert len(list((Path(kept.os.environ["XDG_CACHE_HOME"]) / "countyedu" / "cli").iterdir())) == 2

    monkeypatch.setattr(sys, "argv", ["countyedu", "--help"])
    helps = []
    for _ in range(2):  # made, then replayed
        main()
        helps.append(capsys.readouterr().out)
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), contextlib.suppress(SystemExit):
        app(["--help"])
    assert helps[0] == helps[1] == buf.getvalue()
    assert _state["keep"] is False  # a test calling main() leaves no keeping behind it
    assert "assess" in helps[0] and "roads" in helps[0]


def test_an_output_is_not_kept_when_the_data_changed_while_it_was_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, keeping: None
) -> None:
    state = iter(["before", "during"])
    memo = kept.Kept(tmp_path / "k", ["cmd"], lambda: next(state))
    memo.put(b"x")
    assert memo.get() is None
    steady = kept.Kept(tmp_path / "k", ["cmd"], lambda: "same")
    steady.put(b"y")
    assert steady.get() == b"y"
    monkeypatch.setattr(kept, "KEEP", 3)
    for i in range(5):
        kept.Kept(tmp_path / "k", ["cmd", i]).put(b"z")
    assert len(list((tmp_path / "k").iterdir())) == 3  # the oldest pruned
    monkeypatch.setattr(kept, "MAX_BYTES", 4)
    big = kept.Kept(tmp_path / "k", ["big"])
    big.put(b"12345")
    assert big.get() is None  # too big to keep


def test_the_kept_assessment_json_is_kept_beside_it_and_read_only_while_it_is_that_assessment(
    small_store: CensusStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """indicators.cache keeps the kept assessment's `to_json()` beside it (import writes both), and
    `assess --format json` reads it without pandas: equal to the JSON of the assessment loaded from
    its kept document (the other path), and not used once the document, the years or the checklist
    evidence changed."""
    from countyedu.census.years import census_years
    from countyedu.indicators import cache, evidence
    from countyedu.runs.store import load_packs

    packs = load_packs(None)
    assert cache.kept_json(small_store, None, packs) is None  # nothing kept yet
    cache.get_or_compute(small_store, None, packs)  # computed and kept, as import does
    text = cache.kept_json(small_store, None, packs)
    loaded = cache.load(small_store, "v1", packs)
    assert loaded is not None and text == loaded.to_json()
    out = tmp_path / "a.json"
    _cli("assess", "--data-dir", str(small_store.data_dir), "--format", "json", "--out", str(out))
    assert out.read_text(encoding="utf-8") == text + "\n"
    assert cache.EVIDENCE_SNAPSHOT == evidence.SNAPSHOT

    alter_a_kept_status(small_store.data_dir)
    assert cache.kept_json(small_store, None, packs) is None  # the document changed: loaded again
    _cli("assess", "--data-dir", str(small_store.data_dir), "--format", "json", "--out", str(out))
    again = cache.kept_json(small_store, None, packs)  # the CLI kept the new document's JSON
    assert again is not None and again != text and out.read_text(encoding="utf-8") == again + "\n"

    year = census_years(small_store, "v1").as_list()[-1]["year"]
    small_store.set_year_state(year, "collecting")
    assert cache.kept_json(small_store, None, packs) is None  # another years' state: another assessment
    small_store.set_year_state(year, "closed")
    assert cache.kept_json(small_store, None, packs) == again
    (small_store.data_dir / evidence.SNAPSHOT).parent.mkdir(parents=True, exist_ok=True)
    (small_store.data_dir / evidence.SNAPSHOT).write_bytes(evidence.dumps([]))
    assert cache.kept_json(small_store, None, packs) is None  # evidence is laid over by the engine's path

    [kept_text] = (small_store.data_dir / "assessments").glob(f"v1-*{cache.AS_JSON}")
    kept_text.unlink()
    monkeypatch.setattr(cache, "KEEP_JSON_BYTES", len(text) - 1)  # a province's JSON is not doubled on disk
    cache.keep_json(small_store, loaded, text)
    assert not kept_text.exists()
