"""collection (being built)."""

urlpatterns: list = []
