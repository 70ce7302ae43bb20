from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "zugong.people"
    verbose_name = "人员"

    def ready(self) -> None:
        from zugong.core import registry
        from zugong.people import search

        search.register()  # Person.name__substring (the indexed name search)

        registry.register_api_viewset(prefix="people", viewset="zugong.people.api.views.PersonViewSet",
                                      basename="person")
        # --- scoped views: the hand-written unmask page (an HTMX fragment behind re-authentication); the
        # generic pages and the API viewset register themselves
        registry.register_view(url_name="people:unmask", kind="action", model="people.Person", action="unmask",
                               methods=("GET", "POST"), object_arg="pk")
