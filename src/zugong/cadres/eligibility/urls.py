"""URL patterns of the cadres part ``eligibility`` (included by ``cadres.urls``, namespace ``cadres``)."""

urlpatterns: list = []
