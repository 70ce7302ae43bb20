"""Tree base (树): what every tree of scope anchors shares — today the party organizations (党组织) and the
administrative units (单位) of ``orgs``, tomorrow any other tree a domain adds. ``core`` names no domain
app: a tree hands its model and its words to these classes.

- ``TreeQuerySet`` / ``TreeManager``: a django-treebeard materialized-path tree (``path``: 4 characters a
  level, so a subtree is ``path LIKE '<prefix>%'``) with ``restrict(user, action)`` (``core.scoping``),
  ``active_on(day)`` and ``subtree(node)``; rows in tree order.
- ``TreeNode``: the abstract node with the life-cycle fields every tree record has (成立日期, 状态, 撤销日期,
  撤销原因, the timestamps and the optimistic-lock ``version``). The concrete model adds its key, its name,
  its own attributes and its ``Meta`` (index names are per table).
- ``Tree``: the steps of the tree services, worded for one tree by ``noun`` (「组织」, 「单位」) and
  ``parent_field`` (「上级组织」, 「上级单位」): the scoped fetch, the subtree-grant test, the version check
  and the 409 text naming who changed what, the move (scope of the node and of the new parent, cycle
  check, version check, treebeard move, version bump, audit event, scope check after the move), the
  dissolve and reactivate skeletons (with a ``blockers`` hook for what must go first), the create-under
  checks, and the refusal listing the sub-nodes not dissolved. The app's service module keeps its
  public functions (keyword-only, atomic, audited) and calls these steps.

Every refusal is a ``ValidationFailed`` naming the field (``core.errors.fail``), ``OutOfScope`` ("not
found", never naming the node) or ``ConcurrentEdit``, as in every service (``design.md`` rule 2).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from zugong.core.concurrency import save_with_version
from zugong.core.errors import (
    ConcurrentEdit,
    FieldProblem,
    OutOfScope,
    RowError,
    ValidationFailed,
    ZugongError,
    fail,
)
from zugong.core.scoping import ScopedQuerySet, user_scope

STATUS_CHOICES = [("active", "正常"), ("dissolved", "已撤销")]
LIST_LIMIT = 10  # how many names a refusal lists before 「等 N 个」
LIFECYCLE_FIELDS = ["status", "dissolved_date", "dissolution_reason"]


class TreeQuerySet(MP_NodeQuerySet, ScopedQuerySet):
    """Tree queryset with ``restrict(user, action)``, ``active_on(day)`` and ``subtree(node)``."""

    def active_on(self, day: dt.date):
        """Nodes existing on ``day``: founded on or before it (or founding date unknown) and not
        dissolved by then."""
        return self.filter(models.Q(founded_date__isnull=True) | models.Q(founded_date__lte=day)).filter(
            models.Q(dissolved_date__isnull=True) | models.Q(dissolved_date__gt=day)
        )

    def subtree(self, node):
        """``node`` and all its descendants (path-prefix condition)."""
        return self.filter(path__startswith=node.path)


class TreeManager(MP_NodeManager):
    """Manager of a ``TreeNode`` model: rows in tree order (``path``), ``restrict`` and ``active_on``."""

    def get_queryset(self):
        return TreeQuerySet(self.model).order_by("path")

    def restrict(self, user, action: str = "view", label: str | None = None):
        """The rows ``user`` may ``action`` (``ScopedQuerySet.restrict``)."""
        return self.get_queryset().restrict(user, action, label)

    def active_on(self, day: dt.date):
        """The rows existing on ``day`` (``TreeQuerySet.active_on``)."""
        return self.get_queryset().active_on(day)


class TreeNode(MP_Node):
    """Abstract tree record: ``founded_date`` (成立日期), ``status`` (正常 / 已撤销), ``dissolved_date`` and
    ``dissolution_reason`` (a dissolved node stays in the tree with its history), ``created_at`` /
    ``updated_at`` and ``version`` (optimistic lock, ``core.concurrency``). Subclasses declare the scope
    (``scope_anchor``, ``scope_org_field = ""``, ``data_label``), their fields and ``objects =
    TreeManager()``."""

    STATUS_CHOICES = STATUS_CHOICES

    founded_date = models.DateField("成立日期", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=STATUS_CHOICES, default="active")
    dissolved_date = models.DateField("撤销日期", null=True, blank=True)
    dissolution_reason = models.CharField("撤销原因", max_length=200, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    version = models.PositiveIntegerField("版本", default=1, editable=False)

    objects = TreeManager()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name  # every tree record has a name (组织名称, 单位名称)


def text_value(value) -> str:
    """A single-line text as the services store it: ``""`` for empty, stripped."""
    return str(value or "").strip()


def code_value(value) -> str:
    """A code of a code table (or ``""``)."""
    return value or ""


def date_value(value):
    """A date or ``None``."""
    return value or None


def clean_values(values: dict, rules: dict) -> tuple[dict, list[FieldProblem]]:
    """Normalise and check the keys of ``values`` that ``rules`` names (``{key: (normalise, check or
    None)}``, in the rules' order): returns the cleaned values and the problems of the validators, the
    same for the create and edit services and the importer."""
    cleaned: dict = {}
    problems: list[FieldProblem] = []
    for key, (normalise, check) in rules.items():
        if key in values:
            cleaned[key] = normalise(values[key])
            if check is not None:
                problems += check(cleaned[key])
    return cleaned, problems


def names(items: list[str], total: int) -> str:
    """「甲、乙 等 12 个」: the listed names, and the total when more exist."""
    shown = "、".join(items)
    return f"{shown} 等 {total} 个" if total > len(items) else shown


def bump_version(model, pk) -> None:
    """``version + 1`` and ``updated_at = now`` of row ``pk`` (a change the change log does not see as a
    field update: a move, a many-to-many change)."""
    model.objects.filter(pk=pk).update(version=F("version") + 1, updated_at=timezone.now())


@dataclass(frozen=True)
class Tree:
    """The service steps of one tree. ``model`` is the ``TreeNode`` model; ``noun`` its word in messages
    (「组织」: 「该组织已撤销」, 「组织不存在或不在您的数据范围内。」); ``parent_field`` the Chinese name of the
    superior (「上级组织」); ``event_noun`` the word in a move's audit summary (「党组织」: 「调整党组织隶属关系：…」);
    ``key_field`` the Chinese name of the ``code`` key (「组织代码」); ``field_labels`` the Chinese names of
    the fields for the 409 text; ``parent_problems(parent)`` the
    tree's own rules on a superior (a 党小组 takes no children), checked on create and move."""

    model: type
    noun: str
    parent_field: str
    event_noun: str
    key_field: str = ""  # the Chinese name of ``code`` (「组织代码」), the importer's key column
    field_labels: dict = field(default_factory=dict)
    parent_problems: Callable[[object], list[FieldProblem]] = lambda parent: []

    # -- reading and checking -----------------------------------------------------------------------

    @property
    def not_found(self) -> str:
        return f"{self.noun}不存在或不在您的数据范围内。"

    @property
    def label(self) -> str:
        """The audit ``object_type`` / change-log ``model`` (``"orgs.partyorganization"``)."""
        return self.model._meta.label_lower

    def scoped(self, user, pk: int, action: str):
        """Node ``pk`` fresh from the database if ``user`` holds ``<data_label>.<action>`` on it
        (``user=None``: setup, no check); else ``OutOfScope``."""
        manager = self.model.objects
        node = (manager.all() if user is None else manager.restrict(user, action)).filter(pk=pk).first()
        if node is None:
            raise OutOfScope(self.not_found)
        return node

    def subtree_covered(self, user, node, action: str) -> bool:
        """True if a *subtree* grant of ``<data_label>.<action>`` on this tree covers ``node`` (so a child
        of it stays in scope); always for ``user=None``."""
        return user is None or any(n.include_subtree and node.path.startswith(n.path)
                                   for n in user_scope(user, self.model.data_label, action, self.model.scope_anchor))

    def in_scope(self, user, node, action: str) -> bool:
        """True if ``user`` holds ``action`` on ``node`` as it is now in the database."""
        return user is None or self.model.objects.restrict(user, action).filter(pk=node.pk).exists()

    def parent_for_create(self, user, parent):
        """The checked superior of a new node: ``parent`` fresh, in a subtree grant of ``add`` (else
        ``OutOfScope``); ``None`` (a root) only for setup (``user=None``), else 「新建顶级…只能由系统初始化完成。」."""
        if parent is None:
            if user is not None:
                raise OutOfScope(f"新建顶级{self.noun}只能由系统初始化完成。")
            return None
        parent = self.scoped(user, parent.pk, "add")
        if not self.subtree_covered(user, parent, "add"):
            raise OutOfScope(self.not_found)
        return parent

    def add(self, user, parent, fields: dict):
        """Create the node (child of ``parent`` or a root) and check it is in ``user``'s ``add`` scope."""
        manager = self.model.objects
        node = manager.add_child(parent, fields) if parent is not None else manager.add_root(fields)
        if not self.in_scope(user, node, "add"):
            raise OutOfScope(self.not_found)
        return node

    def parent_active(self, parent) -> list[FieldProblem]:
        """A dissolved superior takes no node (create, move, reactivate)."""
        if parent.status == "dissolved":
            return [FieldProblem(self.parent_field, f"{self.parent_field}「{parent.name}」已撤销")]
        return []

    def position_problems(self, node_path: str, parent) -> list[FieldProblem]:
        """Moving the node at ``node_path`` under ``parent`` must not make it its own ancestor."""
        if parent.path == node_path:
            return [FieldProblem(self.parent_field, f"{self.parent_field}不能是本{self.noun}自身（会形成循环）")]
        if parent.path.startswith(node_path):
            return [FieldProblem(self.parent_field, f"{self.parent_field}「{parent.name}」是本{self.noun}的下级"
                                                    f"{self.noun}，不能作为上级（会形成循环）")]
        return []

    # -- versions -----------------------------------------------------------------------------------

    def stale_message(self, pk) -> str:
        """The 409 message for a stale copy of node ``pk``: who changed it last, when, and which fields
        (from the newest change-log event), e.g. 「该组织已被 county 于 2026-11-30 08:01 修改（组织名称），
        您的修改未保存。请刷新后重新编辑。」"""
        from zugong.audit.models import AuditEvent

        event = (AuditEvent.objects.filter(kind="change", object_type=self.label, object_id=str(pk))
                 .order_by("-id").first())
        if event is None:
            return f"该{self.noun}已被他人修改，您的修改未保存。请刷新后重新编辑。"
        changes = (event.data or {}).get("changes") or {}
        fields = "、".join(dict.fromkeys(self.field_labels.get(k.removesuffix("_id"), k) for k in changes)) or "内容"
        when = timezone.localtime(event.created_at).strftime("%Y-%m-%d %H:%M")
        return (f"该{self.noun}已被 {event.actor_username or '系统'} 于 {when} 修改（{fields}），"
                "您的修改未保存。请刷新后重新编辑。")

    def check_version(self, node, expected_version: int | None) -> None:
        """Lock the row and compare its version with ``expected_version`` (``None``: no check)."""
        current = (self.model.objects.select_for_update().filter(pk=node.pk)
                   .values_list("version", flat=True).first())
        if current is None:
            raise OutOfScope(self.not_found)
        if expected_version is not None and int(current) != int(expected_version):
            raise ConcurrentEdit(self.stale_message(node.pk))

    def save(self, node, expected_version: int | None, fields: list[str]) -> None:
        """Save ``fields`` with the version check and the change log (``None``: the version just read)."""
        try:
            save_with_version(node, node.version if expected_version is None else expected_version, fields)
        except ConcurrentEdit:
            raise ConcurrentEdit(self.stale_message(node.pk)) from None

    def save_changes(self, node, expected_version: int | None, cleaned: dict):
        """Write the values of ``cleaned`` that differ from ``node``; nothing changed → only the version
        check (a stale copy is refused all the same)."""
        fields = [k for k, value in cleaned.items() if getattr(node, k) != value]
        if not fields:
            self.check_version(node, expected_version)
            return node
        for k in fields:
            setattr(node, k, cleaned[k])
        self.save(node, expected_version, fields)
        return node

    # -- the state changes --------------------------------------------------------------------------

    def move(self, *, user, node, new_parent, expected_version: int | None):
        """Move ``node`` with its subtree to the last child of ``new_parent``: ``change`` on the node, and a
        *subtree* ``change`` grant covering ``new_parent`` (nobody moves their own node out of their
        superior's tree, nobody pulls another's node into theirs), re-checked after the move. Refused on
        ``parent_field``: a superior out of scope, the node itself or a descendant (a cycle), then the
        tree's ``parent_problems`` and a dissolved superior. Moving under the current superior writes
        nothing. Audited: a change event ``{"model", "action": "move", "changes": {"parent": [old code,
        new code], "path": [old, new]}}``. Returns the node with its new ``path``/``version``."""
        manager = self.model.objects
        node = self.scoped(user, node.pk, "change")
        parent = (manager.all() if user is None else manager.restrict(user, "change")).filter(pk=new_parent.pk).first()
        if parent is None or not self.subtree_covered(user, parent, "change"):
            fail([FieldProblem(self.parent_field, f"{self.parent_field}不存在或不在您的管理范围内")])
        problems = self.position_problems(node.path, parent)
        if not problems:
            problems = self.parent_problems(parent) + self.parent_active(parent)
        fail(problems)
        self.check_version(node, expected_version)
        old_parent = manager.get_parent(node, update=True)
        if old_parent is not None and old_parent.pk == parent.pk:
            return node
        old_path = node.path
        manager.move(node, parent, "last-child")
        bump_version(self.model, node.pk)
        node = manager.get(pk=node.pk)
        from zugong.audit.services import record_event

        record_event("change", user=user, object_type=self.label, object_id=node.pk,
                     summary=f"调整{self.event_noun}隶属关系：{node.name}（{old_parent.name if old_parent else '顶级'} → "
                             f"{parent.name}）"[:500],
                     data={"model": self.label, "action": "move",
                           "changes": {"parent": [old_parent.code if old_parent else None, parent.code],
                                       "path": [old_path, node.path]}})
        if not self.in_scope(user, node, "change"):
            raise OutOfScope(f"移动后的{self.noun}超出了您的管理范围，已撤销。")
        return node

    def child_blockers(self, node, *, user, source: str) -> list[FieldProblem]:
        """The children of ``node`` not dissolved, as a refusal on ``parent_field`` (「该组织还有 3 个未撤销的
        下级组织（…），请先撤销或移走下级组织」); the names only when ``user`` sees the subtree."""
        kids = (self.model.objects.filter(path__startswith=node.path, depth=node.depth + 1)
                .exclude(status="dissolved").order_by("path"))
        total = kids.count()
        if not total:
            return []
        listed = ""
        if self.subtree_covered(user, node, "view"):
            listed = f"（{names(list(kids.values_list('name', flat=True)[:LIST_LIMIT]), total)}）"
        return [FieldProblem(self.parent_field, f"该{self.noun}还有 {total} 个未撤销的下级{self.noun}{listed}，"
                                                f"请先撤销或移走下级{self.noun}", source)]

    def dissolve(self, *, user, node, date: dt.date | None, reason: str, expected_version: int | None,
                 check: Callable, blockers: Callable):
        """Dissolve (撤销) ``node`` on ``date`` for ``reason`` (``delete`` on it): refused when already
        dissolved (「该…已撤销」 on 状态), on the problems of ``check(day=, reason=, founded=, today=)`` (the
        date and reason rules) and of ``blockers(node, day, user)`` (``day`` is ``None`` when the date
        itself is wrong); else status, date and reason saved with the version check (change log)."""
        node = self.scoped(user, node.pk, "delete")
        reason = (reason or "").strip()
        if node.status == "dissolved":
            fail([FieldProblem("状态", f"该{self.noun}已撤销")])
        problems = check(day=date, reason=reason, founded=node.founded_date, today=timezone.localdate())
        problems += blockers(node, date if not problems else None, user)
        fail(problems)
        node.status, node.dissolved_date, node.dissolution_reason = "dissolved", date, reason
        self.save(node, expected_version, LIFECYCLE_FIELDS)
        return node

    def reactivate(self, *, user, node, expected_version: int | None):
        """Undo a dissolution (恢复, ``delete`` on the node): status 正常, date and reason cleared (the
        change log keeps them); refused when not dissolved or when the superior is dissolved."""
        node = self.scoped(user, node.pk, "delete")
        if node.status != "dissolved":
            fail([FieldProblem("状态", f"该{self.noun}未撤销，无需恢复")])
        parent = self.model.objects.get_parent(node, update=True)
        if parent is not None:
            fail(self.parent_active(parent))
        node.status, node.dissolved_date, node.dissolution_reason = "active", None, ""
        self.save(node, expected_version, LIFECYCLE_FIELDS)
        return node

    # -- the bulk form of the importers ---------------------------------------------------------------

    @staticmethod
    def require_transaction(name: str) -> None:
        """A bulk write runs in its caller's transaction (the importer's): else ``ZugongError``."""
        if not transaction.get_connection().in_atomic_block:
            raise ZugongError(f"{name} 必须在事务中调用")

    def upsert(self, *, row: int, code: str, fields: dict, parent_code: str, expected_version: int | None, now):
        """One planned write of an importer, validated before: a new node ``code`` under ``parent_code``
        (``""``: a root), or the changed ``fields`` of the existing one (``update_fields``, version + 1,
        the change log through the model's signals); an existing node whose version is no longer
        ``expected_version`` → ``ValidationFailed`` on ``key_field`` of file ``row``. Returns ``(node,
        changed field names)`` (``None`` for a new node)."""
        manager = self.model.objects
        node = manager.filter(code=code).first()
        if node is None:
            parent = manager.get(code=parent_code) if parent_code else None
            values = {**fields, "code": code}
            return (manager.add_child(parent, values) if parent is not None else manager.add_root(values)), None
        if expected_version is not None and expected_version != node.version:
            raise ValidationFailed([RowError(row, self.key_field, f"该{self.noun}在校验之后被他人修改，请重新导入")])
        changed = [name for name, value in fields.items() if getattr(node, name) != value]
        if changed:
            for name in changed:
                setattr(node, name, fields[name])
            node.version += 1
            node.updated_at = now
            node.save(update_fields=[*changed, "version", "updated_at"])
        return node, changed

    def check_written(self, user, pks: list[int], action: str, message: str) -> None:
        """After a bulk write: every node of ``pks`` within ``user``'s ``action`` scope, else
        ``OutOfScope(message)`` (the caller's transaction rolls everything back)."""
        if user is not None and self.model.objects.restrict(user, action).filter(pk__in=pks).count() != len(pks):
            raise OutOfScope(message)
