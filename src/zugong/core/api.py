"""API helpers: the exception handler that turns ``zugong.core.errors`` into JSON responses."""

from __future__ import annotations

from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from zugong.core.errors import ValidationFailed, ZugongError


def exception_handler(exc, context):
    """DRF exception handler: ``ZugongError`` → ``{"detail": message[, "errors": [...]]}`` with the
    error's status (400/403/404/409); everything else as DRF does."""
    if isinstance(exc, ZugongError):
        body = {"detail": exc.message}
        if isinstance(exc, ValidationFailed):
            body["errors"] = [{"row": e.row, "column": e.column, "reason": e.reason} for e in exc.errors]
        return Response(body, status=exc.status_code)
    return drf_exception_handler(exc, context)
