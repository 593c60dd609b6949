"""dashboards (being built)."""

urlpatterns: list = []
