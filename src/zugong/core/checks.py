"""System checks (``zugong check --deploy``): no active superuser in production except one sealed
break-glass account configured explicitly (``ZUGONG_BREAK_GLASS_USERNAME``)."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.db import DatabaseError


@register(Tags.security, deploy=True)
def no_active_superuser(app_configs, **kwargs):
    if settings.DEBUG:
        return []
    from django.contrib.auth import get_user_model

    allowed = os.environ.get("ZUGONG_BREAK_GLASS_USERNAME", "")
    try:
        names = list(get_user_model().objects.filter(is_superuser=True, is_active=True)
                     .exclude(username=allowed).values_list("username", flat=True)[:5])
    except DatabaseError:
        return []
    if names:
        return [Error(f"生产环境存在启用的超级用户：{', '.join(names)}（三权分立要求停用，应急账号须通过 "
                      "ZUGONG_BREAK_GLASS_USERNAME 显式配置）", id="zugong.E001")]
    return []
