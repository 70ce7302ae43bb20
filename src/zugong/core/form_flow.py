"""The submit step shared by the pages that change a record through a service.

A page validates its form, then calls one service; the service's typed errors become what the page
shows: ``ValidationFailed`` → its problems (「字段」：原因) and HTTP 400, ``ConcurrentEdit`` → the conflict
message and 409 (the page may add who changed what), ``OutOfScope`` → 404 (the record "does not exist"
for the user, ``design.md`` rule 1). One place, so every edit page answers the same way.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404

from zugong.core.errors import ConcurrentEdit, OutOfScope, ValidationFailed


def error_lines(exc: ValidationFailed) -> list[str]:
    """The problems of ``exc`` as page lines: 「字段」：原因 (or the reason alone), else its message."""
    return [f"「{e.column}」：{e.reason}" if e.column else e.reason for e in exc.errors] or [exc.message]


def run_service(call: Callable[[], object], *, not_found: str,
                conflict: Callable[[ConcurrentEdit], list[str]] | None = None) -> tuple[object, list[str], int]:
    """``call()`` and its outcome as ``(result, errors, status)``: ``(result, [], 200)`` on success,
    ``(None, error_lines(exc), 400)`` for ``ValidationFailed``, ``(None, conflict(exc) or [exc.message],
    409)`` for ``ConcurrentEdit``. Raises ``Http404(not_found)`` for ``OutOfScope``."""
    try:
        return call(), [], 200
    except ConcurrentEdit as exc:
        return None, conflict(exc) if conflict else [exc.message], 409
    except ValidationFailed as exc:
        return None, error_lines(exc), 400
    except OutOfScope:
        raise Http404(not_found) from None
