"""URL patterns of the cadres part ``record`` (included by ``cadres.urls``, namespace ``cadres``)."""

urlpatterns: list = []
