"""``petitionkit serve`` serves the workspace, as a county office starts it: ``petitionkit quickstart`` (the
sample county with four months of work ending today), ``petitionkit account add``, then ``petitionkit serve``
as a subprocess; a clerk signs in with Chromium and sees what falls due, on today's real date."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from petitionkit.cli import cli

from .conftest import PASSWORD, By, check_accessibility, httpx, screenshot, sign_in, submit_and_wait


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cli(*args: str, stdin: str | None = None) -> Any:
    result = CliRunner().invoke(cli, ["--json", "--as", "admin", *args], input=stdin)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.chdir(tmp_path)
    _cli("quickstart", "office", "--petitions", "8")
    folder = tmp_path / "office"
    monkeypatch.chdir(folder)
    _cli("account", "add", "wang", "--principal", "wang", "--password-stdin", stdin=PASSWORD + "\n")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    executable = Path(sys.executable).with_name("petitionkit")
    process = subprocess.Popen(
        [str(executable), "serve", "--port", str(port)], cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.communicate()
            try:
                if httpx.get(f"{base}/workspace/sign-in", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "petitionkit serve did not answer within 60 s"
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        _, err = process.communicate(timeout=30)
        assert b"/workspace/" in err  # serve says where the workspace is


def test_serve_answers_the_workspace_and_the_api_together(served: str) -> None:
    with httpx.Client(base_url=served, follow_redirects=False, timeout=30) as client:
        assert client.get("/health").status_code == 200  # the API, same process
        assert sign_in(client, "wang").status_code == 303
        page = client.get("/workspace/?window=90")
        assert page.status_code == 200 and "QX-2026-" in page.text
        assert page.text.count("<tr") > 1  # the quickstart's duties


def test_a_clerk_signs_in_to_the_county_office_in_chromium(page: Any, served: str) -> None:
    page.get(served + "/workspace/")
    page.find_element(By.ID, "username").send_keys("wang")
    page.find_element(By.ID, "password").send_keys(PASSWORD)
    submit_and_wait(page, page.find_element(By.CSS_SELECTOR, "form.stacked button[type=submit]"))
    from selenium.webdriver.support.ui import WebDriverWait  # selenium is optional (conftest)

    # The page after sign-in may still be replacing its nodes: wait for its heading, not read it once.
    WebDriverWait(page, 20).until(lambda d: d.find_element(By.TAG_NAME, "h1").text == "我的待办")
    page.get(served + "/workspace/?window=30")
    assert page.find_elements(By.CSS_SELECTOR, "table.duties tbody tr")
    screenshot(page, "county-my-work")
    check_accessibility(page)
