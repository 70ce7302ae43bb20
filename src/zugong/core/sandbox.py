"""Run one untrusted-input function in a child process with a memory and a time limit.

``run_limited(func, payload, *args, memory_mb=…, seconds=…)`` starts a child process, gives it
``payload`` (bytes) and returns what ``func(payload, *args)`` returned. The child sets
``resource.RLIMIT_AS`` (address space) to ``memory_mb`` MiB and ``RLIMIT_CPU`` to ``seconds`` + a margin
before calling ``func``; the parent waits at most ``seconds`` wall-clock seconds and kills the child
after that. Whatever the child does — allocate without bound (a Rust parser aborts on a failed
allocation), loop, crash — the parent gets either the result or ``LimitExceeded``; its own memory is
never touched by the parse. Used for every uploaded spreadsheet (``core.files.read_workbook``).

Start method: ``forkserver`` — a small single-threaded server process (started on first use) forks each
child, so it is safe inside a threaded web server (a plain ``fork`` of a threaded process is not)
and a child starts in a fraction of the ~0.3 s of ``spawn``. The server pre-imports ``PRELOAD``.
Children import no Django settings and open no database connection.

Results travel back pickled without the memo (``Pickler.fast``): the parsed rows are plain lists of
str/float/date values, and the memo-less pickle is ~8× faster to write (100,000 rows: 0.2 s).

The parent unpickles the answer with ``SafeUnpickler``, which builds only plain values, dates and the
few classes in ``ALLOWED_CLASSES``: a child taken over by a hostile file cannot make the parent run code.

Exceptions raised by ``func`` are re-raised in the parent when they are ``ZugongError``s (the
child's refusal, e.g. ``FileRejected``); ``MemoryError`` becomes ``LimitExceeded("memory")``; any
other exception becomes ``LimitExceeded("crash")`` (details are logged, not shown).
"""

from __future__ import annotations

import io
import logging
import multiprocessing
import os
import pickle  # nosec B403 — answers are read by SafeUnpickler (allow-listed classes only)
import signal
import traceback
from collections.abc import Callable

logger = logging.getLogger(__name__)

PRELOAD = ["python_calamine", "django.conf", "zipfile", "csv", "lxml.etree"]
"""Third-party and standard modules the fork server imports once, so each child starts quicker. Not
Zugong's own: before Python 3.12 the server imports them before it adopts the parent's ``sys.path``,
so it could load another copy of Zugong than the parent's (each child imports ours after its
``sys.path`` is set)."""

CPU_MARGIN_SECONDS = 5
"""``RLIMIT_CPU`` = time limit + this margin: stops a child the parent could no longer kill."""


ALLOWED_CLASSES = {
    ("datetime", "date"), ("datetime", "datetime"), ("datetime", "time"), ("datetime", "timedelta"),
    ("datetime", "timezone"), ("zugong.core.files", "Table"), ("zugong.core.files", "Workbook"),
    ("zugong.core.files", "FileRejected"),
    ("zugong.core.errors", "RowError"),
}
"""What an answer from the child may contain besides lists, tuples, dicts, str, bytes, numbers, None."""


class SafeUnpickler(pickle.Unpickler):
    """An unpickler that refuses every class outside ``ALLOWED_CLASSES``."""

    def find_class(self, module: str, name: str):
        if (module, name) in ALLOWED_CLASSES:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"class {module}.{name} is not allowed from a parse child")


def safe_loads(data: bytes):
    """``pickle.loads`` restricted by ``SafeUnpickler``."""
    return SafeUnpickler(io.BytesIO(data)).load()


last_child_peak_rss_kb = 0
"""Peak resident memory (KiB) of the last child that answered (for benchmarks and diagnostics)."""


class LimitExceeded(Exception):
    """The child was stopped: ``kind`` is ``"memory"`` (ran out of its address-space limit),
    ``"time"`` (over the wall-clock limit, killed) or ``"crash"`` (died or raised an unexpected error)."""

    def __init__(self, kind: str, detail: str = ""):
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind
        self.detail = detail


def _context():
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)  # only effective before the server starts; harmless after
    return ctx


def _dumps(value) -> bytes:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True  # no memo: the values are plain, acyclic lists (see module docstring)
    pickler.dump(value)
    return buffer.getvalue()


def _child(conn, func: Callable, args: tuple, memory_bytes: int, cpu_seconds: int) -> None:
    import resource

    if memory_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    if cpu_seconds:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    try:
        payload = conn.recv_bytes()
        result = func(payload, *args)
        del payload
        message = _dumps(("ok", (result, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)))
    except MemoryError:
        message = _dumps(("memory", ""))
    except BaseException as exc:  # noqa: BLE001 — everything is reported to the parent
        from zugong.core.errors import ZugongError

        if isinstance(exc, ZugongError):
            try:
                message = _dumps(("raise", exc))
            except Exception:  # an unpicklable error: report its message
                message = _dumps(("crash", exc.message))
        else:
            message = _dumps(("crash", "".join(traceback.format_exception_only(type(exc), exc)).strip()))
    conn.send_bytes(message)
    conn.close()


def run_limited(func: Callable, payload: bytes, *args, memory_mb: int, seconds: float):
    """``func(payload, *args)`` in a child process limited to ``memory_mb`` MiB of address space and
    ``seconds`` of wall-clock time (``0`` = no such limit). ``func`` must be a module-level function
    (it is imported by the child). Returns its result; re-raises a ``ZugongError`` it raised; raises
    ``LimitExceeded`` otherwise (see module docstring)."""
    ctx = _context()
    parent_conn, child_conn = ctx.Pipe(duplex=True)
    memory_bytes = int(memory_mb) * 1024 * 1024 if memory_mb else 0
    cpu = int(seconds) + CPU_MARGIN_SECONDS if seconds else 0
    process = ctx.Process(target=_child, args=(child_conn, func, args, memory_bytes, cpu), daemon=True,
                          name="zugong-parse")
    process.start()
    child_conn.close()
    try:
        try:
            parent_conn.send_bytes(payload)
        except (BrokenPipeError, ConnectionResetError, EOFError):
            pass  # the child died before reading; reported below
        if not parent_conn.poll(seconds if seconds else None):
            raise LimitExceeded("time", f"more than {seconds} s")
        try:
            message = parent_conn.recv_bytes(memory_bytes or None)
        except (EOFError, ConnectionResetError, OSError):
            process.join(5)
            code = process.exitcode
            try:
                name = signal.Signals(-code).name if code is not None and code < 0 else str(code)
            except ValueError:
                name = str(code)
            if code == -signal.SIGXCPU:
                kind = "time"
            elif code in (-signal.SIGABRT, -signal.SIGKILL, -signal.SIGSEGV, -signal.SIGBUS):
                kind = "memory"  # a failed allocation aborts (Rust) or is killed (the kernel's OOM killer)
            else:
                kind = "crash"
            raise LimitExceeded(kind, f"child exited with {name}")
    finally:
        if process.is_alive():
            process.kill()
        process.join(5)
        parent_conn.close()
    global last_child_peak_rss_kb
    try:
        status, value = safe_loads(message)
        if status == "ok":
            value, last_child_peak_rss_kb = value
    except Exception as exc:
        logger.error("parse child sent an unreadable answer: %r", exc)
        raise LimitExceeded("crash", "unreadable answer")
    if status == "ok":
        return value
    if status == "raise" and isinstance(value, BaseException):
        raise value
    if status == "memory":
        raise LimitExceeded("memory", "MemoryError")
    logger.error("parse child failed: %s (pid %s)", value, os.getpid())
    raise LimitExceeded("crash", value)
