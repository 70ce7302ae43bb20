"""干部名册 import (import kind ``cadre_roster``; ``zugong import cadres FILE --user U [--unit CODE]
[--dry-run]``; page 「数据导入 → 导入干部名册」): the layout of ``exporters.ROSTER_HEADERS`` (rules.md §8) read
back — all or nothing, with a row / column / reason report (``core.importing``).

**Columns** (headers matched by name, ``core.layout``; variants accepted as aliases): 序号 (ignored), 单位,
姓名*, 职务, 性别, 民族, 籍贯, 出生年月*, 入党时间, 参加工作时间, 全日制学历, 毕业院校及专业, 在职教育,
毕业院校及专业, 任现职时间, 任同级职务时间, 职级, 编制, 备注 — plus, when a file carries them, 公民身份号码
and 任现职级时间. The two 毕业院校及专业 columns are told apart by position: each belongs to the nearest of
全日制学历 / 在职教育 on its left (a file with only the 在职 pair reads its one 毕业院校及专业 as the 在职 one).
Two-row headers (全日制教育 over 学历 / 毕业院校系及专业) are read too.

**Values**: dates ``yyyy.MM`` and the other forms of ``core.dates.parse_date`` (a month is stored as its 1st
day; a stored exact date in the same month is kept); 入党时间 may hold a democratic party's name instead of
a date (``民盟``, or ``1990.05；民革``: date and party); 性别 / 民族 / 职级 / 编制 by the code tables' names,
codes and short forms (an unknown value is a row error); 学历 cells are 「学历」 or 「学历 学位」 (a second
line or word is the degree as written); the 单位 is a 单位代码 or a unit name, among the units of the user's
``cadre.import`` scope (within ``--unit``'s subtree when given; empty → the ``--unit`` unit).

**Permissions** (as the appointment-form import, ``cadres.formfiles``): every row needs ``cadre.import`` on
its unit; a row that changes an existing cadre also needs ``cadre.change`` on that cadre (and on the new
unit when it moves the cadre), a row that creates a cadre ``cadre.add`` on its unit — else a row error and
nothing is written. A row that changes nothing needs only ``cadre.import``.

**Matching**: a row is the cadre with the same 姓名 and 出生年月 among the cadres of the user's
``cadre.import`` scope (within ``--unit``'s subtree); with a 公民身份号码 the person holding that number
(it must then be a cadre in that scope, or nobody yet). No match: a new ``Person`` (no party organization,
as a cadre kept only by the unit) + ``Cadre`` — which needs the 公民身份号码 (every person has one). Two
cadres with the same name and birth month: a row error asking for the 公民身份号码.

**What a row sets**: ``Cadre`` unit, current_post_title (职务), current_post_since, same_level_since,
establishment_type, native_place, party_joined_date / other_party, note; ``Person`` sex, ethnicity, work
start (and name/birth date when created; political status 中共党员 when a 入党时间 date is given and none was
recorded at all); the first ``Education`` row of category 全日制 and of 在职 (created or updated: 学历 as written and
its code, 学位, 毕业院校系及专业); a ``RankRecord`` for 职级 when the rank held today differs (from 任现职级时间,
else the import date; the rank held before ends that day). An absent column leaves its field alone, an empty
cell too (a roster never erases what the dossier holds).

**Idempotent**: a row whose values are all on record already counts as unchanged and writes nothing, so the
same file twice creates nothing new. The writes go through ``structure.services.roster_apply`` (scope
re-checked per row, inside the import's transaction; one ``import`` audit event for the file).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from zugong.cadres.choices import DEGREE, ESTABLISHMENT_TYPE, RANK, degree_of_text
from zugong.cadres.models import Cadre, Education, RankRecord
from zugong.cadres.selectors import held_on, post_facts
from zugong.core import idnumber
from zugong.core.codes import EDUCATION, ETHNICITY, POLITICAL_STATUS, SEX
from zugong.core.dates import DateParseError
from zugong.core.importing import (
    Column,
    Importer,
    ImportResult,
    Issues,
    Sheet,
    Ticker,
    cell_text,
    run_import,
)
from zugong.core.scoping import can, user_scope
from zugong.orgs.models import Unit
from zugong.people.models import Person
from zugong.people.oracle import THROTTLED_MESSAGE, existence_answer

ROSTER_IMPORT_COLUMNS: tuple[Column, ...] = (
    Column("number", "序号", aliases=("编号",), width=6),
    Column("unit", "单位", aliases=("工作单位", "所在单位", "单位名称", "单位代码", "现工作单位"), width=18, text=True),
    Column("name", "姓名", True, width=8),
    Column("post", "职务", aliases=("现任职务", "现职务", "职务名称", "现任职务（职级）", "工作单位及职务"), width=28),
    Column("sex", "性别", width=5, values=("男", "女")),
    Column("ethnicity", "民族", width=8),
    Column("native_place", "籍贯", width=10),
    Column("birth", "出生年月", True, aliases=("出生日期", "出生年月日", "出生时间"), width=9, text=True),
    Column("party", "入党时间", aliases=("入党日期", "入党年月", "入党时间（党派）"), width=9, text=True),
    Column("work_start", "参加工作时间", aliases=("参加工作日期", "工作时间", "参工时间"), width=10, text=True),
    Column("ft_education", "全日制学历", aliases=("全日制教育", "全日制教育学历", "全日制学历学位", "学历（全日制）",
                                               "全日制教育/学历", "全日制教育学历学位", "全日制教育/学历学位"), width=14),
    Column("ft_school", "毕业院校及专业", repeat_key="is_school",
           aliases=("毕业院校系及专业", "毕业院校和专业", "毕业学校及专业", "全日制教育毕业院校系及专业",
                    "全日制毕业院校及专业", "全日制教育/毕业院校系及专业"), width=24),
    Column("is_education", "在职教育", aliases=("在职学历", "在职教育学历", "在职学历学位", "学历（在职）",
                                            "在职教育/学历", "在职教育学历学位", "在职教育/学历学位"), width=14),
    Column("is_school", "在职教育毕业院校及专业", aliases=("在职教育毕业院校系及专业", "在职毕业院校及专业",
                                                   "在职教育/毕业院校系及专业"), width=24),
    Column("current_since", "任现职时间", aliases=("任现职务时间", "现职时间", "任职时间"), width=10, text=True),
    Column("same_level_since", "任同级职务时间", aliases=("任同职级时间", "任同级时间", "任同级职务职级时间"), width=12,
           text=True),
    Column("rank", "职级", aliases=("现职级", "职级名称"), width=12),
    Column("rank_since", "任现职级时间", aliases=("任职级时间", "职级时间"), width=10, text=True),
    Column("establishment", "编制", aliases=("编制类型", "编制性质", "编制类别"), width=8),
    Column("note", "备注", width=16),
    Column("id_number", "公民身份号码", aliases=("身份证号", "身份证号码", "公民身份证号", "公民身份证号码"), width=20,
           text=True),
)
"""What the importer reads (the roster layout plus 公民身份号码 and 任现职级时间)."""
HEADER = {c.key: c.header for c in ROSTER_IMPORT_COLUMNS}
HEADER["ft_school"] = HEADER["is_school"] = "毕业院校及专业"

DEMOCRATIC_PARTIES = {"民革": "04", "民盟": "05", "民建": "06", "民进": "07", "农工党": "08", "致公党": "09",
                      "九三学社": "10", "台盟": "11"}
_EDUCATION_WORDS = (("博士", "11"), ("硕士", "14"), ("研究生", "10"), ("本科", "20"), ("大学", "20"), ("大专", "30"),
                    ("专科", "30"), ("中专", "40"), ("高中", "60"), ("初中", "70"))
_SPLIT = re.compile(r"[；;，,、\s]+")


def education_code(text: str) -> str:
    """The GB/T 4658 code of a 学历 as written (``EDUCATION.parse``, else by keyword: 「中央党校研究生」 →
    10); ``""`` when none is recognised (the text is kept as written)."""
    code = EDUCATION.parse(text)
    if code:
        return code
    return next((c for word, c in _EDUCATION_WORDS if word in (text or "")), "")


def same_month(stored: dt.date | None, value: dt.date | None, day_unknown: bool) -> bool:
    """Whether ``value`` read from the file (month precision when ``day_unknown``) says what ``stored``
    says."""
    if stored is None or value is None:
        return stored == value
    if day_unknown:
        return (stored.year, stored.month) == (value.year, value.month)
    return stored == value


@dataclass
class RowPlan:
    """One checked row: the ``cadre`` to update (``None``: create), the ``unit``, and the changes
    (``person``, ``cadre_fields``, ``educations`` by category, ``rank``: ``(code, start)`` or ``None``);
    ``new_person``: the fields of a new ``Person``."""

    number: int
    unit: Unit
    cadre: Cadre | None = None
    new_person: dict | None = None
    person: dict = field(default_factory=dict)
    cadre_fields: dict = field(default_factory=dict)
    educations: dict = field(default_factory=dict)
    rank: tuple | None = None

    @property
    def changed(self) -> bool:
        return bool(self.new_person or self.person or self.cadre_fields or self.educations or self.rank
                    or (self.cadre is not None and self.cadre.unit_id != self.unit.pk))


@dataclass
class RosterPlan:
    rows: list[RowPlan] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0


class CadreRosterImporter(Importer):
    """Importer of the 干部名册 (module docstring); use ``import_cadre_roster``."""

    kind = "cadre_roster"
    data_label = "cadre"
    title = "干部名册"
    models_written = (Cadre, Person, Education, RankRecord)
    columns = ROSTER_IMPORT_COLUMNS
    sheet_names = ("干部名册", "干部花名册", "名册")
    identity_keys = ("name",)

    def __init__(self, *, user, unit: Unit | None = None, today: dt.date | None = None):
        super().__init__(user=user)
        self.unit = unit
        self.today = today or timezone.localdate()

    # --- reading --------------------------------------------------------------------------------------

    @staticmethod
    def _school_columns_by_position(sheet: Sheet) -> None:
        """Give each 毕业院校及专业 column to the nearest 全日制学历 / 在职教育 column on its left (module
        docstring), swapping the cells of the rows when the header order disagrees with the layout's."""
        positions = sheet.positions
        anchors = [(positions[k], k) for k in ("ft_education", "is_education") if k in positions]
        schools = [(positions[k], k) for k in ("ft_school", "is_school") if k in positions]
        if not anchors or not schools:
            return
        target = {}
        for position, key in schools:
            left = [a for a in anchors if a[0] < position]
            owner = max(left)[1] if left else None
            target[key] = {"ft_education": "ft_school", "is_education": "is_school"}.get(owner, key)
        if all(k == v for k, v in target.items()) or len(set(target.values())) < len(target):
            return
        for row in sheet.rows:
            values = {k: row.cells.get(k, "") for k in target}
            for key in target:
                row.cells.pop(key, None)
            for key, value in values.items():
                row.cells[target[key]] = value
        for column in sheet.layout.columns:
            if column.key in target:
                column.key = target[column.key]
        sheet.positions = sheet.layout.positions

    def _units(self) -> tuple[dict[str, Unit], dict[str, list[Unit]]]:
        """The units the user may import cadres into (within ``self.unit``'s subtree): by code, by name."""
        condition = Q(pk__in=[])
        for node in user_scope(self.user, "cadre", "import", "unit"):
            condition |= Q(path__startswith=node.path) if node.include_subtree else Q(pk=node.org_id)
        units = Unit.objects.filter(condition)
        if self.unit is not None:
            units = units.filter(path__startswith=self.unit.path)
        by_code, by_name = {}, {}
        for unit in units:
            by_code[unit.code] = unit
            by_name.setdefault(unit.name, []).append(unit)
        return by_code, by_name

    def _date(self, cells, key: str, number: int, issues: Issues, *, required: bool = False):
        raw = cells.get(key, "")
        if cell_text(raw) == "":
            if required:
                issues.error(number, HEADER[key], "必填项为空")
            return None, False
        try:
            value, day_unknown = self.date_value(raw)
        except DateParseError as exc:
            issues.error(number, HEADER[key], str(exc))
            return None, False
        if value is not None and value > self.today:
            issues.error(number, HEADER[key], f"日期 {value.isoformat()} 晚于今天")
            return None, False
        return value, day_unknown

    def _code(self, table, cells, key: str, number: int, issues: Issues, what: str) -> str | None:
        text = cell_text(cells.get(key, ""))
        if not text:
            return None
        code = table.parse(text)
        if code is None:
            issues.error(number, HEADER[key], f"未知的{what}「{text}」")
        return code

    # --- validation -----------------------------------------------------------------------------------

    def validate(self, sheet: Sheet, issues: Issues, ticker: Ticker) -> RosterPlan:
        self._school_columns_by_position(sheet)
        plan = RosterPlan()
        by_code, by_name = self._units()
        scope = Cadre.objects.restrict(self.user, "import")
        if self.unit is not None:
            scope = scope.filter(unit__path__startswith=self.unit.path)
        existing: dict[tuple, list[Cadre]] = {}
        for cadre in scope.select_related("person", "unit"):
            key = (cadre.person.name, cadre.person.birth_date.year, cadre.person.birth_date.month)
            existing.setdefault(key, []).append(cadre)
        scoped_ids = {c.pk for cs in existing.values() for c in cs}
        # updating an existing cadre needs cadre.change on it as well (as the appointment-form import does)
        changeable = set(Cadre.objects.restrict(self.user, "change").filter(pk__in=scoped_ids)
                         .values_list("pk", flat=True)) if scoped_ids else set()
        seen: dict[tuple, int] = {}
        self._elsewhere: list[int] = []
        new_rows: list[int] = []
        for row in sheet.rows:
            ticker.step()
            before = len(issues.errors)
            row_plan = self._row(row, sheet, issues, by_code, by_name, existing, scoped_ids)
            if row_plan is None or len(issues.errors) > before:
                continue
            key = ("cadre", row_plan.cadre.pk) if row_plan.cadre is not None else ("new", row_plan.new_person["key"])
            if key in seen:
                issues.error(row.number, HEADER["name"], f"与第 {seen[key]} 行是同一名干部")
                continue
            seen[key] = row.number
            if not self._may_write(row_plan, changeable, issues):
                continue
            if row_plan.cadre is None:
                plan.created += 1
                new_rows.append(row.number)
            elif row_plan.changed:
                plan.updated += 1
            else:
                plan.unchanged += 1
                continue
            plan.rows.append(row_plan)
        self._answer_existence(new_rows, issues, dry_run=getattr(self, "dry_run", False))
        return plan

    def _may_write(self, row_plan: RowPlan, changeable: set[int], issues: Issues) -> bool:
        """Whether the user may write ``row_plan`` beyond ``cadre.import`` (which the unit lookup and the
        matching already required), mirroring the appointment-form import (``cadres.formfiles``): a new
        cadre needs ``cadre.add`` on the row's unit; a changed existing cadre needs ``cadre.change`` on it,
        and a move also on the new unit. An unchanged row writes nothing and needs neither. Otherwise a row
        error (Chinese, on 单位 / 姓名) and ``False``."""
        number = row_plan.number
        if row_plan.cadre is None:
            if not can(self.user, "cadre", "add", row_plan.unit):
                issues.error(number, HEADER["unit"], f"您没有在单位「{row_plan.unit.name}」新增干部的权限"
                                                     "（需要「新增干部」权限），不能通过名册新增干部")
                return False
            return True
        if not row_plan.changed:
            return True
        if row_plan.cadre.pk not in changeable:
            issues.error(number, HEADER["name"], "该干部不在您的干部信息修改范围内（需要「修改干部信息」权限），"
                                                 "不能通过名册修改其信息")
            return False
        if row_plan.cadre.unit_id != row_plan.unit.pk and not can(self.user, "cadre", "change", row_plan.unit):
            issues.error(number, HEADER["unit"], f"您没有修改单位「{row_plan.unit.name}」干部信息的权限，"
                                                 "不能将干部调整到该单位")
            return False
        return True

    def _answer_existence(self, new_rows: list[int], issues: Issues, *, dry_run: bool) -> None:
        """Report the rows whose 公民身份号码 is held outside the user's cadre scope within the user's daily
        budget (``people.oracle.existence_answer``: audited, counted per number), as the party roster
        import does; once the budget is spent those rows and every new-cadre row get the same neutral
        refusal, so the refusal reveals nothing."""
        elsewhere = self._elsewhere
        answer = existence_answer(user=self.user, unknown=len(elsewhere) + len(new_rows), elsewhere=len(elsewhere),
                                  context=f"导入{self.title}" + ("（仅校验）" if dry_run else ""),
                                  object_type="cadre_roster")
        for number in elsewhere[:answer.answered]:
            issues.error(number, HEADER["id_number"],
                         "该公民身份号码已登记，但不是您干部信息导入范围内的干部，不能通过名册导入")
        if answer.throttled:
            for number in sorted([*elsewhere[answer.answered:], *new_rows]):
                issues.error(number, HEADER["id_number"], THROTTLED_MESSAGE)

    def _resolve_unit(self, text: str, number: int, issues: Issues, by_code, by_name) -> Unit | None:
        if not text:
            if self.unit is not None and can(self.user, "cadre", "import", self.unit):
                return self.unit
            issues.error(number, HEADER["unit"], "必填项为空（或在导入时指定单位）")
            return None
        if text in by_code:
            return by_code[text]
        named = by_name.get(text, [])
        if len(named) == 1:
            return named[0]
        if len(named) > 1:
            issues.error(number, HEADER["unit"], f"单位名称「{text}」对应多个单位，请填写单位代码")
        else:
            issues.error(number, HEADER["unit"], f"单位「{text}」不存在或不在您的干部信息导入范围内")
        return None

    def _row(self, row, sheet: Sheet, issues: Issues, by_code, by_name, existing, scoped_ids) -> RowPlan | None:
        cells, number = row.cells, row.number
        name = cell_text(cells.get("name"))
        unit = self._resolve_unit(cell_text(cells.get("unit")), number, issues, by_code, by_name)
        birth, _birth_unknown = self._date(cells, "birth", number, issues, required=True)
        sex = self._code(SEX, cells, "sex", number, issues, "性别")
        ethnicity = self._code(ETHNICITY, cells, "ethnicity", number, issues, "民族")
        rank = self._code(RANK, cells, "rank", number, issues, "职级")
        establishment = self._code(ESTABLISHMENT_TYPE, cells, "establishment", number, issues, "编制类型")
        dates = {key: self._date(cells, key, number, issues)
                 for key in ("work_start", "current_since", "same_level_since", "rank_since")}
        party_date, party_unknown, other_party = self._party(cells, number, issues)
        info = None
        id_text = cell_text(cells.get("id_number"))
        if id_text:
            try:
                info = idnumber.parse(id_text, today=self.today)
            except idnumber.IdNumberError as exc:
                issues.error(number, HEADER["id_number"], str(exc))
            else:
                if birth is not None and (info.birth_date.year, info.birth_date.month) != (birth.year, birth.month):
                    issues.error(number, HEADER["birth"], "出生年月与公民身份号码不一致")
                if sex is not None and sex != info.sex:
                    issues.error(number, HEADER["sex"], "性别与公民身份号码不一致")
        if unit is None or birth is None or not name:
            return None
        # --- which cadre
        cadre = None
        if info is not None:
            person = Person.objects.filter(id_number_hash=Person.hash_id_number(info.number)).first()
            if person is not None:
                cadre = Cadre.objects.filter(person=person).first()
                if cadre is None or cadre.pk not in scoped_ids:
                    # held outside the scope: answered (or not) through the ID-number oracle in ``validate``
                    self._elsewhere.append(number)
                    return None
                cadre = next(c for cs in existing.values() for c in cs if c.pk == cadre.pk)
        if cadre is None and info is None:
            matches = existing.get((name, birth.year, birth.month), [])
            if len(matches) > 1:
                issues.error(number, HEADER["name"], "有多名姓名和出生年月相同的干部，请增加「公民身份号码」列以区分")
                return None
            cadre = matches[0] if matches else None
        plan = RowPlan(number=number, unit=unit, cadre=cadre)
        if cadre is None:
            if info is None:
                issues.error(number, HEADER["name"], "未找到姓名和出生年月相同的干部；新增干部须填写「公民身份号码」")
                return None
            if not (sex or info.sex):
                issues.error(number, HEADER["sex"], "必填项为空")
            plan.new_person = {"key": info.number, "name": name, "id_number": info.number, "birth_date": info.birth_date,
                               "sex": sex or info.sex, "ethnicity": ethnicity or "",
                               "political_status": "01" if party_date else (DEMOCRATIC_PARTIES.get(other_party, "")),
                               "work_start_date": dates["work_start"][0]}
            person = None
        else:
            person = cadre.person
            if name != person.name:
                plan.person["name"] = name
            if sex and sex != person.sex:
                plan.person["sex"] = sex
            if ethnicity and ethnicity != person.ethnicity:
                plan.person["ethnicity"] = ethnicity
            work, work_unknown = dates["work_start"]
            if work and not same_month(person.work_start_date, work, work_unknown):
                plan.person["work_start_date"] = work
            if party_date and not person.political_status:
                plan.person["political_status"] = "01"
        # --- the cadre's own fields
        values = {
            "current_post_title": cell_text(cells.get("post")) if sheet.has("post") else None,
            "native_place": cell_text(cells.get("native_place")) if sheet.has("native_place") else None,
            "note": cell_text(cells.get("note")) if sheet.has("note") else None,
            "establishment_type": establishment,
            "other_party": other_party or None,
        }
        # what the appointment records give (the export writes them): a value equal to those is no change
        fact = post_facts([cadre], self.today, user=self.user)[cadre.pk] if cadre is not None else None
        computed = {"current_post_title": fact.post_title if fact and fact.post else None,
                    "current_post_since": fact.current_post_since if fact and fact.post else None,
                    "same_level_since": fact.same_level_since if fact and fact.post else None}
        for key, value in values.items():
            if value and (cadre is None or value not in (getattr(cadre, key), computed.get(key))):
                plan.cadre_fields[key] = value
        for model_field, (value, unknown) in (("current_post_since", dates["current_since"]),
                                              ("same_level_since", dates["same_level_since"]),
                                              ("party_joined_date", (party_date, party_unknown))):
            if value and (cadre is None or not (same_month(getattr(cadre, model_field), value, unknown)
                                                or same_month(computed.get(model_field), value, unknown))):
                plan.cadre_fields[model_field] = value
        # --- education
        for category, edu_key, school_key in (("full_time", "ft_education", "ft_school"),
                                              ("in_service", "is_education", "is_school")):
            wanted = self._education(cells, edu_key, school_key)
            if not wanted:
                continue
            current = None
            if cadre is not None:
                current = Education.objects.filter(cadre=cadre, category=category).order_by("position", "id").first()
            if current is not None:  # the same text keeps the recorded (maybe finer) code
                for text_key, code_key in (("education_text", "education_level"), ("degree_text", "degree")):
                    if current.__dict__[text_key] == wanted[text_key] and current.__dict__[code_key]:
                        wanted[code_key] = current.__dict__[code_key]
            if current is None or any(getattr(current, k) != v for k, v in wanted.items()):
                plan.educations[category] = wanted
        # --- rank
        if rank:
            held = None
            if cadre is not None:
                held = RankRecord.objects.filter(held_on(self.today), cadre=cadre).order_by("-start_date").first()
            if held is None or held.rank != rank:
                start = dates["rank_since"][0] or self.today
                if held is not None and start <= held.start_date:
                    issues.error(number, HEADER["rank"], f"现职级「{RANK.label(held.rank)}」自 {held.start_date.isoformat()} 起，"
                                                         f"新职级的任职级时间须晚于该日")
                    return None
                plan.rank = (rank, start)
        return plan

    def _party(self, cells, number: int, issues: Issues) -> tuple[dt.date | None, bool, str]:
        """入党时间: ``(date, day unknown, democratic party name)``."""
        text = cell_text(cells.get("party"))
        if not text:
            return None, False, ""
        party = next((name for name in DEMOCRATIC_PARTIES if name in text), "")
        if not party:
            party = next((n for n, c in DEMOCRATIC_PARTIES.items() if POLITICAL_STATUS.parse(text) == c), "")
        remainder = text
        for name in DEMOCRATIC_PARTIES:
            remainder = remainder.replace(name, " ")
        parts = [p for p in _SPLIT.split(remainder) if p]
        if party and not parts:
            return None, False, party
        if len(parts) != 1:
            issues.error(number, HEADER["party"], f"「{text}」不是可识别的入党时间（应为 yyyy.MM，或民主党派名称）")
            return None, False, ""
        try:
            value, unknown = self.date_value(parts[0])
        except DateParseError as exc:
            issues.error(number, HEADER["party"], str(exc))
            return None, False, ""
        return value, unknown, party

    @staticmethod
    def _education(cells, edu_key: str, school_key: str) -> dict:
        """The fields of one qualification from its two cells (``{}`` when both are empty)."""
        text = cell_text(cells.get(edu_key))
        school = cell_text(cells.get(school_key))
        if not text and not school:
            return {}
        parts = [p for p in re.split(r"[\s\n]+", text) if p]
        education_text = parts[0] if parts else ""
        degree_text = " ".join(parts[1:])
        if not degree_text and degree_of_text(education_text) and not education_code(education_text):
            education_text, degree_text = "", education_text
        degree = degree_of_text(degree_text)
        return {"education_text": education_text, "education_level": education_code(education_text),
                "degree_text": degree_text, "degree": degree if degree in DEGREE.entries else "",
                "education_school_major": school}

    # --- writing --------------------------------------------------------------------------------------

    def count(self, plan: RosterPlan, result: ImportResult) -> None:
        result.created, result.updated, result.unchanged = plan.created, plan.updated, plan.unchanged

    def write(self, plan: RosterPlan, result: ImportResult, ticker: Ticker) -> None:
        from zugong.cadres.structure.services import roster_apply

        with self.service_errors():
            roster_apply(user=self.user, rows=plan.rows, today=self.today)
        ticker.step(len(plan.rows))
        self.count(plan, result)

    def audit_data(self, result: ImportResult) -> dict:
        return {"unit": self.unit.code if self.unit is not None else ""}


