from django.apps import AppConfig


class DevelopmentConfig(AppConfig):
    """发展党员 (issue #11): the 5 stages and 25 steps of 《中国共产党发展党员工作细则》 as a state machine over
    ``party.DevelopmentRecord``, with dated steps, actors, documents, votes and guards."""

    name = "zugong.development"
    verbose_name = "发展党员"

    def ready(self) -> None:
        pass
