"""Optimistic locking (乐观锁): an editable record carries ``version``; a save made from a stale copy is
refused with ``core.errors.ConcurrentEdit`` (HTTP 409 in the API) instead of silently overwriting the
other editor's change.

``save_with_version(instance, expected_version, update_fields)`` issues one
``UPDATE … SET <fields>, version = version + 1, updated_at = now WHERE pk = … AND version = expected``;
zero rows updated means someone saved in between. Because a queryset ``UPDATE`` bypasses model signals,
the change log entry (before/after of the updated fields) is written here explicitly, in the same
transaction.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from zugong.core.errors import ConcurrentEdit, OutOfScope


def save_with_version(instance, expected_version: int, update_fields: list[str]) -> int:
    """Write ``update_fields`` of ``instance`` if the stored row still has ``expected_version``.

    Returns the new version (also set on ``instance``). Raises ``ConcurrentEdit`` when the row was changed
    since the caller loaded it, ``OutOfScope`` when it no longer exists. Runs in a transaction (the
    caller's, if any); the change log event is written in it, so an audit failure rolls the update back."""
    from zugong.audit import changelog

    model = type(instance)
    fields = [model._meta.get_field(name) for name in update_fields]
    attnames = [f.attname for f in fields]
    with transaction.atomic():
        manager = model._base_manager
        before = manager.select_for_update().filter(pk=instance.pk).values(*attnames, "version").first()
        if before is None:
            raise OutOfScope()
        if int(before.pop("version")) != int(expected_version):
            raise ConcurrentEdit()
        values = {a: getattr(instance, a) for a in attnames}
        values["version"] = F("version") + 1
        if any(f.name == "updated_at" for f in model._meta.concrete_fields):
            values["updated_at"] = timezone.now()
        updated = manager.filter(pk=instance.pk, version=expected_version).update(**values)
        if updated != 1:
            raise ConcurrentEdit()
        instance.version = int(expected_version) + 1
        changelog.log_update(model, instance, before)
    return instance.version
