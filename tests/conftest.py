"""Shared pytest fixtures: a small realistic organization tree with members and users at three levels."""

from __future__ import annotations

import pytest

from tests import factories


@pytest.fixture
def tree(db):
    """County committee → two township committees → branches; see ``factories.build_tree``."""
    return factories.build_tree()
