"""第一表 (党员数量变化情况) of a demo subtree counted straight from the records with plain ORM counts — an
independent reference for the demo's own checks and for the annual-report engine (``reports.annual``)."""

from __future__ import annotations

import datetime as dt

from zugong.party.models import Membership, MembershipEvent


def members_on(org, day: dt.date) -> int:
    """Members of ``org``'s subtree on ``day`` (a membership in force, admitted by then)."""
    return Membership.objects.on(day).filter(organization__path__startswith=org.path,
                                             person__party_member__admission_date__lte=day).count()


def first_table(org, year: int) -> dict:
    """第一表 of ``org``'s subtree for ``year`` in the JSON shape of the issue: increases are events whose
    target lies in the subtree, decreases those whose origin does; a ``transfer`` between two
    organizations counts as 转入 / 转出 only when it crosses the subtree's border."""
    prefix = org.path
    events = MembershipEvent.objects.filter(date__year=year)
    into = events.filter(to_organization__path__startswith=prefix)
    out_of = events.filter(from_organization__path__startswith=prefix)
    moved_in = into.filter(kind="transfer").exclude(from_organization__path__startswith=prefix)
    moved_out = out_of.filter(kind="transfer").exclude(to_organization__path__startswith=prefix)
    admitted = into.filter(kind="admission")
    reinstated = into.filter(kind="reinstatement")
    arrived = into.filter(kind="transfer_in")
    left = out_of.filter(kind="transfer_out")
    increase = {
        "发展党员": admitted.count(), "重新入党": admitted.filter(detail="readmission").count(),
        "恢复党籍": reinstated.count(), "停止党籍后恢复党籍": reinstated.filter(detail="after_suspension").count(),
        "转入组织关系": arrived.count() + moved_in.count(),
        "整建制转入": arrived.filter(detail="whole_unit").count() + moved_in.filter(detail="whole_unit").count(),
    }
    increase = {"合计": increase["发展党员"] + increase["恢复党籍"] + increase["转入组织关系"], **increase}
    decrease = {
        "出党": out_of.filter(kind="exit").count(), "停止党籍": out_of.filter(kind="suspension").count(),
        "死亡": out_of.filter(kind="death").count(), "转出组织关系": left.count() + moved_out.count(),
        "整建制转出": left.filter(detail="whole_unit").count() + moved_out.filter(detail="whole_unit").count(),
    }
    decrease = {"合计": decrease["出党"] + decrease["停止党籍"] + decrease["死亡"] + decrease["转出组织关系"],
                **decrease}
    before = members_on(org, dt.date(year - 1, 12, 31))
    expected = before + increase["合计"] - decrease["合计"]
    actual = members_on(org, dt.date(year, 12, 31))
    return {"上年底总数": before, "本年增加": increase, "本年减少": decrease, "本年底应有数": expected,
            "本年底实有数": actual, "实有数与应有数之差": actual - expected}
