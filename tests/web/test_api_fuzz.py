"""The whole API against its own schema (/api/schema/), as each role with its token: schemathesis
generates requests from the schema, valid and invalid, and checks every answer against it (status
codes, content types, the response shapes, no 5xx, invalid parameters refused, valid ones accepted).

Examples are bounded (FUZZ_EXAMPLES per operation and role) so that the run stays well under a minute,
and derandomized so that CI sees the same cases every run (`make fuzz` runs it with fresh random cases)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from dash_support import hand_county  # noqa: F401
from django.contrib.auth.models import User
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.specs.openapi.checks import positive_data_acceptance

from countyedu.web import census as census_data
from countyedu.web.actions import _assess

FUZZ_RANDOM = os.environ.get("FUZZ_RANDOM") == "1"
FUZZ_EXAMPLES = 50 if FUZZ_RANDOM else 5
ROLES = ["admin", "planner", "leader", "t1", "clerk_p1"]

schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
schema.app = get_wsgi_application()


@pytest.fixture(autouse=True)
def keep_the_test_connection() -> Iterator[None]:
    """The app is called as a WSGI application, which closes the database connection after each
    request; within a test that is the test's own transaction (as Django's test client, don't)."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def computed(users: dict[str, User]) -> None:
    """The stored planning and funding runs of the hand county (so their answers are checked too)."""
    census_data.forget()
    _assess("v1", lambda _share, _message: None)


@pytest.mark.parametrize("role", ROLES)
@schema.parametrize()
@settings(
    max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=not FUZZ_RANDOM, suppress_health_check=list(HealthCheck)
)
def test_it_answers_as_documented(case: Any, role: str, users: dict[str, User], computed: None) -> None:
    key = Token.objects.get_or_create(user=users[role])[0].key
    # Well-formed is not enough for two operations, as their descriptions say: a user name and
    # password must also be right, and the bureau administrator must name the school.
    role_bound = case.operation.path == "/api/token/" or (
        case.operation.path == "/api/submissions/" and role == "admin"
    )
    excluded = [positive_data_acceptance] if role_bound else []
    case.call_and_validate(headers={"Authorization": f"Token {key}"}, excluded_checks=excluded)
