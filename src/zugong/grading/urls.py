"""Pages of the grading app (issue #11)."""

app_name = "grading"
urlpatterns: list = []
