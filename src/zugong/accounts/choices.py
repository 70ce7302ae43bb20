"""Built-in roles. Permissions are ``"<label>.<action>"`` over ``zugong.core.scoping.DATA_LABELS`` and
``ACTIONS``. The three administrator roles (三权分立, GB/T 22239-2019 8.1.4.2) carry none."""

BUSINESS_ACTIONS = ("view", "add", "change", "delete", "import", "export")
ALL_LABELS = ("basic", "party", "cadre", "assessment", "discipline", "personal_matters", "travel_documents")

BUILTIN_ROLES = [
    {
        "code": "org_department",
        "name": "组织部门管理员",
        "permissions": [f"{label}.{action}" for label in ALL_LABELS for action in (*BUSINESS_ACTIONS, "unmask")],
        "description": "组织部门：管辖范围内全部业务数据，含敏感信息明文查看。",
    },
    {
        "code": "party_affairs",
        "name": "党务工作者",
        "permissions": [f"{label}.{action}" for label in ("basic", "party") for action in BUSINESS_ACTIONS],
        "description": "基层党委、党总支的党务工作者：党员和组织数据的维护、导入、导出。",
    },
    {
        "code": "branch_secretary",
        "name": "支部书记",
        "permissions": [f"{label}.{action}" for label in ("basic", "party") for action in ("view", "add", "change", "export")],
        "description": "党支部书记：本支部党员信息。",
    },
    {
        "code": "cadre_affairs",
        "name": "干部工作人员",
        "permissions": ["basic.view", *[f"{label}.{action}" for label in ("cadre", "assessment")
                                        for action in BUSINESS_ACTIONS], "discipline.view"],
        "description": "组织部门干部科（室）、人事部门：管辖单位内干部信息、考核；查看处理处分记录。",
    },
    {
        "code": "viewer",
        "name": "只读用户",
        "permissions": ["basic.view", "party.view"],
        "description": "只读查看基本信息和党员信息。",
    },
    {"code": "system_admin", "name": "系统管理员", "permissions": [], "admin_kind": "system",
     "description": "账号、配置、备份；不接触业务数据。"},
    {"code": "security_admin", "name": "安全管理员", "permissions": [], "admin_kind": "security",
     "description": "角色、授权、数据标签、密码策略；不接触业务数据。"},
    {"code": "audit_admin", "name": "审计管理员", "permissions": [], "admin_kind": "audit",
     "description": "查阅、导出审计日志；不接触业务数据。"},
]
