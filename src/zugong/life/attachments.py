"""Checks of a meeting attachment (会议附件) before it is stored (``life.services.attachment_add``).

Reuses ``core.files``: ``load_bytes`` reads at most the limit (and refuses an empty file), the container
magic numbers (``ZIP_MAGIC``, ``OLE2_MAGIC``) and the macro rule of the spreadsheet import (a workbook or
document carrying ``vbaProject.bin`` is refused). The type is decided by the **content**, and the extension
must agree with it (a text file renamed ``.pdf``, an ``.exe`` renamed ``.jpg`` are refused):

- ``.pdf`` → ``%PDF-``; ``.jpg``/``.jpeg`` → ``FF D8 FF``; ``.png`` → the PNG signature;
- ``.docx`` → a ZIP holding ``word/document.xml``; ``.xlsx`` → a ZIP holding ``xl/workbook.xml``;
- ``.doc`` → an OLE2 container with a ``WordDocument`` stream; ``.xls`` → one with a ``Workbook``/``Book``
  stream. Encrypted (password-protected) files are refused: nobody could open them later.

At most ``MAX_BYTES`` (20 MB) a file.
"""

from __future__ import annotations

import io
import os
import zipfile

from zugong.core.errors import RowError, ValidationFailed
from zugong.core.files import OLE2_MAGIC, ZIP_MAGIC, FileRejected, load_bytes

MAX_BYTES = 20 * 1024 * 1024
"""The size limit of one attachment (20 MB)."""

FIELD = "附件"
TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".doc": "application/msword",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xls": "application/vnd.ms-excel",
}
"""Accepted extensions and the content type each is served with."""
ACCEPTED = "PDF、JPG、PNG、Word（.docx/.doc）、Excel（.xlsx/.xls）"


def _refuse(reason: str) -> ValidationFailed:
    return ValidationFailed([RowError(0, FIELD, reason)], message=f"「{FIELD}」：{reason}")


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


def _zip_names(data: bytes) -> set[str]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return {info.filename.lower() for info in archive.infolist()}
    except (zipfile.BadZipFile, ValueError, OSError):
        return set()


def content_matches(ext: str, data: bytes) -> bool:
    """True when ``data`` is really a file of extension ``ext`` (see the module docstring)."""
    if ext == ".pdf":
        return data.startswith(b"%PDF-")
    if ext in (".jpg", ".jpeg"):
        return data.startswith(b"\xff\xd8\xff")
    if ext == ".png":
        return data.startswith(b"\x89PNG\r\n\x1a\n")
    if ext in (".docx", ".xlsx"):
        if not data.startswith(ZIP_MAGIC):
            return False
        names = _zip_names(data)
        return ("word/document.xml" if ext == ".docx" else "xl/workbook.xml") in names
    if ext in (".doc", ".xls"):
        if not data.startswith(OLE2_MAGIC):
            return False
        head = data[:1024 * 1024]
        if ext == ".doc":
            return _utf16("WordDocument") in head
        return _utf16("Workbook") in head or _utf16("Book") in head
    return False


def check_attachment(upload, *, filename: str = "") -> tuple[bytes, str, str]:
    """Read and check ``upload`` (see ``core.files.load_bytes`` for the accepted sources); returns
    ``(bytes, original file name, content type)``. Raises ``ValidationFailed`` (field 附件, Chinese reason)
    for a file over 20 MB, an empty file, an unsupported extension, content that does not match the
    extension, a macro-enabled or encrypted document."""
    try:
        data, name = load_bytes(upload, filename=filename, max_bytes=MAX_BYTES)
    except FileRejected as exc:
        reason = exc.reason
        if "大小上限" in reason:
            reason = "文件超过 20 MB，请压缩或拆分后上传"
        raise _refuse(reason) from None
    name = os.path.basename((name or "").replace("\\", "/"))[:200]
    ext = os.path.splitext(name)[1].lower()
    if ext not in TYPES:
        raise _refuse(f"不支持的文件类型 {ext or '（无扩展名）'}，只接受 {ACCEPTED}")
    if data.startswith(ZIP_MAGIC) and any(n.endswith("vbaproject.bin") for n in _zip_names(data)):
        raise _refuse("文件包含宏（VBA 代码），为安全起见不予接收，请另存为不含宏的文件后上传")
    if data.startswith(OLE2_MAGIC) and (_utf16("EncryptedPackage") in data[:1024 * 1024]
                                        or b"EncryptedPackage" in data[:1024 * 1024]):
        raise _refuse("文件已加密（设置了打开密码），请取消密码后上传")
    if not content_matches(ext, data):
        raise _refuse(f"文件内容与扩展名 {ext} 不符（可能是其他格式的文件改了扩展名），只接受 {ACCEPTED}")
    return data, name, TYPES[ext]
