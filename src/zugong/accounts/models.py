"""Accounts: users, roles (permissions over data labels × actions) and role grants at org nodes.

A grant at an organization node covers its subtree when ``include_subtree`` (``design.md`` rule 1).
Built-in roles (``choices.BUILTIN_ROLES``) include the three separated administrator roles (三权分立:
system, security, audit administrators), none of which carries business-data permissions.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone


class User(AbstractUser):
    """A login account. Security state (lockout, password age) lives here; data scope comes only from
    ``RoleGrant`` rows, never from ``is_superuser``/``is_staff``.

    After an administrator resets the password or the second factor of a business account,
    ``grants_suspended_at``/``grants_suspended_by`` are set: none of the user's grants is in force
    (``RoleGrant.objects.in_force()``) until a security administrator other than the resetter confirms
    them (``accounts.services.grants_confirm``); ``must_enrol_otp`` sends the user to TOTP enrolment at
    the next login."""

    scope_exempt = "accounts: login accounts, seen by administrators only (三权分立), not organization data"

    full_name = models.CharField("姓名", max_length=50, blank=True)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)
    failed_login_count = models.PositiveIntegerField("连续登录失败次数", default=0)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)
    is_break_glass = models.BooleanField("应急账号", default=False)
    must_change_password = models.BooleanField("下次登录须修改密码", default=False)
    must_enrol_otp = models.BooleanField("下次登录须重新绑定动态口令", default=False)
    grants_suspended_at = models.DateTimeField("授权暂停时间", null=True, blank=True)
    grants_suspended_by = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                            verbose_name="暂停授权的管理员")

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def is_locked(self) -> bool:
        """True while a lockout is in force."""
        return bool(self.locked_until and self.locked_until > timezone.now())

    def set_password(self, raw_password) -> None:
        """Hash and set the password and stamp ``password_changed_at`` (password expiry counts from it).
        History and policy checks live in ``accounts.services``."""
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()


class PasswordHistory(models.Model):
    """Previous password hashes of a user (reuse of the last 5 is refused)."""

    scope_exempt = "accounts: password hashes of one user, never listed"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "历史密码"
        verbose_name_plural = "历史密码"

    def __str__(self) -> str:
        return f"{self.user_id}@{self.created_at:%Y-%m-%d}"


class Role(models.Model):
    """A role: a named set of ``"<label>.<action>"`` permissions (``"*.<action>"`` = every label).

    ``admin_kind`` marks the three separated administrator roles (``system``, ``security``, ``audit``);
    they carry no business-data permissions."""

    scope_exempt = "accounts: role definitions, managed by the security administrator"

    ADMIN_KINDS = [("", "业务角色"), ("system", "系统管理员"), ("security", "安全管理员"), ("audit", "审计管理员")]

    code = models.SlugField("角色代码", max_length=50, unique=True)
    name = models.CharField("角色名称", max_length=50)
    permissions = models.JSONField("权限", default=list, blank=True)
    admin_kind = models.CharField("管理角色类别", max_length=10, choices=ADMIN_KINDS, blank=True, default="")
    is_builtin = models.BooleanField("内置", default=False)
    description = models.TextField("说明", blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "角色"
        verbose_name_plural = "角色"

    def __str__(self) -> str:
        return self.name


class RoleGrantQuerySet(models.QuerySet):
    def active(self):
        """Grants in force now (not revoked, not expired)."""
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now))

    def in_force(self):
        """Grants that confer rights now: ``active()`` and the holder's grants are not suspended after an
        administrator reset (``User.grants_suspended_at``). Every scoping path reads grants through this;
        ``active()`` alone still counts for the separation-of-duties checks."""
        return self.active().filter(user__grants_suspended_at__isnull=True)


class RoleGrant(models.Model):
    """``user`` holds ``role`` at an anchor node — a party organization (``organization``) or a unit
    (``unit``) — and its subtree when ``include_subtree`` (``core.scoping``: each foreign key is named
    like its anchor kind).

    Grants of the three administrator roles are system-wide and name no anchor (both ``NULL``); a business
    role names exactly one, an organization or a unit (``accounts.services.grant_role``; the database
    refuses a grant naming both)."""

    scope_exempt = "accounts: the grants scoping is computed from, managed by the security administrator"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grants",
                             verbose_name="用户")
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="grants", verbose_name="角色")
    organization = models.ForeignKey("orgs.PartyOrganization", on_delete=models.PROTECT, related_name="grants",
                                     verbose_name="授权组织", null=True, blank=True)
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="grants",
                             verbose_name="授权单位", null=True, blank=True)
    include_subtree = models.BooleanField("含下级组织", default=True)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name="授权人")
    created_at = models.DateTimeField("授权时间", auto_now_add=True)
    expires_at = models.DateTimeField("失效时间", null=True, blank=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name="撤销人")

    objects = RoleGrantQuerySet.as_manager()

    class Meta:
        verbose_name = "角色授权"
        verbose_name_plural = "角色授权"
        constraints = [
            models.CheckConstraint(condition=models.Q(organization__isnull=True) | models.Q(unit__isnull=True),
                                   name="accounts_grant_one_anchor"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.role} @ {self.anchor or '全系统'}"

    @property
    def anchor(self):
        """The node the grant hangs on: its organization or its unit (``None`` for an administrator)."""
        return self.organization or self.unit


class AdminResetRequest(models.Model):
    """A reset of an administrator account's password or second factor, waiting for an administrator of
    another kind (三权分立, GB/T 22239-2019 8.1.4.2 c). ``password`` holds the hash of the temporary
    password until the request is decided, then is cleared. At most one pending request per account
    and kind; a request left pending longer than ``accounts.services.RESET_REQUEST_HOURS`` expires."""

    scope_exempt = "accounts: administrator resets, seen by administrators only"

    KINDS = [("password", "重置密码"), ("otp", "重置动态口令")]
    STATUSES = [("pending", "待批准"), ("approved", "已批准"), ("rejected", "已驳回"), ("expired", "已过期")]

    target = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reset_requests",
                               verbose_name="被重置账号")
    kind = models.CharField("重置类别", max_length=10, choices=KINDS)
    password = models.CharField("临时密码（散列）", max_length=128, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
                                     verbose_name="申请人")
    requested_kind = models.CharField("申请人管理员类别", max_length=10)
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    status = models.CharField("状态", max_length=10, choices=STATUSES, default="pending")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name="审批人")
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = "管理员账号重置申请"
        verbose_name_plural = "管理员账号重置申请"
        constraints = [
            models.UniqueConstraint(fields=["target", "kind"], condition=models.Q(status="pending"),
                                    name="accounts_one_pending_reset_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.target_id} ({self.get_status_display()})"
