"""Audit log reads for the audit administrator: one filter used by the page and the exports."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from zugong.audit.models import AuditEvent
from zugong.audit.presentation import object_types_named, personal_models
from zugong.core.dates import DateParseError, parse_date

FILTER_FIELDS = ("date_from", "date_to", "kind", "actor", "object_type", "object_id", "request_id", "ip", "q")


def _day(value: str) -> dt.date | None:
    try:
        return parse_date(value)[0] if value else None
    except DateParseError:
        return None


def audit_events(params) -> tuple:
    """``(queryset, filters)`` of audit events matching ``params`` (a QueryDict or dict):
    ``date_from``/``date_to`` (inclusive days, local time), ``kind``, ``actor`` (username, exact),
    ``object_type`` (the recorded code or its Chinese name, ``audit.presentation.object_type_label``),
    ``object_id``, ``request_id``, ``ip`` and ``q`` (text in the summary of events that
    are not about a person — see ``audit.presentation``). ``filters`` is
    the dict of non-empty values actually applied, newest events first."""
    filters = {k: str(params.get(k, "")).strip()[:100] for k in FILTER_FIELDS}
    filters = {k: v for k, v in filters.items() if v}
    qs = AuditEvent.objects.order_by("-id")
    tz = timezone.get_current_timezone()
    start = _day(filters.get("date_from", ""))
    if start:
        qs = qs.filter(created_at__gte=dt.datetime.combine(start, dt.time.min, tzinfo=tz))
    elif "date_from" in filters:
        filters.pop("date_from")
    end = _day(filters.get("date_to", ""))
    if end:
        qs = qs.filter(created_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    elif "date_to" in filters:
        filters.pop("date_to")
    if "object_type" in filters:  # a Chinese name (人员, 用户 …) or the recorded code
        named = object_types_named(filters["object_type"])
        qs = qs.filter(object_type__in=named) if named else qs.filter(object_type=filters["object_type"])
    exact = {"kind": "kind", "actor": "actor_username", "object_id": "object_id",
             "request_id": "request_id", "ip": "ip_address"}
    for key, field in exact.items():
        if key in filters:
            qs = qs.filter(**{field: filters[key]})
    if "q" in filters:
        # only events not about a person: older summaries name people, and a match would tie a name to
        # its pseudonym on the page (audit.presentation)
        qs = qs.filter(summary__icontains=filters["q"]).exclude(object_type__in=list(personal_models()))
    return qs, filters
