"""Pages of the cadres app (issue #12), under ``/cadres/``, namespace ``cadres``: each part's
``urlpatterns`` (url names prefixed by the part's subject, e.g. ``cadres:quota_table``)."""

from importlib import import_module

from zugong.cadres.apps import PARTS

app_name = "cadres"
urlpatterns = [pattern for part in PARTS for pattern in import_module(f"zugong.cadres.{part}.urls").urlpatterns]
