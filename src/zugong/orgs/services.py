"""Organization services: every change to the party organization tree goes through here."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from zugong.core.codes import ORG_TYPE, UNIT_CATEGORY
from zugong.core.errors import ZugongError
from zugong.orgs.models import PartyOrganization


@transaction.atomic
def organization_create(*, code: str, name: str, org_type: str, parent: PartyOrganization | None = None,
                        unit_category: str = "", founded_date: dt.date | None = None) -> PartyOrganization:
    """Create a 党组织 under ``parent`` (a root when ``None``). ``org_type``/``unit_category`` are codes
    of ``ORG_TYPE``/``UNIT_CATEGORY``. Raises ``ZugongError`` for a duplicate code or unknown type."""
    if org_type not in ORG_TYPE.entries:
        raise ZugongError(f"未知的组织类别：{org_type}")
    if unit_category and unit_category not in UNIT_CATEGORY.entries:
        raise ZugongError(f"未知的单位属性：{unit_category}")
    if PartyOrganization.objects.filter(code=code).exists():
        raise ZugongError(f"组织代码 {code} 已存在")
    fields = dict(code=code, name=name, org_type=org_type, unit_category=unit_category, founded_date=founded_date)
    if parent is None:
        return PartyOrganization.objects.add_root(fields)
    parent = PartyOrganization.objects.get(pk=parent.pk)  # fresh path/numchild
    return PartyOrganization.objects.add_child(parent, fields)
