"""Owner-only files and directories for personal data (GB/T 22239-2019 8.1.4.8 个人信息保护, 8.1.4.9;
PIPL Art. 51).

Every file Zugong creates that holds personal data — the SQLite database and its ``-wal``/``-shm``/
``-journal`` companions, backups and their manifests, import uploads and error reports, exports written
to disk — is created with mode 0600 and every directory made for them with 0700, whatever the process
umask. Files are *created* with that mode (``os.open(..., 0o600)`` + ``fchmod``), never written first and
restricted afterwards: a file that was readable for a moment can be opened then, and an open descriptor
keeps reading after a later ``chmod``.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

logger = logging.getLogger(__name__)

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")
"""Files SQLite creates beside a database (WAL mode: ``-wal``, ``-shm``; rollback mode: ``-journal``)."""


def open_private(path: Path | str, *, exclusive: bool = False, binary: bool = True):
    """Open ``path`` for writing as a new or truncated file with mode 0600 (``exclusive``: the file must
    not exist yet); returns a file object (``binary``: ``"wb"``, else ``"w"`` UTF-8). A symbolic link at
    ``path`` is refused (``OSError``), so a planted link cannot redirect the data. Raises
    ``FileExistsError`` when ``exclusive`` and the file exists, ``OSError`` for anything else."""
    flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    flags |= os.O_EXCL if exclusive else os.O_TRUNC
    fd = os.open(path, flags, PRIVATE_FILE)
    try:
        os.fchmod(fd, PRIVATE_FILE)  # exactly 0600 whatever the umask (0277 would have left 0400)
        return os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8")
    except BaseException:
        os.close(fd)
        raise


def create_private(path: Path | str) -> None:
    """Create ``path`` as an empty 0600 file; raises ``FileExistsError`` if it exists (then nothing is
    changed) and ``OSError`` otherwise. For tools that write the file themselves (``pg_dump --file``,
    ``sqlite3.connect``): they keep the mode of an existing file."""
    open_private(path, exclusive=True).close()


def private_dir(path: Path | str) -> Path:
    """Make sure directory ``path`` exists, belongs to this process's user and has mode 0700 (created so,
    or restricted); returns it as a ``Path``. Raises ``PermissionError`` when it belongs to another user
    (e.g. planted in a shared ``/tmp``: its owner could swap the files in it), ``OSError`` otherwise."""
    path = Path(path)
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise PermissionError(f"{path} 不是目录")
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        raise PermissionError(f"目录 {path} 属于其他用户，不能存放个人信息文件")
    if stat.S_IMODE(info.st_mode) != PRIVATE_DIR:
        path.chmod(PRIVATE_DIR)
    return path


def restrict(path: Path | str) -> bool:
    """Set an existing file (not followed if a link) to 0600 if it allows more; returns whether it was
    changed. A missing file is ignored; a file that cannot be changed (another owner) is logged as a
    warning — callers use this to tighten files left by earlier versions."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return False
    if stat.S_ISLNK(info.st_mode) or stat.S_IMODE(info.st_mode) & 0o077 == 0:
        return False
    try:
        os.chmod(path, PRIVATE_FILE)
    except OSError as exc:
        logger.warning("cannot restrict %s to mode 0600: %s", path, exc)
        return False
    return True


def sqlite_file(name: object) -> str | None:
    """The file of a SQLite database ``NAME``, or ``None`` for an in-memory one (``:memory:``, ``""``,
    or a ``file:`` URI such as the test runner's ``file:memorydb_default?mode=memory``)."""
    text = os.fspath(name) if isinstance(name, (str, os.PathLike)) else ""
    if not text or text == ":memory:" or text.startswith("file:"):
        return None
    return text


def prepare_sqlite_file(name: object) -> None:
    """Before SQLite opens database ``name``: create it as an empty 0600 file when missing (SQLite would
    create it with 0644 and its ``-wal``/``-shm``/``-journal`` files copy the database's mode), and
    restrict an existing database and companions left more open by earlier versions."""
    path = sqlite_file(name)
    if path is None:
        return
    try:
        create_private(path)
    except FileExistsError:
        pass
    except FileNotFoundError:  # no such directory: let SQLite report it ("unable to open database file")
        return
    for candidate in (path, *(path + suffix for suffix in SQLITE_COMPANIONS)):
        restrict(candidate)
