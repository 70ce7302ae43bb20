"""Files of the cadres part ``structure``: the 干部结构分析 workbook (``structure_xlsx``) and the 干部名册
(``roster_rows`` / ``roster_xlsx``, rules.md §8: the column layout units exchange).

Both are scoped (``cadre.export`` on the unit, else ``PermissionDeniedError``; a unit outside the user's
``cadre.view`` scope is ``OutOfScope``) and their rows are read with the ``export`` action — an export holds
only the cadres the user may export (``cadre.export`` on a unit node alone does not cover its child units), and audited as an ``export`` event (no personal data in it).
"""

from __future__ import annotations

import datetime as dt
import io

from zugong.audit.services import record_event
from zugong.cadres.choices import ESTABLISHMENT_TYPE, LEVEL_ORDER, RANK
from zugong.cadres.models import Education
from zugong.cadres.selectors import post_facts
from zugong.cadres.structure.analysis import cadre_structure, counted_cadres, scoped_unit
from zugong.core.codes import EDUCATION, ETHNICITY, SEX
from zugong.core.errors import PermissionDeniedError
from zugong.core.files import ColumnFormat, write_xlsx
from zugong.core.scoping import can
from zugong.orgs.models import Unit

ROSTER_HEADERS = ("序号", "单位", "姓名", "职务", "性别", "民族", "籍贯", "出生年月", "入党时间", "参加工作时间",
                  "全日制学历", "毕业院校及专业", "在职教育", "毕业院校及专业", "任现职时间", "任同级职务时间", "职级",
                  "编制", "备注")
"""The 干部名册 columns, exactly as rules.md §8 lists them (the two 毕业院校及专业 follow 全日制学历 and
在职教育)."""
ROSTER_WIDTHS = (6, 18, 8, 28, 5, 8, 10, 9, 9, 10, 14, 24, 14, 24, 10, 12, 12, 8, 16)


def month(day: dt.date | None) -> str:
    """``yyyy.MM`` (the roster's date form), ``""`` for none."""
    return f"{day.year}.{day.month:02d}" if day else ""


def _check_export(user, unit: Unit) -> None:
    if not can(user, "cadre", "export", unit):
        raise PermissionDeniedError("您没有导出该单位干部信息的权限。")


def _education_cell(row: Education | None) -> tuple[str, str]:
    """(学历 and 学位 as written — 学位 on a second line, 毕业院校系及专业) of one qualification."""
    if row is None:
        return "", ""
    level = row.education_text or (EDUCATION.label(row.education_level) if row.education_level else "")
    text = "\n".join(t for t in (level, row.degree_text) if t)
    school = row.education_school_major or "".join(t for t in (row.school, row.major) if t) or row.degree_school_major
    return text, school


def roster_rows(*, user, unit: Unit, as_of: dt.date, action: str = "view") -> list[list]:
    """The 干部名册 of ``unit``'s subtree on ``as_of``: one row per cadre counted on that day
    (``analysis.counted_cadres``: serving, holding a post or rank then, or without any record), in unit
    order, highest level first, in ``ROSTER_HEADERS`` order. Dates ``yyyy.MM``; 职务 / 任现职时间 /
    任同级职务时间 / 职级 from ``cadres.selectors.post_facts`` on ``as_of``; 入党时间 the date, or the
    democratic party's name (``Cadre.other_party``) when there is no date. ``action``: the scope the cadres are
    read with (``roster_xlsx`` passes ``"export"``). Raises like ``scoped_unit``."""
    unit = scoped_unit(user=user, unit=unit)
    cadres = list(counted_cadres(user=user, unit=unit, as_of=as_of, action=action).select_related("person", "unit"))
    order = {code: i for i, code in enumerate(LEVEL_ORDER)}
    cadres.sort(key=lambda c: (c.unit.path, order.get(c.level, len(order)), c.person.name, c.pk))
    facts = post_facts(cadres, as_of, user=user)
    educations: dict[tuple[int, str], Education] = {}
    for row in Education.objects.filter(cadre__in=[c.pk for c in cadres]).order_by("cadre_id", "category", "position",
                                                                                   "id"):
        educations.setdefault((row.cadre_id, row.category), row)
    rows = []
    for number, cadre in enumerate(cadres, start=1):
        person, fact = cadre.person, facts[cadre.pk]
        full_time = _education_cell(educations.get((cadre.pk, "full_time")))
        in_service = _education_cell(educations.get((cadre.pk, "in_service")))
        rows.append([
            number, cadre.unit.name, person.name, fact.post_title or cadre.current_post_title,
            SEX.label(person.sex) if person.sex else "", ETHNICITY.label(person.ethnicity) if person.ethnicity else "",
            cadre.native_place, month(person.birth_date),
            month(cadre.party_joined_date) or cadre.other_party, month(person.work_start_date),
            full_time[0], full_time[1], in_service[0], in_service[1],
            month(fact.current_post_since), month(fact.same_level_since), RANK.label(fact.rank) if fact.rank else "",
            ESTABLISHMENT_TYPE.label(cadre.establishment_type) if cadre.establishment_type else "", cadre.note,
        ])
    return rows


