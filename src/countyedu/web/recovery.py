"""Start-up reconciliation of the two stores an approval writes.

An approval commits the census version (DuckDB) first and the web database (the submission
approved, its audit row) second; a crash between the two leaves a census version that the app never
recorded. Each such version names its submission and approving user (its origin), and on start —
`countyedu serve`, each web process (wsgi.py), the task worker — `reconcile()` makes the two agree:

- the submission is still submitted with the same file: the approval is **completed** (approved as
  that version, audit row marked recovered). Completing, not undoing: once committed, the version is
  the census every process reads and the base of the next import, so undoing it could not take its
  rows out of versions built on it; and the reviewer's decision was made — only its record was lost.
- otherwise (the submission was returned, replaced by another file or is gone): nothing the app
  approved made that version, so it is marked `unapproved`: kept, listed by `countyedu versions`,
  never used (`CensusStore.latest()` and the next import skip it).

Opening and closing a collection round also write both stores (the round, then its school year's
state in the census store, census.years); `reconcile_years()` puts back a year state a crash left
disagreeing with the rounds: a year a round marked in collection with no open round is closed, a
year a round closed while that round is still open is in collection again. A state set by
`countyedu years` (not by a round) is left alone.
"""

from __future__ import annotations

import logging
import re

from django.contrib.auth import get_user_model
from django.db import transaction

from countyedu.census.store import CensusStore, Version
from countyedu.web import actions
from countyedu.web import census as census_data
from countyedu.web.jobs import start_job
from countyedu.web.models import CollectionRound, Submission

log = logging.getLogger(__name__)


def reconcile(store: CensusStore | None = None) -> list[str]:
    """Complete or set aside every census version whose approval the web database did not record;
    returns what was done, one line each (also logged). A completed approval's assessment is queued
    as after any approval."""
    store = store or census_data.store()
    made = [v for v in store.versions() if v.state is None and v.origin and "submission" in v.origin]
    recorded = set(
        Submission.objects.filter(
            pk__in=[v.origin["submission"] for v in made if v.origin], status=Submission.Status.APPROVED
        ).values_list("pk", flat=True)
    )
    done = [_settle(store, v) for v in made if v.origin and v.origin["submission"] not in recorded]
    done += reconcile_years(store)
    if done:
        census_data.forget()
    return done


def reconcile_years(store: CensusStore) -> list[str]:
    """The school-year states the rounds imply (see the module docstring); what was changed, one line each."""
    from countyedu.census.years import CLOSED, COLLECTING

    open_rounds = dict(CollectionRound.objects.filter(status=CollectionRound.Status.OPEN).values_list("year", "pk"))
    done = []
    for year, (state, _at, note) in store.year_states().items():
        by_round = re.fullmatch(r"round (\d+) (opened|closed)", note)
        if by_round is None:
            continue
        if state == COLLECTING and year not in open_rounds:
            store.set_year_state(year, CLOSED, f"{note}; no round open (reconciled)")
            done.append(f"school year {year}: in collection but no round of it is open; closed")
        elif state == CLOSED and open_rounds.get(year) == int(by_round[1]):
            store.set_year_state(year, COLLECTING, f"round {by_round[1]} open (reconciled)")
            done.append(f"school year {year}: closed but its round {by_round[1]} is open; in collection again")
    for line in done:
        log.warning("reconcile: %s", line)
    return done


def _settle(store: CensusStore, v: Version) -> str:
    assert v.origin is not None
    with transaction.atomic():
        # locked, and read again: an approval still running in another process holds this row (and,
        # on SQLite, the write lock) until it commits; then the submission is approved and left alone
        sub = Submission.objects.select_for_update().filter(pk=v.origin["submission"]).first()
        if sub is not None and sub.status == Submission.Status.APPROVED:
            return f"census version {v.version_id}: submission {sub.pk} was approved meanwhile"
        if sub is not None and sub.status == Submission.Status.SUBMITTED and sub.sha256 == v.sha256:
            user = get_user_model().objects.filter(pk=v.origin.get("user")).first()
            actions.record_approval(sub, v.version_id, acting_user=user, recovered=True)
            what = f"census version {v.version_id}: approval of submission {sub.pk} ({sub.school_id}) completed"
        else:
            store.mark_unapproved(v.version_id)
            state = "gone" if sub is None else f"{sub.status}, file {sub.sha256[:12]}"
            what = (
                f"census version {v.version_id}: submission {v.origin['submission']} is not approved "
                f"({state}); the version is kept but not used"
            )
    log.warning("reconcile: %s", what)
    if sub is not None and sub.status == Submission.Status.APPROVED:
        start_job("assessment", actions._assess, {"version": v.version_id}, user=sub.reviewed_by)
    return what


def reconcile_on_start() -> None:
    """reconcile() at a process's start; a failure is logged, not raised (the app still serves)."""
    try:
        reconcile()
    except Exception:
        log.exception("reconcile: the census and the web database could not be reconciled")
