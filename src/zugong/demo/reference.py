"""The date the demo data is as of, and the default 截至日期 of the pages while it is installed.

The demo generator writes everything as of ``distributions.REFERENCE_DATE`` (2023-12-31, the date of
the 2023 党内统计公报 it reproduces): its 预备党员 are those of that day and its 发展党员 were admitted in
2023. Pages defaulting to today would show 0 预备党员 and 0 发展党员 for the current year. So while the
demo dataset is installed (its root organization ``ROOT_CODE`` exists — a one-row indexed lookup, only
made when the user has not chosen a date), the roster, the statistics and the home figures default
their 截至日期 to that date and say so (``NOTE``); a date the user chooses is always taken as given.

Nothing needs recording: the reference date is a constant of the generator (the data of a given version
is always generated as of it), and a production database holds no demo data (deploy check
``zugong.E004``), where the default stays today.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from zugong.demo.distributions import REFERENCE_DATE

ROOT_CODE = "QS"  # 组织代码 of the demo root; other demo codes are QS000001, QS000002, …
NOTE = f"演示数据截至 {REFERENCE_DATE.isoformat()}，未选择截至日期时按该日显示"


def demo_as_of() -> dt.date | None:
    """``REFERENCE_DATE`` while the demo dataset is installed, else ``None``."""
    from zugong.orgs.models import PartyOrganization

    return REFERENCE_DATE if PartyOrganization.objects.filter(code=ROOT_CODE).exists() else None


def default_as_of() -> tuple[dt.date, str]:
    """``(date, note)``: the 截至日期 a page uses when the user has chosen none — the demo data's date
    with ``NOTE`` while the demo is installed, else today (local time zone) with no note."""
    day = demo_as_of()
    return (day, NOTE) if day is not None else (timezone.localdate(), "")


def demo_reference_date() -> tuple[dt.date, str] | None:
    """The home page's to-dos' day while the demo is installed (``core.registry.register_reference_date``):
    ``(REFERENCE_DATE, note)``, else ``None``."""
    day = demo_as_of()
    return None if day is None else (day, f"演示数据截至 {day.isoformat()}，待办事项按该日计算")
