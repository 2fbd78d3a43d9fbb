"""End-to-end tests in a real browser: Playwright's sync API driving Debian's chromium.

They run against pytest-django's live server on PostgreSQL (where CI runs them); on
SQLite they are skipped. Each test gets a fresh browser context with German locale,
and the data it needs through the factories.
"""

import os
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections

from kohorte.core.tests import factories as f

from .axe import axe_is_available
from .chromium import CHROMIUM, CHROMIUM_ARGS


def pytest_collection_modifyitems(config, items):
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason=(
        f"browser tests run on PostgreSQL only (this run uses {connection.vendor}); "
        "set DATABASE_URL=postgres://… to run them"))
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def _migrated_data(django_db_setup):
    """The rows the migrations wrote (regions, site texts), as serialised at set-up.

    Django restores them after each transactional test's flush (serialized rollback)
    from an attribute of the connection object. Once Playwright's event loop runs,
    the test thread gets a new connection object without that attribute, so it is
    taken here, before the loop starts, and restored by ``open_call``.
    """
    return getattr(connections[DEFAULT_DB_ALIAS], "_test_serialized_contents", None)


def _restore_migrated_data(serialized):
    current = connections[DEFAULT_DB_ALIAS]
    if serialized and not hasattr(current, "_test_serialized_contents"):
        current.creation.deserialize_db_from_string(serialized)
        current._test_serialized_contents = serialized


@pytest.fixture(scope="module")
def _playwright(_migrated_data):
    """Playwright for one test module: its event loop runs only while browser tests do."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium "
                    "(apt-get install chromium)")
    if not axe_is_available():
        pytest.fail("axe-core is not in the static files: run `make static`")
    # Playwright's sync API runs an event loop in this thread; Django would otherwise
    # refuse the test's own ORM calls as "async-unsafe" while it runs.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        yield playwright
    finally:
        connections.close_all()  # those opened while the loop ran, not to outlive it
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="module")
def browser(_playwright):
    browser = _playwright.chromium.launch(executable_path=CHROMIUM,
                                          args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(scope="module")
def date_order(browser) -> str:
    """The order in which this browser's date fields take day, month and year.

    It follows the browser's own interface language (Debian's chromium without its
    language packs: US order), not the page's; the journey types dates accordingly.
    """
    page = browser.new_page()
    try:
        page.set_content('<input type="date" aria-label="probe">')
        page.keyboard.press("Tab")
        page.keyboard.type("01032022")
        return {"2022-03-01": "DMY", "2022-01-03": "MDY"}[page.locator("input").input_value()]
    finally:
        page.close()


@pytest.fixture
def base_url(live_server, settings):
    """The live server's address; e-mails link to it as they would to SITE_URL."""
    settings.SITE_URL = live_server.url
    return live_server.url


@pytest.fixture
def page(browser, base_url):
    context = browser.new_context(locale="de-DE", timezone_id="Europe/Berlin",
                                  viewport={"width": 1280, "height": 900}, base_url=base_url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def open_call(transactional_db, django_db_serialized_rollback, _migrated_data):
    """An open call of a programme: enough for the public pages."""
    _restore_migrated_data(_migrated_data)
    return f.make_call(f.make_programme(), title="Qualifizierung Gemeinwesenarbeit")


@pytest.fixture
def seeded(open_call):
    """The open call with five applications (one a draft), and the staff who run it.

    ``applicant`` has a submitted application with an uploaded employer release.
    """
    call = open_call
    programme = call.programme
    applicant = f.make_applicant("bewerberin@example.org")
    own = f.make_application(call, applicant, submit=True, release=True)
    others = [f.make_application(call, submit=True, release=n % 2 == 0) for n in range(3)]
    draft = f.make_application(call, submit=False, release=False)
    return SimpleNamespace(
        programme=programme, call=call, applicant=applicant, application=own,
        applications=[own, *others, draft],
        coordinator=f.make_staff("coordinator", programme, email="koordination@example.org",
                                 name="Kim Koordination"),
    )
