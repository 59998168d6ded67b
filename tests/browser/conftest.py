"""Browser tests: Debian's headless Chromium, driven by Playwright's sync API, against
pytest-django's ``live_server`` loaded with the demo (``seed_demo``).

The machine may be offline: the Chart.js CDN request is answered from the npm copy that
``make browser-deps`` installs, and every other request that leaves localhost is aborted.
A test fails when a page throws or logs a JavaScript error, or when one of the app's own
requests fails; each page is screenshotted into test-artifacts/browser/ at the end.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Route, sync_playwright

from socialhub.management.commands.seed_demo import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CHARTJS_FILE = ROOT / ".cache/npm/node_modules/chart.js/dist/chart.umd.min.js"
ARTIFACTS = ROOT / "test-artifacts" / "browser"
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
HERE = Path(__file__).resolve().parent

BROWSER_LOG = pytest.StashKey["BrowserLog"]()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test under tests/browser/ ``browser`` (select with -m browser), and run
    them last: from the first one to the end of the session Playwright's event loop runs
    in the main thread, where it would break any later test that uses async_to_sync."""
    browser_items = [item for item in items if HERE in Path(item.path).resolve().parents]
    for item in browser_items:
        item.add_marker(pytest.mark.browser)
    if browser_items:
        ids = {id(item) for item in browser_items}
        items[:] = [item for item in items if id(item) not in ids] + browser_items


# -- what the browser did ------------------------------------------------------------


@dataclass
class BrowserLog:
    """What went wrong in the browser during one test, and what the routes did."""

    js_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    cdn_served: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return [f"JS error: {e}" for e in self.js_errors] + [
            f"request failed: {r}" for r in self.failed_requests
        ]

    def describe(self) -> str:
        lines = self.problems()
        lines += [f"blocked (not localhost): {url}" for url in self.blocked]
        lines += [f"served from the npm copy: {url}" for url in self.cdn_served]
        return "\n".join(lines)

    def watch(self, page: Page) -> None:
        page.on("pageerror", lambda exc: self.js_errors.append(f"{page.url}: {exc}"))
        page.on("console", lambda msg: self._console(page, msg))
        page.on("requestfailed", self._request_failed)
        page.on("response", self._response)

    def _console(self, page: Page, msg) -> None:
        # "Failed to load resource" is Chromium echoing an HTTP status; statuses are
        # judged in _response (a page may be a 404 on purpose), not here.
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            self.js_errors.append(f"{page.url}: {msg.text}")

    def _request_failed(self, request) -> None:
        failure = request.failure or ""
        if request.url in self.blocked or "ERR_ABORTED" in failure:
            return  # aborted by our route, or by a navigation that superseded it
        self.failed_requests.append(f"{request.method} {request.url}: {failure}")

    def _response(self, response) -> None:
        # Documents may answer 404/410 on purpose; anything a page loads must not fail.
        if response.status >= 400 and response.request.resource_type != "document":
            self.failed_requests.append(f"{response.status} {response.url}")


def _route(log: BrowserLog) -> Callable[[Route], None]:
    chartjs_url = settings.CHARTJS_URL

    def handle(route: Route) -> None:
        url = route.request.url
        if url == chartjs_url:
            log.cdn_served.append(url)
            # The page loads it with crossorigin="anonymous": it needs a CORS header.
            route.fulfill(
                path=CHARTJS_FILE,
                content_type="application/javascript",
                headers={"Access-Control-Allow-Origin": "*"},
            )
        elif urlsplit(url).hostname in LOCAL_HOSTS or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            log.blocked.append(url)
            route.abort()

    return handle


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """After a test body that passed, fail it if the browser logged a problem."""
    try:
        result = yield
    finally:
        log = item.stash.get(BROWSER_LOG, None)
        if log is not None and log.describe():
            item.add_report_section("call", "browser", log.describe())
    if log is not None and log.problems():
        pytest.fail("The browser reported problems:\n" + "\n".join(log.problems()), pytrace=False)
    return result


# -- fixtures ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: run `make browser-deps`")
    if not CHARTJS_FILE.exists():
        pytest.skip(f"{CHARTJS_FILE.relative_to(ROOT)} is missing: run `make browser-deps`")
    # Playwright's sync API runs an asyncio loop in the test thread, so Django's
    # async-safety check would refuse every ORM call the test thread makes (the demo
    # fixture, the flush after each test) while Playwright is up.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            yield pw
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def browser_log(request: pytest.FixtureRequest) -> BrowserLog:
    log = BrowserLog()
    request.node.stash[BROWSER_LOG] = log
    return log


@pytest.fixture
def demo(transactional_db, live_server) -> None:
    """The demo agency, brands and users, in the database the live server reads."""
    call_command("seed_demo", stdout=StringIO())


@pytest.fixture
def new_page(
    request: pytest.FixtureRequest, browser: Browser, live_server, browser_log: BrowserLog
) -> Iterator[Callable[[], Page]]:
    """Open a page in a fresh browser context (its own cookies: another person).

    At the end each page is screenshotted: test-artifacts/browser/<test name>.png for
    the first, <test name>-2.png and so on for the others.
    """
    contexts: list[BrowserContext] = []
    pages: list[Page] = []

    def open_page() -> Page:
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 800}
        )
        context.route("**/*", _route(browser_log))
        contexts.append(context)
        page = context.new_page()
        browser_log.watch(page)
        pages.append(page)
        return page

    yield open_page

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^\w@.-]+", "-", request.node.name).strip("-")
    try:
        for i, page in enumerate(pages, start=1):
            if not page.is_closed():
                suffix = "" if i == 1 else f"-{i}"
                page.screenshot(path=ARTIFACTS / f"{name}{suffix}.png", full_page=True)
    finally:
        for context in contexts:
            context.close()


@pytest.fixture
def page(new_page: Callable[[], Page]) -> Page:
    return new_page()


# -- helpers -------------------------------------------------------------------------


def login(page: Page, email: str, password: str = PASSWORD) -> None:
    """Sign in through allauth's form and wait for the page it redirects to."""
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    with page.expect_response(
        lambda r: r.request.method == "POST" and urlsplit(r.url).path == "/accounts/login/"
    ) as posted:
        page.locator("form button[type=submit]").click()
    if posted.value.status != 302:
        page.wait_for_load_state()
        errors = page.locator(".errorlist, .form-errors, .error").all_inner_texts()
        raise AssertionError(f"Signing in as {email} failed: {errors or posted.value.status}")
    page.wait_for_url(lambda url: urlsplit(url).path != "/accounts/login/")
    page.wait_for_load_state()
