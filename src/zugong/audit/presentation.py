"""What the audit administrator sees of an event: who did what, not whose data (PIPL Art. 51 minimisation;
GB/T 22239-2019 8.1.4.3 安全审计 c/d keep who, when, what and the outcome complete).

The audit table keeps the full change log (before/after values are the history business users are
entitled to). The audit log page and its CSV/xlsx export show the events *about people* pseudonymised:

- an event is about a person when its object is a *personal model*: ``people.person`` or a tracked model
  with a foreign key to it (membership, party member, development record … — found from the models,
  so later apps are covered); the person it is about is the *subject*;
- the subject is shown as ``人员#<pseudonym>``: the first 10 hex digits of HMAC-SM3(field key,
  ``zugong-audit-pseudonym-v1|people.person|<id>``) — stable, so every event about one person carries
  the same pseudonym, and not computable without the key; with a link to the person's page
  (``/people/<id>/``), which a business user with scope can open and the audit administrator cannot (403);
- the summary is rebuilt from the structured columns (kind, model, action, count), never from the
  stored summary text, so rows written before this change (whose summaries contain names, e.g.
  「查看「张三」的公民身份号码…」) are rendered without personal data too — no regular expression over
  free text;
- the change data keeps the field names; values become 「（已填写）」/「（已变更）」/「（已删除）」, a
  foreign key to the person becomes the pseudonym, keys to organizations keep their id; domain events
  about a person keep only the keys listed in ``KEPT_KEYS`` (e.g. the 查看事由 of an unmask), others
  read 「（已隐藏）」;
- the acting user, time, address, request id and event kind stay as recorded.

Events not about a person (logins, grants, exports, organizations …) are shown as stored.

Object types are shown by their Chinese name (``object_type_label``): a model label
(``app_label.model``) by the model's ``verbose_name``, the few types that are not a model label by
``OBJECT_TYPES``, an import kind by its registered label; the recorded code stays in the exports'
「对象类型代码」 column and the filter accepts either.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from itertools import islice

from django.apps import apps
from django.urls import NoReverseMatch, reverse

from zugong.audit.choices import kind_label
from zugong.audit.models import AuditEvent
from zugong.core import crypto
from zugong.core.registry import import_kind, registry

PERSON_MODEL = "people.person"
PSEUDONYM_PREFIX = "zugong-audit-pseudonym-v1"
PSEUDONYM_LENGTH = 10
FILLED, CHANGED, REMOVED, HIDDEN = "（已填写）", "（已变更）", "（已删除）", "（已隐藏）"
ACTIONS = {"create": "新增", "update": "修改", "delete": "删除", "import": "导入", "bulk_create": "批量新增",
           "bulk_update": "批量修改", "bulk_delete": "批量删除"}
# keys of the data of domain events about a person that are shown as recorded (none is personal data)
KEPT_KEYS = {"unmask": {"reason", "fields"}}
# keys of bulk change events (no single subject) that are shown as recorded
BULK_KEYS = {"model", "action", "count", "filename", "file"}


# object types recorded under a name that is not a model label (the object_type given to record_event)
OBJECT_TYPES = {
    "user": "用户", "role": "角色", "role_grant": "角色授权", "admin_reset_request": "管理员账号重置申请",
    "audit_event": "审计日志", "party_organization": "党组织", "party_roster": "党员花名册",
    "import_job": "导入任务", "database": "数据库", "ip": "IP地址",
}


def object_type_label(object_type: str) -> str:
    """Chinese name of a recorded ``object_type`` (the code itself when nothing names it)."""
    if not object_type:
        return ""
    if object_type in OBJECT_TYPES:
        return OBJECT_TYPES[object_type]
    if "." in object_type:
        return _verbose(object_type)
    kind = import_kind(object_type)
    return kind.label if kind else object_type


def object_types_named(text: str) -> list[str]:
    """The recorded codes whose Chinese name is ``text`` (``人员`` → ``["people.person"]``; ``党组织`` →
    the model, the non-model type and the import kind), for the audit filter; ``[]`` if none."""
    codes = [code for code, label in OBJECT_TYPES.items() if label == text]
    codes += [m._meta.label_lower for m in apps.get_models() if str(m._meta.verbose_name) == text]
    codes += [code for code, kind in registry.import_kinds.items() if kind.label == text]
    return codes


def pseudonym(object_type: str, object_id) -> str:
    """Stable keyed pseudonym of one object: 10 hex digits of HMAC-SM3 over type and id (str)."""
    return crypto.cipher().lookup_hash(f"{PSEUDONYM_PREFIX}|{object_type}|{object_id}")[:PSEUDONYM_LENGTH]


def person_label(person_id) -> str:
    """``人员#<pseudonym>`` of person ``person_id``."""
    return f"人员#{pseudonym(PERSON_MODEL, person_id)}"


