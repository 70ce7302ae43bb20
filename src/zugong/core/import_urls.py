"""``/imports/<code>/`` — the import pages of every kind registered without a URL of its own
(``core.import_views.generic_urlpatterns``): a new import kind needs no view or URL code."""

from zugong.core.import_views import generic_urlpatterns

app_name = "imports"
urlpatterns = generic_urlpatterns()
