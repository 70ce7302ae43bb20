"""Automatic change log (审计第一层): every save and delete of a business record writes an audit event
``kind="change"`` with who, when, the request id, and the before/after values of the concrete fields.

Business records are the concrete subclasses of ``core.scoping.BaseModel`` and the models an app registers
with ``core.registry.register_audited_model`` (``PartyOrganization``, registered by ``orgs``)
(``is_tracked(model)``); models added later in any installed app are covered automatically. Sensitive columns — names ending
in ``_encrypted`` or ``_hash`` — are logged as ``"***"`` (only the fact that they changed); masked
copies (``*_masked``) are logged as they are. ``updated_at``/``created_at``/``version`` are not compared.

Event ``data``: ``{"model": "people.person", "action": "create"|"update"|"delete",
"changes": {field: [before, after]}}`` (create: before ``None``; delete: after ``None``).

The event is written in the saving transaction: services run in ``transaction.atomic`` (design rule 2),
so a failed audit write rolls the business change back. Bulk operations bypass signals
(``bulk_create``, ``QuerySet.update``/``delete``): call ``log_bulk_change`` for them.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from functools import cache

from django.db.models.signals import post_delete, post_save, pre_save

from zugong.audit.services import record_event

MASK = "***"
IGNORED_FIELDS = {"created_at", "updated_at", "version"}


@cache
def _is_business_model(model) -> bool:
    from zugong.core.scoping import BaseModel

    meta = model._meta
    if meta.abstract or meta.proxy or meta.auto_created:
        return False
    return issubclass(model, BaseModel)


def is_tracked(model) -> bool:
    """True for business models: concrete ``BaseModel`` subclasses and the registered audited models."""
    from zugong.core.registry import registry

    return _is_business_model(model) or model._meta.label_lower in registry.audited_models


def _sensitive(name: str) -> bool:
    return name.endswith("_encrypted") or name.endswith("_hash")


def _jsonable(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


def _fields(model):
    return [f for f in model._meta.concrete_fields if f.attname not in IGNORED_FIELDS]


def _raw(instance) -> dict:
    return {f.attname: _jsonable(getattr(instance, f.attname)) for f in _fields(type(instance))}


def _masked(values: dict) -> dict:
    return {k: (MASK if v not in (None, "") else v) if _sensitive(k) else v for k, v in values.items()}


def snapshot(instance) -> dict:
    """Field values of ``instance`` keyed by attname (FKs as ids), JSON-ready, sensitive columns masked."""
    return _masked(_raw(instance))


def _label(model) -> str:
    return model._meta.label_lower


def _summary(model, instance, action: str) -> str:
    """Chinese one-liner. Records about a person (``presentation.personal_models``) are named by id, not
    by ``str(instance)`` (the person's name): the summary is what the audit administrator searches and
    reads, and does not need whose data it was (PIPL Art. 51)."""
    from zugong.audit.presentation import personal_models

    verb = {"create": "新增", "update": "修改", "delete": "删除"}[action]
    if _label(model) in personal_models():
        return f"{verb}{model._meta.verbose_name}（ID {instance.pk}）"
    return f"{verb}{model._meta.verbose_name}：{instance}"[:500]


def _pre_save(sender, instance, raw=False, using=None, update_fields=None, **kwargs):
    """Load the stored row (one query) so ``_post_save`` can log what changed."""
    if raw or not is_tracked(sender):
        return
    instance._audit_before = None
    if instance._state.adding or instance.pk is None:
        return
    names = [f.attname for f in _fields(sender)]
    if update_fields is not None:
        wanted = {sender._meta.get_field(n).attname for n in update_fields}
        names = [n for n in names if n in wanted]
    if names:
        row = sender._base_manager.using(using).filter(pk=instance.pk).values(*names).first()
        if row is not None:
            instance._audit_before = {k: _jsonable(v) for k, v in row.items()}


def _post_save(sender, instance, created=False, raw=False, using=None, update_fields=None, **kwargs):
    if raw or not is_tracked(sender):
        return
    before = getattr(instance, "_audit_before", None)
    instance._audit_before = None
    after = _raw(instance)
    if created or before is None:
        action = "create"
        changes = {k: [None, v] for k, v in _masked(after).items() if v not in (None, "")}
    else:
        action = "update"
        changed = [k for k, old in before.items() if old != after.get(k)]
        if not changed:
            return
        old_masked, new_masked = _masked(before), _masked(after)
        changes = {k: [old_masked[k], new_masked[k]] for k in changed}
    record_event("change", object_type=_label(sender), object_id=instance.pk, summary=_summary(sender, instance, action),
                 data={"model": _label(sender), "action": action, "changes": changes})


def log_update(model, instance, before: dict) -> None:
    """Change-log entry for an update written without ``save()`` (e.g. ``core.concurrency``): ``before``
    holds the stored values of the updated columns (attnames); the new values are read from ``instance``."""
    before = {k: _jsonable(v) for k, v in before.items()}
    after = {k: _jsonable(getattr(instance, k)) for k in before}
    changed = [k for k in before if before[k] != after[k]]
    if not changed:
        return
    old_masked, new_masked = _masked(before), _masked(after)
    record_event("change", object_type=_label(model), object_id=instance.pk, summary=_summary(model, instance, "update"),
                 data={"model": _label(model), "action": "update", "changes": {k: [old_masked[k], new_masked[k]]
                                                                               for k in changed}})


def _post_delete(sender, instance, using=None, **kwargs):
    if not is_tracked(sender):
        return
    before = snapshot(instance)
    record_event("change", object_type=_label(sender), object_id=instance.pk, summary=_summary(sender, instance, "delete"),
                 data={"model": _label(sender), "action": "delete",
                       "changes": {k: [v, None] for k, v in before.items() if v not in (None, "")}})


def log_bulk_change(model, count: int, summary: str, *, action: str = "bulk_create", data: dict | None = None):
    """Record one change event for a bulk operation that bypassed the signals (``bulk_create``,
    ``QuerySet.update``/``delete``): ``model``, number of rows ``count``, Chinese ``summary`` (e.g. "导入党员
    花名册 roster.xlsx"), ``action`` and optional extra ``data`` (no plaintext ID numbers). Call it inside
    the same transaction as the bulk write."""
    payload = {"model": _label(model), "action": action, "count": int(count)}
    payload.update(data or {})
    return record_event("change", object_type=_label(model), summary=summary, data=payload)


def _connect_model(model) -> None:
    uid = _label(model)
    pre_save.connect(_pre_save, sender=model, dispatch_uid=f"zugong_audit_pre_save_{uid}")
    post_save.connect(_post_save, sender=model, dispatch_uid=f"zugong_audit_post_save_{uid}")
    post_delete.connect(_post_delete, sender=model, dispatch_uid=f"zugong_audit_post_delete_{uid}")


def connect() -> None:
    """Connect the change-log receivers to every tracked model (called once from ``AuditConfig.ready``,
    when all models are loaded): the ``BaseModel`` subclasses now, the registered audited models whenever
    their app registers them (before or after this call). Per-sender, so other models keep Django's fast
    paths."""
    from django.apps import apps

    from zugong.core.registry import on_audited_model

    for model in apps.get_models():
        if _is_business_model(model):
            _connect_model(model)
    on_audited_model(lambda label: _connect_model(apps.get_model(label)))


def last_change(model, pk) -> str:
    """「该记录已于 <时间> 被 <用户> 修改（修改了 <字段>）。」 from the newest change-log event of row ``pk`` of
    ``model``, for the page that refuses a stale edit (409): who changed what since the editor loaded
    it. The change log holds field names and masked values only; "" when there is no such event."""
    from django.utils import timezone

    from zugong.audit.models import AuditEvent

    event = (AuditEvent.objects.filter(kind="change", object_type=model._meta.label_lower, object_id=str(pk))
             .order_by("-id").only("actor_username", "created_at", "data").first())
    if event is None:
        return ""
    names = {f.attname: str(f.verbose_name) for f in model._meta.concrete_fields}
    fields = []
    for attname in (event.data or {}).get("changes", {}) or {}:
        label = names.get(attname, attname).removesuffix("（密文）").removesuffix("（检索摘要）")
        if attname not in ("version", "updated_at") and label not in fields:
            fields.append(label)
    when = timezone.localtime(event.created_at).strftime("%Y-%m-%d %H:%M")
    what = f"（修改了 {'、'.join(fields)}）" if fields else ""
    return f"该记录已于 {when} 被 {event.actor_username or '系统'} 修改{what}。"
