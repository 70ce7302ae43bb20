"""Signed 年报 packages for the upper level and their aggregation (issue #13 item 7): how one Zugong
instance per province reports upward like 党内统计 does — the lower level sends its tables, the upper level
checks and adds them.

**Instance identity** (``instance_init``, ``load_instance``; ``zugong instance init|export-key``): an
instance is a directory (``settings.ZUGONG_INSTANCE_DIR``, default ``<cwd>/var/instance``, mode 0700; never
inside the installed package) holding ``instance.json`` (``{"id", "name", "algorithm": "ed25519",
"public_key": base64, "created_at"}``) and ``signing-key.pem`` (the Ed25519 private key, PKCS#8 PEM, mode
0600; encrypted with ``ZUGONG_INSTANCE_KEY_PASSPHRASE`` when that is set). The private key never enters
the database, a log line, an audit event or a package; audit events name the key by its fingerprint.
The public half is exported as one line ``<id> ed25519 <base64 of the 32-byte key>  # <name>``
(``Instance.public_line``); the upper level trusts instances through a file of such lines or a directory
of such files (``load_trust``; ``--trust PATH`` or ``settings.ZUGONG_TRUSTED_INSTANCES``). Ed25519 (RFC
8032) through ``cryptography``; where 国密 is required, SM2 signatures with SM3 (GB/T 32918, GB/T 32905)
take the same places — ``algorithm`` names the scheme, so a package says how it was signed.

**Package** (``build_package``; ``zugong stats annual --format package``): a JSON file
``{"payload": {...}, "checksum": {"algorithm": "sha256", "value": hex}, "signature": {"algorithm":
"ed25519", "instance": id, "value": base64}}``. The payload::

    {"format": "zugong-annual-package", "format_version": 1,
     "instance": {"id", "name"}, "year": 2023, "as_of": "2023-12-31", "convention": CONVENTION,
     "generated_at": "2024-01-20T08:00:00+00:00", "tool": {"name": "zugong", "version": "0.1.0"},
     "root": {"code", "name"}, "organizations": [every 组织代码 of the subtree, sorted, the root included],
     "tables": {"<table title>": cells}, "checks": [{"name", "ok", "expected", "actual"}]}

``tables`` are the report's tables (``AnnualReport.tables``, the JSON shape of ``reports.annual_layout``)
without the derived cells (``DERIVED_CELLS``: 第一表's 本年底应有数 and 实有数与应有数之差, recomputed by
the aggregator): every other cell of the set is a count of people or organizations — additive across
disjoint subtrees — or ``null`` where the records cannot fill it (the same cells in every package of one
tool version). ``checks`` are the lower level's own 逻辑校验 results (figures only, never the listed
records: no personal data leaves the instance). The checksum is SHA-256 of the canonical JSON of the
payload (``canonical``: UTF-8, keys sorted, no spaces); the signature is Ed25519 over the same bytes.

**Aggregation** (``verify_packages``, ``aggregate_report``; ``zugong stats aggregate``): every package is
verified before anything is added — the checksum, a known instance (``--trust``), the signature, the
year and the as-of convention, the table layout (this tool's tables, rows and columns; cells
non-negative integers or null) — then across packages: the same package twice, one instance twice,
an organization in two packages (overlapping subtrees), a cell null in one package and filled in
another. Any failure refuses the whole set (``PackageRefused``, every reason naming its file); nothing
is summed or written. The sum is an ``AnnualReport`` (organization: the aggregate) rendered by the same
JSON / xlsx / text renderers as ``stats annual``, with the upper level's 逻辑校验 (``summed_checks``: the
table-level rules of ``reports.annual_checks``, by the same names, run on the sum and on each package,
plus each instance's own reported result).
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.utils import timezone

from zugong import __version__
from zugong.core.errors import PermissionDeniedError, ZugongError
from zugong.core.filemodes import open_private, private_dir
from zugong.reports.annual import DECREASE_ITEMS, INCREASE_ITEMS, AnnualReport, Check
from zugong.reports.annual_layout import NON_PUBLIC, PUBLIC, TABLE_1, TABLES, Table, number_text

FORMAT = "zugong-annual-package"
FORMAT_VERSION = 1
CONVENTION = "时点数截至12月31日，时期数为1月1日至12月31日"
"""The 年报's as-of convention (stocks on 31 December, flows over the calendar year); a package made by a
different convention is refused."""
CHECKSUM_ALGORITHM = "sha256"
SIGNATURE_ALGORITHM = "ed25519"
INSTANCE_FILE = "instance.json"
KEY_FILE = "signing-key.pem"
PASSPHRASE_ENV = "ZUGONG_INSTANCE_KEY_PASSPHRASE"  # noqa: S105  # nosec B105 -- the name of an environment variable
MAX_PACKAGE_BYTES = 64 * 1024 * 1024  # a 10^7-member province: ~500,000 organization codes, ~8 MB

DERIVED_CELLS: dict[str, tuple[str, ...]] = {TABLE_1.title: ("本年底应有数", "实有数与应有数之差")}
"""Cells computed from other cells of the same table: left out of a package, recomputed after the sum."""

_INSTANCE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class PackageRefused(ZugongError):
    """The packages cannot be aggregated; ``errors``: one Chinese reason per problem, each naming the
    package file. Nothing was aggregated or written."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__("未汇总（没有写入任何输出）：\n" + "\n".join(f"  - {e}" for e in self.errors))


