"""``zugong demo``: migrate, fill the database with the country-shaped demo dataset once, create the demo
accounts, print the logins and serve the site.

    zugong demo [--scale 10000] [--seed 2023] [--members N] [--no-serve] [--port 8000] [--reset]

The database is ``zugong.sqlite3`` in the working directory unless ``DATABASE_URL`` names another (then
``ZUGONG_DEBUG=1`` must be set too: under production settings the command refuses, before it touches the
database).
Running it again on a database that already holds the demo data generates nothing (it says so);
``--reset`` deletes the demo data first. The work is done by ``zugong.demo.generator.generate`` and
``zugong.demo.accounts.create_demo_accounts``; this command only parses options and prints.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from zugong.core.errors import ZugongError


class Command(BaseCommand):
    help = "生成演示数据（按2023年党内统计公报的比例）、创建演示账号并启动网站。"

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=10000,
                            help="比例 1:N（默认 1:10000，约 9,918 名党员、518 个基层组织）")
        parser.add_argument("--seed", type=int, default=2023, help="随机种子（相同种子生成相同数据，默认 2023）")
        parser.add_argument("--members", type=int, default=None, help="直接指定党员人数（覆盖 --scale）")
        parser.add_argument("--no-serve", action="store_true", help="只准备数据和账号，不启动网站")
        parser.add_argument("--port", type=int, default=8000, help="网站端口（默认 8000，仅监听 127.0.0.1）")
        parser.add_argument("--reset", action="store_true", help="删除已有演示数据后重新生成")

    def handle(self, *args, **options):
        from zugong.demo.accounts import DemoRefused, create_demo_accounts, refuse_in_production
        from zugong.demo.cadres import add_demo_cadres
        from zugong.demo.distributions import HISTORY_YEARS
        from zugong.demo.generator import demo_reset, demo_root, generate
        from zugong.demo.life import MEETING_YEAR

        try:
            refuse_in_production()  # before anything touches the database
        except DemoRefused as exc:
            raise CommandError(exc.message)

        if options["scale"] <= 0 or (options["members"] is not None and options["members"] <= 0):
            raise CommandError("--scale 和 --members 必须为正整数。")
        self.stdout.write("正在初始化数据库……")
        call_command("migrate", interactive=False, verbosity=0)

        try:
            if options["reset"] and demo_root() is not None:
                removed = demo_reset()
                self.stdout.write(f"已删除原有演示数据（党组织 {removed} 个）。")
            root = demo_root()
            if root is not None:
                self.stdout.write(self.style.WARNING(
                    f"数据库中已有演示数据（{root.name}，组织代码 {root.code}），跳过生成。"
                    "如需重新生成，请加 --reset。"))
                added = add_demo_cadres(seed=options["seed"])  # a demo generated before the cadre data existed
                if added:
                    self._cadres(added)
            else:
                self.stdout.write("正在生成演示数据（按2023年党内统计公报比例）……")
                bars: dict[str, tqdm] = {}

                def progress(stage: str, advance: int, total: int) -> None:
                    bar = bars.get(stage)
                    if bar is None:  # one bar per stage, the previous one finished
                        for done in bars.values():
                            done.close()
                        bar = bars[stage] = tqdm(total=total, desc=stage, unit="条", file=self.stderr,
                                                 disable=options["verbosity"] == 0)
                    bar.update(advance)
                    if bar.n >= total:
                        bar.close()

                try:
                    summary = generate(scale=options["scale"], seed=options["seed"], members=options["members"],
                                       progress=progress)
                finally:
                    for bar in bars.values():
                        bar.close()
                orgs = summary.organizations
                self.stdout.write(self.style.SUCCESS(
                    f"已生成：党员 {summary.members:,} 名（其中 2023 年发展 {summary.developed:,} 名），"
                    f"基层党委 {orgs.get('committee', 0)} 个、党总支 {orgs.get('general_branch', 0)} 个、"
                    f"党支部 {orgs.get('branch', 0) + orgs.get('joint_branch', 0) + orgs.get('temporary_branch', 0)} 个，"
                    f"入党申请人 {summary.applicants:,} 名（其中积极分子 {summary.activists:,} 名），"
                    f"用时 {summary.seconds:.1f} 秒。"))
                years = "–".join(str(y) for y in HISTORY_YEARS)
                self.stdout.write(f"党员变动：{years} 年 {sum(summary.events.values()):,} 条（发展、转正、组织关系转接、"
                                  f"转入转出、出党、停止党籍、恢复党籍、死亡），其中已不在册的党员 {summary.former_members:,} 名。")
                if summary.life:
                    self.stdout.write(f"组织生活：党支部班子成员 {summary.life['officers']:,} 人次，{MEETING_YEAR} 年三会一课、主题党日、"
                                      f"组织生活会等会议 {summary.life['meetings']:,} 次（出席记录 {summary.life['attendances']:,} 条）。")
                if summary.building:
                    b = summary.building
                    self.stdout.write(f"党支部建设：书记培训考试 {b['trainings']:,} 条、任职资格证书 {b['certificates']:,} 张，"
                                      f"{MEETING_YEAR} 年度达标晋级评定 {b['gradings']:,} 个支部、软弱涣散 {b['weak']:,} 个；"
                                      f"发展党员步骤 {b['steps']:,} 条（培养联系人和入党介绍人 {b['participants']:,} 人次）。")
                if summary.cadres:
                    self._cadres(summary.cadres)
                root = demo_root()
            accounts = create_demo_accounts(root)
        except ZugongError as exc:
            raise CommandError(exc.message)

        self.stdout.write("")
        self.stdout.write("演示账号（密码相同，仅供演示）：")
        width = max(len(a.username) for a in accounts)
        for a in accounts:
            self.stdout.write(f"  {a.username.ljust(width)}  {a.role_name}（{a.organization}）")
        self.stdout.write(f"  密码：{accounts[0].password}")
        self.stdout.write(f"数据按截至 2023-12-31 的公报比例生成，可在网页「统计报表」或命令行查看："
                          f"zugong stats party --org {root.code} --as-of 2023-12-31 --user {accounts[0].username}")
        self.stdout.write(f"党内统计年报：zugong stats annual --org {root.code} --year 2023 --user {accounts[0].username}")
        if options["no_serve"]:
            return
        url = f"http://127.0.0.1:{options['port']}/"
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"网站地址：{url}  （按 Ctrl+C 停止）"))
        if not settings.DEBUG:
            self.stdout.write(self.style.WARNING("提示：未开启 ZUGONG_DEBUG，静态文件需先执行 collectstatic。"))
        call_command("runserver", f"127.0.0.1:{options['port']}", use_reloader=False)

    def _cadres(self, written: dict) -> None:
        over = "、".join(written["over_quota"][:3])
        self.stdout.write(f"干部：{written['cadres']:,} 名（职务岗位 {written['posts']:,} 个、任免记录 {written['appointments']:,} 条、"
                          f"后备干部 {written['reserve']:,} 名），超职数配备如 {over}，另有几处档案信息不一致供专项审核。")
