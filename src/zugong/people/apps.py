from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "zugong.people"
    verbose_name = "人员"

    def ready(self) -> None:
        from zugong.core import registry

        registry.register_api_viewset(prefix="people", viewset="zugong.people.api.views.PersonViewSet",
                                      basename="person")
