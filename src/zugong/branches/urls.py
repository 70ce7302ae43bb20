"""Pages of the branches app (issue #11)."""

app_name = "branches"
urlpatterns: list = []
