"""Rules of the reserve pool (后备干部, issue #12 item 7) as data with their source.

- ``YOUNG_MAX_AGE``: 优秀年轻干部 age limits per current level, in 周岁 on the reference date: ≤35 at 科级
  (141/142), ≤40 at 处级 (131/132), ≤45 at 厅局级 (121/122). Common practice of organization departments
  (《关于适应新时代要求大力发现培养选拔优秀年轻干部的意见》(2018) and local implementing rules; the limits are
  not fixed by a national article) [K]. Configurable here.
- ``REVIEW_DUE_DAYS``: an entry is "due for review" when its 下次复核时间 is within 30 days (local practice of
  动态调整, at least once a year) [K].
- ``LISTS``: the three lists (近期使用 / 轮岗锻炼 / 蹲苗培养), glossary ``RESERVE_LIST``.
"""

from __future__ import annotations

from zugong.cadres.choices import RESERVE_LIST

YOUNG_MAX_AGE: dict[str, int] = {"121": 45, "122": 45, "131": 40, "132": 40, "141": 35, "142": 35}
YOUNG_SOURCE = "各地组织部门通行口径（科级≤35岁、处级≤40岁、厅局级≤45岁）[K]"
REVIEW_DUE_DAYS = 30
LISTS = tuple(RESERVE_LIST.entries)
