"""xlsx downloads of the grading lists (the same selectors and filters as the pages):

- ``gradings_xlsx(*, user, organization, year, filters)`` — 达标晋级评定一览: one row per grading (组织代码,
  党支部, 年度, 评定方案, one column per criterion of the schemes present, 总分, 等次, 示范党支部, 评定日期,
  评定单位, 评定意见), then a sheet 「等次统计」 with the counts per scheme and level;
- ``weak_xlsx(*, user, organization, year, filters)`` — 软弱涣散基层党组织名单 with the rectification status.

``organization=None``: the whole ``party.export`` scope; ``year=None``: every year."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from zugong.grading.filtersets import GradingFilterSet, WeakFilterSet
from zugong.grading.selectors import grading_list, level_counts, weak_list
from zugong.grading.validators import fmt_score

HEADER_FILL = PatternFill("solid", fgColor="C8161D")
HEADER_FONT = Font(bold=True, color="FFFFFF")


def _sheet(ws, headers: list[str], rows) -> None:
    ws.append(headers)
    for cell in ws[1]:
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
    for row in rows:
        ws.append(row)
    for i, header in enumerate(headers, start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = max(10, min(40, len(header) * 2 + 4))
    ws.freeze_panes = "A2"


def _filtered(queryset, filterset_class, *, organization, year, filters):
    params = {k: v for k, v in (filters or {}).items() if v not in (None, "")}
    if year is not None:
        params["year"] = year
    if organization is not None:
        queryset = queryset.filter(organization__path__startswith=organization.path)
    params.pop("org", None)
    filterset = filterset_class(params, queryset)
    return filterset.qs if filterset.is_valid() else queryset.none()


def _save(wb) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def gradings_xlsx(*, user, organization=None, year: int | None = None, filters: dict | None = None) -> bytes:
    """达标晋级评定一览 (see the module docstring) of the ``party.export`` scope."""
    qs = _filtered(grading_list(user=user, action="export"), GradingFilterSet, organization=organization, year=year,
                   filters=filters)
    gradings = list(qs.prefetch_related("scores__criterion", "scheme__criteria"))
    criteria = []  # (scheme code, criterion code, header) of every scheme present, in scheme and form order
    seen = set()
    for g in gradings:
        if g.scheme_id in seen:
            continue
        seen.add(g.scheme_id)
        criteria += [(g.scheme.code, c.code, f"{g.scheme.name}·{c.name}（{fmt_score(c.max_score)}分）")
                     for c in sorted(g.scheme.criteria.all(), key=lambda c: (c.order, c.pk))]
    headers = ["组织代码", "党支部", "年度", "评定方案", *[h for _, _, h in criteria], "总分", "等次", "示范党支部",
               "评定日期", "评定单位", "评定意见"]
    rows = []
    for g in gradings:
        scores = {(g.scheme.code, s.criterion.code): float(s.score) for s in g.scores.all()}
        rows.append([g.organization.code, g.organization.name, g.year, g.scheme.name,
                     *[scores.get((sc, cc)) for sc, cc, _ in criteria], float(g.total),
                     g.level.name if g.level else "未达任何等次", "是" if g.designated_model else "",
                     g.evaluated_on, g.evaluator, g.note])
    wb = Workbook()
    ws = wb.active
    ws.title = "达标晋级评定"
    _sheet(ws, headers, rows)
    for row in ws.iter_rows(min_row=2, min_col=len(headers) - 2, max_col=len(headers) - 2):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
    counts = wb.create_sheet("等次统计")
    _sheet(counts, ["评定方案", "等次", "支部数"], [[c["scheme_name"], c["level_name"], c["count"]] for c in level_counts(qs)])
    return _save(wb)


def weak_xlsx(*, user, organization=None, year: int | None = None, filters: dict | None = None) -> bytes:
    """软弱涣散基层党组织名单 (see the module docstring) of the ``party.export`` scope."""
    qs = _filtered(weak_list(user=user, action="export"), WeakFilterSet, organization=organization, year=year,
                   filters=filters)
    headers = ["组织代码", "党组织", "年度", "确定日期", "软弱涣散情形", "具体问题", "整改措施", "整改责任人", "整改时限",
               "整改状态", "整改完成日期", "验收单位（人）", "验收日期", "验收意见"]
    rows = [[w.organization.code, w.organization.name, w.year, w.identified_on, "、".join(w.category_labels), w.reasons,
             w.measures, w.responsible_person, w.deadline, w.status_label, w.rectified_on, w.verified_by, w.verified_on,
             w.verification_note] for w in qs]
    wb = Workbook()
    ws = wb.active
    ws.title = "软弱涣散党组织"
    _sheet(ws, headers, rows)
    for col in (4, 9, 11, 13):
        for row in ws.iter_rows(min_row=2, min_col=col, max_col=col):
            for cell in row:
                cell.number_format = "yyyy-mm-dd"
    return _save(wb)
