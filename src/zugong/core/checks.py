"""System checks run by ``zugong check --deploy`` (production settings, ``DEBUG`` off).

- ``zugong.E001`` (三权分立, GB/T 22239-2019 8.1.4.2 c): an active Django superuser exists. Allowed only
  for one sealed break-glass account configured explicitly: its username in
  ``ZUGONG_BREAK_GLASS_USERNAME`` *and* ``User.is_break_glass`` set.
- ``zugong.W002``: the TOTP second factor is switched off (``ZUGONG_REQUIRE_OTP=0``) in production.
- ``zugong.W003``: session limits weaker than the policy (idle > 30 minutes or lifetime > 12 hours).

``zugong.E004`` (demo data left in production) lives with the demo data, in ``zugong.demo.checks``
(registered by the ``orgs`` app: ``core`` names no domain app).
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.db import DatabaseError


@register(Tags.security, deploy=True)
def no_active_superuser(app_configs, **kwargs):
    if settings.DEBUG:
        return []
    from django.contrib.auth import get_user_model

    allowed = os.environ.get("ZUGONG_BREAK_GLASS_USERNAME", "")
    try:
        qs = get_user_model().objects.filter(is_superuser=True, is_active=True)
        if allowed:
            qs = qs.exclude(username=allowed, is_break_glass=True)
        names = list(qs.values_list("username", flat=True)[:5])
    except DatabaseError:
        return []
    if names:
        return [Error(f"生产环境存在启用的超级用户：{', '.join(names)}（三权分立要求停用，应急账号须通过 "
                      "ZUGONG_BREAK_GLASS_USERNAME 显式配置并标记为应急账号）", id="zugong.E001")]
    return []


@register(Tags.security, deploy=True)
def second_factor_enabled(app_configs, **kwargs):
    if settings.DEBUG or getattr(settings, "ZUGONG_REQUIRE_OTP", True):
        return []
    return [Warning("生产环境关闭了动态口令（ZUGONG_REQUIRE_OTP=0）：管理员和可查看明文、导出数据的用户须使用双因素认证。",
                    id="zugong.W002")]


@register(Tags.security, deploy=True)
def session_limits(app_configs, **kwargs):
    if settings.DEBUG:
        return []
    if getattr(settings, "SESSION_IDLE_TIMEOUT", 0) > 30 * 60 or settings.SESSION_COOKIE_AGE > 12 * 3600:
        return [Warning("会话空闲超时应不超过 30 分钟、最长有效期不超过 12 小时。", id="zugong.W003")]
    return []
