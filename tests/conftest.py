"""Shared pytest fixtures: a small realistic organization tree with members and users at three levels, and
the browser fixtures (Playwright driving Debian's headless Chromium against pytest-django's live server).

Without ``/usr/bin/chromium`` the browser tests are skipped locally; under CI (``CI=true``) a missing
browser is an error, so the journeys are always exercised there (``.ci/run`` installs the package)."""

from __future__ import annotations

import os
import shutil

import pytest

from tests import factories


def _pin_today():
    """Pin ``django.utils.timezone.localdate()`` (without arguments) to the day this test run started, in the
    project's time zone (Asia/Shanghai). Test modules compute dates relative to "today" when they are
    imported (``TODAY = timezone.localdate()``) while the services ask again when called; a run crossing local
    midnight (16:00 UTC) would otherwise compare two different days. Calls with a value are unchanged."""
    from django.utils import timezone  # pytest-django has set DJANGO_SETTINGS_MODULE before conftests load

    original = timezone.localdate
    day = original()

    def localdate(value=None, timezone=None):
        if value is None and timezone is None:
            return day
        return original(value, timezone)

    localdate.__doc__ = original.__doc__
    timezone.localdate = localdate


_pin_today()


@pytest.fixture
def tree(db):
    """County committee → two township committees → branches; see ``factories.build_tree``."""
    return factories.build_tree()


@pytest.fixture
def units(tree):
    """``tree`` plus a unit tree and unit grants; see ``factories.build_units``."""
    return factories.build_units(tree)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """On PostgreSQL the audit table refuses TRUNCATE (``audit`` migrations 0002/0003), but Django empties
    the database with TRUNCATE after every transactional test (``transactional_db``, ``live_server``).
    In the *test* database only, that one statement-level trigger is switched off; the row-level
    UPDATE/DELETE trigger stays on, and ``tests/security/test_audit.py`` re-enables the TRUNCATE trigger
    inside a transaction to prove it works."""
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_no_truncate")
    yield


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM:
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed (apt-get install chromium)")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make around it are
    # ordinary synchronous calls.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN",
                                  accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    console_errors: list[str] = []
    page.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)
    page.console_errors = console_errors
    yield page
    context.close()
