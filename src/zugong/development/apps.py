from django.apps import AppConfig


class DevelopmentConfig(AppConfig):
    """发展党员 (issue #11): the 5 stages and 25 steps of 《中国共产党发展党员工作细则》 as a state machine over
    ``party.DevelopmentRecord``, with dated steps, actors, documents, votes and guards."""

    name = "zugong.development"
    verbose_name = "发展党员"

    def ready(self) -> None:
        from zugong.core import registry

        registry.register_nav(section="党员", label="发展党员", url_name="development:list", order=210,
                              permission="party.view", app=self.label)
        registry.register_api_viewset(prefix="development", viewset="zugong.development.api.views.DevelopmentRecordViewSet",
                                      basename="development")
        registry.register_api_viewset(prefix="development/people",
                                      viewset="zugong.development.api.views.DevelopmentStartViewSet",
                                      basename="development-start")
        registry.register_todo_provider(name="development.overdue", provider="zugong.development.todos.overdue",
                                        permission="party.view")