# --------------------------------------------------------------------------------------------------
# Instance identity and keys
# --------------------------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def fingerprint(public_key: bytes) -> str:
    """``SHA256:<first 16 hex digits>`` of a raw public key: how logs and audit events name a key."""
    return "SHA256:" + hashlib.sha256(public_key).hexdigest()[:16]


@dataclass(frozen=True)
class Instance:
    """This instance: ``id`` (e.g. ``GD``), ``name`` (e.g. 广东省委组织部), ``public_key`` (raw 32 bytes) and
    its ``directory``."""

    id: str
    name: str
    public_key: bytes
    directory: Path

    def public_line(self) -> str:
        """``<id> ed25519 <base64>  # <name>``: the line an upper level adds to its trust file."""
        return f"{self.id} {SIGNATURE_ALGORITHM} {_b64(self.public_key)}  # {self.name}"

    def private_key(self) -> Ed25519PrivateKey:
        """The signing key from ``signing-key.pem`` (decrypted with ``ZUGONG_INSTANCE_KEY_PASSPHRASE``)."""
        passphrase = os.environ.get(PASSPHRASE_ENV)
        try:
            key = serialization.load_pem_private_key((self.directory / KEY_FILE).read_bytes(),
                                                     password=passphrase.encode() if passphrase else None)
        except (OSError, ValueError, TypeError) as exc:
            raise ZugongError(f"无法读取本实例的签名私钥（{self.directory / KEY_FILE}）：{type(exc).__name__}。"
                              f"私钥有口令时须设置 {PASSPHRASE_ENV}。") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise ZugongError("本实例的签名私钥不是 Ed25519 密钥。")
        raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        if raw != self.public_key:
            raise ZugongError(f"本实例的签名私钥与 {INSTANCE_FILE} 中的公钥不匹配。")
        return key


def instance_dir(directory: Path | str | None = None) -> Path:
    """The instance directory: ``directory`` or ``settings.ZUGONG_INSTANCE_DIR``."""
    return Path(directory) if directory else Path(settings.ZUGONG_INSTANCE_DIR)


def instance_init(*, instance_id: str, name: str, directory: Path | str | None = None, user=None) -> Instance:
    """Create this instance's identity and Ed25519 key pair in ``instance_dir(directory)`` (0700; the key
    0600, encrypted when ``ZUGONG_INSTANCE_KEY_PASSPHRASE`` is set). Refuses (``ZugongError``) an invalid
    id (letters, digits, ``_ . -``, at most 64), an empty name, a directory inside the installed package,
    and an instance that exists already (a key is never replaced silently: the upper level trusts it).
    Audited as ``instance_init`` with the id and the key's fingerprint (never the key)."""
    from zugong.audit.services import record_event

    instance_id, name = (instance_id or "").strip(), (name or "").strip()
    if not _INSTANCE_ID.match(instance_id):
        raise ZugongError(f"实例标识「{instance_id}」无效：只能用字母、数字和 _ . -，不超过 64 个字符（如省份代码 GD）。")
    if not name:
        raise ZugongError("必须用 --name 填写实例名称（如「中共广东省委组织部」）。")
    path = instance_dir(directory).resolve()
    if path == settings.BASE_DIR or settings.BASE_DIR in path.parents:
        raise ZugongError(f"实例目录 {path} 在程序目录中：私钥不能放在程序或代码仓库里，请用 ZUGONG_INSTANCE_DIR 指定数据目录。")
    if (path / INSTANCE_FILE).exists() or (path / KEY_FILE).exists():
        raise ZugongError(f"实例目录 {path} 中已有实例身份和密钥：上级按该公钥验证上报包，不能直接覆盖。"
                          "确需更换时请先备份并移走该目录，再通知上级更换公钥。")
    private_dir(path)
    key = Ed25519PrivateKey.generate()
    passphrase = os.environ.get(PASSPHRASE_ENV)
    encryption = (serialization.BestAvailableEncryption(passphrase.encode()) if passphrase
                  else serialization.NoEncryption())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    with open_private(path / KEY_FILE, exclusive=True) as handle:
        handle.write(pem)
    identity = {"id": instance_id, "name": name, "algorithm": SIGNATURE_ALGORITHM, "public_key": _b64(raw),
                "created_at": timezone.now().isoformat(timespec="seconds")}
    with open_private(path / INSTANCE_FILE, exclusive=True, binary=False) as handle:
        handle.write(json.dumps(identity, ensure_ascii=False, indent=2) + "\n")
    record_event("instance_init", user=user, object_type="instance", object_id=instance_id,
                 summary=f"初始化实例身份和签名密钥：{name}（{instance_id}）",
                 data={"instance": instance_id, "algorithm": SIGNATURE_ALGORITHM, "fingerprint": fingerprint(raw)})
    return Instance(instance_id, name, raw, path)


