"""Code tables and shipped defaults of branch grading (达标晋级, issue #11).

- ``WEAK_CATEGORY``: why an organization is put on the 软弱涣散 list. The national notices on 整顿软弱涣散基层
  党组织 (中共中央组织部, 2014 onward, and the later 持续整顿 notices) list the situations to look for; their
  exact wording differs by notice and by locality, and it was **not** checked against an official text here.
  The codes below are plain categories drawn from the situations those notices are commonly cited for
  (``shared/rules.md`` tag [K]/[L]); a deployment that needs its own wording changes the names here (the codes
  stay) — see ``docs/grading.md``.
- ``WEAK_STATUS``: 整改中 → 已整改 (``rectified_on``) → 已验收 (``verified_on``), derived from the dates.
- ``BUILTIN_SCHEMES``: the shipped rubrics "五好" and "四强" with their levels, kept in the database by the
  ``post_migrate`` handler ``grading.seed.sync_builtin_schemes`` (not a data migration: transactional tests
  flush the database and only ``post_migrate`` runs again).

Levels (both schemes, 100 points): 先进 ≥ 90, 达标 ≥ 75, 基本达标 ≥ 60, 后进 < 60. Grading schemes and their
levels differ by locality (``shared/rules.md`` §2, [L]); these are a plain default, not a national standard.
"""

from __future__ import annotations

from zugong.core.codes import CodeTable

WEAK_CATEGORY = CodeTable(
    "软弱涣散情形",
    {
        "secretary_unfit": "书记不胜任",
        "team_incomplete": "班子不健全",
        "life_irregular": "组织生活不正常",
        "rules_unimplemented": "制度不落实",
        "role_weak": "作用发挥不明显",
        "members_lax": "党员队伍管理松散",
        "affairs_disorder": "党务村务财务管理混乱",
        "interference": "受宗族宗教、黑恶势力干扰",
        "disputes": "矛盾纠纷和信访问题突出",
        "other": "其他",
    },
    aliases={"书记长期缺职": "secretary_unfit", "书记不称职": "secretary_unfit", "班子不团结": "team_incomplete",
             "不开展组织活动": "life_irregular", "组织制度形同虚设": "rules_unimplemented",
             "服务群众能力弱": "role_weak"},
)

WEAK_STATUS = CodeTable("整改状态", {"rectifying": "整改中", "rectified": "已整改", "verified": "已验收"})

GRADING_SOURCE = "各地党支部标准化规范化建设和达标晋级办法（方案由部署配置）"

DEFAULT_LEVELS = (
    # (code, name, min_total, order): order 1 is the top level
    ("advanced", "先进", 90, 1),
    ("standard", "达标", 75, 2),
    ("basic", "基本达标", 60, 3),
    ("lagging", "后进", 0, 4),
)

BUILTIN_SCHEMES = (
    {
        "code": "five_good",
        "name": "五好党支部",
        "description": "「五好」：班子好、党员管理好、制度落实好、思想作风好、作用发挥好，每项 20 分，满分 100 分。",
        "criteria": (
            ("leadership", "班子好", 20, "支部委员会或书记、副书记按规定配齐，班子团结，书记履职尽责。"),
            ("member_management", "党员管理好", 20, "党员教育管理和发展党员工作规范，党费按时足额收缴，流动党员有人管。"),
            ("rules", "制度落实好", 20, "三会一课、主题党日、组织生活会、民主评议党员等制度落实，记录完整。"),
            ("conduct", "思想作风好", 20, "党员理想信念坚定，作风务实，无违纪违法问题。"),
            ("role", "作用发挥好", 20, "围绕中心任务发挥战斗堡垒作用，党员发挥先锋模范作用，群众满意。"),
        ),
    },
    {
        "code": "four_strong",
        "name": "四强党支部",
        "description": "「四强」：政治功能强、支部班子强、党员队伍强、作用发挥强，每项 25 分，满分 100 分。",
        "criteria": (
            ("political", "政治功能强", 25, "理论学习和政治教育经常，贯彻上级决策部署坚决有力。"),
            ("team", "支部班子强", 25, "班子配备齐全、结构合理，书记政治素质和履职能力强。"),
            ("members", "党员队伍强", 25, "党员队伍结构合理、素质优良，发展党员程序规范。"),
            ("role", "作用发挥强", 25, "在完成中心工作和服务群众中发挥战斗堡垒作用。"),
        ),
    },
)
"""The shipped rubrics (``code``, ``name``, ``description``, ``criteria`` as ``(code, name, max_score,
guidance)``), each with ``DEFAULT_LEVELS``. Source: ``shared/rules.md`` §2 ("五好", "四强"; [L])."""
