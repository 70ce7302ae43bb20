"""Writing the planned appointment forms of a batch (``cadres.formfiles.services`` plans and checks them):
``write_items`` inside the caller's transaction — new people and cadres in bulk, changed fields as one UPDATE
per set of changed columns after a version check, child rows replaced in bulk, one audit event per cadre."""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone

from zugong.audit.changelog import log_bulk_change
from zugong.audit.services import record_event
from zugong.cadres.formfiles import diff as diffs
from zugong.cadres.formfiles.mapping import CATEGORIES, first_of
from zugong.cadres.models import Cadre, CadrePhoto, Education, FamilyMember, ResumeEntry
from zugong.core.errors import ConcurrentEdit, OutOfScope, RowError, ValidationFailed
from zugong.core.importing import safe_filename
from zugong.core.maintenance import analyze_models
from zugong.core.scoping import can
from zugong.orgs.models import Unit
from zugong.people.models import Person

Progress = Callable[[str, int, int], None]
CADRE_KEYS = ("native_place", "birthplace", "party_joined_date", "other_party", "health", "professional_title",
              "specialty", "current_post_title", "proposed_post", "proposed_removal", "rewards_punishments",
              "assessment_summary", "appointment_reason", "reporting_unit", "age_reference_date",
              "form_filled_date", "form_filled_by")


