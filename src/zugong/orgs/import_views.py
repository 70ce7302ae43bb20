"""党组织 import pages: upload → progress → result (generic views in ``core.import_views``)."""

from __future__ import annotations

from zugong.core import import_views as generic
from zugong.orgs.importers import ORG_COLUMNS, import_organizations, organizations_template

PAGE = generic.ImportPage(
    kind="orgs", title="党组织", runner=import_organizations, columns=ORG_COLUMNS, namespace="orgs",
    url_prefix="import", template=organizations_template, done_url_name="orgs:tree", done_label="查看组织树",
    help_lines=(
        "上级组织可以是已有组织，也可以是本文件中的组织，行的顺序不限。",
        "已有的组织代码会更新名称、类别等；上级组织代码改变会把该组织（连同下级）移到新上级下。",
        "只能在您有导入权限的组织下新建或移动组织；组织不能成为自己或下级的下级。",
    ),
)

import_form = generic.import_form(PAGE)
import_template = generic.template_download(PAGE)
import_job = generic.job_detail(PAGE)
import_job_status = generic.job_status(PAGE)
import_job_errors = generic.job_errors(PAGE)
