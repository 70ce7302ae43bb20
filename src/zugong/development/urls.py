"""Pages of the development app (issue #11)."""

app_name = "development"
urlpatterns: list = []
