"""Typed errors raised by services; every interface (page, API, CLI) turns them into a clear message.

- ``ZugongError``: base class; ``message`` is Chinese text safe to show to the user.
- ``ValidationFailed``: input rejected; ``errors`` is a list of ``RowError`` (row, column, reason).
- ``OutOfScope``: the object or organization is outside the user's data scope (shown as 404/refusal,
  never naming the out-of-scope object).
- ``ConcurrentEdit``: the record changed since it was loaded (HTTP 409).
- ``PermissionDeniedError``: the user lacks the action/label permission (HTTP 403).
"""

from __future__ import annotations

from dataclasses import dataclass


class ZugongError(Exception):
    """Base error with a user-facing Chinese ``message``."""

    status_code = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class RowError:
    """One problem in an input file or form: 1-based ``row`` (file row number, header = 1; 0 = whole
    file), ``column`` (header text, or ``""`` for the row as a whole) and Chinese ``reason``."""

    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"第{self.row}行" if self.row else "文件"
        if self.column:
            where += f"「{self.column}」"
        return f"{where}：{self.reason}"


class ValidationFailed(ZugongError):
    """Input rejected; nothing was written. ``errors``: list of ``RowError``."""

    def __init__(self, errors: list[RowError], message: str | None = None):
        self.errors = list(errors)
        super().__init__(message or f"共发现 {len(self.errors)} 处错误，未写入任何数据。")


class OutOfScope(ZugongError):
    """The target is outside the user's data scope."""

    status_code = 404

    def __init__(self, message: str = "对象不存在或不在您的数据范围内。"):
        super().__init__(message)


class PermissionDeniedError(ZugongError):
    """The user's roles do not grant this action on this data label."""

    status_code = 403

    def __init__(self, message: str = "您没有执行此操作的权限。"):
        super().__init__(message)


class ConcurrentEdit(ZugongError):
    """The record was changed by someone else since it was loaded (optimistic locking).

    ``record``: the stale record (a model instance), when the raiser knows it — its model label and pk
    are kept (``model_label``, ``object_id``) so an interface can say who changed it, when and what
    (``core.concurrency.last_change``)."""

    status_code = 409
    default_message = "该记录已被他人修改，请刷新后重新编辑。您的修改未保存。"

    def __init__(self, message: str | None = None, *, record=None):
        super().__init__(message or self.default_message)
        self.model_label = record._meta.label_lower if record is not None else ""
        self.object_id = record.pk if record is not None else None


INTEGRITY = "数据完整性"


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One rule broken by one value, as the pure validators of each app return it (``<app>/validators.py``):
    Chinese ``field`` name (form label, API error ``column``, import header), ``reason`` (a Chinese
    sentence) and the rule's ``source`` (regulation and article, or 「数据完整性」 for a rule of the record
    itself)."""

    field: str
    reason: str
    source: str = INTEGRITY


def as_row_errors(problems: list[FieldProblem], row: int = 0) -> list[RowError]:
    """``problems`` as ``RowError`` of ``row`` (0 = a form or API request)."""
    return [RowError(row, p.field, p.reason) for p in problems]


def fail(problems: list[FieldProblem]) -> None:
    """Raise ``ValidationFailed`` with one ``RowError(0, field, reason)`` a problem and the message
    「「field」：reason；…」; nothing when ``problems`` is empty."""
    if problems:
        errors = as_row_errors(problems)
        raise ValidationFailed(errors, message="；".join(f"「{e.column}」：{e.reason}" for e in errors))
