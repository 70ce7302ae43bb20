from rest_framework.routers import SimpleRouter

from zugong.orgs.api.views import OrganizationViewSet

router = SimpleRouter()
router.register("organizations", OrganizationViewSet, basename="organization")

urlpatterns = router.urls