def import_cadre_roster(file_obj_or_path, *, user, filename: str = "", dry_run: bool = False, progress=None,
                        mapping: dict[str, str] | None = None, unit: Unit | str | None = None,
                        today: dt.date | None = None, **_options) -> ImportResult:
    """Import a 干部名册 (.xlsx, .xls or .csv) as ``user`` (module docstring). ``unit``: a ``Unit`` or
    单位代码 limiting the import to its subtree and filling empty 单位 cells (it must be in the user's
    ``cadre.import`` scope: ``OutOfScope`` otherwise).

    Returns ``ImportResult`` (created / updated / unchanged rows). Raises ``ImportFailed``
    (``ValidationFailed``: every row error with row, column and Chinese reason; nothing written) and
    ``PermissionDeniedError`` without any ``cadre.import`` grant. ``today``: the reference day (tests)."""
    from zugong.core.errors import OutOfScope

    if isinstance(unit, str):
        code = unit
        unit = Unit.objects.filter(code=code.strip()).first() if code.strip() else None
        if code.strip() and unit is None:
            raise OutOfScope("单位不存在或不在您的干部信息管理范围内。")
    if unit is not None and not can(user, "cadre", "import", unit):
        raise OutOfScope("单位不存在或不在您的干部信息管理范围内。")
    importer = CadreRosterImporter(user=user, unit=unit, today=today)
    return run_import(importer, file_obj_or_path, filename=filename, dry_run=dry_run, progress=progress,
                      mapping=mapping)


def roster_template() -> bytes:
    """An empty 干部名册 template (the export's columns, a 「说明」 sheet)."""
    from zugong.cadres.structure.exporters import ROSTER_HEADERS, ROSTER_WIDTHS
    from zugong.core.files import ColumnFormat, xlsx_bytes

    notes = [
        "每行一名干部；表头按名称识别，列的顺序可调整；两个「毕业院校及专业」分别跟在「全日制学历」「在职教育」之后。",
        "姓名、出生年月必填；按姓名和出生年月匹配您管理范围内的干部，新增干部须另加「公民身份号码」列。",
        "日期填 yyyy.MM（如 1985.07），也可填 YYYY-MM-DD；入党时间可填民主党派名称（如 民盟）。",
        "单位填单位代码或单位名称；职级填 一级主任科员、四级调研员 等；编制填 行政、参公、事业、企业、合同。",
        "任何一行有错误则全部不写入；同一文件重复导入不会重复登记。",
    ]
    return xlsx_bytes(headers=list(ROSTER_HEADERS), rows=[], sheet_title="干部名册",
                      formats=[ColumnFormat(width=w, text=True) for w in ROSTER_WIDTHS], notes=notes)
