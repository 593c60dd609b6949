"""URLs: pages under /, the API under /api/."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from countyedu.web import (
    admissions,
    api,
    collection,
    dashboards,
    plans,
    quality,
    registers,
    supervision,
    supervision_assign,
    supervision_entries,
    supervision_evaluate,
    supervision_visits,
    teachers,
    vocational,
)
from countyedu.web import auth_views as av

app_name = "web"

urlpatterns = [
    path("", av.home, name="home"),
    path("login/", av.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    *collection.urlpatterns,
    *dashboards.urlpatterns,
    *plans.urlpatterns,
    *admissions.urlpatterns,
    *teachers.urlpatterns,
    *supervision_visits.urlpatterns,
    *supervision.urlpatterns,
    *supervision_evaluate.urlpatterns,
    *supervision_entries.urlpatterns,
    *supervision_assign.urlpatterns,
    *quality.urlpatterns,
    *registers.urlpatterns,
    *vocational.urlpatterns,
    path("api/", include((api.urlpatterns, "api"), namespace="api")),
]
