"""Fixtures of the 年报 end-to-end tests: the story of ``tests/annual/story.py`` built ONCE per module
(inside a transaction rolled back at the module's end; each test runs in its own savepoint on top, as
``pytest.mark.django_db`` tests do), on whichever engine the run uses (SQLite, or PostgreSQL with
``DATABASE_URL``)."""

from __future__ import annotations

import pytest
from django.db import transaction

from tests.annual import story


def _built(django_db_blocker, tmp_path_factory, build):
    with django_db_blocker.unblock():
        with transaction.atomic():
            yield build(tmp_path_factory.mktemp("annual"))
            transaction.set_rollback(True)


@pytest.fixture(scope="module")
def year(django_db_setup, django_db_blocker, tmp_path_factory):
    """The whole story: tree, terms, opening roster, the year 2023 through every channel, statuses."""
    yield from _built(django_db_blocker, tmp_path_factory, story.build_year)


@pytest.fixture(scope="module")
def opening(django_db_setup, django_db_blocker, tmp_path_factory):
    """Tree, terms and the opening roster only (the bad-input tests start from here)."""
    yield from _built(django_db_blocker, tmp_path_factory, story.build_opening)
