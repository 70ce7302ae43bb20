"""Collecting the appointment-form files of one batch: single files, many files, or ``.zip`` archives with
nested folders (``rules.md`` §8: ``.lrmx`` 3.x XML; ``.lrm`` 2.0 text with its sibling ``.pic`` photo).

Archives are read defensively — the whole archive is refused, nothing read from it, for: a member name that
leaves the archive (``..``, an absolute path, a drive letter: path traversal), more than ``MAX_FILES``
members, a member larger than ``MAX_MEMBER_BYTES`` or compressed more than ``MAX_RATIO`` times (a zip bomb),
more than ``MAX_TOTAL_BYTES`` in all, an encrypted member, or a damaged archive. Members are read with a
hard size cap (the declared size is not trusted). Files that are no form (``Thumbs.db``, ``.docx`` …) inside
an archive are skipped and counted; a ``.pic`` goes with the ``.lrm`` of the same name in the same folder.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass, field

MAX_FILES = 5000
# Form files are small: an .lrmx with its Base64 photo is typically 20–60 KB, an .lrm a few KB plus its
# .pic. The reader refuses a file over 10 MB (``lrmx.reader.MAX_FILE_BYTES``) with its own message; a member
# up to 16 MB still reaches it, a bigger one refuses the archive. The total decompressed size of a batch is
# 200 MB ≈ MAX_FILES × 40 KB (4× the 50 MB upload limit, ``ZUGONG_MAX_UPLOAD_BYTES``): all the memory one
# batch may hold (it was 512 MB, out of proportion to form files). A larger batch is imported in parts.
MAX_MEMBER_BYTES = 16 * 1024 * 1024
MAX_TOTAL_BYTES = 200 * 1024 * 1024
MAX_RATIO = 200
FORM_SUFFIXES = (".lrmx", ".lrm")


class BatchRefused(ValueError):
    """The upload as a whole is refused (Chinese message); nothing was read from it."""


@dataclass
class SourceFile:
    """One form file of the batch: ``id`` (1-based, stable for the batch), ``name`` (path inside its
    archive, ``/``-separated), the bytes, the ``.pic`` photo of an ``.lrm`` (or ``None``), and ``error`` when
    the file cannot even be offered to the reader."""

    id: int
    name: str
    data: bytes
    pic: bytes | None = None
    error: str = ""


@dataclass
class Collected:
    """The files of a batch and how many archive members were skipped (not forms)."""

    files: list[SourceFile] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _suffix(name: str) -> str:
    return posixpath.splitext(name.lower())[1]


def _unsafe(name: str) -> bool:
    text = name.replace("\\", "/")
    if text.startswith("/") or (len(text) > 1 and text[1] == ":"):
        return True
    return any(part == ".." for part in text.split("/"))


def _decode_name(info: zipfile.ZipInfo) -> str:
    """Member names of Chinese archives are often GBK without the UTF-8 flag (WinRAR, 好压)."""
    name = info.filename
    if info.flag_bits & 0x800:
        return name
    try:
        return name.encode("cp437").decode("gbk")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return name


def _read_zip(name: str, data: bytes, total: list[int]) -> list[tuple[str, bytes]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError) as exc:
        raise BatchRefused(f"压缩包「{name}」无法打开（{exc.__class__.__name__}），未导入任何文件")
    infos = [i for i in archive.infolist() if not i.is_dir()]
    if len(infos) > MAX_FILES:
        raise BatchRefused(f"压缩包「{name}」含 {len(infos)} 个文件，超过上限 {MAX_FILES} 个，未导入任何文件")
    for info in infos:
        member = _decode_name(info)
        if _unsafe(member) or _unsafe(info.filename):
            raise BatchRefused(f"压缩包「{name}」含不安全的路径「{member}」（指向压缩包以外），未导入任何文件")
        if info.flag_bits & 0x1:
            raise BatchRefused(f"压缩包「{name}」中的「{member}」已加密，请解密后重新打包")
        if info.file_size > MAX_MEMBER_BYTES or (
                info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1)):
            raise BatchRefused(f"压缩包「{name}」中的「{member}」解压后过大（疑似压缩炸弹），未导入任何文件")
    out = []
    for info in infos:
        member = _decode_name(info).replace("\\", "/")
        try:
            with archive.open(info) as handle:
                content = handle.read(MAX_MEMBER_BYTES + 1)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as exc:
            raise BatchRefused(f"压缩包「{name}」中的「{member}」无法解压（{exc.__class__.__name__}），未导入任何文件")
        total[0] += len(content)
        if len(content) > MAX_MEMBER_BYTES:
            raise BatchRefused(f"压缩包「{name}」解压后过大（疑似压缩炸弹），未导入任何文件")
        if total[0] > MAX_TOTAL_BYTES:
            raise BatchRefused(f"压缩包「{name}」解压后过大：本批文件解压后合计超过上限 "
                               f"{MAX_TOTAL_BYTES // 1048576} MB（疑似压缩炸弹；文件确实很多时请分批导入），"
                               "未导入任何文件")
        out.append((f"{name}/{member}", content))
    return out


def collect(files: list[tuple[str, bytes]]) -> Collected:
    """The form files among ``files`` (``(name, bytes)`` pairs as uploaded or read from a folder; a
    ``.zip`` is opened, nested folders included). Raises ``BatchRefused`` for an unsafe archive or more
    than ``MAX_FILES`` files in all. A file given directly that is no form becomes a ``SourceFile`` with an
    ``error``; inside an archive it is skipped (``Collected.skipped``)."""
    total = [0]
    entries: list[tuple[str, bytes, bool]] = []  # (name, data, given directly)
    for name, data in files:
        name = (name or "").replace("\\", "/")
        if _suffix(name) == ".zip":
            entries += [(n, d, False) for n, d in _read_zip(name, data, total)]
        else:
            entries.append((name, data, True))
        if len(entries) > MAX_FILES:
            raise BatchRefused(f"一次最多导入 {MAX_FILES} 个文件")
    pics = {posixpath.splitext(n)[0].lower(): d for n, d, _ in entries if _suffix(n) == ".pic"}
    out = Collected()
    for name, data, direct in entries:
        suffix = _suffix(name)
        if suffix == ".pic":
            continue
        if suffix not in FORM_SUFFIXES:
            if direct:
                out.files.append(SourceFile(len(out.files) + 1, name, data,
                                            error="不是干部任免审批表文件（应为 .lrmx 或 .lrm），未读取"))
            else:
                out.skipped.append(name)
            continue
        pic = pics.get(posixpath.splitext(name)[0].lower()) if suffix == ".lrm" else None
        out.files.append(SourceFile(len(out.files) + 1, name, data, pic))
    return out
