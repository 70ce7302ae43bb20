"""Large demo loads without indexes during the load (``demo.writer.DeferredIndexes``, issue #13): the same data
for the same seed, the same indexes and constraints afterwards (names, definitions, validated), and the checks
still made — a duplicate or dangling row fails the load and it rolls back whole. PostgreSQL only (elsewhere
``DeferredIndexes`` does nothing; the SQLite path is the one ``test_generator`` covers)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from tests.demo.test_generator import SCALE, _digest
from zugong.demo import generator
from zugong.demo.generator import DEFERRED_MODELS, demo_reset, generate
from zugong.demo.writer import DeferredIndexes
from zugong.people.models import Person

pytestmark = pytest.mark.django_db


def _catalog() -> list[tuple]:
    """Every index and constraint of the deferred tables with its definition and whether it is validated."""
    tables = [m._meta.db_table for m in DEFERRED_MODELS]
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.relname, i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
                       "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid "
                       "WHERE c.relname = ANY(%s) ORDER BY 1, 2", [tables])
        indexes = cursor.fetchall()
        cursor.execute("SELECT c.relname, k.conname, pg_get_constraintdef(k.oid), k.convalidated, k.condeferrable, "
                       "k.condeferred FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
                       "WHERE c.relname = ANY(%s) ORDER BY 1, 2", [tables])
        return indexes + cursor.fetchall()


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("DeferredIndexes drops and recreates PostgreSQL indexes; a no-op elsewhere")


def test_same_data_and_same_catalog_with_deferred_indexes(postgresql, monkeypatch):
    before = _catalog()
    assert any(row[1] == "people_id_number_hash_uniq" for row in before)
    generate(scale=SCALE, seed=2023, workers=0)  # below DEFER_INDEXES_FROM: indexes kept during the load
    plain = _digest()
    demo_reset()
    monkeypatch.setattr(generator, "DEFER_INDEXES_FROM", 0)
    summary = generate(scale=SCALE, seed=2023, workers=0)
    assert "索引与约束" in summary.timings
    assert _digest() == plain
    assert _catalog() == before


def test_a_duplicate_still_fails_the_load_and_nothing_stays(postgresql):
    before = _catalog()
    with pytest.raises(IntegrityError), transaction.atomic():
        deferred = DeferredIndexes([Person])
        deferred.drop()
        assert not any(row[1] == "people_id_number_hash_uniq" for row in _catalog())
        for name in ("甲", "乙"):  # the same ID-number hash twice: accepted while the index is gone …
            Person.objects.create(name=name, sex="1", id_number_hash="same-hash")
        deferred.restore()  # … refused when it is created again
    assert _catalog() == before
    assert not Person.objects.filter(id_number_hash="same-hash").exists()

