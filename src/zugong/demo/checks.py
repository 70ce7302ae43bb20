"""Deploy check of the demo data (registered when ``OrgsConfig.ready`` imports this module).

``zugong.E004`` (GB/T 22239-2019 8.1.4.1 a, 8.1.4.2 e): the demo dataset (root organization ``QS``) or a
demo account still holding the published demo password exists. Only ``zugong demo`` sets that password
(``PublishedPasswordValidator`` refuses it everywhere else), always on ``DEMO_USERNAMES``, so those
accounts are the ones checked.
"""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.db import DatabaseError


@register(Tags.security, deploy=True)
def no_demo_data(app_configs, **kwargs):
    if settings.DEBUG:
        return []
    from django.contrib.auth import get_user_model

    from zugong.demo.accounts import DEMO_PASSWORD, DEMO_USERNAMES
    from zugong.demo.generator import ROOT_CODE
    from zugong.orgs.models import PartyOrganization

    problems = []
    try:
        if PartyOrganization.objects.filter(code=ROOT_CODE).exists():
            problems.append(f"存在演示数据（组织代码 {ROOT_CODE}）")
        demo_users = [u.username for u in get_user_model().objects.filter(username__in=DEMO_USERNAMES)
                      if u.check_password(DEMO_PASSWORD)]
    except DatabaseError:
        return []
    if demo_users:
        problems.append(f"演示账号仍使用公开的演示密码：{', '.join(demo_users)}")
    if problems:
        return [Error("生产环境不得保留演示内容：" + "；".join(problems) + "。请使用新的数据库，或删除演示数据并停用这些账号。",
                      id="zugong.E004")]
    return []
