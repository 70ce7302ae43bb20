"""Settings for the test suite: the normal settings with ``ZUGONG_TESTING=1``."""

import os

os.environ.setdefault("ZUGONG_TESTING", "1")

from zugong.settings import *  # noqa: E402,F403

# Web imports run inline instead of in a background thread, so tests are deterministic.
ZUGONG_IMPORT_SYNC = True

# PostgreSQL: the test database need not survive a crash, so commits (the transactional tests, their TRUNCATE
# flushes, the live server's requests) do not wait for the WAL to reach the disk.
if DATABASES["default"]["ENGINE"].endswith("postgresql"):  # noqa: F405
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"  # noqa: F405
