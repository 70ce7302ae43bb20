from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "zugong.reports"
    verbose_name = "统计报表"
