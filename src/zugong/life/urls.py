"""Pages of the life app (issue #11)."""

app_name = "life"
urlpatterns: list = []
