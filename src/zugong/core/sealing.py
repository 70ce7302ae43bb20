"""Sealing sensitive values for storage — encrypted, hashed and masked — one at a time or in bulk.

``seal_id_number`` and ``seal_phone`` give the three stored columns of a value (``Person.set_id_number`` /
``Person.set_phone`` use them, so every path stores the same thing):

- ID number → (SM4-GCM token, HMAC-SM3 lookup hash, ``*****************X``);
- phone → (token, hash, ``138****5678``); ``""`` → ``("", "", "")``.

``Sealer`` does the same for many new people at once (the 100,000-row roster import). Encryption is
about 27 µs per person, a sixth of the import, and pure CPU: above ``PARALLEL_MIN_ROWS`` rows it runs
in worker processes (``spawn`` start, safe inside a threaded web server; the workers import only
this module and ``cryptography``, never Django's database layer) while the importing process goes on
validating. Workers: ``settings.ZUGONG_IMPORT_WORKERS`` (default:
CPUs − 1, at most 4; ``0`` = always in-process). If the pool cannot start, sealing falls back to the
importing process, with a log warning; the result is the same either way.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor

from zugong.core import crypto, idnumber

logger = logging.getLogger(__name__)

PARALLEL_MIN_ROWS = 20_000
"""Below this many rows the pool start-up (≈ 0.1–0.3 s) costs more than it saves."""

STARTUP_TIMEOUT = 20
"""Seconds the workers get to start (import Python, ``cryptography``) before sealing goes in-process."""

CHUNK_TIMEOUT = 300
"""Seconds to wait for one sealed chunk (normally ~0.1 s for 2,000 people) before ``Sealer.result`` raises
``TimeoutError``."""

_worker_cipher: crypto.FieldCipher | None = None


def mask_phone(phone: str) -> str:
    """``138****5678`` style mask (first 3, last 4 kept); short values are fully masked."""
    if not phone:
        return ""
    return phone[:3] + "*" * max(len(phone) - 7, 0) + phone[-4:] if len(phone) > 7 else "*" * len(phone)


def seal_id_number(number: str, cipher: crypto.FieldCipher | None = None) -> tuple[str, str, str]:
    """``(encrypted, lookup_hash, masked)`` of a validated, normalised ID number."""
    c = cipher or crypto.cipher()
    return c.encrypt(number), c.lookup_hash(number), idnumber.mask(number)


def seal_phone(phone: str, cipher: crypto.FieldCipher | None = None) -> tuple[str, str, str]:
    """``(encrypted, lookup_hash, masked)`` of a phone number; ``("", "", "")`` for ``""``."""
    c = cipher or crypto.cipher()
    return c.encrypt(phone), c.lookup_hash(phone), mask_phone(phone)


def seal_people(items: Sequence[tuple[str, str]], cipher: crypto.FieldCipher | None = None) -> list[tuple]:
    """For each ``(id_number, phone)``: ``(id_encrypted, id_masked, phone_encrypted, phone_hash,
    phone_masked)`` — the ID number's lookup hash is left out (importers computed it while validating)."""
    c = cipher or crypto.cipher()
    out = []
    for number, phone in items:
        phone_values = seal_phone(phone, c) if phone else ("", "", "")
        out.append((c.encrypt(number), idnumber.mask(number), *phone_values))
    return out


def _init_worker(key: bytes) -> None:
    global _worker_cipher
    _worker_cipher = crypto.FieldCipher(key)


def _ping() -> bool:
    return _worker_cipher is not None


def _seal_in_worker(items: Sequence[tuple[str, str]]) -> list[tuple]:
    return seal_people(items, _worker_cipher)


def default_workers() -> int:
    """``settings.ZUGONG_IMPORT_WORKERS`` if set, else CPUs − 1 (at most 4, at least 0)."""
    from django.conf import settings

    configured = getattr(settings, "ZUGONG_IMPORT_WORKERS", None)
    if configured is not None and configured != "":
        return max(0, int(configured))
    return max(0, min(4, (os.cpu_count() or 1) - 1))


class Sealer:
    """Seal ``(id_number, phone)`` chunks in worker processes for large jobs.

    ``Sealer(total_rows)``; ``future = sealer.submit(chunk)`` starts ``seal_people(chunk)``,
    ``sealer.result(future)`` waits for it; ``close()`` (or leaving the ``with`` block) shuts the
    workers down, killing them on an exception.
    ``workers``: wanted processes (default ``default_workers()``); ``min_rows``: the size from which
    they are used (default ``PARALLEL_MIN_ROWS``). After construction ``self.workers`` is the number
    actually running (0 = this process).

    ``concurrent.futures.ProcessPoolExecutor`` rather than ``multiprocessing.Pool``: a worker that
    dies (killed, out of memory) raises ``BrokenProcessPool`` here instead of leaving ``Pool`` waiting
    forever for the lost chunk — inside the caller's transaction."""

    def __init__(self, total_rows: int, *, workers: int | None = None, min_rows: int | None = None):
        wanted = default_workers() if workers is None else workers
        self.workers = wanted if total_rows >= (PARALLEL_MIN_ROWS if min_rows is None else min_rows) else 0
        self._pool: ProcessPoolExecutor | None = None
        if self.workers:
            try:
                self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                                 initializer=_init_worker, initargs=(crypto.configured_key(),))
                # A worker that cannot start (e.g. an embedded interpreter whose ``sys.executable`` is
                # not Python) must not stall the import: require an answer first.
                if not self._pool.submit(_ping).result(timeout=STARTUP_TIMEOUT):
                    raise RuntimeError("sealing worker started without its key")
            except Exception as exc:  # whatever stops the workers (no spawn, timeout, a crash) → in-process
                logger.warning("sealing worker pool unavailable (%r); encrypting in-process", exc)
                self._stop(kill=True)
                self.workers = 0

    def submit(self, items: Sequence[tuple[str, str]]) -> Future:
        """Start sealing one chunk; the ``Future``'s result is ``seal_people(items)`` (computed at once
        when no workers run). Wait with ``result``."""
        if self._pool is None:
            done: Future = Future()
            done.set_result(seal_people(items))
            return done
        return self._pool.submit(_seal_in_worker, items)

    @staticmethod
    def result(future: Future) -> list[tuple]:
        """The sealed values of a ``submit``: waits at most ``CHUNK_TIMEOUT`` seconds, then raises
        ``TimeoutError``; raises ``concurrent.futures.process.BrokenProcessPool`` when a worker died."""
        return future.result(timeout=CHUNK_TIMEOUT)

    def close(self, *, kill: bool = False) -> None:
        """Shut the workers down (``kill``: end them first, for abandoned work). Idempotent."""
        self._stop(kill=kill)

    def _stop(self, *, kill: bool) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if kill:
            # ``shutdown`` alone would wait for a hung task: end the worker processes first.
            for process in list((getattr(pool, "_processes", None) or {}).values()):
                process.kill()
        pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Sealer:
        return self

    def __exit__(self, exc_type, *exc) -> None:
        self._stop(kill=exc_type is not None)
