from django.apps import AppConfig


class PartyConfig(AppConfig):
    name = "zugong.party"
    verbose_name = "党员管理"

    def ready(self) -> None:
        from zugong.core import registry

        registry.register_nav(section="党员", label="党员名册", url_name="party:member_list", order=200,
                              permission="party.view", app=self.label)
        registry.register_nav(section="数据导入", label="导入党员花名册", url_name="party:import_roster", order=310,
                              permission="party.import", app=self.label)
        registry.register_api_viewset(prefix="members", viewset="zugong.party.api.views.MemberViewSet",
                                      basename="member")
        # 撤销党员变动 (issue #10): /api/members/{person_id}/events/{event_id}/revoke/
        registry.register_api_viewset(prefix=r"members/(?P<person_id>[0-9]+)/events",
                                      viewset="zugong.party.api.views.MemberEventViewSet", basename="member-event")
        # 党员状态 (issue #10): /api/members/{id}/statuses/ and /api/member-statuses/
        registry.register_api_viewset(prefix="members", viewset="zugong.party.api.statuses.MemberStatusesOfMemberViewSet",
                                      basename="member-statuses")
        registry.register_api_viewset(prefix="member-statuses", viewset="zugong.party.api.statuses.MemberStatusViewSet",
                                      basename="member-status")
        registry.register_import_kind(
            code="roster", label="党员花名册", runner="zugong.party.importers.import_roster",
            template="zugong.party.exporters.roster_template", permission="party.import",
            model="party.Membership", columns="zugong.party.importers.ROSTER_COLUMNS",
            url_name="party:import_roster", importer="zugong.party.importers.RosterImporter",
            done_url_name="party:member_list", done_label="查看党员名册",
            offers_bad_checksum=True,
            help_lines=(
                "公民身份号码已登记的人员按文件内容更新；所在党组织改变的，原组织关系于今天转出，并于今天转入新组织。",
                "同一文件重复导入不会产生重复数据。脱敏导出的文件（身份证号含 *）不能用于导入。",
                "所在党组织必须在您的导入权限范围内。",
                "可带「进入类型」「进入日期」（发展党员、转入组织关系、恢复党籍……）和「离开类型」「离开日期」「出党方式」"
                "（出党、停止党籍、死亡、转出组织关系……）及「延长预备期时间」列（全国党员管理信息系统导出的"
                "进入支部类型、进入当前支部日期、转离支部类型等列可直接识别）：按这些列登记党员变动，组织关系自进入日期起、"
                "至离开日期止；没有这些列的行是本系统启用前的党员（期初数）。",
                "已在您管理范围以外登记的公民身份号码，每人每天只提示有限个数（每次记入审计日志）；"
                "超过后当天暂停处理您范围内没有的号码（含新增人员）。",
            ))
        registry.register_nav(section="数据导入", label="导入党员变动", url_name="party:import_changes", order=315,
                              permission="party.import", app=self.label)
        registry.register_import_kind(
            code="changes", label="党员变动", runner="zugong.party.ledger.import_changes",
            template="zugong.party.ledger.changes_template", permission="party.import",
            model="party.MembershipEvent", columns="zugong.party.ledger.LEDGER_COLUMNS",
            url_name="party:import_changes", importer="zugong.party.ledger.LedgerImporter",
            done_url_name="party:member_list", done_label="查看党员名册",
            help_lines=(
                "每行登记一名党员的一次变动（发展党员、恢复党籍、转入、出党、停止党籍、死亡、转出、组织关系转接、转正、延长预备期），"
                "按变动日期先后登记，每行按党章和党内法规核对（如转正须预备期满一年、恢复党籍须有出党或停止党籍的记录）。",
                "党员按公民身份号码查找，须在您的管理范围内；新发展或从系统外转入的党员请通过「导入党员花名册」登记"
                "（填写进入类型、进入日期）。",
                "对方党组织是您管理范围内的党组织时按组织关系转接登记；系统外的党组织照录名称（转入、转出组织关系）。",
                "任何一行有错误则全部不写入；同一文件重复导入不会重复登记。",
            ))
        registry.register_todo_provider(name="party.probation_due", provider="zugong.party.todos.probation_due",
                                        permission="party.view")
        # 组织关系转接 (issue #10): list page, API, the receiving side's to-do. The pages register themselves
        # (core.generic); the receiving-organization picker (a page fragment) lists organizations outside the scope on
        # purpose (names and codes only) and is covered by the hand scope matrix; the API takes the receiving
        # organization's code instead (every API route stays a scoped, declared view).
        registry.register_nav(section="党员", label="组织关系转接", url_name="party:transfer_list", order=205,
                              permission="party.view", app=self.label)
        registry.register_api_viewset(prefix="transfers", viewset="zugong.party.api.transfers.TransferViewSet",
                                      basename="transfer")
        registry.register_todo_provider(name="party.transfers_incoming",
                                        provider="zugong.party.todos.transfers_incoming", permission="party.add")
