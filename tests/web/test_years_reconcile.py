"""Opening or closing a round writes the web database and the school year's state in the census store
(DuckDB): the year state is written last inside the round's transaction, so a failure right after it
(standing in for a crash between the two commits) leaves the census store changed and the round not.
On the next start, web/recovery.py reconcile() puts the year state back as the rounds say."""

from __future__ import annotations

from pathlib import Path

import pytest

from countyedu.census.importer import import_census
from countyedu.census.store import CensusStore
from countyedu.web import actions, recovery
from countyedu.web import census as census_data
from countyedu.web.models import CollectionRound

HAND = Path(__file__).resolve().parents[1] / "fixtures" / "hand"


class Crash(Exception):
    pass


@pytest.fixture
def store(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    s = CensusStore(tmp_path)
    import_census(HAND, s)
    census_data.forget()
    yield s
    census_data.forget()


def state(store: CensusStore, year: int) -> str | None:
    return store.year_states().get(year, (None,))[0]


def test_reconcile_puts_the_year_states_back_as_the_rounds_say(store, users, monkeypatch):
    write = CensusStore.set_year_state

    def then_crash(self, *args, **kwargs):
        write(self, *args, **kwargs)
        raise Crash

    # opening: the year is marked, the round never recorded → closed on the next start
    monkeypatch.setattr(CensusStore, "set_year_state", then_crash)
    with pytest.raises(Crash):
        actions.do_open_round(2025, "", acting_user=users["admin"])
    monkeypatch.setattr(CensusStore, "set_year_state", write)
    assert not CollectionRound.objects.filter(year=2025).exists() and state(store, 2025) == "collecting"
    done = recovery.reconcile(store)
    assert done == ["school year 2025: in collection but no round of it is open; closed"]
    assert state(store, 2025) == "closed"

    # closing: the year is closed, the round still open → in collection again on the next start
    rnd = actions.do_open_round(2025, "", acting_user=users["admin"])
    assert state(store, 2025) == "collecting"
    monkeypatch.setattr(CensusStore, "set_year_state", then_crash)
    with pytest.raises(Crash):
        actions.do_close_round(rnd, acting_user=users["admin"])
    monkeypatch.setattr(CensusStore, "set_year_state", write)
    assert CollectionRound.objects.get(pk=rnd.pk).status == "open" and state(store, 2025) == "closed"
    assert recovery.reconcile(store) == [
        f"school year 2025: closed but its round {rnd.pk} is open; in collection again"
    ]
    assert state(store, 2025) == "collecting"

    # a state the CLI set is the bureau's word: left alone
    store.set_year_state(2024, "collecting", "countyedu years open")
    assert recovery.reconcile(store) == [] and state(store, 2024) == "collecting"
