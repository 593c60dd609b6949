"""Who may see and do what. Every view reaches data through these helpers: what the user may not
see answers 404 (its existence is not revealed); what the user may see but not change answers 403."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from countyedu.indicators.explain import Scope
from countyedu.web import census as census_data
from countyedu.web.models import Job, Membership, Role, Submission


def membership_of(request: HttpRequest) -> Membership:
    """The user's membership; a logged-in user without one sees nothing (404 everywhere)."""
    m = getattr(request.user, "membership", None) if request.user.is_authenticated else None
    if m is None:
        raise Http404
    return m


def visible_school_ids(m: Membership) -> set[str] | None:
    """The schools a member may see: None means all of them."""
    if m.county_wide:
        return None
    if m.role == Role.TOWNSHIP:
        return census_data.schools_of_township(m.township_id)
    return {m.school_id}


def reader_scope(m: Membership) -> Scope:
    """The census rows a member may read in an explanation: all for county-wide roles; a township
    official's township, its schools and communities; a clerk's school, its township and community."""
    if m.county_wide:
        return Scope()
    if m.role == Role.TOWNSHIP:
        return Scope(
            frozenset(census_data.schools_of_township(m.township_id)),
            frozenset({m.township_id}),
            frozenset(census_data.communities_of_township(m.township_id)),
        )
    school = census_data.school(m.school_id) or {}
    township, community = school.get("township_id"), school.get("community_id")
    return Scope(
        frozenset({m.school_id}),
        frozenset({str(township)} if township else set()),
        frozenset({str(community)} if community else set()),
    )


def get_school_for_user(request: HttpRequest, school_id: str) -> dict[str, Any]:
    """The school (census record) if the user may see it, else 404."""
    m = membership_of(request)
    allowed = visible_school_ids(m)
    school = census_data.school(school_id)
    if school is None or (allowed is not None and school_id not in allowed):
        raise Http404
    return school


def get_township_for_user(request: HttpRequest, township_id: str) -> dict[str, Any]:
    """The township if the user is county-wide or its own official, else 404."""
    m = membership_of(request)
    township = census_data.township(township_id)
    if township is None or not (m.county_wide or (m.role == Role.TOWNSHIP and m.township_id == township_id)):
        raise Http404
    return township


def get_submission_for_user(request: HttpRequest, pk: int) -> Submission:
    """A submission of a school the user may see, else 404."""
    m = membership_of(request)
    try:
        sub = Submission.objects.select_related("round").get(pk=pk)
    except Submission.DoesNotExist:
        raise Http404 from None
    allowed = visible_school_ids(m)
    if allowed is not None and sub.school_id not in allowed:
        raise Http404
    return sub


def get_job_for_user(request: HttpRequest, pk: int) -> Job:
    """A background job the user started, or any job for county-wide users, else 404."""
    m = membership_of(request)
    try:
        job = Job.objects.get(pk=pk)
    except Job.DoesNotExist:
        raise Http404 from None
    if not m.county_wide and job.created_by_id != request.user.pk:
        raise Http404
    return job


def require_county(request: HttpRequest) -> Membership:
    """County-wide pages: township and school users get 404."""
    m = membership_of(request)
    if not m.county_wide:
        raise Http404
    return m


def role_required(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """For actions (not pages): a member without one of the roles gets 403."""

    def deco(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if membership_of(request).role not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return deco