@cache
def personal_models() -> dict[str, str]:
    """Model label → attname of its foreign key to the person (``""`` for the person model itself) for
    every tracked model that holds data about one person."""
    from zugong.audit.changelog import is_tracked

    person = apps.get_model(PERSON_MODEL)
    out = {PERSON_MODEL: ""}
    for model in apps.get_models():
        if model is person or not is_tracked(model):
            continue
        for f in model._meta.concrete_fields:
            if f.is_relation and f.related_model is person:
                out[model._meta.label_lower] = f.attname
                break
    return out


@cache
def _relation_targets(label: str) -> dict[str, str]:
    """attname → related model label for the foreign keys of model ``label``."""
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return {}
    return {f.attname: f.related_model._meta.label_lower for f in model._meta.concrete_fields if f.is_relation}


def _verbose(label: str) -> str:
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


def person_link(person_id) -> str:
    """Path of the person's page (``/people/<id>/``), ``""`` when it cannot be built."""
    try:
        return reverse("people:detail", args=[int(person_id)])
    except (NoReverseMatch, TypeError, ValueError):
        return ""


@dataclass
class EventView:
    """One event as shown to the audit administrator: ``type_label`` (the object type's Chinese name),
    ``object_text`` (pseudonym or ``<type_label> #id``),
    ``object_link`` (path to the record, may be ``""``), ``summary``, ``detail`` (JSON text of the
    shown data) and ``personal`` (the event is about a person and was pseudonymised)."""

    event: AuditEvent
    kind_label: str
    type_label: str
    object_text: str
    object_link: str
    summary: str
    detail: str
    personal: bool


def _model_of(event: AuditEvent) -> str:
    if event.kind == "change" and isinstance(event.data, dict) and event.data.get("model"):
        return str(event.data["model"])
    return event.object_type


def _subject_from_changes(event: AuditEvent, fk: str):
    changes = event.data.get("changes") if isinstance(event.data, dict) else None
    pair = changes.get(fk) if isinstance(changes, dict) else None
    if isinstance(pair, list):
        return next((v for v in reversed(pair) if v not in (None, "")), None)
    return None


def _subjects(events: list[AuditEvent]) -> dict[int, object]:
    """Event pk → person id for the personal events of ``events``: from the event itself where it says
    (the person's own events, or the foreign key in the changes), else one query per model for the
    rows whose changes do not name the person (an update that kept it)."""
    models = personal_models()
    out: dict[int, object] = {}
    missing: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for event in events:
        label = _model_of(event)
        if label not in models or not event.object_id:
            continue
        fk = models[label]
        if not fk:
            out[event.pk] = event.object_id
            continue
        found = _subject_from_changes(event, fk)
        if found is not None:
            out[event.pk] = found
        else:
            missing[label][event.object_id].append(event.pk)
    for label, by_object in missing.items():
        model = apps.get_model(label)
        rows = model._base_manager.filter(pk__in=list(by_object)).values_list("pk", models[label])
        for pk, person_id in rows:
            for event_pk in by_object.get(str(pk), []):
                out[event_pk] = person_id
    return out


