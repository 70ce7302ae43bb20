"""``core.sealing``: the stored forms of sensitive values, in-process and through worker processes."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import make_id
from zugong.core import crypto, sealing
from zugong.people.models import Person

NUMBERS = [make_id(dt.date(1960 + i % 40, 1 + i % 12, 1 + i % 28), "1" if i % 2 else "2") for i in range(12)]
PHONES = [f"1{3 + i % 7}{i:09d}" if i % 3 else "" for i in range(12)]


def _seal_all(sealer, chunks):
    """All chunks submitted first (as the importer does while validating), then their results in order."""
    futures = [sealer.submit(chunk) for chunk in chunks]
    return [sealer.result(future) for future in futures]


def _check(items, sealed):
    """Every sealed tuple decrypts back and carries the masks and hash the model computes."""
    cipher = crypto.cipher()
    assert len(sealed) == len(items)
    for (number, phone), (id_encrypted, id_masked, phone_encrypted, phone_hash, phone_masked) in zip(
            items, sealed, strict=True):
        reference = Person()
        reference.set_id_number(number)
        reference.set_phone(phone)
        assert cipher.decrypt(id_encrypted) == number
        assert id_masked == reference.id_number_masked
        assert cipher.decrypt(phone_encrypted) == phone
        assert (phone_hash, phone_masked) == (reference.phone_hash, reference.phone_masked)
        assert id_encrypted != reference.id_number_encrypted  # fresh random nonce per encryption


def test_seal_functions_match_the_model():
    number, phone = NUMBERS[0], "13912345678"
    person = Person()
    person.set_id_number(number)
    person.set_phone(phone)
    encrypted, lookup_hash, masked = sealing.seal_id_number(number)
    assert (lookup_hash, masked) == (person.id_number_hash, person.id_number_masked)
    assert crypto.cipher().decrypt(encrypted) == number
    assert sealing.seal_phone("") == ("", "", "")
    assert sealing.mask_phone(phone) == "139****5678" and sealing.mask_phone("12345") == "*****"


def test_sealer_in_process_below_the_threshold():
    items = list(zip(NUMBERS, PHONES, strict=True))
    with sealing.Sealer(len(items), workers=2) as sealer:  # 12 rows < PARALLEL_MIN_ROWS
        assert sealer.workers == 0
        out = _seal_all(sealer, [items[:5], items[5:]])
    _check(items, out[0] + out[1])


@pytest.mark.django_db
def test_sealer_worker_processes_return_chunks_in_order():
    items = list(zip(NUMBERS, PHONES, strict=True))
    chunks = [items[i:i + 3] for i in range(0, len(items), 3)]
    with sealing.Sealer(len(items), workers=2, min_rows=0) as sealer:
        assert sealer.workers == 2  # the pool started and answered
        out = _seal_all(sealer, chunks)
    assert [len(c) for c in out] == [3, 3, 3, 3]
    _check(items, [v for chunk in out for v in chunk])


def test_sealer_falls_back_in_process_when_workers_cannot_start(monkeypatch, caplog):
    monkeypatch.setattr(sealing, "STARTUP_TIMEOUT", 0.001)
    monkeypatch.setattr(sealing, "_ping", _slow_ping)
    items = list(zip(NUMBERS, PHONES, strict=True))
    with sealing.Sealer(len(items), workers=1, min_rows=0) as sealer:
        assert sealer.workers == 0
        out = _seal_all(sealer, [items])
    _check(items, out[0])
    assert "encrypting in-process" in caplog.text


def _slow_ping() -> bool:  # never answers in time
    import time

    time.sleep(5)
    return True


def test_default_workers_follows_the_setting(settings):
    settings.ZUGONG_IMPORT_WORKERS = "0"
    assert sealing.default_workers() == 0
    settings.ZUGONG_IMPORT_WORKERS = "3"
    assert sealing.default_workers() == 3
    settings.ZUGONG_IMPORT_WORKERS = None
    assert 0 <= sealing.default_workers() <= 4


@pytest.mark.django_db
def test_a_worker_lost_mid_task_raises_instead_of_hanging():
    """A worker killed (e.g. out of memory) makes ``result`` raise at once; the context exits cleanly."""
    from concurrent.futures.process import BrokenProcessPool

    items = list(zip(NUMBERS, PHONES, strict=True))
    with pytest.raises(BrokenProcessPool), sealing.Sealer(len(items), workers=1, min_rows=0) as sealer:
        assert sealer.workers == 1
        for process in list(sealer._pool._processes.values()):
            process.kill()
            process.join()
        _seal_all(sealer, [items, items])
    assert sealer._pool is None


def test_a_chunk_that_takes_too_long_times_out(monkeypatch):
    """2,000 people take tens of milliseconds to seal; with a 1 ms limit ``result`` must give up."""
    monkeypatch.setattr(sealing, "CHUNK_TIMEOUT", 0.001)
    items = list(zip(NUMBERS, PHONES, strict=True)) * 170
    with pytest.raises(TimeoutError), sealing.Sealer(len(items), workers=1, min_rows=0) as sealer:
        assert sealer.workers == 1
        _seal_all(sealer, [items])
    assert sealer._pool is None
