"""URL patterns of the cadres part ``formfiles`` (included by ``cadres.urls``, namespace ``cadres``)."""

urlpatterns: list = []
