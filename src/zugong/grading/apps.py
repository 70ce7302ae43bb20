from django.apps import AppConfig


class GradingConfig(AppConfig):
    """达标晋级 (issue #11): configurable grading rubrics (shipped: 五好, 四强), annual scoring with evidence,
    levels, 示范党支部 designations, the 软弱涣散 list and its rectification."""

    name = "zugong.grading"
    verbose_name = "达标晋级"

    def ready(self) -> None:
        pass
