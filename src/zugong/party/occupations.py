"""工作岗位 of a membership as the 党内统计年报 needs it (issue #10): the shared reading and checking of what
pages, the API and services receive, and the sector (单位所有制) an organization's unit gives.

A membership (and a development record) stores the 工作岗位 in seven fields (``party.lifecycle
.OCCUPATION_FIELDS``): ``occupation`` (the 公报 category), ``occupation_detail`` (the 年报 row, blank when
the category says it all), ``ownership`` (公有制单位 / 非公有制单位 for 在岗职工), ``migrant_worker`` (其中：农民工,
on a 工勤技能人员), ``migrant_business`` (其中：外出务工经商人员, on a 农牧渔民), ``front_line`` (生产、工作第一线)
and ``front_line_kind`` (企业生产 / 农村生产 / 教学科研 / 其他一线). Which 年报 row a member falls in:
``core.codes.annual_row`` (the rule of ``reports.annual_layout.OCCUPATION_ROW_RULES``).

- ``clean_occupation(value, problems, …) -> dict``: the fields from a form/API value — a text in any form
  ``core.codes.occupation_parse_annual`` reads (``非公有制单位·企业管理人员``, ``农民工``, a code), or a dict of
  the fields — with the checks of hand entry (``Problem``s naming the field and the rule).
- ``organization_ownerships(ids)`` / ``organization_ownership(org)``: the sector of the staff of an
  organization's unit (``core.codes.ownership_from_unit``), used to fill ``ownership`` when the 工作岗位 does
  not say it (the same derivation as ``party`` migration 0008 and the roster import).
"""

from __future__ import annotations

from collections.abc import Iterable

from zugong.core.codes import (
    COARSE_OCCUPATIONS,
    OCCUPATION,
    OCCUPATION_DETAIL,
    OCCUPATION_OF_DETAIL,
    OWNERSHIP_NAMES,
    YES_NO,
    occupation_label,
    occupation_parse_annual,
    ownership_from_unit,
    ownership_of_detail,
)
from zugong.orgs.models import PartyOrganization, Unit
from zugong.party.choices import FRONT_LINE_KIND, OWNERSHIP
from zugong.people.validators import Problem

FIELDS = ("occupation", "occupation_detail", "ownership", "migrant_worker", "migrant_business", "front_line",
          "front_line_kind")
"""The seven stored fields (same names and order as ``party.lifecycle.OCCUPATION_FIELDS``)."""

SOURCE = "党内统计年报 工作岗位"
"""Where the rules of this module come from (named in messages)."""

LABELS = {"occupation": "工作岗位", "occupation_detail": "工作岗位（年报）", "ownership": "单位所有制",
          "migrant_worker": "农民工", "migrant_business": "外出务工经商人员", "front_line": "生产工作一线",
          "front_line_kind": "一线类别"}