def _shown_changes(label: str, action: str, changes: dict) -> dict:
    fk = personal_models().get(label, "")
    targets = _relation_targets(label)
    personal = set(personal_models())
    placeholder = {"create": FILLED, "delete": REMOVED}.get(action, CHANGED)
    shown = {}
    for name, pair in changes.items():
        values = pair if isinstance(pair, list) else [None, pair]
        target = targets.get(name)
        if name == fk or target == PERSON_MODEL:
            shown[name] = [person_label(v) if v not in (None, "") else v for v in values]
        elif target is not None and target not in personal:
            shown[name] = values  # e.g. the organization: not data about the person
        else:
            shown[name] = placeholder
    return shown


def _present_personal(event: AuditEvent, label: str, person_id) -> tuple[str, str, str, dict]:
    """``(object_text, link, summary, data)`` of an event about a person."""
    subject = person_label(person_id) if person_id not in (None, "") else \
        f"{_verbose(label)}#{pseudonym(label, event.object_id)}"
    link = person_link(person_id) if person_id not in (None, "") else ""
    data = event.data if isinstance(event.data, dict) else {}
    if event.kind == "change":
        action = str(data.get("action", ""))
        verb = ACTIONS.get(action, action)
        shown = {"model": label, "action": action,
                 "changes": _shown_changes(label, action, data.get("changes") or {})}
        what = _verbose(label)
        summary = f"{verb}{what}：{subject}" if label == PERSON_MODEL else f"{verb}{what}（{subject}）"
        return subject, link, summary, shown
    kept = KEPT_KEYS.get(event.kind, set())
    shown = {k: (v if k in kept else HIDDEN) for k, v in data.items()}
    if event.kind == "unmask":
        summary = f"查看{subject}的公民身份号码、手机号码明文"
    else:
        summary = f"{kind_label(event.kind)}：{subject}"
    return subject, link, summary, shown


def _present_bulk(event: AuditEvent, label: str) -> tuple[str, str, str, dict]:
    """``(object_text, link, summary, data)`` of an event about many people at once (no object id)."""
    data = event.data if isinstance(event.data, dict) else {}
    action = str(data.get("action", ""))
    shown = {k: (v if k in BULK_KEYS else HIDDEN) for k, v in data.items()}
    if event.kind == "change":
        summary = f"{ACTIONS.get(action, action)}{_verbose(label)} {data.get('count', '')} 条"
    else:
        summary = f"{kind_label(event.kind)}（{_verbose(label)}）"
    return _verbose(label), "", summary, shown


def present(events: Iterable[AuditEvent], *, chunk: int = 2000) -> Iterator[EventView]:
    """``EventView`` for each of ``events`` in order, reading them ``chunk`` at a time (one extra query
    per personal model per chunk at most). Source: PIPL Art. 51 (去标识化), GB/T 35273-2020 §3.15."""
    it = iter(events)
    models = personal_models()
    while batch := list(islice(it, chunk)):
        subjects = _subjects(batch)
        for event in batch:
            label = _model_of(event)
            if label in models and event.object_id:
                text, link, summary, data = _present_personal(event, label, subjects.get(event.pk))
                personal = True
            elif label in models:
                text, link, summary, data = _present_bulk(event, label)
                personal = True
            else:
                type_label = object_type_label(event.object_type)
                text = f"{type_label} #{event.object_id}" if event.object_id else type_label
                link, summary, data, personal = "", event.summary, event.data, False
            yield EventView(event=event, kind_label=kind_label(event.kind),
                            type_label=object_type_label(event.object_type), object_text=text, object_link=link,
                            summary=summary, detail=json.dumps(data, ensure_ascii=False, sort_keys=True) if data else "",
                            personal=personal)
