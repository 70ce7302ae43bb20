"""Framework models. ``ImportJob``: one upload being (or having been) imported from the web page.

A job belongs to the user who uploaded the file and is only ever shown to that user (the owner is its
scope: jobs are not organization data). It records the progress the page polls, the outcome (counts,
warnings, the first ``MAX_SHOWN`` errors) and, for a rejected file, the error report (the uploaded
sheet with a 「错误说明」 column) — stored **encrypted** with the field cipher because it contains the
uploaded personal data, and purged after ``ERROR_REPORT_HOURS`` hours. The uploaded file itself lives
in a private temporary file only while the job runs.

Column mapping (issue #9): an upload from the web page first waits in state ``mapping``
(「待确认列映射」) with the uploaded file kept **encrypted** with the field cipher
(``upload_encrypted``, like the error report) until its submitter confirms the mapping page; the kept
file is deleted when the job starts running, and purged with the job marked expired after
``UPLOAD_KEPT_HOURS`` hours (``core.import_jobs.purge_expired``).

``ImportLayout`` (导入版式): a named column mapping saved for one import kind, anchored on a party
organization: visible to a user whose import scope contains that organization, or lies below it (shared
down the tree) — never to a sibling scope. Name unique per (organization, kind). Being a ``BaseModel``, every
save and delete goes to the change log (``audit.changelog``). It names the organization model by its app
label (``orgs.PartyOrganization``), like ``accounts``' grants: the scope anchor is the one domain model
the framework has to know.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from zugong.core.scoping import BaseModel


class ImportJobQuerySet(models.QuerySet):
    def owned_by(self, user):
        """The jobs of ``user`` (nobody sees another user's uploads)."""
        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(user=user)


class ImportJob(models.Model):
    """导入任务."""

    scope_exempt = "owner-scoped: a job is only ever shown to the user who uploaded it (owned_by)"

    STATUS_CHOICES = [
        ("mapping", "待确认列映射"), ("pending", "等待处理"), ("running", "正在导入"), ("succeeded", "导入成功"),
        ("failed", "有错误，未导入"), ("error", "系统错误"),
    ]
    MAX_SHOWN = 1000
    ERROR_REPORT_HOURS = 24
    UPLOAD_KEPT_HOURS = 24

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs",
                             verbose_name="用户")
    # No ``choices``: the kinds are registered by the apps (``core.registry.register_import_kind``), so a
    # new kind needs no migration here; ``clean_fields`` and ``submit_import`` check the registry.
    kind = models.CharField("导入类型", max_length=20)
    filename = models.CharField("文件名", max_length=255)
    options = models.JSONField("选项", default=dict, blank=True)
    status = models.CharField("状态", max_length=20, choices=STATUS_CHOICES, default="pending")
    phase = models.CharField("阶段", max_length=20, blank=True)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    total_rows = models.PositiveIntegerField("数据行数", default=0)
    created_count = models.PositiveIntegerField("新增", default=0)
    updated_count = models.PositiveIntegerField("更新", default=0)
    unchanged_count = models.PositiveIntegerField("未变", default=0)
    message = models.CharField("结果说明", max_length=500, blank=True)
    errors = models.JSONField("错误（前1000条）", default=list, blank=True)
    error_count = models.PositiveIntegerField("错误数", default=0)
    warnings = models.JSONField("警告（前1000条）", default=list, blank=True)
    warning_count = models.PositiveIntegerField("警告数", default=0)
    error_report_encrypted = models.TextField("错误说明文件（密文）", blank=True, editable=False)
    upload_encrypted = models.TextField("待确认的上传文件（密文）", blank=True, editable=False)
    layout_lines = models.JSONField("读取方式", default=list, blank=True)
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = "导入任务"
        verbose_name_plural = "导入任务"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="core_importjob_user_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.filename}"

    def get_absolute_url(self) -> str:
        """The job's page (``ImportKind.job_url``), ``""`` for an unregistered kind."""
        from zugong.core.registry import import_kind

        kind = import_kind(self.kind)
        return kind.job_url(self.pk) if kind else ""

    def get_kind_display(self) -> str:
        """The Chinese label of the registered import kind (the code itself for an unregistered one)."""
        from zugong.core.registry import import_kind_label

        return import_kind_label(self.kind)

    def clean_fields(self, exclude=None) -> None:
        from django.core.exceptions import ValidationError

        from zugong.core.registry import import_kind

        super().clean_fields(exclude=exclude)
        if (exclude is None or "kind" not in exclude) and import_kind(self.kind) is None:
            raise ValidationError({"kind": f"未登记的导入类型「{self.kind}」"})

    @property
    def is_dry_run(self) -> bool:
        """A trial import (``options.dry_run``): validated and counted, nothing written."""
        return bool((self.options or {}).get("dry_run"))

    @property
    def outcome_display(self) -> str:
        """The status for lists: a successful trial run is 「试导入（未写入）」, not 导入成功."""
        if self.status == "succeeded" and self.is_dry_run:
            return "试导入（未写入）"
        return self.get_status_display()

    @property
    def finished(self) -> bool:
        return self.status in ("succeeded", "failed", "error")

    @property
    def awaiting_mapping(self) -> bool:
        """Waiting for its submitter to confirm the column mapping (the upload is kept encrypted)."""
        return self.status == "mapping"

    @property
    def has_error_report(self) -> bool:
        return bool(self.error_report_encrypted)


class ImportLayout(BaseModel):
    """导入版式: a saved column mapping ``{source header text (normalised): field key, or "" = 不导入}``
    for import ``kind``, shared within ``organization``'s subtree and with the scopes below it
    (``core.import_layouts.visible_layouts``). Created and replaced by ``import_layout_save``."""

    scope_org_field = "organization"
    data_label = "party"

    name = models.CharField("版式名称", max_length=50)
    kind = models.CharField("导入类型", max_length=20)
    mapping = models.JSONField("列映射", default=dict)
    organization = models.ForeignKey("orgs.PartyOrganization", on_delete=models.CASCADE, related_name="import_layouts",
                                     verbose_name="共享范围（党组织）")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name="保存人")

    class Meta:
        verbose_name = "导入版式"
        verbose_name_plural = "导入版式"
        ordering = ["kind", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["organization", "kind", "name"],
                                               name="core_importlayout_unique_name")]

    def __str__(self) -> str:
        return self.name
