"""单位 import pages: upload → progress → result (generic views in ``core.import_views``)."""

from __future__ import annotations

from zugong.core import import_views as generic
from zugong.orgs.unit_importers import UNIT_COLUMNS, import_units, units_template

PAGE = generic.ImportPage(
    kind="units", title="单位", runner=import_units, columns=UNIT_COLUMNS, namespace="orgs",
    url_prefix="unit_import", template=units_template, done_url_name="orgs:unit_list", done_label="查看单位",
    help_lines=(
        "上级单位可以是已有单位，也可以是本文件中的单位，行的顺序不限；新建顶级单位只能由系统初始化完成。",
        "已有的单位代码会更新各列；导入不调整上级单位（请在单位页面办理）。",
        "统一社会信用代码按 GB 32100-2015 核对校验位；经济控制类型、企业规模只适用于企业。",
    ),
)

import_form = generic.import_form(PAGE)
import_template = generic.template_download(PAGE)
import_job = generic.job_detail(PAGE)
import_job_status = generic.job_status(PAGE)
import_job_errors = generic.job_errors(PAGE)