def roster_xlsx(*, user, unit: Unit | None, as_of: dt.date) -> tuple[bytes, str]:
    """The 干部名册 as ``.xlsx`` (``roster_rows``; text columns, a 「说明」 sheet) and its file name. Needs
    ``cadre.export`` on the unit (``PermissionDeniedError``); audited (``export``)."""
    unit = scoped_unit(user=user, unit=unit)
    _check_export(user, unit)
    rows = roster_rows(user=user, unit=unit, as_of=as_of, action="export")  # only what the user may export
    buffer = io.BytesIO()
    write_xlsx(buffer, headers=ROSTER_HEADERS, rows=rows, sheet_title="干部名册",
               formats=[ColumnFormat(width=w, text=i > 0) for i, w in enumerate(ROSTER_WIDTHS)],
               notes=[f"干部名册：{unit.name}（含下级单位），截至 {as_of.isoformat()}，共 {len(rows)} 人。",
                      "日期格式 yyyy.MM；职务、任现职时间、任同级职务时间、职级按截至日期的任免和职级记录，没有记录时按干部信息中登记的内容。",
                      "本表可修改后通过「数据导入 → 导入干部名册」导回（表头按名称识别）。"])
    record_event("export", user=user, object_type="orgs.unit", object_id=unit.code,
                 summary=f"导出干部名册：{unit.name}（截至 {as_of.isoformat()}）",
                 data={"report": "cadre_roster", "unit": unit.code, "as_of": as_of.isoformat(), "format": "xlsx",
                       "rows": len(rows)})
    return buffer.getvalue(), f"干部名册_{unit.name}_{as_of.isoformat()}.xlsx"


def structure_table(data: dict) -> list[list]:
    """A ``cadre_structure`` result as table rows ``[项目, 类别, 人数, 占比(%), 平均年龄]`` (the xlsx sheet
    and the text output)."""
    rows: list[list] = [["干部总数", "", data["干部总数"], None, data["平均年龄"]]]
    for row in data["年龄结构"]:
        rows.append(["年龄结构", row["年龄段"], row["人数"], row["占比"], None])
    for row in data["职务层次"]:
        rows.append(["职务层次", row["级别"], row["人数"], row["占比"], row["平均年龄"]])
    for row in data["年轻干部"]:
        rows.append(["年轻干部", f"{row['层级']}（{row['年龄上限']}岁及以下）/ 共 {row['干部数']} 名", row["年轻干部数"],
                     row["占比"], None])
    for key, label in (("全日制学历", "学历"), ("最高学历", "学历"), ("性别", "性别"), ("民族", "民族"),
                       ("政治面貌", "政治面貌")):
        for row in data[key]:
            rows.append([key, row[label], row["人数"], row["占比"], None])
    team = data["领导班子专业结构"]
    for bucket, n in team["合计"]["分布"].items():
        rows.append(["领导班子专业结构（合计）", bucket, n, None, None])
    rows.append(["领导班子专业结构（合计）", "专业对口", team["合计"]["专业对口"], team["合计"]["专业对口占比"], None])
    for unit in team["单位"]:
        spread = "，".join(f"{k} {v}" for k, v in unit["分布"].items() if v)
        rows.append([f"领导班子：{unit['单位名称']}（{unit['单位属性']}）", f"班子成员 {unit['班子成员']} 名；{spread}",
                     unit["专业对口"], unit["专业对口占比"], None])
    return rows


def structure_xlsx(*, user, unit: Unit | None, as_of: dt.date) -> tuple[bytes, str]:
    """干部结构分析 as ``.xlsx``: the sections of ``cadre_structure`` as rows (``structure_table``) and the
    summary sentences in the 「说明」 sheet. Needs ``cadre.export`` (``PermissionDeniedError``); audited."""
    unit = scoped_unit(user=user, unit=unit)
    _check_export(user, unit)
    data = cadre_structure(user=user, unit=unit, as_of=as_of, action="export")  # only what the user may export
    buffer = io.BytesIO()
    write_xlsx(buffer, headers=["项目", "类别", "人数", "占比(%)", "平均年龄"], rows=structure_table(data),
               sheet_title="干部结构分析",
               formats=[ColumnFormat(width=26), ColumnFormat(width=40), ColumnFormat(width=8), ColumnFormat(width=9),
                        ColumnFormat(width=9)],
               notes=[f"干部结构分析：{unit.name}（含下级单位），截至 {as_of.isoformat()}。", *data["摘要"],
                      "口径：在职干部中，截至日期任有职务或职级的，以及没有任何任免、职级记录而已登记的干部；年龄为截至日期的周岁。"])
    record_event("export", user=user, object_type="orgs.unit", object_id=unit.code,
                 summary=f"导出干部结构分析：{unit.name}（截至 {as_of.isoformat()}）",
                 data={"report": "cadre_structure", "unit": unit.code, "as_of": as_of.isoformat(), "format": "xlsx",
                       "cadres": data["干部总数"]})
    return buffer.getvalue(), f"干部结构分析_{unit.name}_{as_of.isoformat()}.xlsx"
