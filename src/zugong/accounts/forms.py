from django import forms


class LoginForm(forms.Form):
    """Login form (username + password)."""

    username = forms.CharField(label="用户名", max_length=150)
    password = forms.CharField(label="密码", widget=forms.PasswordInput, strip=False)
