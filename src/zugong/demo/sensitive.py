"""Encrypting the sensitive Person columns of generated rows, in worker processes when possible.

Building the ID number (``core.idnumber.make``), SM4-GCM encryption and HMAC-SM3 hashing of it and of the
phone (``Person.set_id_number`` / ``set_phone``, run on a scratch instance so the model's own code
produces the values) are over half of the Python time of a large generation. ``Encryptor.rows`` does them in a ``fork`` process pool while the
main process draws the next people and streams rows to the database; results come back in order, so the
output does not depend on the number of workers. Workers never touch the database connection they
inherit (a forked worker ends with ``os._exit``, leaving the parent's connection intact).
"""

from __future__ import annotations

import multiprocessing
import operator
import os
from collections import deque
from collections.abc import Iterable, Iterator

from zugong.core import idnumber
from zugong.people.models import Person

SENSITIVE_COLUMNS = ("id_number_encrypted", "id_number_hash", "id_number_masked", "phone_encrypted", "phone_hash",
                     "phone_masked")
CHUNK = 2000

_scratch: Person | None = None
_values = operator.attrgetter(*SENSITIVE_COLUMNS)


def sensitive_values(pairs: list[tuple[tuple, str]]) -> list[tuple]:
    """For each ``((region, birth_date, sequence, sex), phone)``: the six stored columns — the ID number
    built by ``core.idnumber.make``, then encrypted, hashed and masked as ``Person.set_id_number`` and
    ``Person.set_phone`` do."""
    global _scratch
    if _scratch is None:
        _scratch = Person()
    scratch = _scratch
    make = idnumber.make
    out = []
    for id_args, phone in pairs:
        scratch.set_id_number(make(*id_args))
        scratch.set_phone(phone)
        out.append(_values(scratch))
    return out


def default_workers() -> int:
    """Worker processes to use: one fewer than the CPUs (at most 4), 0 on one CPU or without ``fork``."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return 0
    return max(0, min(4, (os.cpu_count() or 1) - 1))


class Encryptor:
    """Turns ``(row_without_sensitive_columns, id_number_args, phone)`` items into complete rows."""

    def __init__(self, workers: int):
        self.pool = multiprocessing.get_context("fork").Pool(workers) if workers > 0 else None
        self.workers = workers

    def rows(self, items: Iterable[tuple[tuple, tuple, str]]) -> Iterator[tuple]:
        if self.pool is None:
            for base, id_number, phone in items:
                yield base + sensitive_values([(id_number, phone)])[0]
            return
        pending: deque = deque()
        chunk: list[tuple[tuple, tuple, str]] = []

        def submit():
            pending.append((chunk, self.pool.apply_async(sensitive_values, ([(i, p) for _, i, p in chunk],))))

        for item in items:
            chunk.append(item)
            if len(chunk) == CHUNK:
                submit()
                chunk = []
                while len(pending) > self.workers + 1:  # keep the workers busy, memory bounded
                    yield from self._finish(pending.popleft())
        if chunk:
            submit()
        while pending:
            yield from self._finish(pending.popleft())

    @staticmethod
    def _finish(entry) -> Iterator[tuple]:
        chunk, result = entry
        for (base, _, _), values in zip(chunk, result.get(), strict=True):
            yield base + values

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool.join()
            self.pool = None

    def __enter__(self) -> Encryptor:
        return self

    def __exit__(self, *exc) -> None:
        if self.pool is not None and exc[0] is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None
        self.close()
