"""The workspace's test harness: a real server (uvicorn on a free loopback port, in a thread) over a
temporary office on today's real date, and the system Chromium driven by Selenium at 1366×768.

``PETITIONKIT_REQUIRE_BROWSER=1`` (CI sets it) turns a missing browser into a failure instead of a skip.
Helpers: :func:`screenshot` keeps a page as ``test-artefacts/screenshots/<name>.png`` (git-ignored) and
:func:`check_accessibility` runs axe-core (vendored beside this file) in the page and fails on serious
or critical violations.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("litestar", reason="the server extra: pip install 'petitionkit[server]'")
httpx = pytest.importorskip("httpx")
uvicorn = pytest.importorskip("uvicorn")

from petitionkit.server.app import create_app  # noqa: E402
from petitionkit.server.settings import ServerSettings  # noqa: E402
from petitionkit.service import Office, open_office  # noqa: E402
from petitionkit.testing import ADMIN, office_settings  # noqa: E402
from petitionkit.web.accounts import AccountAdmin  # noqa: E402

try:  # the browser fixture fails or skips when selenium is missing (PETITIONKIT_REQUIRE_BROWSER)
    from selenium.webdriver.common.by import By
except ImportError:  # pragma: no cover
    By = None

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artefacts" / "screenshots"
AXE = Path(__file__).with_name("axe.min.js")
CHROMIUM = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
CHROMEDRIVER = "/usr/bin/chromedriver"
WINDOW = (1366, 768)
PASSWORD = "correct horse battery"
BODY = "GOV-HRSS"

#: The test office's accounts: username -> principal id.
ACCOUNTS = {"wang": "wang", "sun": "sun", "admin": "admin", "hrss": "body-hrss"}


def web_config(db_url: str, **web: Any) -> dict[str, Any]:
    """A test office's configuration (the sample principals, a handling body's user, ``[settings.web]``)."""
    config = dict(office_settings())
    config["database"] = {"url": db_url}
    config["principals"] = [
        *config["principals"],
        {"id": "body-hrss", "name": "人社局承办人", "roles": ["handling_body"], "bodies": [BODY]},
    ]
    config["settings"] = {"web": web}
    return config


class WebServer:
    """The application (API and workspace) served by uvicorn on a loopback port, in a thread."""

    def __init__(self, office: Office, settings: ServerSettings | None = None) -> None:
        self.office = office
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.base = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        config = uvicorn.Config(create_app(office, settings), log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the server did not start")
            time.sleep(0.02)

    def url(self, path: str = "/") -> str:
        return f"{self.base}/workspace{path}"

    def client(self) -> httpx.Client:
        """A client with its own cookie jar (no redirects followed: tests look at them)."""
        return httpx.Client(base_url=self.base, timeout=30, follow_redirects=False)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


def add_accounts(office: Office, accounts: dict[str, str] = ACCOUNTS) -> AccountAdmin:
    admin = AccountAdmin(office.acting_as(ADMIN))
    for username, principal in accounts.items():
        admin.add(username, principal, PASSWORD)
    return admin


def start(db_url: str, settings: ServerSettings | None = None, **web: Any) -> WebServer:
    office = open_office(web_config(db_url, **web))
    add_accounts(office)
    return WebServer(office, settings)


@pytest.fixture
def web(sqlite_url: str) -> Iterator[WebServer]:
    """The workspace over a temporary SQLite office on today's date, with the accounts of :data:`ACCOUNTS`."""
    found = start(sqlite_url)
    yield found
    found.stop()
    found.office.close()


@pytest.fixture
def web_db(db_url: str) -> Iterator[WebServer]:
    """The workspace over each backend (SQLite, and PostgreSQL when configured)."""
    found = start(db_url)
    yield found
    found.stop()
    found.office.close()


def sign_in(client: httpx.Client, username: str, password: str = PASSWORD, code: str = "") -> httpx.Response:
    """Sign in through the form as a browser would (the guest CSRF cookie first)."""
    page = client.get("/workspace/sign-in")
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    form = {"csrf_token": token, "username": username, "password": password, "code": code, "next": "/workspace/"}
    return client.post("/workspace/sign-in", data=form)


# --- the browser -------------------------------------------------------------------------------------


def _browser_missing(reason: str) -> None:
    if os.environ.get("PETITIONKIT_REQUIRE_BROWSER") == "1":
        pytest.fail(f"PETITIONKIT_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless system Chromium at 1366×768 (one per test session; each test clears its cookies)."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _browser_missing("selenium is not installed (pip install 'petitionkit[test]')")
    binary = next((b for b in CHROMIUM if Path(b).exists()), shutil.which("chromium"))
    if binary is None or not Path(CHROMEDRIVER).exists():
        _browser_missing("no system Chromium and chromedriver (apt-get install chromium chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = str(binary)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        f"--window-size={WINDOW[0]},{WINDOW[1]}",
        "--lang=zh-CN",
        "--force-device-scale-factor=1",
    ):
        options.add_argument(argument)  # fmt: skip
    options.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh"})  # a county clerk's browser
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.set_window_size(*WINDOW)
    # the page itself 1366×768 (a headless window's size includes no browser chrome, but be exact)
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": WINDOW[0], "height": WINDOW[1], "deviceScaleFactor": 1, "mobile": False},
    )
    yield driver
    driver.quit()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """The browser with no cookies from an earlier test."""
    browser.delete_all_cookies()
    yield browser
    browser.delete_all_cookies()


def screenshot(driver: Any, name: str) -> Path:
    """Keep the page as ``test-artefacts/screenshots/<name>.png`` (the viewport, 1366×768)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    assert driver.save_screenshot(str(path)), f"no screenshot of {name}"
    return path


def check_accessibility(driver: Any, *, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict[str, Any]]:
    """Run axe-core in the page; fail listing every violation of ``impacts`` (returns all violations)."""
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(JSON.stringify(r.violations)),"
        " e => done(JSON.stringify({error: String(e)})));"
    )
    violations = json.loads(result)
    assert isinstance(violations, list), violations
    bad = [v for v in violations if v.get("impact") in impacts]
    assert not bad, "axe-core: " + "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in bad
    )
    return violations


def browser_sign_in(driver: Any, web: WebServer, username: str, password: str = PASSWORD, code: str = "") -> None:
    """Sign in through the form, by keyboard and clicks like a clerk."""
    from selenium.webdriver.common.by import By

    driver.get(web.url("/sign-in"))
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(password)
    if code:
        driver.find_element(By.ID, "code").send_keys(code)
    submit_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form.stacked button[type=submit]"))


def submit_and_wait(driver: Any, button: Any) -> None:
    """Click ``button`` and wait until the browser has left the page (a full navigation, not htmx)."""
    from selenium.webdriver.support import expected_conditions

    old = driver.find_element(By.TAG_NAME, "html")
    button.click()
    wait_for(driver, expected_conditions.staleness_of(old))


def wait_for(driver: Any, condition: Callable[[Any], Any], timeout: float = 20) -> Any:
    """Wait until ``condition(driver)`` is truthy (an htmx swap is asynchronous); elements replaced while
    looking are looked up again.  The timeout is a safety net, not a measured limit."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    ignored = (StaleElementReferenceException, NoSuchElementException)
    return WebDriverWait(driver, timeout, ignored_exceptions=ignored).until(condition)
