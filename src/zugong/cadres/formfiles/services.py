"""Importing 干部任免审批表 files (issue #12 item 4): preview a batch, then apply the files the user chose.

``form_batch_preview(user=, files=, unit=None, accept_bad_checksum=False) -> Batch`` reads every file (one,
many, or ``.zip`` archives: ``formfiles.files``), maps each form to the record it describes
(``formfiles.mapping``), finds the person (``match``), and classifies it: ``new`` (a person and cadre will be
created in ``unit``), ``changed`` (with its field-by-field ``diff``), ``unchanged``, or ``error`` (the
Chinese ``messages``). Nothing is written but the batch itself: an ``ImportJob`` of kind ``lrmx`` owned by
the user (``Batch.job``), waiting (state ``mapping``, shown 「待确认」) with the files and the preview kept
**encrypted** with the field cipher, purged after ``ImportJob.UPLOAD_KEPT_HOURS`` hours like the roster's
kept uploads (``core.import_jobs.purge_expired``).

``form_batch_apply(user=, job=, selected=[file ids], unit=None)`` re-reads the kept files, plans them again
against the record as it is now, and writes the selected ones in **one transaction**: all or nothing. A
selected file that has an error now, or whose diff is no longer the one previewed (someone changed the record
meanwhile), refuses the whole batch (``ValidationFailed``, one ``RowError`` per file: ``row`` = file id).
Each cadre created or updated gets one audit event (``cadre_form_import_create`` / ``_update``: the cadre's
id, the file's name masked, the labels changed, for an update the old and new field values); child rows are
bulk-written with one change-log event per model (``audit.changelog.log_bulk_change``) — ``formfiles.writing``.

Matching (``match``), ``rules.md`` §7–§8: by ID number (``Person.hash_id_number`` → ``id_number_hash``), else —
a form without one — by name and birth month among the cadres in the user's ``cadre.change`` scope (two or
more → an error asking for the ID number). A person found by ID number is updated only when their cadre is
in the user's ``cadre.change`` scope; a person without a cadre profile gets one in ``unit`` (their basic
fields changed only with ``basic.change`` on them). A number held by a person the user may not update is
answered only through the ID-number oracle (``people.oracle.existence_answer``: audited, counted against the
daily budget) — never with that record's data.

Scope: the user needs ``cadre.import``; new cadres go to ``unit``, which must be in the user's ``cadre.add``
and ``cadre.import`` scope (default: the one top unit of the user's ``cadre.add`` scope, when there is
exactly one).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from zugong.cadres.formfiles import diff as diffs
from zugong.cadres.formfiles import files as batchfiles
from zugong.cadres.formfiles.mapping import (
    Existing,
    FamilyRow,
    FormPlan,
    ResumeRow,
    Target,
    plan_from_form,
    resolve,
)
from zugong.cadres.formfiles.writing import CADRE_KEYS, write_items
from zugong.cadres.lrmx.data import AppointmentFormData, FormFileError, Month
from zugong.cadres.models import Cadre, CadrePhoto, Education, FamilyMember, ResumeEntry
from zugong.core.errors import OutOfScope, PermissionDeniedError, RowError, ValidationFailed
from zugong.core.import_jobs import decrypt_report, encrypt_report, purge_expired
from zugong.core.importing import safe_filename
from zugong.core.models import ImportJob
from zugong.core.scoping import can, user_scope
from zugong.orgs.models import Unit
from zugong.people.models import Person
from zugong.people.oracle import THROTTLED_MESSAGE, existence_answer

KIND = "lrmx"
STATUSES = {"new": "新增", "changed": "有变化", "unchanged": "无变化", "error": "有错误"}
ELSEWHERE = "该公民身份号码已在您的干部管理范围以外登记，不能通过本次导入修改；如属同一人请联系其所在单位办理"
NOT_TELLING = "该人员不在您的干部管理范围内，不能导入"
STALE = "记录在预览后已被修改（或文件状态已变化），请重新上传预览后再确认"

Progress = Callable[[str, int, int], None]


@dataclass
class FileResult:
    """The preview of one file: ``id``, ``name`` (masked for the page), ``status`` (``new``/``changed``/
    ``unchanged``/``error``), ``person`` (the form's name), ``messages`` (errors), ``warnings``, ``diff``
    (``DiffLine``s as lists ``[section, label, old, new]``), ``digest`` (of status and diff: what confirm
    checks again)."""

    id: int
    name: str
    status: str
    person: str = ""
    messages: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    diff: list[list[str]] = field(default_factory=list)
    digest: str = ""

    @property
    def status_label(self) -> str:
        return STATUSES[self.status]

    @property
    def selectable(self) -> bool:
        return self.status in ("new", "changed")

    def as_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "status": self.status, "person": self.person,
                "messages": self.messages, "warnings": self.warnings, "diff": self.diff, "digest": self.digest}


@dataclass
class Batch:
    """A previewed batch: the ``job`` keeping it, the ``files`` (``FileResult``), archive members skipped,
    and — after apply — ``applied`` (file ids written) and ``created``/``updated`` counts."""

    job: ImportJob | None
    files: list[FileResult]
    skipped: list[str] = field(default_factory=list)
    unit_id: int | None = None
    applied: list[int] = field(default_factory=list)
    created: int = 0
    updated: int = 0

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)

    @property
    def has_errors(self) -> bool:
        return any(f.status == "error" for f in self.files)


# ----- reading ------------------------------------------------------------------------------------------------


def read_source(source: batchfiles.SourceFile) -> AppointmentFormData:
    """The form in ``source`` (``cadres.lrmx.reader.read_form_file``); ``FormFileError`` when unreadable."""
    import posixpath

    from zugong.cadres.lrmx import reader

    sidecar = {posixpath.splitext(source.name)[0] + ".pic": source.pic} if source.pic is not None else None
    return reader.read_form_file(source.name, source.data, sidecar)


@dataclass
class _Item:
    source: batchfiles.SourceFile
    plan: FormPlan | None = None
    person: Person | None = None
    cadre: Cadre | None = None
    existing: Existing | None = None
    target: Target | None = None
    status: str = "error"
    errors: list[str] = field(default_factory=list)
    may_change_person: bool = True
    elsewhere: bool = False


def _plan_all(collected: batchfiles.Collected, *, accept_bad_checksum: bool, today: dt.date,
              progress: Progress | None) -> list[_Item]:
    items = []
    total = len(collected.files)
    for index, source in enumerate(collected.files, start=1):
        item = _Item(source)
        if source.error:
            item.errors.append(source.error)
        else:
            try:
                form = read_source(source)
            except FormFileError as exc:
                item.errors += exc.messages
            else:
                item.plan = plan_from_form(form, accept_bad_checksum=accept_bad_checksum, today=today)
                item.errors += item.plan.errors
        items.append(item)
        if progress and (index % 50 == 0 or index == total):
            progress("读取文件", index, total)
    return items


# ----- matching ------------------------------------------------------------------------------------------------


def _match(items: list[_Item], *, user) -> None:
    """Find each planned form's person (module docstring): sets ``item.person``/``item.cadre`` or an error.
    Three queries for the whole batch: people by hash, the cadres in scope among them, and the candidates by
    name for the forms without an ID number."""
    planned = [i for i in items if i.plan is not None and not i.errors]
    hashes = {Person.hash_id_number(i.plan.id_number): i for i in planned if i.plan.id_number}
    by_hash: dict[str, Person] = {}
    if hashes:
        for person in Person.objects.filter(id_number_hash__in=list(hashes)).select_related("cadre"):
            by_hash[person.id_number_hash] = person
    changeable = set(Cadre.objects.restrict(user, "change").filter(
        person_id__in=[p.pk for p in by_hash.values()]).values_list("pk", flat=True)) if by_hash else set()
    visible_people = set(Person.objects.restrict(user, "view").filter(
        pk__in=[p.pk for p in by_hash.values() if not hasattr(p, "cadre")]).values_list("pk", flat=True)) \
        if by_hash else set()
    changeable_people = set(Person.objects.restrict(user, "change").filter(pk__in=visible_people)
                            .values_list("pk", flat=True)) if visible_people else set()
    candidates: dict[tuple, list[Cadre]] = {}
    names = {i.plan.name for i in planned}
    if names:
        for cadre in Cadre.objects.restrict(user, "change").filter(person__name__in=names).select_related("person"):
            birth = cadre.person.birth_date
            candidates.setdefault((cadre.person.name, birth.year, birth.month), []).append(cadre)
    for item in planned:
        plan = item.plan
        key = (plan.name, plan.birth.year, plan.birth.month) if plan.birth else None
        if plan.id_number:
            person = by_hash.get(Person.hash_id_number(plan.id_number))
            if person is None:
                others = candidates.get(key, [])
                if others:
                    plan.warnings.append(f"已有同名、同出生年月的干部（{len(others)} 人）但身份证号码不同，本文件将作为新人员导入，请核对")
                continue
            cadre = getattr(person, "cadre", None)
            if cadre is not None:
                if cadre.pk in changeable:
                    item.person, item.cadre = person, cadre
                else:
                    item.elsewhere = True
            elif person.pk in visible_people:
                item.person = person
                item.may_change_person = person.pk in changeable_people
            else:
                item.elsewhere = True
        else:
            found = candidates.get(key, []) if key else []
            if len(found) == 1:
                item.person, item.cadre = found[0].person, found[0]
            elif len(found) > 1:
                item.errors.append(f"您的管理范围内有 {len(found)} 名同名、同出生年月的干部，无法确定是哪一位；"
                                   "请在表中填写公民身份号码（ShenFenZheng）后重新导入")
            else:
                item.errors.append("表中没有公民身份号码，且您的管理范围内没有同名、同出生年月的干部；"
                                   "新增人员须填写公民身份号码")


def _answer_elsewhere(items: list[_Item], *, user, context: str) -> None:
    """The forms whose ID number is held by a person the user may not update: answered through the oracle
    (one call for the batch), each an error."""
    elsewhere = [i for i in items if i.elsewhere]
    if not elsewhere:
        return
    # the numbers not held inside the scope: the new ones and those held elsewhere (people.oracle)
    unknown = sum(1 for i in items if i.plan is not None and i.plan.id_number and i.person is None)
    answer = existence_answer(user=user, unknown=unknown, elsewhere=len(elsewhere), context=context,
                              object_type="cadres.cadre")
    for index, item in enumerate(elsewhere):
        if index < answer.answered:
            item.errors.append(ELSEWHERE)
        elif answer.throttled:
            item.errors.append(THROTTLED_MESSAGE)
        else:
            item.errors.append(NOT_TELLING)


def _duplicates(items: list[_Item]) -> None:
    """Two files of one batch describing the same person: the later ones are errors."""
    seen: dict[object, str] = {}
    for item in items:
        if item.plan is None or item.errors:
            continue
        key = ("pk", item.person.pk) if item.person is not None else ("id", item.plan.id_number)
        if key in seen:
            item.errors.append(f"与本批文件「{seen[key]}」是同一人员，同一人员只能导入一个文件")
        else:
            seen[key] = item.source.name


# ----- the existing record -------------------------------------------------------------------------------------


def _month(day: dt.date | None) -> Month | None:
    return Month(day.year, day.month) if day else None


PERSON_KEYS = ("name", "sex", "birth_date", "ethnicity", "work_start_date", "political_status")


def _load_existing(items: list[_Item]) -> None:
    """``item.existing`` for every matched item: five queries for the batch (educations, résumé, family,
    photos — without their content)."""
    from zugong.cadres.formfiles.mapping import EducationRow

    matched = [i for i in items if i.person is not None and not i.errors]
    cadre_ids = [i.cadre.pk for i in matched if i.cadre is not None]
    educations: dict[int, dict[str, list]] = {}
    education_ids: dict[int, dict[str, list]] = {}
    resumes: dict[int, list] = {}
    families: dict[int, list] = {}
    photos: dict[int, tuple] = {}
    if cadre_ids:
        for row in Education.objects.filter(cadre_id__in=cadre_ids).order_by("cadre_id", "category", "position", "id"):
            educations.setdefault(row.cadre_id, {}).setdefault(row.category, []).append(EducationRow(
                row.education_text, row.degree_text, row.education_school_major, row.degree_school_major,
                row.education_level, row.degree))
            education_ids.setdefault(row.cadre_id, {}).setdefault(row.category, []).append((row.pk, row.position))
        for row in ResumeEntry.objects.filter(cadre_id__in=cadre_ids).order_by("cadre_id", "position", "id"):
            resumes.setdefault(row.cadre_id, []).append(ResumeRow(_month(row.start_date), _month(row.end_date),
                                                                  row.text, row.in_service_study))
        for row in FamilyMember.objects.filter(cadre_id__in=cadre_ids).order_by("cadre_id", "position", "id"):
            families.setdefault(row.cadre_id, []).append(FamilyRow(
                row.relation, row.name, _month(row.birth_date), row.political_status, row.work_unit_and_post,
                row.deceased))
        for cadre_id, sha, width, height in CadrePhoto.objects.filter(cadre_id__in=cadre_ids).values_list(
                "cadre_id", "sha256", "width", "height"):
            photos[cadre_id] = (sha, (width, height))
    for item in matched:
        person, cadre = item.person, item.cadre
        existing = Existing(person={k: getattr(person, k) for k in PERSON_KEYS})
        if cadre is not None:
            existing.cadre = {k: getattr(cadre, k) for k in CADRE_KEYS}
            existing.educations = educations.get(cadre.pk, {})
            existing.education_ids = education_ids.get(cadre.pk, {})
            existing.resume = resumes.get(cadre.pk, [])
            existing.family = families.get(cadre.pk, [])
            sha, size = photos.get(cadre.pk, ("", None))
            existing.photo_sha256, existing.photo_size = sha, size
        item.existing = existing


def _classify(items: list[_Item], *, user) -> None:
    for item in items:
        if item.plan is None or item.errors:
            item.status = "error"
            continue
        item.target = resolve(item.plan, item.existing)
        if item.person is None:
            item.status = "new"
            if not item.plan.id_number:
                item.errors.append("新增人员须填写公民身份号码")
                item.status = "error"
            continue
        changes = diffs.changed_sections(item.target, item.existing)
        if changes["person"] and not item.may_change_person and item.cadre is None:
            labels = "、".join(diffs.show_label(k) for k in changes["person"])
            item.errors.append(f"该人员已登记，表中{labels}与登记信息不同；您没有修改其基本信息的权限，"
                               "请先由其所在党组织更正后再导入")
            item.status = "error"
            continue
        lines = diffs.record_diff(item.target, item.existing)
        item.status = "changed" if (lines or item.cadre is None) else "unchanged"


def _result(item: _Item) -> FileResult:
    lines = [] if item.status == "error" else [d.as_list() for d in diffs.record_diff(item.target, item.existing)]
    warnings = list(item.plan.warnings) if item.plan is not None else []
    if item.status == "changed" and item.cadre is None:
        warnings.insert(0, "该人员已登记但尚无干部信息，将为其建立干部信息")
    name = item.plan.name if item.plan is not None else ""
    messages = list(dict.fromkeys(item.errors))
    digest = hashlib.sha256(json.dumps([item.status, lines, item.person.pk if item.person else None],
                                       ensure_ascii=False).encode("utf-8")).hexdigest()
    return FileResult(item.source.id, safe_filename(item.source.name) if "/" not in item.source.name
                      else _masked_path(item.source.name), item.status, name, messages, warnings, lines, digest)


def _masked_path(name: str) -> str:
    folder, _, base = name.rpartition("/")
    return f"{folder}/{safe_filename(base)}"


def _plan_batch(*, user, collected: batchfiles.Collected, accept_bad_checksum: bool, context: str,
                progress: Progress | None = None, ask_oracle: bool = True) -> list[_Item]:
    today = timezone.localdate()
    items = _plan_all(collected, accept_bad_checksum=accept_bad_checksum, today=today, progress=progress)
    _match(items, user=user)
    if ask_oracle:
        _answer_elsewhere(items, user=user, context=context)
    else:
        for item in items:
            if item.elsewhere:
                item.errors.append(STALE)
    _duplicates(items)
    _load_existing(items)
    _classify(items, user=user)
    return items


# ----- the target unit -------------------------------------------------------------------------------------------


def default_unit(user) -> Unit | None:
    """The one top unit of ``user``'s ``cadre.add`` scope, ``None`` when there are none or several."""
    nodes = user_scope(user, "cadre", "add", "unit")
    if len(nodes) != 1:
        return None
    return Unit.objects.filter(pk=nodes[0].org_id).first()


def units_for_new_cadres(user):
    """The units new cadres may be put in: those in ``user``'s ``cadre.add`` and ``cadre.import`` scope."""
    return Unit.objects.restrict(user, "add", label="cadre").filter(
        pk__in=Unit.objects.restrict(user, "import", label="cadre").values("pk")).order_by("path")


def _check_unit(user, unit) -> Unit | None:
    if unit is None:
        return default_unit(user)
    unit_id = unit.pk if isinstance(unit, Unit) else unit
    found = units_for_new_cadres(user).filter(pk=unit_id).first()
    if found is None:
        raise OutOfScope("单位不存在或不在您的干部新增范围内。")
    return found


def _require_import(user) -> None:
    if not can(user, "cadre", "import"):
        raise PermissionDeniedError("您没有导入干部信息的权限。")


# ----- keeping the batch ------------------------------------------------------------------------------------------


def _pack(collected: batchfiles.Collected, results: list[FileResult]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        manifest = {"files": [{"id": s.id, "name": s.name, "error": s.error, "pic": s.pic is not None}
                              for s in collected.files],
                    "skipped": collected.skipped, "results": [r.as_dict() for r in results]}
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False))
        for source in collected.files:
            archive.writestr(f"f/{source.id}", source.data)
            if source.pic is not None:
                archive.writestr(f"p/{source.id}", source.pic)
    return buffer.getvalue()


