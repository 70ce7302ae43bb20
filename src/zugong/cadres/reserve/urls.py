"""URL patterns of the cadres part ``reserve`` (included by ``cadres.urls``, namespace ``cadres``)."""

urlpatterns: list = []
