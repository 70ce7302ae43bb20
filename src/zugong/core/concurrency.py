"""Optimistic locking (乐观锁): an editable record carries ``version``; a save made from a stale copy is
refused with ``core.errors.ConcurrentEdit`` (HTTP 409 in the API) instead of silently overwriting the
other editor's change.

``save_with_version(instance, expected_version, update_fields)`` issues one
``UPDATE … SET <fields>, version = version + 1, updated_at = now WHERE pk = … AND version = expected``;
zero rows updated means someone saved in between. Because a queryset ``UPDATE`` bypasses model signals,
the change log entry (before/after of the updated fields) is written here explicitly, in the same
transaction.

``last_change(model_label, pk)`` reads who changed a record last, when and which fields (from the change
log), for the refusal of a stale edit: the API's 409 (``core.api``) and the edit pages say it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.apps import apps
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
            raise ConcurrentEdit(record=instance)
        values = {a: getattr(instance, a) for a in attnames}
        values["version"] = F("version") + 1
        if any(f.name == "updated_at" for f in model._meta.concrete_fields):
            values["updated_at"] = timezone.now()
        updated = manager.filter(pk=instance.pk, version=expected_version).update(**values)
        if updated != 1:
            raise ConcurrentEdit(record=instance)
        instance.version = int(expected_version) + 1
        changelog.log_update(model, instance, before)
    return instance.version


_SUFFIXES = ("（密文）", "（检索摘要）", "（掩码）")
_NOT_SHOWN = {"version", "updated_at", "created_at"}


@dataclass(frozen=True)
class LastChange:
    """The newest change of a record: ``who`` (username, 「系统」 for none), ``when`` (aware datetime) and
    ``fields`` (Chinese field names, as the model's ``verbose_name``s, without version/timestamps)."""

    who: str
    when: dt.datetime
    fields: tuple[str, ...]
    action: str = "update"  # the change log's action: "create", "update", "import" …

    @property
    def sentence(self) -> str:
        """「该记录已于 2026-11-30 09:40 被 county 修改（修改了 组织名称）。」 (「…被 系统 创建。」 when the newest
        event is the record's creation)."""
        when = timezone.localtime(self.when).strftime("%Y-%m-%d %H:%M")
        if self.action == "create":
            return f"该记录已于 {when} 被 {self.who} 创建。"
        what = f"（修改了 {'、'.join(self.fields)}）" if self.fields else ""
        return f"该记录已于 {when} 被 {self.who} 修改{what}。"


def last_change(model_label: str, pk) -> LastChange | None:
    """The newest ``kind="change"`` audit event of row ``pk`` of ``model_label`` (``"orgs.partyorganization"``)
    as a ``LastChange``; ``None`` when the change log has none. One query. Field names come from the
    model's ``verbose_name``s (the change log keeps attnames and masked values only, never plaintext)."""
    from zugong.audit.models import AuditEvent

    event = (AuditEvent.objects.filter(kind="change", object_type=model_label.lower(), object_id=str(pk))
             .order_by("-id").only("actor_username", "created_at", "data").first())
    if event is None:
        return None
    try:
        model = apps.get_model(model_label)
        names = {f.attname: str(f.verbose_name) for f in model._meta.concrete_fields}
        names.update({f.name: str(f.verbose_name) for f in model._meta.concrete_fields})
    except LookupError:
        names = {}
    data = event.data or {}
    action = str(data.get("action") or "update")
    fields: list[str] = []
    for attname in (data.get("changes") or {}) if action != "create" else ():
        if attname in _NOT_SHOWN:
            continue
        label = names.get(attname, attname)
        for suffix in _SUFFIXES:
            label = label.removesuffix(suffix)
        if label not in fields:
            fields.append(label)
    return LastChange(who=event.actor_username or "系统", when=event.created_at, fields=tuple(fields), action=action)
