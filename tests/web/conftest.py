"""Web tests: the hand-computed county (tests/fixtures/hand) as the census, and one user per role,
named for what they may do (STYLE.md: the base case spells out each user's rights).

- admin      bureau administrator: sees everything, opens rounds, approves
- planner    planning office: sees everything, approves
- leader     county leadership: sees everything, changes nothing (403 on every action)
- t1         township official of T1 (琴城镇): T1 and its schools only
- t2         township official of T2 (太源乡)
- clerk_p1   school clerk of P1 (琴城第一小学): P1 only
- clerk_n1   school clerk of N1 (太源学校)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from collection_support import own_census  # noqa: F401  (a data dir of the test's own, for every web test that asks)
from django.conf import settings
from django.contrib.auth.models import User

from countyedu.census.importer import import_census
from countyedu.census.store import CensusStore
from countyedu.indicators import cache
from countyedu.web.models import Membership, Role

HAND = Path(__file__).resolve().parents[1] / "fixtures" / "hand"
PASSWORD = "correct horse battery staple"
USERS = {
    "admin": (Role.BUREAU_ADMIN, "", ""),
    "planner": (Role.PLANNING, "", ""),
    "leader": (Role.LEADERSHIP, "", ""),
    "t1": (Role.TOWNSHIP, "T1", ""),
    "t2": (Role.TOWNSHIP, "T2", ""),
    "clerk_p1": (Role.SCHOOL, "", "P1"),
    "clerk_n1": (Role.SCHOOL, "", "N1"),
}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """The default hasher is slow by design; tests hash a dozen passwords each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def census_store() -> CensusStore:
    """The hand county imported once into the web app's data dir, with its assessment."""
    store = CensusStore(settings.DATA_DIR)
    if store.latest() is None:
        import_census(HAND, store)
    cache.get_or_compute(store)
    return store


@pytest.fixture
def users(db: None, census_store: CensusStore) -> dict[str, User]:
    out = {}
    for name, (role, township, school) in USERS.items():
        u = User.objects.create_user(name, password=PASSWORD)
        Membership.objects.create(user=u, role=role, township_id=township, school_id=school)
        out[name] = u
    out["nobody"] = User.objects.create_user("nobody", password=PASSWORD)  # logged in, no role
    return out


@pytest.fixture
def browser() -> Any:
    """Debian's Chromium driven by Playwright (tests/web/browser_support.py)."""
    from browser_support import launch

    yield from launch()
