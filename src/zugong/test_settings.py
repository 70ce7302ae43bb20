"""Settings for the test suite: the normal settings with ``ZUGONG_TESTING=1``."""

import os

os.environ.setdefault("ZUGONG_TESTING", "1")

from zugong.settings import *  # noqa: E402,F403

# Web imports run inline instead of in a background thread, so tests are deterministic.
ZUGONG_IMPORT_SYNC = True
