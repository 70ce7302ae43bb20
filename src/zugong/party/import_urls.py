from django.urls import path

from zugong.party import views

urlpatterns = [
    path("import/", views.import_roster, name="import_roster"),
]
