"""Forms of the account pages. They only parse input; rules live in ``accounts.services``."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model

from zugong.accounts.models import Role
from zugong.accounts.services import permission_choices


class LoginForm(forms.Form):
    """Login form (username + password)."""

    username = forms.CharField(label="用户名", max_length=150)
    password = forms.CharField(label="密码", widget=forms.PasswordInput, strip=False)


class TokenForm(forms.Form):
    """A 6-digit TOTP code."""

    token = forms.RegexField(label="动态口令", regex=r"^\s*\d{6}\s*$", max_length=12,
                             error_messages={"invalid": "请输入手机令牌上显示的 6 位数字。"},
                             widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))

    def clean_token(self) -> str:
        return self.cleaned_data["token"].strip()


class ReauthForm(forms.Form):
    password = forms.CharField(label="当前密码", widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
                               strip=False)


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label="原密码", widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
                                   strip=False)
    new_password = forms.CharField(label="新密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                   strip=False)
    new_password2 = forms.CharField(label="确认新密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                    strip=False)

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", "两次输入的新密码不一致。")
        return data


class _PasswordPairForm(forms.Form):
    """Base for forms with ``password`` + ``password2`` that must match."""

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", "两次输入的密码不一致。")
        return data


class UserCreateForm(_PasswordPairForm):
    username = forms.CharField(label="用户名", max_length=150)
    full_name = forms.CharField(label="姓名", max_length=50, required=False)
    password = forms.CharField(label="初始密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                               strip=False, help_text="用户首次登录时须修改。")
    password2 = forms.CharField(label="确认初始密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                strip=False)


class ResetPasswordForm(_PasswordPairForm):
    password = forms.CharField(label="临时密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                               strip=False, help_text="用户下次登录时须修改。")
    password2 = forms.CharField(label="确认临时密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                strip=False)


class GrantForm(forms.Form):
    """A role grant: user, role and — for business roles — the anchor: an organization by its 组织代码 *or* a
    unit by its 单位代码 (exactly one; ``accounts.services.grant_role`` refuses both or neither)."""

    user = forms.ModelChoiceField(label="用户", queryset=get_user_model().objects.none())
    role = forms.ModelChoiceField(label="角色", queryset=Role.objects.all())
    organization_code = forms.CharField(label="授权组织代码", max_length=50, required=False,
                                        help_text="业务角色填授权组织代码或授权单位代码之一；管理员角色为全系统授权，无需填写。")
    unit_code = forms.CharField(label="授权单位代码", max_length=50, required=False,
                                help_text="授权在单位树上（单位数据）；与授权组织代码二选一。")
    include_subtree = forms.BooleanField(label="含下级组织（单位）", required=False, initial=True)
    expires_on = forms.DateField(label="失效日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = get_user_model().objects.filter(is_active=True).order_by("username")
        self.fields["user"].label_from_instance = lambda u: f"{u.username}（{u.full_name}）" if u.full_name else u.username


class RoleForm(forms.Form):
    code = forms.CharField(label="角色代码", max_length=50, required=False)
    name = forms.CharField(label="角色名称", max_length=50)
    description = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    permissions = forms.MultipleChoiceField(label="权限", required=False, widget=forms.CheckboxSelectMultiple,
                                            choices=permission_choices)
