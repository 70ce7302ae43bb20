"""Registrations of the cadres part ``structure`` (issue #12 item 8): navigation, scoped views, the API
path and the 干部名册 import kind."""


def register(app_label: str) -> None:
    """Called from ``CadresConfig.ready()``."""
    from zugong.core import registry

    registry.register_nav(section="统计报表", label="干部结构分析", url_name="cadres:structure", order=420,
                          permission="cadre.view", app=app_label)
    registry.register_nav(section="数据导入", label="导入干部名册", url_name="cadres:roster_import", order=335,
                          permission="cadre.import", app=app_label)
    registry.register_api_path(route="stats/cadres/", view="zugong.cadres.structure.api.CadreStructureView",
                               name="cadre-stats")
    registry.register_import_kind(
        code="cadre_roster", label="干部名册", runner="zugong.cadres.structure.importers.import_cadre_roster",
        template="zugong.cadres.structure.importers.roster_template", permission="cadre.import",
        model="cadres.Cadre", columns="zugong.cadres.structure.importers.ROSTER_IMPORT_COLUMNS",
        url_name="cadres:roster_import", importer="zugong.cadres.structure.importers.CadreRosterImporter",
        done_url_name="cadres:structure", done_label="查看干部结构分析",
        help_lines=(
            "干部名册的列：序号、单位、姓名、职务、性别、民族、籍贯、出生年月、入党时间、参加工作时间、全日制学历、毕业院校及专业、"
            "在职教育、毕业院校及专业、任现职时间、任同级职务时间、职级、编制、备注（表头按名称识别）。",
            "按姓名和出生年月匹配您管理范围内的干部并更新；新增干部须另加「公民身份号码」列。",
            "单位填单位代码或名称；日期填 yyyy.MM；任何一行有错误则全部不写入；同一文件重复导入不会重复登记。",
        ))
    # --- the statistics are reports of one unit's subtree (``?unit=`` / ``?org=`` 单位代码): a detail of that
    # unit read with the cadre label; the 干部名册 is an export of the cadres under it
    unit = "orgs.Unit"
    view = registry.register_view
    view(url_name="cadres:structure", kind="detail", model=unit, action="view", label="cadre", object_param="unit")
    view(url_name="cadres:structure_xlsx", kind="detail", model=unit, action="export", label="cadre",
         object_param="unit")
    view(url_name="api:cadre-stats", kind="detail", model=unit, action="view", label="cadre", object_param="org",
         api=True)
    view(url_name="cadres:roster_xlsx", kind="export", model="cadres.Cadre", action="export", object_model=unit,
         object_param="unit")
