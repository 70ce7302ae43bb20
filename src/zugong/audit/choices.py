"""Audit event kinds and their Chinese names (shown in the audit log page and exports).

Every kind passed to ``record_event`` anywhere in ``src/`` must be listed here:
``tests/security/test_audit.py::test_every_event_kind_is_chained`` scans the sources and records one
event of each kind, so a new kind without a name here fails the tests."""

EVENT_KINDS = {
    "change": "数据变更",
    "login": "登录",
    "login_failed": "登录失败",
    "login_refused_locked": "锁定期间登录",
    "login_throttled": "登录限流",
    "lockout": "账号锁定",
    "logout": "退出登录",
    "session_timeout": "会话超时",
    "reauth": "重新验证身份",
    "reauth_failed": "重新验证失败",
    "otp_enrolled": "绑定动态口令",
    "otp_verified": "动态口令验证",
    "otp_failed": "动态口令失败",
    "otp_reset": "重置动态口令",
    "grants_suspended": "授权暂停（待确认）",
    "grants_confirmed": "确认恢复授权",
    "admin_reset_requested": "申请重置管理员账号",
    "admin_reset_approved": "批准重置管理员账号",
    "admin_reset_rejected": "拒绝重置管理员账号",
    "admin_reset_expired": "管理员重置申请过期",
    "password_change": "修改密码",  # nosec B105 — event name, not a password
    "password_reset": "重置密码",  # nosec B105 — event name, not a password
    "user_create": "创建用户",
    "user_deactivate": "停用用户",
    "user_activate": "启用用户",
    "user_unlock": "解除锁定",
    "grant_change": "授权变更",
    "role_change": "角色变更",
    "unmask": "查看敏感信息明文",
    "sensitive_view": "查看敏感信息",
    "id_exists_probe": "告知公民身份号码已在范围外登记",
    "id_probe_throttled": "公民身份号码查询超限",
    "id_number_change_denied": "修改公民身份号码被拒绝",
    "person_create": "人员登记",
    "membership_start": "编入党组织",
    "membership_change_category": "转为正式党员",
    "membership_end": "结束组织关系",
    "membership_transfer": "组织关系转接",
    "membership_event": "党员变动",
    "membership_event_revoke": "撤销党员变动",
    # 组织关系转接 across scopes and out of / into Zugong (issue #10, party.transfers and party.letters)
    "transfer_start": "发起组织关系转接",
    "transfer_accept": "接收组织关系",
    "transfer_return": "退回组织关系转接",
    "transfer_cancel": "撤回组织关系转接",
    "transfer_out_issue": "转出本系统（开具介绍信）",
    "transfer_in_register": "登记转入党员",
    "transfer_letter": "打印党员组织关系介绍信",
    "whole_unit_transfer": "整建制转接",
    "member_status_start": "登记党员状态",  # 流动党员 / 失联党员 / 出国（境） (issue #10)
    "member_status_end": "结束党员状态",
    "organization_term_record": "登记换届",
    # 党支部建设 (issue #11): 班子成员, 书记持证上岗
    "branch_officer_appoint": "班子成员任职",
    "branch_officer_end": "班子成员离任",
    "branch_officer_correct": "更正班子成员",
    # 干部职务与任免 (issue #12, cadres.posts)
    "cadre_post_create": "设立职务岗位",
    "cadre_post_edit": "更正职务岗位",
    "cadre_post_close": "撤销职务岗位",
    "cadre_quota_set": "核定领导职数",
    "cadre_establishment_set": "核定编制",
    "cadre_appointment_create": "干部任职",
    "cadre_appointment_remove": "干部免职",
    "cadre_appointment_edit": "更正任免记录",
    "cadre_rank_set": "确定职级",
    "secretary_training_record": "登记书记培训考试",
    "secretary_certificate_issue": "颁发书记任职资格证书",
    "secretary_certificate_renew": "书记任职资格证书换证",
    "secretary_certificate_revoke": "撤销书记任职资格证书",
    # 达标晋级 (issue #11)
    # 年报上报与汇总 (issue #13, reports.package)
    "instance_init": "初始化实例身份和签名密钥",
    "annual_package": "生成年报上报包",
    "annual_aggregate": "汇总下级年报上报包",
    "grading_record": "登记达标晋级评定",
    "grading_edit": "修改达标晋级评定",
    "weak_branch_identify": "列入软弱涣散党组织",
    "weak_branch_rectify": "登记软弱涣散整改",
    "weak_branch_verify": "软弱涣散整改验收",
    "development_start": "登记入党申请",  # 发展党员 (issue #11, development.services)
    "development_step": "登记发展步骤",
    "development_mentors_assign": "指定培养联系人",
    "development_sponsors_assign": "指定入党介绍人",
    "development_close": "终止培养",
    "meeting_record": "记录组织生活会议",  # 组织生活 (issue #11, life.services)
    "meeting_edit": "修改组织生活会议",
    "meeting_delete": "删除组织生活会议",
    "meeting_attachment_add": "添加会议附件",
    "member_evaluation_record": "登记民主评议党员结果",  # 民主评议党员, 第八表 (issue #11, life.evaluations)
    # 档案专项审核 (issue #12, cadres.dossier.services)
    "dossier_audit_run": "档案专项审核",
    "dossier_finding_decide": "认定档案审核问题",
    "cadre_create": "新增干部",  # 干部信息 (issue #12, cadres.record.services)
    "cadre_update": "修改干部信息",
    "cadre_status": "变更干部状态",
    "cadre_record_add": "新增干部信息子项",
    "cadre_record_change": "修改干部信息子项",
    "cadre_record_delete": "删除干部信息子项",
    "cadre_record_reorder": "调整干部信息子项顺序",
    "cadre_record_replace": "整体更新干部信息子项",
    "cadre_photo_set": "上传干部照片",
    "cadre_photo_remove": "删除干部照片",
    # 干部工作 (issue #12): 后备干部 (cadres.reserve) and 处理处分记录 (cadres.eligibility)
    "reserve_enter": "后备干部入库",
    "reserve_move": "后备干部调整类别",
    "reserve_exit": "后备干部出库",
    "reserve_review": "后备干部复核",
    "reserve_measure_add": "登记后备干部培养措施",
    "reserve_measure_follow_up": "后备干部培养措施跟踪",
    "supervision_record_create": "登记处理处分记录",
    "supervision_record_update": "更正处理处分记录",
    "supervision_record_delete": "删除处理处分记录",
    "import": "导入",
    "export": "导出",
    "audit_read": "查阅审计日志",
    "audit_export": "导出审计日志",
    "audit_purge": "清理过期审计日志",
    "backup": "备份",
    "restore": "恢复",
    "member_counts_rebuild": "重建党员计数",
    "setup": "系统初始化",
    "demo_generate": "生成演示数据",
    "demo_reset": "重置演示数据",
    "cadre_form_import_create": "导入任免审批表新增干部",
    "cadre_form_import_update": "导入任免审批表更新干部",
}


def kind_label(kind: str) -> str:
    """Chinese name of ``kind`` (the code itself when unknown)."""
    return EVENT_KINDS.get(kind, kind)