def write_items(*, user, items: list, unit: Unit | None, progress: Progress | None = None) -> tuple[int, int]:
    """Write planned items (inside the caller's transaction): new people and cadres (bulk), changed person and
    cadre fields (``bulk_update``, one UPDATE per set of changed columns; the rows are locked first and their
    versions checked: ``ConcurrentEdit`` when one changed since it was read), replaced education/résumé/family
    rows and photos (bulk, one change-log event per model), one audit event per cadre (an update's event
    carries the old and new value of every changed person and cadre field). Returns ``(created,
    updated)``. Re-checks the scope inside the transaction: a cadre no longer in ``cadre.change`` scope or a
    unit no longer in ``cadre.add`` scope raises ``OutOfScope`` (the caller's transaction rolls back)."""
    now = timezone.now()
    new_items = [i for i in items if i.status == "new"]
    changed = [i for i in items if i.status == "changed"]
    profile_only = [i for i in changed if i.cadre is None]  # a registered person gets a cadre profile in ``unit``
    if (new_items or profile_only) and (unit is None or not can(user, "cadre", "add", unit)):
        raise OutOfScope("单位不存在或不在您的干部新增范围内。")
    person_ids = {i.person.pk for i in changed if diffs.changed_sections(i.target, i.existing)["person"]}
    if person_ids and Person.objects.restrict(user, "change").filter(pk__in=person_ids).count() != len(person_ids):
        # a person whose basic fields change must still be changeable: by its party organization, or through
        # a cadre record in the user's cadre.change scope (cadres.record's rule)
        through_cadre = set(Cadre.objects.restrict(user, "change").filter(person_id__in=person_ids)
                            .values_list("person_id", flat=True))
        allowed = set(Person.objects.restrict(user, "change").filter(pk__in=person_ids).values_list("pk", flat=True))
        if person_ids - through_cadre - allowed:
            raise OutOfScope("部分人员已不在您的修改范围内，未写入任何数据。")
    cadre_ids = [i.cadre.pk for i in changed if i.cadre is not None]
    if cadre_ids and Cadre.objects.restrict(user, "change").filter(pk__in=cadre_ids).count() != len(set(cadre_ids)):
        raise OutOfScope("部分干部已不在您的管理范围内，未写入任何数据。")
    # new people
    people = []
    for item in new_items:
        values = item.target.person
        person = Person(name=values["name"], sex=values["sex"], birth_date=values["birth_date"],
                        ethnicity=values["ethnicity"] or "", work_start_date=values["work_start_date"],
                        political_status=values["political_status"] or "", organization=None)
        person.set_id_number(item.plan.id_number)
        people.append(person)
    if people:
        missing = [i.source.name for i, p in zip(new_items, people, strict=True) if not p.sex or not p.birth_date]
        if missing:
            raise ValidationFailed([RowError(0, "", f"「{n}」缺少性别或出生年月") for n in missing])
        Person.objects.bulk_create(people)
        log_bulk_change(Person, len(people), f"导入干部任免审批表：新增人员 {len(people)} 名")
        cadres = []
        for item, person in zip(new_items, people, strict=True):
            cadre = Cadre(person=person, unit=unit)
            _set_cadre_fields(cadre, item.target.cadre)
            item.person, item.cadre = person, cadre
            cadres.append(cadre)
        Cadre.objects.bulk_create(cadres)
        log_bulk_change(Cadre, len(cadres), f"导入干部任免审批表：新增干部 {len(cadres)} 名")
    # changed people and cadres: the versions read when planning must still be the stored ones (locked now)
    _check_versions(Person, {i.person.pk: i.person.version for i in changed})
    _check_versions(Cadre, {i.cadre.pk: i.cadre.version for i in changed if i.cadre is not None})
    labels_of: dict[int, list[str]] = {}
    values_of: dict[int, dict] = {}
    person_groups: dict[tuple, list[Person]] = {}
    cadre_groups: dict[tuple, list[Cadre]] = {}
    created_cadres = []
    for item in changed:
        changes = diffs.changed_sections(item.target, item.existing)
        labels_of[item.source.id] = [line.label for line in diffs.record_diff(item.target, item.existing)]
        values_of[item.source.id] = {
            **{f"people.person.{k}": [item.existing.person.get(k), v] for k, v in changes["person"].items()},
            **({f"cadres.cadre.{k}": [item.existing.cadre.get(k), v] for k, v in changes["cadre"].items()}
               if item.cadre is not None else {})}
        if changes["person"]:
            for key, value in changes["person"].items():
                setattr(item.person, key, value)
            item.person.version += 1
            item.person.updated_at = now
            person_groups.setdefault(tuple(sorted(changes["person"])), []).append(item.person)
        if item.cadre is None:
            item.cadre = Cadre(person=item.person, unit=unit)
            _set_cadre_fields(item.cadre, item.target.cadre)
            created_cadres.append(item.cadre)
            item.created_cadre = True
        elif changes["cadre"]:
            for key, value in changes["cadre"].items():
                setattr(item.cadre, key, value)
            item.cadre.version += 1
            item.cadre.updated_at = now
            cadre_groups.setdefault(tuple(sorted(changes["cadre"])), []).append(item.cadre)
        item.changes = changes
    # one UPDATE per set of changed columns (the per-cadre audit event below carries the old and new values)
    for fields, rows in person_groups.items():
        Person.objects.bulk_update(rows, [*fields, "version", "updated_at"], batch_size=500)
    for fields, rows in cadre_groups.items():
        Cadre.objects.bulk_update(rows, [*fields, "version", "updated_at"], batch_size=500)
    if created_cadres:
        Cadre.objects.bulk_create(created_cadres)
        log_bulk_change(Cadre, len(created_cadres), f"导入干部任免审批表：为已登记人员新增干部 {len(created_cadres)} 名")
    # child rows: replaced where they differ (all of them for new cadres)
    replace = {"educations": {}, "resume": [], "family": [], "photo": []}
    for item in new_items:
        for category, _ in CATEGORIES:
            replace["educations"].setdefault(category, []).append(item)
        replace["resume"].append(item)
        replace["family"].append(item)
        if item.target.photo is not None:
            replace["photo"].append(item)
    for item in changed:
        new_cadre = getattr(item, "created_cadre", False)
        for category, _ in CATEGORIES:
            if new_cadre or category in item.changes["educations"]:
                replace["educations"].setdefault(category, []).append(item)
        if new_cadre or item.changes["resume"]:
            replace["resume"].append(item)
        if new_cadre or item.changes["family"]:
            replace["family"].append(item)
        if item.changes["photo"]:
            replace["photo"].append(item)
    _replace_children(replace, now=now)
    # one audit event per cadre
    for item in new_items:
        record_event("cadre_form_import_create", user=user, object_type="cadres.cadre", object_id=item.cadre.pk,
                     summary=f"导入干部任免审批表：新增干部 #{item.cadre.pk}（{unit.name}）",
                     data={"file": safe_filename(item.source.name), "unit": unit.code})
    for item in changed:
        labels = labels_of[item.source.id]
        record_event("cadre_form_import_update", user=user, object_type="cadres.cadre", object_id=item.cadre.pk,
                     summary=f"导入干部任免审批表：更新干部 #{item.cadre.pk}（{len(labels)} 处变化）",
                     data={"file": safe_filename(item.source.name), "fields": sorted(set(labels))[:50],
                           "changes": values_of[item.source.id],
                           "created_cadre": bool(getattr(item, "created_cadre", False))})
    if progress:
        progress("写入", len(items), len(items))
    # a large batch: the written tables' planner statistics once the caller's transaction commits
    analyze_models((Person, Cadre, Education, ResumeEntry, FamilyMember, CadrePhoto), rows=len(new_items) + len(changed))
    return len(new_items), len(changed)


