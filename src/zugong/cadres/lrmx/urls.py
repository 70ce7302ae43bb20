"""URL patterns of the cadres part ``lrmx`` (included by ``cadres.urls``, namespace ``cadres``)."""

urlpatterns: list = []
