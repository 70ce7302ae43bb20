"""``zugong instance``: this instance's identity and signing key for the 年报 packages (issue #13 item 7).

    zugong instance init --id ID --name NAME [--dir PATH] [--user USERNAME]
    zugong instance export-key [--dir PATH]

``init`` creates the identity (``instance.json``) and the Ed25519 key pair (``signing-key.pem``, mode
0600, encrypted with ``ZUGONG_INSTANCE_KEY_PASSPHRASE`` when set) in ``--dir`` or
``ZUGONG_INSTANCE_DIR`` (default ``<cwd>/var/instance``) — refused when one exists (``reports.package.
instance_init``); audited as ``instance_init`` with the key's fingerprint. ``export-key`` prints the line
the upper level puts in its trust file: ``<id> ed25519 <public key, Base64>  # <name>``. The private key is
never printed.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from zugong.core.errors import ZugongError
from zugong.core.import_cli import acting_user
from zugong.reports.package import fingerprint, instance_init, load_instance


class Command(BaseCommand):
    help = "实例身份与签名密钥：init 初始化（生成密钥对），export-key 输出供上级信任的公钥。"

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{init,export-key}")
        init = actions.add_parser("init", help="初始化本实例的标识、名称和签名密钥对")
        init.add_argument("--id", required=True, dest="instance_id", help="实例标识（如省份代码 GD）")
        init.add_argument("--name", required=True, help="实例名称（如 中共广东省委组织部）")
        init.add_argument("--dir", help="实例目录（默认 ZUGONG_INSTANCE_DIR）")
        init.add_argument("--user", help="操作用户（记入审计日志）")
        export = actions.add_parser("export-key", help="输出本实例的公钥（一行，交上级加入受信任实例）")
        export.add_argument("--dir", help="实例目录（默认 ZUGONG_INSTANCE_DIR）")

    def handle(self, *args, **options):
        try:
            if options["action"] == "init":
                user = acting_user(options["user"]) if options.get("user") else None
                instance = instance_init(instance_id=options["instance_id"], name=options["name"],
                                         directory=options.get("dir"), user=user)
                self.stdout.write(self.style.SUCCESS(
                    f"已初始化实例 {instance.id}（{instance.name}），目录 {instance.directory}，"
                    f"公钥指纹 {fingerprint(instance.public_key)}。"))
                self.stdout.write("把下面一行交给上级（加入其受信任实例公钥文件）：")
            else:
                instance = load_instance(options.get("dir"))
            self.stdout.write(instance.public_line())
        except ZugongError as exc:
            raise CommandError(exc.message)
