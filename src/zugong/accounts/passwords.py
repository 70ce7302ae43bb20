"""Password policy (GB/T 22239-2019 8.1.4.1 身份鉴别): at least 12 characters with 3 of the 4 classes
(upper, lower, digit, symbol), not containing the username; reuse of the last 5 passwords refused by
``accounts.services.change_password``."""

from __future__ import annotations

from django.core.exceptions import ValidationError

MIN_LENGTH = 12
MIN_CLASSES = 3
HISTORY_DEPTH = 5


class ComplexityValidator:
    """Django password validator for the policy above."""

    def validate(self, password: str, user=None) -> None:
        errors = []
        if len(password) < MIN_LENGTH:
            errors.append(f"密码长度至少 {MIN_LENGTH} 位。")
        classes = sum([
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ])
        if classes < MIN_CLASSES:
            errors.append("密码须包含大写字母、小写字母、数字、符号中的至少三类。")
        if user is not None:
            for attr in ("username", "full_name"):
                value = (getattr(user, attr, "") or "").lower()
                if value and len(value) >= 3 and value in password.lower():
                    errors.append("密码不得包含用户名或姓名。")
                    break
        if errors:
            raise ValidationError(errors)

    def get_help_text(self) -> str:
        return f"至少 {MIN_LENGTH} 位，包含大写字母、小写字母、数字、符号中的至少三类，不得包含用户名。"
