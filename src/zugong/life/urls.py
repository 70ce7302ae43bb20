"""Pages of the life app (issue #11)."""

from django.urls import include, path

app_name = "life"
urlpatterns: list = [
    path("compliance/", include("zugong.life.compliance_urls")),  # 三会一课晾晒 (life/compliance_urls.py)
]
