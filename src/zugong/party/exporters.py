"""党员花名册 export: the roster of a subtree as of a date, as .xlsx in exactly the import layout.

Rows are the roster selector's (``party.selectors.member_roster`` with ``action="export"``): the
memberships in force on ``as_of`` (``Membership.objects.on``) within the user's ``party.export``
scope and the chosen organization's subtree, ordered by organization (tree order) then name — so the
page, the API and the file show the same people. Values are written the way ``import_roster`` reads
them (headers of ``ROSTER_COLUMNS``, labels of the code tables, dates as date cells, 所在党组织 as the
组织代码, 工作岗位 as the 党内统计年报 row when one is kept, else the 公报 category, with the sector and
the 农民工 / 外出务工经商人员 flags as ``core.codes.occupation_label`` writes them), so an unmasked export
re-imports as "nothing changed". A blank 民族/学历/工作岗位 (not recorded) is an empty cell, which
re-imports as "not given" (the record stays incomplete; pages show it as 「未填」). As of a past date, 人员类别 and
转正日期 are those of that date: a member who became full later appears as 预备党员 without 转正日期.

ID numbers are masked (``*****************X``, only the check character: ``docs/security.md`` §4) and
phone numbers too (``138****5678``). With ``unmask=True`` a row gets plaintext only when the user may
unmask that person — ``basic.unmask`` on the person's organization, the rule of ``people.sensitive
.person_unmask`` — and stays masked otherwise: a user exporting a subtree of which he may unmask only a
branch gets plaintext for that branch and masks elsewhere (the 「说明」 sheet says how many rows are
masked). Without any ``basic.unmask`` grant a plaintext export is refused (``PermissionDeniedError``).
A masked row cannot be re-imported (the importer refuses masked ID numbers); use a fully unmasked
export for a round trip. (GB/T 35273-2020 §7.3 展示限制; GB/T 22239-2019 8.1.4.8.)

Every export records one ``export`` audit event (organization code, as-of date, filters, row count,
whether plaintext was asked for, how many rows carry it) — never the ID numbers themselves.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator, Mapping

from django.db.models import BooleanField, Case, Q, Value, When

from zugong.core.codes import EDUCATION, ETHNICITY, MEMBER_CATEGORY, SEX
from zugong.core.errors import OutOfScope, PermissionDeniedError
from zugong.core.files import VALUES_SHEET, ColumnFormat, write_xlsx
from zugong.core.importing import PROGRESS_EVERY
from zugong.core.scoping import can, scope_q, user_scope
from zugong.orgs.models import PartyOrganization
from zugong.party.importers import ROSTER_COLUMNS
from zugong.party.selectors import member_roster, roster_row

NOTES_MASKED = "公民身份号码和手机号码已脱敏，本文件不能用于导入（导入需要完整号码）。"
NOTES_UNMASKED = "本文件含公民身份号码和手机号码明文，属于敏感个人信息，请妥善保管，用后及时删除。"
NOTES_PARTLY_MASKED = ("其中 {n} 人不在您查看敏感信息明文的权限范围内，其公民身份号码和手机号码已脱敏；"
                       "含脱敏号码的行不能用于导入。")


def _unmask_condition(user) -> Q:
    """Memberships whose person ``user`` may unmask: the person's organization lies in the user's
    ``basic.unmask`` scope (the ``Person.objects.restrict(user, "unmask")`` of ``person_unmask``), as SQL."""
    return scope_q(user_scope(user, "basic", "unmask"), "person__organization")


def roster_export_rows(*, user, organization: PartyOrganization | None, as_of: dt.date, unmask: bool = False,
                       filters: Mapping | None = None, counter: list[int] | None = None) -> Iterator[list[object]]:
    """The export rows (lists in ``ROSTER_COLUMNS`` order) of the roster as of ``as_of``.

    ``organization``: the subtree to export (``None`` = the user's whole export scope); ``filters``:
    further ``MemberFilterSet`` parameters (``name``, ``category`` …). ``counter``: ``counter[0]``
    counts rows and, when present, ``counter[1]`` the rows written in plaintext. With ``unmask`` the
    ID and phone numbers are plaintext in the rows whose person the user may unmask (``basic.unmask``
    on the person's organization, decided in the same query) and masked in the others.
    Raises ``ValidationFailed`` for bad filter values."""
    memberships = _export_memberships(user, organization, as_of, filters)
    if unmask:
        memberships = memberships.defer(None).annotate(  # the encrypted columns are needed
            may_unmask=Case(When(_unmask_condition(user), then=Value(True)), default=Value(False),
                            output_field=BooleanField()))
    for membership in memberships.iterator(chunk_size=2000):
        row = roster_row(membership, as_of)
        person = membership.person
        plain = unmask and membership.may_unmask
        if plain:
            id_number, phone = person.id_number, person.phone
        else:
            id_number, phone = person.id_number_masked, person.phone_masked
        if counter is not None:
            counter[0] += 1
            if plain and len(counter) > 1:
                counter[1] += 1
        yield [
            person.name, SEX.label(person.sex), ETHNICITY.label(person.ethnicity), id_number, person.birth_date,
            EDUCATION.label(person.education_level), row.admission_date, row.full_membership_date,
            MEMBER_CATEGORY.label(row.category), row.occupation_label,
            membership.organization.code, person.work_start_date, phone, "是" if membership.front_line else "否",
        ]


def export_roster_to(stream, *, user, organization: PartyOrganization | None, as_of: dt.date,
                     unmask: bool = False, filters: Mapping | None = None, progress=None) -> int:
    """Write the roster .xlsx to ``stream`` (binary) and record the ``export`` audit event; returns the
    number of members written. ``progress(phase, done, total)``, when given, is called with phase
    「导出」 every ``PROGRESS_EVERY`` rows (``total`` from one extra ``COUNT``) and once at the end
    (about 0.4 ms per row: 100,000 members take ~45 s, mostly openpyxl writing cells). Raises
    ``OutOfScope`` when ``organization`` is outside the user's ``party.export`` scope,
    ``PermissionDeniedError`` without any export grant, or for ``unmask`` without any ``basic.unmask``
    grant; ``ValidationFailed`` for bad filters. With ``unmask`` the rows the user may not unmask stay
    masked (see the module docstring); their number is in the 「说明」 sheet and the audit event."""
    from zugong.audit.services import record_event

    if not can(user, "party", "export"):
        raise PermissionDeniedError("您没有导出党员信息的权限。")
    if organization is not None and not can(user, "party", "export", organization):
        raise OutOfScope()
    if unmask and not can(user, "basic", "unmask"):
        raise PermissionDeniedError("您没有查看敏感信息明文的权限，只能导出脱敏文件。")
    masked_rows = 0
    if unmask:  # rows the user may not unmask stay masked; say how many before writing
        masked_rows = (_export_memberships(user, organization, as_of, filters).filter(~_unmask_condition(user))
                       .order_by().count())
    counter = [0, 0]
    rows = roster_export_rows(user=user, organization=organization, as_of=as_of, unmask=unmask, filters=filters,
                              counter=counter)
    if progress is not None:
        rows = _reporting(rows, progress, _export_total(user, organization, as_of, filters))
    scope_name = organization.name if organization is not None else "本人数据范围"
    notes = [f"党员花名册：{scope_name}（含下级组织），截至 {as_of.isoformat()}",
             NOTES_UNMASKED if unmask else NOTES_MASKED,
             *([NOTES_PARTLY_MASKED.format(n=masked_rows)] if masked_rows else []),
             "表头带 * 的为必填列；本表格式与「导入党员花名册」相同。"]
    formats = [ColumnFormat(width=c.width, text=c.text) for c in ROSTER_COLUMNS]
    write_xlsx(stream, headers=[c.template_header for c in ROSTER_COLUMNS], rows=rows, sheet_title="党员花名册",
               formats=formats, notes=notes)
    shown_filters = {k: str(v) for k, v in (filters or {}).items() if k not in ("as_of", "unmask", "org") and v}
    record_event(
        "export", user=user, object_type="party_roster", object_id=organization.code if organization else "",
        summary=f"导出党员花名册：{scope_name}，截至 {as_of.isoformat()}，{counter[0]} 人"
                + (f"（含身份证号明文 {counter[1]} 人）" if unmask else ""),
        data={"organization": organization.code if organization else "", "as_of": as_of.isoformat(),
              "rows": counter[0], "unmask": bool(unmask), "plaintext_rows": counter[1], "filters": shown_filters},
    )
    return counter[0]


def _export_memberships(user, organization: PartyOrganization | None, as_of: dt.date, filters: Mapping | None):
    """The memberships an export covers: ``member_roster`` in the user's ``export`` scope, with
    ``filters`` (``as_of``/``unmask`` are arguments of their own) and the subtree of ``organization``."""
    params = {k: v for k, v in dict(filters or {}).items() if k not in ("as_of", "unmask")}
    if organization is not None:
        params["org"] = organization.code
    return member_roster(user=user, as_of=as_of, filters=params, action="export")


def _export_total(user, organization, as_of: dt.date, filters: Mapping | None) -> int:
    """Rows ``roster_export_rows`` will yield (same selector, same filters)."""
    return _export_memberships(user, organization, as_of, filters).order_by().count()


def _reporting(rows: Iterator[list[object]], progress, total: int) -> Iterator[list[object]]:
    """``rows`` unchanged, calling ``progress("导出", done, total)`` every ``PROGRESS_EVERY`` rows."""
    done = 0
    progress("导出", 0, total)
    for row in rows:
        yield row
        done += 1
        if done % PROGRESS_EVERY == 0:
            progress("导出", done, total)
    progress("导出", done, max(total, done))


def export_roster(*, user, organization: PartyOrganization | None, as_of: dt.date, unmask: bool = False,
                  filters: Mapping | None = None) -> bytes:
    """The roster export as .xlsx bytes; see ``export_roster_to`` (same rules, errors and audit)."""
    buffer = io.BytesIO()
    export_roster_to(buffer, user=user, organization=organization, as_of=as_of, unmask=unmask, filters=filters)
    return buffer.getvalue()


def roster_template() -> bytes:
    """An empty 党员花名册 template (headers only, plus a 「说明」 sheet listing the accepted values)."""
    notes = [
        "每行一名党员；表头按名称识别，顺序可调整；带 * 的列必填。",
        "公民身份号码、手机号码列已设为「文本」格式；从别处粘贴时请选择「只粘贴值」，以免带入数字格式。",
        "日期：YYYY-MM-DD、YYYY/MM/DD、YYYY.MM.DD、YYYYMMDD 或日期格式单元格。",
        f"性别、民族、学历、人员类别、工作岗位、生产工作一线：在单元格的下拉列表中选择，可选值见「{VALUES_SHEET}」表"
        "（也可填写国家标准代码或常用简称，如 汉、大专）。",
        "预备党员不填转正日期。",
        "所在党组织：填写组织代码（见组织树），也可填写党组织全称或简称。",
        "必填列：姓名、公民身份号码、所在党组织、入党日期、人员类别；性别、出生日期不填时按公民身份号码；"
        "学历、民族、工作岗位不填也可导入，但记为信息不完整（见「数据质量」）。",
        "工作岗位也可填写党内统计年报的岗位，如 事业单位专业技术人员、企业管理人员、农民工。",
    ]
    formats = [c.format for c in ROSTER_COLUMNS]
    buffer = io.BytesIO()
    write_xlsx(buffer, headers=[c.template_header for c in ROSTER_COLUMNS], rows=[], sheet_title="党员花名册",
               formats=formats, notes=notes)
    return buffer.getvalue()
