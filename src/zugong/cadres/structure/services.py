"""Writes of the cadres part ``structure``: ``roster_apply``, the bulk service the 干部名册 import calls
(``structure.importers``; the importer parses, validates and plans, this writes)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F

from zugong.cadres.models import Cadre, Education, RankRecord
from zugong.cadres.selectors import held_on
from zugong.core.errors import OutOfScope, RowError, ValidationFailed
from zugong.core.scoping import can
from zugong.people.models import Person


def _save(obj, changes: dict) -> None:
    """Apply ``changes`` to ``obj`` and save those fields with the version bumped (optimistic locking,
    ``core.concurrency``: a page holding the old version then reports a concurrent edit)."""
    for key, value in changes.items():
        setattr(obj, key, value)
    obj.version = F("version") + 1
    obj.save(update_fields=[*changes, "version", "updated_at"])
    obj.refresh_from_db(fields=["version"])


@transaction.atomic
def roster_apply(*, user, rows: list, today: dt.date) -> dict:
    """Write the checked rows of a 干部名册 (``importers.RowPlan``: create or update ``Person`` + ``Cadre``,
    the first 全日制 / 在职 ``Education`` rows, a new ``RankRecord`` ending the rank held before on its start
    day). Re-checks ``cadre.import`` on every target unit (and on the cadre's current unit for a move), and
    as the appointment-form import does (``formfiles.writing.write_items``) ``cadre.add`` on the unit of a
    new cadre and ``cadre.change`` on an updated cadre (and on its new unit for a move): ``OutOfScope``
    otherwise — the whole import rolls back. A ``ValidationFailed`` (row-numbered) when a
    model check fails. The caller (``core.importing.run_import``) records the one ``import`` audit event;
    the change log records every row changed. Returns ``{"created": n, "updated": n}``."""
    created = updated = 0
    cadre_ids = [plan.cadre.pk for plan in rows if plan.cadre is not None]
    changeable = set(Cadre.objects.restrict(user, "change").filter(pk__in=cadre_ids)
                     .values_list("pk", flat=True)) if cadre_ids else set()
    for plan in rows:
        if not can(user, "cadre", "import", plan.unit) or (
                plan.cadre is not None and not can(user, "cadre", "import", plan.cadre.unit)):
            raise OutOfScope(f"第 {plan.number} 行：单位不存在或不在您的干部信息导入范围内。")
        if plan.cadre is None and not can(user, "cadre", "add", plan.unit):
            raise OutOfScope(f"第 {plan.number} 行：单位不在您的干部新增范围内，未写入任何数据。")
        if plan.cadre is not None and (plan.cadre.pk not in changeable or (
                plan.cadre.unit_id != plan.unit.pk and not can(user, "cadre", "change", plan.unit))):
            raise OutOfScope(f"第 {plan.number} 行：该干部不在您的干部信息修改范围内，未写入任何数据。")
        if plan.cadre is None:
            fields = dict(plan.new_person)
            fields.pop("key")
            number = fields.pop("id_number")
            person = Person(organization=None, **fields)
            person.set_id_number(number)
            person.save()
            cadre = Cadre(person=person, unit=plan.unit, status="serving", **plan.cadre_fields)
            try:
                cadre.full_clean(exclude=["person", "unit"])
            except Exception as exc:  # noqa: BLE001 - Django's ValidationError, reported by row
                raise ValidationFailed([RowError(plan.number, "", f"干部信息无效：{exc}")]) from None
            cadre.save()
            created += 1
        else:
            cadre = plan.cadre
            if plan.person:
                _save(cadre.person, plan.person)
            changes = dict(plan.cadre_fields)
            if cadre.unit_id != plan.unit.pk:
                changes["unit"] = plan.unit
            if changes:
                _save(cadre, changes)
            updated += 1
        for category, wanted in plan.educations.items():
            current = Education.objects.filter(cadre=cadre, category=category).order_by("position", "id").first()
            if current is None:
                Education.objects.create(cadre=cadre, category=category, **wanted)
            else:
                _save(current, {k: v for k, v in wanted.items() if getattr(current, k) != v})
        if plan.rank is not None:
            code, start = plan.rank
            held = RankRecord.objects.filter(held_on(today), cadre=cadre).order_by("-start_date").first()
            if held is not None:
                _save(held, {"end_date": start})
            RankRecord.objects.create(cadre=cadre, rank=code, start_date=start)
    return {"created": created, "updated": updated}
