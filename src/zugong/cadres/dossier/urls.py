"""URL patterns of the cadres part ``dossier`` (included by ``cadres.urls``, namespace ``cadres``)."""

urlpatterns: list = []
