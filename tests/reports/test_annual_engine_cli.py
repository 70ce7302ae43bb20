"""``zugong stats annual`` (``reports/management/commands/stats_annual.py``) on the hand-computed dataset:
JSON equal to the report, readable text tables with the checks, the scope, ``--strict``, the xlsx with
its permission and audit event."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from tests.reports import annual_dataset as ds
from zugong.audit.models import AuditEvent
from zugong.party.models import Membership
from zugong.reports.annual import annual_report


@pytest.fixture
def data(db):
    return ds.build()


def _run(*args, **options) -> str:
    out = io.StringIO()
    call_command("stats_annual", *args, stdout=out, **options)
    return out.getvalue()


def test_json_is_the_report(data):
    printed = json.loads(_run(org="R", year=2023, user="annual_county", format="json"))
    report = annual_report(user=data.county_user, organization=data.R, year=2023)
    checks = printed.pop("逻辑校验")
    # the same JSON as the API (reports.annual_export.annual_json): the report plus the subtree root
    assert (printed.pop("组织代码"), printed.pop("填报单位")) == ("R", data.R.name)
    assert printed == json.loads(json.dumps(report.to_json(), ensure_ascii=False))
    assert printed["年度"] == 2023 and printed["截至日期"] == "2023-12-31"
    assert printed["党员数量变化情况"]["本年增加"]["转入组织关系"] == 2
    assert printed["党员出党情况（一）"]["厅局级"]["总数"] is None
    assert [c["name"] for c in checks] == [c.name for c in report.checks] and all(c["ok"] for c in checks)


def test_text_prints_every_table_and_the_checks(data):
    text = _run(org="R", year=2023, user="annual_county")
    assert text.startswith("党内统计年报 — 某县委（R，2023年度，截至 2023年12月31日）")
    for heading in ("第一表 党员数量变化情况", "第二表 党员基本情况", "第十五表 预备党员转正情况", "第二十四表 党的基层组织数量情况和换届情况",
                    "第四十三表 失去联系党员情况"):
        assert heading in text
    lines = text.splitlines()
    first = lines.index("第一表 党员数量变化情况")
    assert lines[first + 3].split() == ["一、上年底总数", "15"]
    assert any(line.split() == ["转入组织关系", "2"] for line in lines[first:first + 20])
    # wide tables are split into column blocks, each repeating the row labels
    second, third = lines.index("第二表 党员基本情况"), lines.index("第三表 党员入党时间情况")
    headers = [line for line in lines[second:third] if line.startswith("项目")]
    assert len(headers) == 2 and "71岁及以上" in "".join(headers)
    assert "逻辑校验：共" in text and "全部通过。" in text
    output = _run(org="R-A", year=2023, user="annual_town_a")
    assert "甲镇党委（R-A" in output


def test_failed_checks_are_listed_and_strict_fails(data):
    Membership.objects.filter(person=data.m["m8"], end_date__isnull=True).update(occupation="")
    text = _run(org="R", year=2023, user="annual_county")
    assert "× 第二表“总计”= 在岗职工、农牧渔民、军人武警、学生、离退休人员、其他之和（应为 15，实为 14）" in text
    assert "- m8（甲镇机关党支部）：未登记工作岗位，只计入总计" in text
    with pytest.raises(CommandError) as failed:
        _run(org="R", year=2023, user="annual_county", strict=True)
    assert "逻辑校验有" in str(failed.value) and failed.value.returncode == 2
    _run(org="R-B", year=2023, user="annual_county", strict=True)  # town B is clean (m8 is in A)


def test_scope_and_bad_arguments(data, tmp_path):
    with pytest.raises(CommandError, match="不存在或不在您的数据范围内"):
        _run(org="R", year=2023, user="annual_other")
    with pytest.raises(CommandError, match="不存在或不在您的数据范围内"):
        _run(org="R-B", year=2023, user="annual_town_a")
    with pytest.raises(CommandError, match="--output"):
        _run(org="R", year=2023, user="annual_county", format="xlsx")
    with pytest.raises(CommandError, match="统计年度无效"):
        _run(org="R", year=20, user="annual_county")
    with pytest.raises(CommandError, match="不存在或已停用"):
        _run(org="R", year=2023, user="nobody")
    out = tmp_path / "annual.json"
    _run(org="R", year=2023, user="annual_county", format="json", output=str(out))
    assert json.loads(out.read_text(encoding="utf-8"))["党员数量变化情况"]["本年底实有数"] == 15


def test_xlsx_needs_the_export_permission_and_is_audited(data, tmp_path):
    pytest.importorskip("zugong.reports.annual_export", reason="the outputs part writes annual_export")
    with pytest.raises(CommandError, match="没有导出"):
        _run(org="R", year=2023, user="annual_viewer", format="xlsx", output=str(tmp_path / "x.xlsx"))
    out = tmp_path / "annual.xlsx"
    _run(org="R", year=2023, user="annual_county", format="xlsx", output=str(out))
    assert out.read_bytes()[:2] == b"PK"
    event = AuditEvent.objects.filter(kind="export").latest("pk")
    assert event.data["report"] == "annual_report" and event.data["year"] == 2023 and event.object_id == "R"
