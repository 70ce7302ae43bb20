"""Registrations of the cadres part ``formfiles``: the navigation entry 数据导入 → 导入干部任免审批表 and the
import kind ``lrmx`` (its batches are ``ImportJob`` rows: the home page's recent imports link to them)."""

from zugong.core import registry


def register(app_label: str) -> None:
    """Called from ``CadresConfig.ready()``."""
    registry.register_nav(section="数据导入", label="导入干部任免审批表", url_name="cadres:form_import", order=330,
                          permission="cadre.import", app=app_label)
    registry.register_import_kind(
        code="lrmx", label="干部任免审批表", runner="zugong.cadres.formfiles.services.import_path_runner",
        template="zugong.cadres.formfiles.services.blank_template", permission="cadre.import",
        model="cadres.Cadre", url_name="cadres:form_import", job_url_name="cadres:form_import",
        help_lines=("上传 .lrmx（3.x）或 .lrm（2.0，附同名 .pic 照片）文件，可多选、选择文件夹或打包为 .zip；"
                    "预览每个文件与现有记录的差异，勾选后确认导入。",),
        done_url_name="cadres:form_import", done_label="返回导入页面")