def load_instance(directory: Path | str | None = None) -> Instance:
    """This instance from ``instance_dir(directory)``; ``ZugongError`` when it was not initialised or its
    identity file is damaged."""
    path = instance_dir(directory)
    try:
        data = json.loads((path / INSTANCE_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ZugongError(f"本实例尚未初始化（{path} 中没有 {INSTANCE_FILE}）：先运行 zugong instance init --id 标识 --name 名称。") from None
    except (OSError, ValueError):
        raise ZugongError(f"实例身份文件 {path / INSTANCE_FILE} 无法读取或不是有效的 JSON。") from None
    try:
        raw = base64.b64decode(data["public_key"], validate=True)
        if data.get("algorithm") != SIGNATURE_ALGORITHM or len(raw) != 32:
            raise ValueError
        return Instance(str(data["id"]), str(data["name"]), raw, path)
    except (KeyError, ValueError, TypeError):
        raise ZugongError(f"实例身份文件 {path / INSTANCE_FILE} 内容不完整（id、name、algorithm、public_key）。") from None


@dataclass(frozen=True)
class TrustedKey:
    """A lower-level instance the upper level trusts: ``instance_id``, raw ``public_key``, ``name`` (the
    line's comment) and ``source`` (``file:line``)."""

    instance_id: str
    public_key: bytes
    name: str
    source: str


def load_trust(path: Path | str | None) -> dict[str, TrustedKey]:
    """The trusted instances: ``path`` (or ``settings.ZUGONG_TRUSTED_INSTANCES``) is a file of lines
    ``<id> ed25519 <base64>  # <name>`` (``#`` comments and blank lines ignored) or a directory whose
    regular files (not hidden, sorted) are such files. Raises ``ZugongError`` for a missing path, a
    malformed line (file and line named) or one id given two different keys."""
    path = path or getattr(settings, "ZUGONG_TRUSTED_INSTANCES", "")
    if not path:
        raise ZugongError("必须用 --trust 指定受信任的下级实例公钥文件或目录（或设置 ZUGONG_TRUSTED_INSTANCES）。")
    root = Path(path)
    if root.is_dir():
        files = sorted(p for p in root.iterdir() if p.is_file() and not p.name.startswith("."))
    elif root.is_file():
        files = [root]
    else:
        raise ZugongError(f"受信任实例公钥 {root} 不存在。")
    keys: dict[str, TrustedKey] = {}
    for file in files:
        try:
            lines = file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            raise ZugongError(f"受信任实例公钥文件 {file} 无法读取（应为 UTF-8 文本）。") from None
        for number, line in enumerate(lines, start=1):
            text, _, comment = line.partition("#")
            parts = text.split()
            if not parts:
                continue
            where = f"{file}:{number}"
            try:
                if len(parts) != 3 or parts[1] != SIGNATURE_ALGORITHM or not _INSTANCE_ID.match(parts[0]):
                    raise ValueError
                raw = base64.b64decode(parts[2], validate=True)
                Ed25519PublicKey.from_public_bytes(raw)
            except ValueError:
                raise ZugongError(f"受信任实例公钥 {where} 格式不对：应为「实例标识 ed25519 公钥(Base64)  # 名称」"
                                  "（zugong instance export-key 的输出）。") from None
            known = keys.get(parts[0])
            if known is not None and known.public_key != raw:
                raise ZugongError(f"实例「{parts[0]}」在 {known.source} 和 {where} 有两个不同的公钥。")
            keys[parts[0]] = TrustedKey(parts[0], raw, comment.strip(), where)
    return keys


# --------------------------------------------------------------------------------------------------
# Building a package
# --------------------------------------------------------------------------------------------------


def canonical(payload: dict) -> bytes:
    """The bytes the checksum and the signature cover: UTF-8 JSON, keys sorted, no insignificant spaces."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      allow_nan=False).encode("utf-8")


def checksum(payload: dict) -> str:
    """SHA-256 (hex) of ``canonical(payload)``."""
    return hashlib.sha256(canonical(payload)).hexdigest()


def package_tables(tables: dict) -> dict:
    """A report's tables without the derived cells (``DERIVED_CELLS``), in the order of ``TABLES``."""
    out = {}
    for table in TABLES:
        data = copy.deepcopy(tables[table.title])
        for key in DERIVED_CELLS.get(table.title, ()):
            data.pop(key, None)
        out[table.title] = data
    return out


def build_package(*, user, organization, year: int, report: AnnualReport | None = None,
                  instance: Instance | None = None) -> dict:
    """The signed package of the 年报 of ``organization``'s subtree for ``year`` (module docstring), made
    by ``user``: the report (``report`` if already computed for the same user, organization and year),
    the 组织代码 of every organization of the subtree in the user's ``party.view`` scope (dissolved ones
    included: their codes are spent), signed with ``instance`` (default ``load_instance()``).

    Raises ``OutOfScope`` (organization not in scope), ``PermissionDeniedError`` (no ``party.export`` on
    it: a package is an export) and ``ZugongError`` (no instance key). Audited as ``annual_package`` with
    the organization, year, instance, checksum and key fingerprint."""
    from zugong.audit.services import record_event
    from zugong.core.scoping import can
    from zugong.orgs.models import PartyOrganization
    from zugong.reports import annual

    if report is None:
        report = annual.annual_report(user=user, organization=organization, year=year)
    root = report.organization
    if not can(user, "party", "export", root):
        raise PermissionDeniedError("您没有导出该组织统计数据的权限。")
    instance = instance or load_instance()
    key = instance.private_key()
    codes = list(PartyOrganization.objects.restrict(user, "view").filter(path__startswith=root.path)
                 .order_by("code").values_list("code", flat=True))
    payload = {
        "format": FORMAT, "format_version": FORMAT_VERSION,
        "instance": {"id": instance.id, "name": instance.name},
        "year": report.year, "as_of": report.as_of.isoformat(), "convention": CONVENTION,
        "generated_at": timezone.now().astimezone(dt.UTC).isoformat(timespec="seconds"),
        "tool": {"name": "zugong", "version": __version__},
        "root": {"code": root.code, "name": root.name},
        "organizations": codes,
        "tables": package_tables(report.tables),
        "checks": [{"name": c.name, "ok": c.ok, "expected": c.expected, "actual": c.actual} for c in report.checks],
    }
    body = canonical(payload)
    package = {
        "payload": payload,
        "checksum": {"algorithm": CHECKSUM_ALGORITHM, "value": hashlib.sha256(body).hexdigest()},
        "signature": {"algorithm": SIGNATURE_ALGORITHM, "instance": instance.id, "value": _b64(key.sign(body))},
    }
    record_event("annual_package", user=user, object_type="party_organization", object_id=root.code,
                 summary=f"生成党内统计年报上报包：{root.name}（{report.year}年度，实例 {instance.id}）",
                 data={"organization": root.code, "year": report.year, "instance": instance.id,
                       "organizations": len(codes), "checksum": package["checksum"]["value"],
                       "fingerprint": fingerprint(instance.public_key),
                       "checks_failed": sum(1 for c in report.checks if not c.ok)})
    return package


def package_bytes(package: dict) -> bytes:
    """The package file's content (indented UTF-8 JSON; the checksum covers the canonical form, so the
    layout of the file does not matter)."""
    return (json.dumps(package, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


# --------------------------------------------------------------------------------------------------
# Verifying packages
# --------------------------------------------------------------------------------------------------


@dataclass
class Package:
    """A package read from ``path`` (``name``: how messages name it): its ``payload``, the ``checksum`` it
    states and the whole parsed file (``data``)."""

    path: Path
    payload: dict
    checksum: str
    data: dict

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def instance_id(self) -> str:
        return str((self.payload.get("instance") or {}).get("id", ""))


def _skeleton(table: Table) -> dict:
    """The keys a package's table must have (leaf values ``0``)."""
    if table is TABLE_1:
        return {"上年底总数": 0, "本年增加": {"合计": 0, **dict.fromkeys(INCREASE_ITEMS, 0)},
                "本年减少": {"合计": 0, **dict.fromkeys(DECREASE_ITEMS, 0)}, "本年底实有数": 0}
    return {r.key: {c.key: 0 for c in table.columns} for r in table.rows}


def _layout_problems(tables: object) -> list[str]:
    """How ``tables`` differ from this tool's layout (first few problems)."""
    if not isinstance(tables, dict):
        return ["没有年报表（tables）"]
    problems = []
    expected_titles = [t.title for t in TABLES]
    extra = [t for t in tables if t not in expected_titles]
    missing = [t for t in expected_titles if t not in tables]
    if extra or missing:
        problems.append("表的集合与本系统不同" + (f"，缺少「{'、'.join(missing)}」" if missing else "")
                        + (f"，多出「{'、'.join(extra)}」" if extra else ""))
        return problems

    def walk(table: Table, want: dict, have: object, where: str) -> None:
        if not isinstance(have, dict) or set(have) != set(want):
            problems.append(f"{table.heading}{where}的行、栏与本系统的表式不同")
            return
        for key, sub in want.items():
            if isinstance(sub, dict):
                walk(table, sub, have[key], f"{where}「{key}」")
            elif not (have[key] is None or (type(have[key]) is int and have[key] >= 0)):
                problems.append(f"{table.heading}{where}「{key}」的数值 {have[key]!r} 不是非负整数")

    for table in TABLES:
        walk(table, _skeleton(table), tables[table.title], "")
    return problems[:5]


def read_package(path: Path | str) -> Package:
    """Read and parse one package file. Raises ``PackageRefused`` (one reason) when it is unreadable, too
    large, not JSON, or not shaped like a package."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_PACKAGE_BYTES:
            raise PackageRefused([f"「{path.name}」：文件超过 {MAX_PACKAGE_BYTES // 1024 // 1024} MB，不是上报包。"])
        data = json.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        raise PackageRefused([f"「{path}」：文件不存在。"]) from None
    except (OSError, UnicodeDecodeError, ValueError):
        raise PackageRefused([f"「{path.name}」：不是有效的 JSON 上报包（UTF-8）。"]) from None
    if not (isinstance(data, dict) and isinstance(data.get("payload"), dict)
            and isinstance(data.get("checksum"), dict) and isinstance(data.get("signature"), dict)):
        raise PackageRefused([f"「{path.name}」：缺少 payload、checksum 或 signature，不是 Zugong 年报上报包。"])
    payload = data["payload"]
    if payload.get("format") != FORMAT:
        raise PackageRefused([f"「{path.name}」：格式「{payload.get('format')}」不是 Zugong 年报上报包（{FORMAT}）。"])
    if payload.get("format_version") != FORMAT_VERSION:
        raise PackageRefused([f"「{path.name}」：上报包格式版本 {payload.get('format_version')!r} 不受支持"
                              f"（本系统为 {FORMAT_VERSION}），请下级用相同版本重新生成。"])
    return Package(path, payload, str(data["checksum"].get("value", "")), data)


def _verify_one(package: Package, *, year: int, trust: dict[str, TrustedKey]) -> list[str]:
    """The reasons one parsed package cannot be aggregated (empty when it can): checksum, instance,
    signature, year, as-of convention, layout, organizations."""
    name, payload, data = package.name, package.payload, package.data
    body = canonical(payload)
    digest = data["checksum"]
    if digest.get("algorithm") != CHECKSUM_ALGORITHM:
        return [f"「{name}」：校验和算法「{digest.get('algorithm')}」不受支持（应为 {CHECKSUM_ALGORITHM}）。"]
    if digest.get("value") != hashlib.sha256(body).hexdigest():
        return [f"「{name}」：校验和不符——包的内容在生成（签名）之后被改动或已损坏。"]
    instance = payload.get("instance") if isinstance(payload.get("instance"), dict) else {}
    instance_id = str(instance.get("id", ""))
    trusted = trust.get(instance_id)
    if trusted is None:
        return [f"「{name}」：实例「{instance_id}」（{instance.get('name', '')}）不在受信任的实例公钥中——未知实例，"
                "请先取得该实例的公钥（zugong instance export-key）并加入 --trust。"]
    signature = data["signature"]
    if signature.get("algorithm") != SIGNATURE_ALGORITHM or signature.get("instance") != instance_id:
        return [f"「{name}」：签名算法或签名实例与包内实例「{instance_id}」不符。"]
    try:
        Ed25519PublicKey.from_public_bytes(trusted.public_key).verify(
            base64.b64decode(str(signature.get("value", "")), validate=True), body)
    except (InvalidSignature, ValueError):
        return [f"「{name}」：签名无效——不是实例「{instance_id}」的私钥签署的（受信任公钥见 {trusted.source}），"
                "或内容在签名后被改动。"]
    problems = []
    if payload.get("year") != year:
        problems.append(f"「{name}」：年度为 {payload.get('year')}，不是要汇总的 {year} 年度。")
    elif payload.get("as_of") != f"{year}-12-31" or payload.get("convention") != CONVENTION:
        problems.append(f"「{name}」：截至日期「{payload.get('as_of')}」或统计口径「{payload.get('convention')}」"
                        f"与汇总的口径（{year}-12-31；{CONVENTION}）不同。")
    problems += [f"「{name}」：{p}。" for p in _layout_problems(payload.get("tables"))]
    codes = payload.get("organizations")
    root = payload.get("root") if isinstance(payload.get("root"), dict) else {}
    if not (isinstance(codes, list) and codes and all(isinstance(c, str) and c for c in codes)):
        problems.append(f"「{name}」：没有所含组织的组织代码清单。")
    elif len(set(codes)) != len(codes):
        problems.append(f"「{name}」：组织代码清单中有重复的代码。")
    elif root.get("code") not in codes:
        problems.append(f"「{name}」：填报单位「{root.get('code')}」不在所含组织的清单中。")
    return problems


def _none_cells(tables: dict) -> set[tuple[str, ...]]:
    out: set[tuple[str, ...]] = set()

    def walk(value, path):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, (*path, k))
        elif value is None:
            out.add(path)

    walk(tables, ())
    return out


def _cross_problems(packages: list[Package]) -> list[str]:
    """Problems between packages: the same package twice, an instance twice, an organization in two
    packages, a cell blank in one and filled in another."""
    problems = []
    by_checksum: dict[str, Package] = {}
    by_instance: dict[str, Package] = {}
    for p in packages:
        first = by_checksum.get(p.checksum)
        if first is not None:
            problems.append(f"「{p.name}」与「{first.name}」是同一个上报包（校验和相同），不能重复汇总。")
            continue
        by_checksum[p.checksum] = p
        other = by_instance.get(p.instance_id)
        if other is not None:
            problems.append(f"「{p.name}」与「{other.name}」都来自实例「{p.instance_id}」：每个实例只能汇总一个包"
                            "（同一实例的两次上报请只保留最新的一份）。")
            continue
        by_instance[p.instance_id] = p
    distinct = list(by_checksum.values())
    owner: dict[str, Package] = {}
    overlaps: dict[tuple[str, str], list[str]] = {}
    for p in distinct:
        for code in p.payload["organizations"]:
            first = owner.setdefault(code, p)
            if first is not p:
                overlaps.setdefault((first.name, p.name), []).append(code)
    for (a, b), codes in overlaps.items():
        shown = "、".join(codes[:5]) + (f" 等 {len(codes)} 个" if len(codes) > 5 else "")
        problems.append(f"「{b}」与「{a}」的组织重叠：组织 {shown} 同时在两个包中（下级实例的范围不能交叉，"
                        "否则这些组织的数字会被计算两次）。")
    if not problems and len(distinct) > 1:
        blank = {p.name: _none_cells(p.payload["tables"]) for p in distinct}
        first = distinct[0]
        for p in distinct[1:]:
            differ = blank[first.name] ^ blank[p.name]
            if differ:
                cell = sorted(differ)[0]
                problems.append(f"「{p.name}」与「{first.name}」的填报范围不同：{'/'.join(cell)} 在一个包中留空、"
                                "在另一个包中有数（请下级用相同版本的程序重新生成）。")
    return problems


def verify_packages(paths: list[Path | str], *, year: int, trust: dict[str, TrustedKey]) -> list[Package]:
    """Read and verify every package (module docstring) and return them; raises ``PackageRefused`` with
    every reason found (each naming its file) when any fails — the caller then aggregates and writes
    nothing."""
    if not paths:
        raise PackageRefused(["没有给出要汇总的上报包。"])
    errors: list[str] = []
    packages: list[Package] = []
    for raw in paths:
        path = Path(raw)
        try:
            package = read_package(path)
        except PackageRefused as exc:
            errors += exc.errors
            continue
        problems = _verify_one(package, year=year, trust=trust)
        if problems:
            errors += problems
        else:
            packages.append(package)
    if not errors:
        errors += _cross_problems(packages)
    if errors:
        raise PackageRefused(errors)
    return packages


# --------------------------------------------------------------------------------------------------
# Summing and checking
# --------------------------------------------------------------------------------------------------


def _add(a, b):
    if isinstance(a, dict):
        return {k: _add(a[k], b[k]) for k in a}
    if a is None or b is None:
        return None
    return a + b


def with_derived(tables: dict) -> dict:
    """``tables`` (package shape) with the derived cells recomputed: 第一表 本年底应有数 = 上年底总数 +
    本年增加 − 本年减少, 实有数与应有数之差 = 本年底实有数 − 本年底应有数 (in the report's key order)."""
    out = {}
    for table in TABLES:
        data = copy.deepcopy(tables[table.title])
        if table is TABLE_1:
            expected = data["上年底总数"] + data["本年增加"]["合计"] - data["本年减少"]["合计"]
            data = {"上年底总数": data["上年底总数"], "本年增加": data["本年增加"], "本年减少": data["本年减少"],
                    "本年底应有数": expected, "本年底实有数": data["本年底实有数"],
                    "实有数与应有数之差": data["本年底实有数"] - expected}
        out[table.title] = data
    return out


def sum_tables(packages: list[Package]) -> dict:
    """The cell-by-cell sum of the packages' tables, with the derived cells recomputed (``with_derived``)."""
    total = copy.deepcopy(packages[0].payload["tables"])
    for p in packages[1:]:
        total = _add(total, p.payload["tables"])
    return with_derived(total)


_OTHER_ROWS = ("二、农牧渔民", "三、军人、武警", "四、学生", "五、离退休人员", "六、其他")


def summed_checks(tables: dict, year: int) -> list[Check]:
    """The 逻辑校验 of ``reports.annual_checks`` that need only the tables (same names, same rules), run on
    ``tables`` (a report's, a package's with ``with_derived``, or a sum): the totals of 第一至四表, 应有数 =
    实有数 (as totals: the person-by-person balance needs the records and is each instance's own check),
    the 工作岗位 row sums of 第二、三、四、十六、十八至二十表, the 学历 columns of 第四、十六表, 第十表 / 第十六表
    against 第一表, and the column groups of 第二十四、三十三、四十三表. No records are listed (the upper
    level has none)."""
    from zugong.party.choices import LOST_CONTACT_SITUATION, MOBILE_ORIGINAL_OCCUPATION
    from zugong.reports.annual_rules import annual_rules

    t = {table.number: tables[table.title] for table in TABLES}
    education = annual_rules(dt.date(year, 12, 31)).education

    def check(name: str, expected, actual) -> Check:
        return Check(name=name, ok=expected == actual, expected=expected, actual=actual)

    first, total_2 = t[1], t[2]["总计"]["总数"]
    checks = [
        check("第一表本年底实有数 = 第二表总计总数", first["本年底实有数"], total_2),
        check("第二表总计总数 = 第三表总计总数", total_2, t[3]["总计"]["总数"]),
        check("第二表总计总数 = 第四表总计总数", total_2, t[4]["总计"]["总数"]),
        check("第一表本年底应有数 = 本年底实有数", first["本年底应有数"], first["本年底实有数"]),
    ]
    for n in (2, 3, 4, 16, 18, 19, 20):
        table, heading = t[n], number_text(n)
        checks.append(check(f"{heading}“一、在岗职工”= 公有制单位合计 + 非公有制单位合计", table["一、在岗职工"]["总数"],
                            table[f"{PUBLIC}·合计"]["总数"] + table[f"{NON_PUBLIC}·合计"]["总数"]))
        checks.append(check(f"{heading}“总计”= 在岗职工、农牧渔民、军人武警、学生、离退休人员、其他之和",
                            table["总计"]["总数"],
                            table["一、在岗职工"]["总数"] + sum(table[k]["总数"] for k in _OTHER_ROWS)))
    for n in (4, 16):
        row = t[n]["总计"]
        checks.append(check(f"{number_text(n)}总计：学历各栏之和 = 总数", row["总数"],
                            sum(row[g.label] for g in education.columns)))
    checks.append(check("第十表总计总数 = 第一表出党", first["本年减少"]["出党"], t[10]["总计"]["总数"]))
    checks.append(check("第十六表总计总数 = 第一表发展党员", first["本年增加"]["发展党员"], t[16]["总计"]["总数"]))
    orgs, heading = t[24], number_text(24)
    checks.append(check(f"{heading}“企业”= 国有、集体、非公有经济控制之和", orgs["企业"]["总数"],
                        sum(orgs[k]["总数"] for k in ("国有经济控制", "集体经济控制", "非公有经济控制"))))
    checks.append(check(f"{heading}“机关”= 中央、省、市、县各级之和", orgs["机关"]["总数"],
                        sum(orgs[k]["总数"] for k in ("中央一级", "省（区、市）一级", "市（地、州、盟）一级",
                                                     "县（市、区、旗）一级"))))
    mobile, heading = t[33], number_text(33)
    total = mobile["流出党员总数"]["总数"]
    checks.append(check(f"{heading}“外出流向”各项之和 = 流出党员总数", total, mobile["外出流向"]["总数"]))
    checks.append(check(f"{heading}原职业各栏之和 = 总数", total,
                        sum(mobile["流出党员总数"][label] for label in MOBILE_ORIGINAL_OCCUPATION.entries.values())))
    lost, heading = t[43]["总计"], number_text(43)
    checks.append(check(f"{heading}学历各栏之和 = 总数", lost["总数"],
                        sum(lost[g.label] for g in (education.college, education.secondary, education.basic))))
    checks.append(check(f"{heading}失去联系具体情形各栏之和 = 总数", lost["总数"],
                        sum(lost[label] for label in LOST_CONTACT_SITUATION.entries.values())))
    return checks


def aggregate_report(packages: list[Package], *, year: int) -> AnnualReport:
    """The sum of verified ``packages`` (``verify_packages``) as an ``AnnualReport`` the 年报 renderers
    take: ``organization`` the aggregate (code ``汇总``, name listing the instances), ``tables`` the sum
    (``sum_tables``), ``checks``: each instance's own reported 逻辑校验 (one line per instance), the
    table-level checks (``summed_checks``) of each package that fail (prefixed 〔instance〕), then the
    same checks on the sum."""
    tables = sum_tables(packages)
    checks: list[Check] = []
    for p in packages:
        own = p.payload.get("checks") or []
        passed = sum(1 for c in own if c.get("ok"))
        checks.append(Check(name=f"〔{p.instance_id}〕下级上报的逻辑校验全部通过（{p.name}）", ok=passed == len(own),
                            expected=len(own), actual=passed))
        checks += [Check(name=f"〔{p.instance_id}〕{c.name}", ok=False, expected=c.expected, actual=c.actual)
                   for c in summed_checks(with_derived(p.payload["tables"]), year) if not c.ok]
    checks += summed_checks(tables, year)
    ids = "、".join(p.instance_id for p in packages)
    organization = SimpleNamespace(code="汇总", name=f"{ids} 汇总（{len(packages)} 个实例）", path="")
    return AnnualReport(organization=organization, year=year, as_of=dt.date(year, 12, 31), tables=tables,
                        checks=checks)


def aggregate_sources(packages: list[Package]) -> list[dict]:
    """What was added, one entry per package: file, instance, 填报单位, organization count, generation time,
    program version, checksum (for the JSON, the text and the audit event)."""
    return [{"文件": p.name, "实例": p.instance_id, "实例名称": p.payload["instance"].get("name", ""),
             "填报单位": p.payload["root"].get("name", ""), "组织代码": p.payload["root"].get("code", ""),
             "组织数": len(p.payload["organizations"]), "生成时间": p.payload.get("generated_at", ""),
             "程序版本": (p.payload.get("tool") or {}).get("version", ""), "校验和": p.checksum}
            for p in packages]


def record_aggregate(*, user, packages: list[Package], report: AnnualReport, output_format: str) -> None:
    """The ``annual_aggregate`` audit event: year, instances, checksums, format, failed checks."""
    from zugong.audit.services import record_event

    record_event("annual_aggregate", user=user, object_type="annual_package", object_id=str(report.year),
                 summary=f"汇总下级党内统计年报：{report.organization.name}（{report.year}年度）",
                 data={"year": report.year, "format": output_format,
                       "packages": [{"file": p.name, "instance": p.instance_id, "checksum": p.checksum}
                                    for p in packages],
                       "checks_failed": sum(1 for c in report.checks if not c.ok)})
