"""URL patterns of the cadres part ``posts`` (included by ``cadres.urls``, namespace ``cadres``)."""

urlpatterns: list = []
