"""The root URL configuration: the web app under its namespace."""

from django.urls import include, path

urlpatterns = [path("", include("countyedu.web.urls"))]
