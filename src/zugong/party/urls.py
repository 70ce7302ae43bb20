from django.urls import path

from zugong.party import views

app_name = "party"
urlpatterns = [
    path("members/", views.member_list, name="member_list"),
    path("import/", views.import_roster, name="import_roster"),
]
