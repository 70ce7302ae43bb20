from django.apps import AppConfig


class LifeConfig(AppConfig):
    """组织生活 (issue #11): meeting records (三会一课、主题党日、组织生活会…), the compliance engine and its
    晾晒 (通报/评比), and the figures of party life for reports."""

    name = "zugong.life"
    verbose_name = "组织生活"

    def ready(self) -> None:
        from zugong.core import registry

        # 组织生活记录 (issue #11 item 1): pages (core.generic registers them), the organization tab, the API, the
        # 三会一课台账 import
        registry.register_nav(section="基层党建", label="组织生活记录", url_name="life:meeting_list", order=240,
                              permission="party.view", app=self.label)
        registry.register_nav(section="数据导入", label="导入三会一课台账", url_name="life:meeting_import", order=320,
                              permission="party.import", app=self.label)
        registry.register_org_panel(name="meetings", label="组织生活", template="life/_org_panel.html",
                                    provider="zugong.life.panels.meetings_panel", order=100, permission="party.view")
        registry.register_api_viewset(prefix="meetings", viewset="zugong.life.api.views.MeetingViewSet",
                                      basename="meeting")
        registry.register_import_kind(
            code="meetings", label="三会一课台账", runner="zugong.life.importers.import_meetings",
            template="zugong.life.importers.meetings_template", permission="party.import", model="life.Meeting",
            columns="zugong.life.importers.MEETING_COLUMNS", url_name="life:meeting_import",
            importer="zugong.life.importers.MeetingImporter",
            done_url_name="life:meeting_list", done_label="查看组织生活记录",
            help_lines=(
                "每行登记一次会议：党组织（代码或名称）、会议类型、日期、主题、主持人、记录人、应到、实到、缺席人员。",
                "缺席人员能与当日党员名单对应的登记为缺席（括号中可注明原因），其余照录。",
                "党组织须在您的导入权限范围内；任何一行有错误则全部不写入；同一文件重复导入不会重复登记。",
                "支委会：该党支部在会议日期登记的班子成员不足 3 人时给出警告，会议照常登记。",
            ))

        from zugong.life import compliance_setup, evaluation_setup

        compliance_setup.register(self)  # compliance engine, 晾晒 and its to-dos (life/compliance_setup.py)
        evaluation_setup.register(self)  # 民主评议党员 results: the API (life/evaluation_setup.py)
