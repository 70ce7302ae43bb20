"""Registrations of the cadres part ``lrmx``: the two buttons of the cadre page (导出任免审批表 → ``.lrmx``,
打印任免审批表（Word） → ``.docx``), both for holders of ``cadre.export``."""


def register(app_label: str) -> None:
    """Called from ``CadresConfig.ready()``."""
    from zugong.cadres.panels import register_action

    register_action(name="form_lrmx", label="导出任免审批表", url_name="cadres:form_lrmx", order=10,
                    permission="cadre.export")
    register_action(name="form_docx", label="打印任免审批表（Word）", url_name="cadres:form_docx", order=11,
                    permission="cadre.export")