def _unpack(data: bytes) -> tuple[batchfiles.Collected, list[FileResult]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        names = set(archive.namelist())
        files = [batchfiles.SourceFile(f["id"], f["name"], archive.read(f"f/{f['id']}"),
                                       archive.read(f"p/{f['id']}") if f"p/{f['id']}" in names else None,
                                       f["error"]) for f in manifest["files"]]
    results = [FileResult(**r) for r in manifest["results"]]
    return batchfiles.Collected(files, manifest["skipped"]), results


def _batch_name(files: list[tuple[str, bytes]], count: int) -> str:
    if len(files) == 1:
        return safe_filename(files[0][0])
    return f"干部任免审批表 {count} 个文件"


def form_batch_preview(*, user, files: list[tuple[str, bytes]], unit=None, accept_bad_checksum: bool = False,
                       progress: Progress | None = None, keep: bool = True) -> Batch:
    """Preview ``files`` (``(name, bytes)``: ``.lrmx``/``.lrm``/``.pic`` files or ``.zip`` archives) for
    ``user`` (module docstring). ``unit``: where new cadres go (a ``Unit`` or its id; ``None``: the default
    unit, ``default_unit``). ``keep=False`` (the CLI's dry run) keeps no job. Returns the ``Batch``.

    Raises ``PermissionDeniedError`` without ``cadre.import``; ``OutOfScope`` for a ``unit`` outside the
    user's ``cadre.add``/``cadre.import`` scope; ``ValidationFailed`` (one ``RowError``, row 0) for an upload
    refused as a whole (an unsafe or oversized archive, too many files, no file at all)."""
    _require_import(user)
    target_unit = _check_unit(user, unit)
    try:
        collected = batchfiles.collect(files)
    except batchfiles.BatchRefused as exc:
        raise ValidationFailed([RowError(0, "", str(exc))], message=str(exc))
    if not collected.files:
        message = "没有找到干部任免审批表文件（.lrmx 或 .lrm）"
        raise ValidationFailed([RowError(0, "", message)], message=message)
    name = _batch_name(files, len(collected.files))
    items = _plan_batch(user=user, collected=collected, accept_bad_checksum=accept_bad_checksum,
                        context=f"导入干部任免审批表「{name}」", progress=progress)
    if target_unit is None:
        for item in items:
            if item.status == "new":
                item.errors.append("请选择新增干部所在单位")
                item.status = "error"
    results = [_result(i) for i in items]
    batch = Batch(None, results, collected.skipped, target_unit.pk if target_unit else None)
    if keep:
        purge_expired()
        batch.job = ImportJob.objects.create(
            user=user, kind=KIND, filename=name, status="mapping", phase="待确认",
            options={"unit": batch.unit_id, "accept_bad_checksum": bool(accept_bad_checksum)},
            total_rows=len(results), created_count=batch.count("new"), updated_count=batch.count("changed"),
            unchanged_count=batch.count("unchanged"), error_count=batch.count("error"),
            message=f"预览：新增 {batch.count('new')}，有变化 {batch.count('changed')}，无变化 "
                    f"{batch.count('unchanged')}，有错误 {batch.count('error')}；待确认",
            upload_encrypted=encrypt_report(_pack(collected, results)))
    return batch


def batch_for(*, user, job_id: int) -> ImportJob:
    """The ``lrmx`` job ``job_id`` of ``user`` (``OutOfScope`` for another user's, another kind, unknown)."""
    job = ImportJob.objects.owned_by(user).filter(pk=job_id, kind=KIND).first()
    if job is None:
        raise OutOfScope("导入任务不存在。")
    return job


def batch_results(job: ImportJob) -> Batch:
    """The preview (or, once applied, the outcome) kept for ``job``; ``files`` empty once purged."""
    if job.status == "mapping" and job.upload_encrypted:
        collected, results = _unpack(decrypt_report(job.upload_encrypted))
        return Batch(job, results, collected.skipped, (job.options or {}).get("unit"))
    if job.error_report_encrypted:
        outcome = json.loads(decrypt_report(job.error_report_encrypted))
        return Batch(job, [FileResult(**r) for r in outcome["results"]], outcome.get("skipped", []),
                     (job.options or {}).get("unit"), outcome.get("applied", []), job.created_count,
                     job.updated_count)
    return Batch(job, [], [], (job.options or {}).get("unit"))


# ----- applying ------------------------------------------------------------------------------------------------------


def form_batch_apply(*, user, job: ImportJob | int, selected: list[int], unit=None,
                     progress: Progress | None = None) -> Batch:
    """Apply the files ``selected`` (file ids) of the previewed batch ``job`` (an ``ImportJob`` or its id,
    owned by ``user``) in one transaction (module docstring). ``unit``: where new cadres go (default: the
    unit chosen at the preview). Returns the ``Batch`` with ``applied``/``created``/``updated``.

    Raises ``OutOfScope`` for another user's or an unknown batch, or a unit outside the scope;
    ``ValidationFailed`` when the batch is no longer waiting (applied, expired), nothing is selected, or any
    selected file cannot be applied as previewed (one ``RowError`` per file, ``row`` = the file id) — then
    nothing is written."""
    _require_import(user)
    job_id = job.pk if isinstance(job, ImportJob) else int(job)
    found = batch_for(user=user, job_id=job_id)
    if found.status != "mapping" or not found.upload_encrypted:
        message = "该批文件已导入或已过期，请重新上传"
        raise ValidationFailed([RowError(0, "", message)], message=message)
    options = found.options or {}
    target_unit = _check_unit(user, unit if unit is not None else options.get("unit"))
    collected, previewed = _unpack(decrypt_report(found.upload_encrypted))
    chosen = {int(s) for s in selected}
    if not chosen:
        message = "请至少选择一个要导入的文件"
        raise ValidationFailed([RowError(0, "", message)], message=message)
    by_id = {r.id: r for r in previewed}
    unknown = chosen - set(by_id)
    if unknown:
        message = "所选文件不属于该批次"
        raise ValidationFailed([RowError(0, "", message)], message=message)
    subset = batchfiles.Collected([s for s in collected.files if s.id in chosen], [])
    items = _plan_batch(user=user, collected=subset, accept_bad_checksum=bool(options.get("accept_bad_checksum")),
                        context="", progress=progress, ask_oracle=False)
    errors: list[RowError] = []
    for item in items:
        result = _result(item)
        before = by_id[item.source.id]
        if item.status == "new" and target_unit is None:
            errors.append(RowError(item.source.id, result.name, "请选择新增干部所在单位"))
        elif result.status == "error":
            errors.append(RowError(item.source.id, result.name, "；".join(result.messages) or STALE))
        elif result.digest != before.digest or not before.selectable:
            errors.append(RowError(item.source.id, result.name,
                                   STALE if before.selectable else
                                   ("该文件无变化，无需导入" if before.status == "unchanged" else "该文件有错误，不能导入")))
    if errors:
        raise ValidationFailed(errors, message=f"有 {len(errors)} 个文件不能导入，未写入任何数据："
                                               + "；".join(str(e.reason) for e in errors[:3]))
    try:
        with transaction.atomic():
            locked = ImportJob.objects.select_for_update().filter(pk=found.pk, status="mapping").first()
            if locked is None:
                message = "该批文件已导入或已过期，请重新上传"
                raise ValidationFailed([RowError(0, "", message)], message=message)
            created, updated = write_items(user=user, items=items, unit=target_unit, progress=progress)
            outcome = {"results": [r.as_dict() for r in previewed], "skipped": collected.skipped,
                       "applied": sorted(chosen)}
            locked.status, locked.phase, locked.progress = "succeeded", "完成", 100
            locked.created_count, locked.updated_count = created, updated
            locked.unchanged_count = len(previewed) - created - updated
            locked.message = f"导入完成：新增干部 {created} 名，更新 {updated} 名"
            locked.upload_encrypted = ""
            locked.error_report_encrypted = encrypt_report(json.dumps(outcome, ensure_ascii=False).encode("utf-8"))
            locked.finished_at = timezone.now()
            locked.save()
    except IntegrityError:
        message = "写入时发现冲突（例如同一公民身份号码已被他人同时登记），未写入任何数据，请重新预览"
        raise ValidationFailed([RowError(0, "", message)], message=message)
    return Batch(locked, previewed, collected.skipped, target_unit.pk if target_unit else None, sorted(chosen),
                 created, updated)


def form_import_direct(*, user, files: list[tuple[str, bytes]], unit=None, accept_bad_checksum: bool = False,
                       dry_run: bool = False, progress: Progress | None = None) -> Batch:
    """Preview and apply in one call (the CLI, ``zugong import lrmx``): every file is planned as by
    ``form_batch_preview`` (no job is kept); when no file has an error and not ``dry_run``, every new or
    changed file is written in one transaction (``write_items``). A batch with any error writes nothing.
    Returns the ``Batch`` (``applied``: the file ids written). Raises as ``form_batch_preview``."""
    _require_import(user)
    target_unit = _check_unit(user, unit)
    try:
        collected = batchfiles.collect(files)
    except batchfiles.BatchRefused as exc:
        raise ValidationFailed([RowError(0, "", str(exc))], message=str(exc))
    if not collected.files:
        message = "没有找到干部任免审批表文件（.lrmx 或 .lrm）"
        raise ValidationFailed([RowError(0, "", message)], message=message)
    items = _plan_batch(user=user, collected=collected, accept_bad_checksum=accept_bad_checksum,
                        context=f"命令行导入干部任免审批表「{_batch_name(files, len(collected.files))}」",
                        progress=progress)
    if target_unit is None:
        for item in items:
            if item.status == "new":
                item.errors.append("请用 --unit 指定新增干部所在单位")
                item.status = "error"
    batch = Batch(None, [_result(i) for i in items], collected.skipped, target_unit.pk if target_unit else None)
    if batch.has_errors or dry_run:
        return batch
    writable = [i for i in items if i.status in ("new", "changed")]
    with transaction.atomic():
        batch.created, batch.updated = write_items(user=user, items=writable, unit=target_unit, progress=progress)
    batch.applied = [i.source.id for i in writable]
    return batch


@dataclass
class _RunnerResult:
    total_rows: int
    created: int
    updated: int
    unchanged: int
    warnings: list
    dry_run: bool

    def summary(self) -> str:
        return f"新增干部 {self.created} 名，更新 {self.updated} 名，无变化 {self.unchanged} 个文件"


def import_path_runner(path, *, user, filename: str = "", progress: Progress | None = None, dry_run: bool = False,
                       accept_bad_checksum: bool = False, unit=None, **_options):
    """The registered runner of import kind ``lrmx`` (``core.import_jobs``): the file at ``path`` (a form or a
    ``.zip``) imported with ``form_import_direct``; any file with an error → ``ValidationFailed`` (one
    ``RowError`` per message, ``row`` = the file's number), nothing written."""
    from pathlib import Path

    data = Path(path).read_bytes()
    batch = form_import_direct(user=user, files=[(filename or Path(path).name, data)], unit=unit,
                               accept_bad_checksum=accept_bad_checksum, dry_run=dry_run, progress=progress)
    errors = [RowError(f.id, f.name, message) for f in batch.files if f.status == "error" for message in f.messages]
    if errors:
        raise ValidationFailed(errors)
    return _RunnerResult(len(batch.files), batch.created, batch.updated, batch.count("unchanged"), [], dry_run)


def blank_template() -> bytes:
    """A blank ``.lrmx`` (every element empty), written by ``cadres.lrmx.writer.write_lrmx``."""
    from zugong.cadres.lrmx.writer import write_lrmx

    return write_lrmx(AppointmentFormData())