def _flag(raw, field: str, problems: list[Problem]) -> bool | None:
    """A yes/no value (bool, 是/否, 1/0, on); ``None`` when not given."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool):
        return raw
    if str(raw).strip().lower() == "on":
        return True
    code = YES_NO.parse(raw)
    if code is None:
        problems.append(Problem(LABELS[field], f"「{raw}」不是「是」或「否」"))
        return None
    return code == "1"


def organization_ownerships(organization_ids: Iterable[int]) -> dict[int, str]:
    """``{organization id: "public" | "non_public" | ""}`` — the sector of the staff of each organization's
    unit (``core.codes.ownership_from_unit``): its legal-entity unit; for ``same_as_parent`` the nearest
    ancestor's own unit (as ``orgs.unit_selectors.organization_unit``); for a 联合党支部 the joint units when
    they all give the same sector; without a unit link, the organization's own 单位属性 when it is 机关 or
    事业单位. Unscoped on purpose: the caller has the organizations in scope, and only the derived sector
    is returned, never an ancestor's or a unit's record. At most four queries whatever the number."""
    ids = sorted(set(organization_ids))
    if not ids:
        return {}
    orgs = list(PartyOrganization.objects.filter(pk__in=ids)
                .values_list("pk", "path", "unit_relation", "unit_id", "unit_category"))
    steplen = PartyOrganization.steplen
    ancestor_paths = {path[:k] for _pk, path, relation, _u, _c in orgs if relation == "same_as_parent"
                      for k in range(steplen, len(path), steplen)}
    ancestors = {path: (pk, relation, unit_id) for pk, path, relation, unit_id in
                 PartyOrganization.objects.filter(path__in=ancestor_paths)
                 .exclude(unit_relation__in=("", "same_as_parent"))
                 .values_list("pk", "path", "unit_relation", "unit_id")} if ancestor_paths else {}
    sources: dict[int, tuple[int, str, int | None]] = {}  # org id → (source org id, relation, unit id)
    for pk, path, relation, unit_id, _category in orgs:
        if relation == "same_as_parent":
            nearest = next((ancestors[path[:k]] for k in range(len(path) - steplen, 0, -steplen)
                            if path[:k] in ancestors), None)
            if nearest is not None:
                sources[pk] = nearest
        elif relation in ("legal_entity_unit", "joint"):
            sources[pk] = (pk, relation, unit_id)
    joint_ids = {src for src, relation, _u in sources.values() if relation == "joint"}
    joint: dict[int, set[int]] = {}
    if joint_ids:
        through = PartyOrganization.joint_units.through
        for org_id, unit_id in through.objects.filter(partyorganization_id__in=joint_ids).values_list(
                "partyorganization_id", "unit_id"):
            joint.setdefault(org_id, set()).add(unit_id)
    unit_ids = {u for _s, _r, u in sources.values() if u} | {u for units in joint.values() for u in units}
    units = {pk: ownership_from_unit(category, control) for pk, category, control in
             Unit.objects.filter(pk__in=unit_ids).values_list("pk", "unit_category", "economic_control")}
    result: dict[int, str] = {}
    for pk, _path, _relation, _unit_id, category in orgs:
        sector = ""
        source = sources.get(pk)
        if source is not None:
            src, relation, unit_id = source
            if relation == "joint":
                sectors = {units.get(u, "") for u in joint.get(src, ())}
                sector = sectors.pop() if len(sectors) == 1 else ""
            else:
                sector = units.get(unit_id, "")
        if not sector and category in ("government_organ", "public_institution"):
            sector = "public"
        result[pk] = sector
    return result


def organization_ownership(organization: PartyOrganization | None) -> str:
    """``organization_ownerships`` of one organization (``""`` for ``None``)."""
    if organization is None:
        return ""
    return organization_ownerships([organization.pk]).get(organization.pk, "")


def _read_value(value, problems: list[Problem]) -> dict | None:
    """The fields a text or a dict says (``None`` when unreadable; problems appended)."""
    if isinstance(value, dict):
        raw = value.get("occupation_detail") or value.get("occupation")
    else:
        raw = value
    if raw in (None, ""):
        return {}
    read = occupation_parse_annual(raw)
    if read is None:
        problems.append(Problem("工作岗位", f"无法识别的工作岗位「{raw}」"))
        return None
    fields = read.fields()
    if isinstance(value, dict) and value.get("occupation_detail") and value.get("occupation"):
        category = OCCUPATION.parse(value["occupation"])
        if category is None:
            category = (occupation_parse_annual(value["occupation"]) or read).occupation
        if category != read.occupation:
            problems.append(Problem("工作岗位（年报）",
                                    f"年报岗位「{OCCUPATION_DETAIL.label(read.detail or '')}」不属于工作岗位"
                                    f"「{OCCUPATION.label(category)}」（{SOURCE}）"))
            return None
    return fields


def clean_occupation(value, problems: list[Problem], *, required: bool = True,
                     organization: PartyOrganization | None = None, front_line=None,
                     previous: dict | None = None, strict: bool = True) -> dict:
    """The seven stored 工作岗位 fields (``FIELDS``) of a form/API value, checked; problems appended (each
    names its field and the rule: 「单位所有制」「农民工」「外出务工经商人员」「一线类别」…).

    ``value``: a text in any form ``occupation_parse_annual`` reads — a 年报 row, a 公报 category, a code,
    ``非公有制单位·企业管理人员``, ``农民工``, ``外出务工经商人员`` — or a dict with ``occupation`` (such a text),
    optionally ``occupation_detail`` (a 年报 row code, which must lie in ``occupation``), ``ownership``
    (``public``/``non_public`` or 公有制单位/非公有制单位), ``migrant_worker``, ``migrant_business``,
    ``front_line`` (bools or 是/否) and ``front_line_kind`` (``FRONT_LINE_KIND`` code or name).
    ``front_line``: the 生产工作一线 flag given beside the value (a dict's own key wins).

    ``previous``: the fields of the period this one continues (a transfer): what the value does not give
    is kept from it; blank ``value`` then means "unchanged". Without ``previous`` a blank value is
    「必填项为空」 when ``required``, else all blank.

    Rules (``SOURCE``): 党政机关 and 事业单位 rows are 公有制单位 and 民办非企业单位 rows 非公有制单位 (a contrary
    ``ownership`` is refused); 农牧渔民, 学生, 离退休人员, 军人、武警, 其他 are not 在岗职工 (no ownership); for
    企业 rows, 工勤技能人员 and the coarse categories the sector is the value's, else the organization's unit's
    (``organization_ownership``), else — with ``strict`` (hand entry) and for a 企业 or 工勤技能 row —
    「单位所有制」 is required; 农民工 only on 工勤技能人员, 外出务工经商人员 only on 农牧渔民; a
    ``front_line_kind`` makes ``front_line`` true (a kind with ``front_line`` false is refused)."""
    previous = dict(previous or {})
    count = len(problems)
    read = _read_value(value, problems)
    if read is None:
        return {}
    given = isinstance(value, dict) and value or {}
    if read and previous and not read["occupation_detail"] and read["occupation"] == previous.get("occupation") \
            and not read["ownership"]:
        # the same 公报 category, less precise (a category picked again): the stored row, sector and flags stay
        read = {k: previous.get(k) for k in FIELDS[:5]} | {k: v for k, v in read.items() if k.startswith("migrant") and v}
    changed = bool(read) and (not previous or (read["occupation"], read["occupation_detail"])
                              != (previous.get("occupation"), previous.get("occupation_detail")))
    if not read:
        if previous:
            read = {k: previous.get(k) for k in FIELDS[:5]}
        elif required:
            problems.append(Problem("工作岗位", "必填项为空"))
            return {}
        else:
            read = {"occupation": "", "occupation_detail": "", "ownership": "", "migrant_worker": False,
                    "migrant_business": False}
    strict = strict and changed  # an unchanged 工作岗位 carried over is not re-checked
    out = dict(read)
    occupation, detail = out["occupation"], out["occupation_detail"]
    row_name = occupation_label(occupation, detail) or "该工作岗位"
    fixed = ownership_of_detail(occupation, detail) if occupation else ""
    explicit = ""
    raw_owner = given.get("ownership")
    if raw_owner not in (None, ""):
        explicit = OWNERSHIP.parse(raw_owner) or ""
        if not explicit:
            problems.append(Problem("单位所有制", f"无法识别的单位所有制「{raw_owner}」（公有制单位 / 非公有制单位）"))
        elif fixed == "":
            problems.append(Problem("单位所有制", f"「{row_name}」不是在岗职工，不填单位所有制（{SOURCE}）"))
        elif fixed is not None and explicit != fixed:
            problems.append(Problem("单位所有制", f"「{row_name}」属于{OWNERSHIP_NAMES[fixed]}，不能填"
                                               f"「{OWNERSHIP_NAMES[explicit]}」（{SOURCE}）"))
    if fixed is not None:
        out["ownership"] = fixed
    else:
        out["ownership"] = explicit or out["ownership"] or organization_ownership(organization)
        coarse = occupation in COARSE_OCCUPATIONS and not detail  # no row to place anyway (quality report)
        if not out["ownership"] and strict and not coarse and not raw_owner:
            problems.append(Problem("单位所有制", f"「{row_name}」须填写单位所有制（公有制单位或非公有制单位）："
                                               f"党内统计年报按所有制分列在岗职工，所在单位未登记经济控制类型，"
                                               f"无法自动确定"))
    # the 其中 flags
    for field, row, parent in (("migrant_worker", "worker", "工勤技能人员"), ("migrant_business", "farmer", "农牧渔民")):
        flag = _flag(given.get(field), field, problems)
        if flag is None:
            flag = bool(out.get(field))
            if flag and occupation != row:
                flag = False  # a flag carried over from a previous row that no longer fits
        elif flag and occupation != row:
            problems.append(Problem(LABELS[field], f"只有{parent}可标记为「{LABELS[field]}」（{SOURCE}：{parent} "
                                                   f"其中：{LABELS[field]}），工作岗位为「{row_name}」"))
        out[field] = flag
    # 生产、工作第一线
    line = _flag(given.get("front_line", front_line), "front_line", problems)
    raw_kind = given.get("front_line_kind")
    if raw_kind is None:
        kind = previous.get("front_line_kind", "") if line is not False else ""
    elif raw_kind == "":
        kind = ""
    else:
        kind = FRONT_LINE_KIND.parse(raw_kind) or ""
        if not kind:
            problems.append(Problem("一线类别", f"无法识别的一线类别「{raw_kind}」（{'、'.join(FRONT_LINE_KIND.names)}）"))
        elif line is False:
            problems.append(Problem("一线类别", f"选择了一线类别「{FRONT_LINE_KIND.label(kind)}」，但「生产工作一线」为否"))
    if line is None:
        line = bool(kind) or bool(previous.get("front_line", False))
    out["front_line"], out["front_line_kind"] = bool(line), (kind if line else "")
    if len(problems) > count:
        return {}
    return {name: out[name] for name in FIELDS}


def occupation_fields_of(record) -> dict:
    """The seven fields of a membership / development record, as a dict (``previous`` of
    ``clean_occupation``)."""
    return {name: getattr(record, name) for name in FIELDS}


def occupation_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The 工作岗位 select of the member forms, grouped: the 年报 rows (codes of ``OCCUPATION_DETAIL``, the
    rows that are their 公报 category given by the category code), then the coarse 公报 categories
    企事业单位、社会组织专业技术人员 / 管理人员 (accepted, flagged by the quality report until split)."""
    rows = [(OCCUPATION_OF_DETAIL[code] if OCCUPATION_DETAIL.label(code) == OCCUPATION.label(OCCUPATION_OF_DETAIL[code])
             else code, name) for code, name in OCCUPATION_DETAIL.entries.items()]
    coarse = [(code, OCCUPATION.label(code)) for code in COARSE_OCCUPATIONS]
    return [("党内统计年报岗位", rows), ("公报类别（不能归入年报岗位，请尽量选择上面的岗位）", coarse)]


def occupation_initial(record) -> dict:
    """Initial form values for ``record``'s 工作岗位 (the select's value, ownership, flags, kind)."""
    if record is None:
        return {}
    detail = record.occupation_detail
    return {"occupation": detail or record.occupation, "ownership": record.ownership,
            "migrant_worker": record.migrant_worker, "migrant_business": record.migrant_business,
            "front_line": record.front_line, "front_line_kind": record.front_line_kind}
