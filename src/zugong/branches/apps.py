from django.apps import AppConfig


class BranchesConfig(AppConfig):
    """党支部建设 (issue #11): branch officers (班子成员), branch standards (达标, evaluated continuously, 换届
    reminders) and secretary certification (支部书记持证上岗: training, exams, certificates)."""

    name = "zugong.branches"
    verbose_name = "党支部建设"

    def ready(self) -> None:
        from zugong.branches.certification import register_certification  # 支部书记持证上岗

        register_certification()
