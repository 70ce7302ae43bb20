"""Demo data that looks like the country: a county-like party organization tree with members,
applicants and demo accounts, following the published 2023 党内统计公报 at a chosen scale.

- ``distributions``: the published figures (with their source) and the modelling assumptions;
- ``names``: surnames, given names, places, units, GB/T 2260 region codes;
- ``generator``: ``generate(scale=, seed=, members=, progress=)`` → ``GenerationSummary``, ``demo_root()``,
  ``demo_reset()``;
- ``accounts``: ``create_demo_accounts(root)`` and the documented ``DEMO_PASSWORD``.
- ``history``: two years of membership events (and the periods, transfers, former members and member
  statuses that go with them), planned in Python; ``records`` writes them;
- ``units`` (the unit tree and each organization's unit), ``attributes`` (年报 工作岗位 rows, 专业技术职务,
  terms); ``checks.verify_history``: the periods follow the events, 第一表 reconciles.
- ``life``: ``write_life(ctx, seed=)``: the branches' officers (书记, 支委会) and a year (2023) of 组织生活 —
  三会一课, 主题党日, 组织生活会, 民主评议党员, 谈心谈话 — with attendance from each day's roster;
  ``checks.verify_life``: 应到 / 实到 follow the attendance rows, secretaries qualify.

Used by ``zugong demo`` (``core/management/commands/demo.py``) and by the benchmarks.
This is a plain package, not a Django app: import it after ``django.setup()``.
"""


def __getattr__(name: str):
    if name in ("generate", "GenerationSummary", "demo_root", "demo_reset"):
        from zugong.demo import generator

        return getattr(generator, name)
    raise AttributeError(name)
