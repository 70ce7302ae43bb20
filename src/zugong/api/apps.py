from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "zugong.api"
    verbose_name = "接口"
