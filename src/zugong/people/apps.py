from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "zugong.people"
    verbose_name = "人员"
