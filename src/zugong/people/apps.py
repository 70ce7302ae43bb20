from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "zugong.people"
    verbose_name = "人员"

    def ready(self) -> None:
        from zugong.core import registry

        registry.register_api_viewset(prefix="people", viewset="zugong.people.api.views.PersonViewSet",
                                      basename="person")
        # --- scoped views (hand-written views; the generic views register themselves) -------------------
        person = "people.Person"
        view = registry.register_view
        view(url_name="people:detail", kind="detail", model=person, action="view", object_arg="pk")
        view(url_name="people:edit", kind="edit", model=person, action="change", methods=("GET", "POST"),
             object_arg="pk")
        view(url_name="people:unmask", kind="action", model=person, action="unmask", methods=("GET", "POST"),
             object_arg="pk")
        view(url_name="api:person-list", kind="create", model=person, action="add", methods=("POST",), api=True)
        view(url_name="api:person-detail", kind="detail", model=person, action="view", methods=("GET", "PATCH"),
             object_arg="pk", api=True)
        # ---------------------------------------------------------------------------------------------------
