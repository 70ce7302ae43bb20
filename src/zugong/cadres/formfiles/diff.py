"""Field-by-field difference between the cadre record as it is (``mapping.Existing``) and as an appointment
form would leave it (``mapping.Target``): what the preview page and the CLI show before anything is saved.

``record_diff(target, existing)`` returns ``DiffLine``s (section, Chinese field label, old display value,
new display value) in the form's order, sections ``基本信息`` / ``学历学位`` / ``简历`` / ``家庭成员`` / ``照片``;
an empty list means the file changes nothing ("unchanged"). ``existing=None`` (a new person) lists every
value the form fills, old values empty. The same comparisons tell the apply step which parts to write
(``changed_sections``), so the preview and the write never disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from zugong.cadres.formfiles.mapping import (
    CADRE_FIELDS,
    CATEGORIES,
    EDUCATION_TEXTS,
    PERSON_FIELDS,
    Existing,
    FamilyRow,
    ResumeRow,
    Target,
)
from zugong.cadres.lrmx.data import Month
from zugong.core.codes import ETHNICITY, POLITICAL_STATUS, SEX

SECTIONS = ("基本信息", "学历学位", "简历", "家庭成员", "照片")
CODED = {"sex": SEX, "ethnicity": ETHNICITY, "political_status": POLITICAL_STATUS}
# month-precision values on the form (stored as the 1st): shown as yyyy.MM when the day is the 1st
MONTH_FIELDS = {"party_joined_date", "work_start_date"}


@dataclass(frozen=True)
class DiffLine:
    """One changed value: ``section`` (one of ``SECTIONS``), ``label`` (Chinese), ``old``/``new`` as shown
    (``""`` = empty)."""

    section: str
    label: str
    old: str
    new: str

    def as_list(self) -> list[str]:
        return [self.section, self.label, self.old, self.new]


def show_date(value: dt.date | None) -> str:
    """``1980.03.15`` (``""`` for none)."""
    return f"{value.year}.{value.month:02d}.{value.day:02d}" if value else ""


def show_month(value: Month | None) -> str:
    """``1980.03`` (``""`` for none)."""
    return f"{value.year}.{value.month:02d}" if value else ""


def show_value(key: str, value) -> str:
    """A field's value as the preview shows it (codes as their Chinese names, dates ``yyyy.MM.dd``)."""
    if value is None or value == "":
        return ""
    if key in CODED:
        return CODED[key].label(value)
    if isinstance(value, dt.date):
        if key in MONTH_FIELDS and value.day == 1:
            return f"{value.year}.{value.month:02d}"
        return show_date(value)
    return str(value)


def resume_text(row: ResumeRow) -> str:
    """A résumé line as the form writes it: ``1994.09--1998.07  text`` (open end: 7 spaces)."""
    end = show_month(row.end) if row.end else " " * 7
    prefix = "（其间）" if row.in_service_study else ""
    return f"{show_month(row.start)}--{end}  {prefix}{row.text}"


def family_text(row: FamilyRow) -> str:
    """A family member as one line: 称谓 姓名 出生年月 政治面貌 工作单位及职务 (已去世)."""
    parts = [row.relation, row.name, show_month(row.birth), row.political_status, row.work_unit_and_post]
    text = " ".join(p for p in parts if p)
    return f"{text}（已去世）" if row.deceased else text


def education_texts(rows) -> tuple[str, str, str, str]:
    """The four texts of a category as the form carries them: its first row's (``cadres.lrmx.mapping``
    exports the first row of each category); empty for none."""
    return rows[0].texts() if rows else ("", "", "", "")


def _rows_key(rows, key_of) -> list:
    return [key_of(row) for row in rows]


def _resume_key(row: ResumeRow):
    return (row.start.year, row.start.month, (row.end.year, row.end.month) if row.end else None, row.text,
            row.in_service_study)


def _family_key(row: FamilyRow):
    return (row.relation, row.name, (row.birth.year, row.birth.month) if row.birth else None, row.political_status,
            row.work_unit_and_post, row.deceased)


def changed_sections(target: Target, existing: Existing | None) -> dict[str, object]:
    """What applying ``target`` over ``existing`` writes: ``person``/``cadre`` the changed fields (field →
    new value), ``educations`` the categories whose rows are replaced, ``resume``/``family`` whether those
    rows are replaced, ``photo`` whether the photo is set."""
    old = existing or Existing()
    person = {k: target.person[k] for k, _ in PERSON_FIELDS if target.person.get(k) != old.person.get(k)}
    old_cadre = old.cadre
    cadre = {k: target.cadre[k] for k, _ in CADRE_FIELDS
             if target.cadre.get(k) != old_cadre.get(k, None if k.endswith("_date") else "")}
    educations = [c for c, _ in CATEGORIES
                  if education_texts(target.educations[c]) != education_texts(old.educations.get(c, []))]
    resume = _rows_key(target.resume, _resume_key) != _rows_key(old.resume, _resume_key)
    family = _rows_key(target.family, _family_key) != _rows_key(old.family, _family_key)
    photo = target.photo is not None and target.photo.sha256 != old.photo_sha256
    return {"person": person, "cadre": cadre, "educations": educations, "resume": resume, "family": family,
            "photo": photo}


def show_label(key: str) -> str:
    """The Chinese label of a person or cadre field."""
    return dict(PERSON_FIELDS).get(key) or dict(CADRE_FIELDS).get(key) or key


def _lines(section: str, old: list[str], new: list[str]) -> list[DiffLine]:
    out = []
    for index in range(max(len(old), len(new))):
        before = old[index] if index < len(old) else ""
        after = new[index] if index < len(new) else ""
        if before != after:
            out.append(DiffLine(section, f"第{index + 1}行" if section == "简历" else f"第{index + 1}人", before, after))
    return out


def record_diff(target: Target, existing: Existing | None) -> list[DiffLine]:
    """The ``DiffLine``s of applying ``target`` over ``existing`` (``[]``: unchanged)."""
    old = existing or Existing()
    changes = changed_sections(target, existing)
    lines: list[DiffLine] = []
    labels = dict(PERSON_FIELDS)
    for key, value in changes["person"].items():
        before, after = show_value(key, old.person.get(key)), show_value(key, value)
        if before != after:
            lines.append(DiffLine("基本信息", labels[key], before, after))
    labels = dict(CADRE_FIELDS)
    for key, value in changes["cadre"].items():
        before, after = show_value(key, old.cadre.get(key)), show_value(key, value)
        if before != after:
            lines.append(DiffLine("基本信息", labels[key], before, after))
    for category, category_label in CATEGORIES:
        if category not in changes["educations"]:
            continue
        before = education_texts(old.educations.get(category, []))
        after = education_texts(target.educations[category])
        for (_key, label), b, a in zip(EDUCATION_TEXTS, before, after, strict=True):
            if b != a:
                lines.append(DiffLine("学历学位", f"{category_label}{label}", b, a))
    if changes["resume"]:
        lines += _lines("简历", [resume_text(r) for r in old.resume], [resume_text(r) for r in target.resume])
    if changes["family"]:
        lines += _lines("家庭成员", [family_text(r) for r in old.family], [family_text(r) for r in target.family])
    if changes["photo"]:
        before = f"已有照片（{old.photo_size[0]}×{old.photo_size[1]}）" if old.photo_sha256 and old.photo_size else ""
        lines.append(DiffLine("照片", "照片", before,
                              f"新照片（{target.photo.width}×{target.photo.height}）"))
    return lines