def _check_versions(model, versions: dict[int, int]) -> None:
    """Lock the rows ``versions`` names (``SELECT … FOR UPDATE``) and raise ``ConcurrentEdit`` when one was
    changed since it was read (optimistic locking: the diff shown would no longer be what is written)."""
    if not versions:
        return
    stored = dict(model.objects.select_for_update().filter(pk__in=list(versions)).values_list("pk", "version"))
    if stored != versions:
        raise ConcurrentEdit("部分记录在读取后已被他人修改，未写入任何数据，请重新预览后再确认。")


def _set_cadre_fields(cadre: Cadre, values: dict) -> None:
    for key in CADRE_KEYS:
        value = values.get(key)
        setattr(cadre, key, value if value is not None or key.endswith("_date") else "")


def _replace_children(replace: dict, *, now) -> None:
    def wipe(model, cadre_ids, **extra):
        if not cadre_ids:
            return
        queryset = model.objects.filter(cadre_id__in=cadre_ids, **extra)
        count = queryset._raw_delete(queryset.db)
        if count:
            log_bulk_change(model, count, f"导入干部任免审批表：替换{model._meta.verbose_name} {count} 条",
                            action="bulk_delete")

    rows = []
    for category, items in replace["educations"].items():
        # the form carries the first row of the category: it replaces that row (a blank block: every row)
        gone, positions = [], {}
        for item in items:
            ids = item.existing.education_ids.get(category, []) if item.existing is not None else []
            if item.target.educations[category]:
                gone += [pk for pk, _position in ids[:1]]
                positions[item.source.id] = ids[0][1] if ids else 0
            else:
                gone += [pk for pk, _position in ids]
        if gone:
            queryset = Education.objects.filter(pk__in=gone)
            count = queryset._raw_delete(queryset.db)
            log_bulk_change(Education, count, f"导入干部任免审批表：替换学历学位 {count} 条", action="bulk_delete")
        for item in items:
            for row in item.target.educations[category]:
                rows.append(Education(cadre=item.cadre, category=category, position=positions.get(item.source.id, 0),
                                      education_text=row.education_text, education_level=row.education_level,
                                      degree_text=row.degree_text, degree=row.degree,
                                      education_school_major=row.education_school_major,
                                      degree_school_major=row.degree_school_major))
    _bulk(Education, rows)
    wipe(ResumeEntry, [i.cadre.pk for i in replace["resume"] if i.status != "new"])
    _bulk(ResumeEntry, [ResumeEntry(cadre=item.cadre, position=position, start_date=first_of(row.start),
                                    end_date=first_of(row.end) if row.end else None, text=row.text,
                                    in_service_study=row.in_service_study)
                        for item in replace["resume"] for position, row in enumerate(item.target.resume)])
    wipe(FamilyMember, [i.cadre.pk for i in replace["family"] if i.status != "new"])
    _bulk(FamilyMember, [FamilyMember(cadre=item.cadre, position=position, relation=row.relation, name=row.name,
                                      birth_date=first_of(row.birth) if row.birth else None,
                                      political_status=row.political_status,
                                      work_unit_and_post=row.work_unit_and_post, deceased=row.deceased)
                         for item in replace["family"] for position, row in enumerate(item.target.family)])
    wipe(CadrePhoto, [i.cadre.pk for i in replace["photo"] if i.status != "new"])
    _bulk(CadrePhoto, [CadrePhoto(cadre=item.cadre, content=item.target.photo.content,
                                  width=item.target.photo.width, height=item.target.photo.height,
                                  sha256=item.target.photo.sha256) for item in replace["photo"]])


def _bulk(model, rows: list) -> None:
    if rows:
        model.objects.bulk_create(rows, batch_size=500)
        log_bulk_change(model, len(rows), f"导入干部任免审批表：写入{model._meta.verbose_name} {len(rows)} 条")
