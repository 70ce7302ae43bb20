"""URL patterns of the cadres part ``structure`` (included by ``cadres.urls``, namespace ``cadres``)."""

urlpatterns: list = []
