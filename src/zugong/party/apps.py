from django.apps import AppConfig


class PartyConfig(AppConfig):
    name = "zugong.party"
    verbose_name = "党员管理"
