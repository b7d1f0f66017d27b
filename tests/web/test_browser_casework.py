"""The casework of issue 22 in a real headless Chromium at 1366×768, on today's date: the clerk receives
the petitioner (a visit, explained on a provision it ticks, settled in the talk) and uploads a photo
(a PNG), which is listed and downloads; the director accepts the case and replies citing the same
provision, which the case then lists among its citations.  The page is kept as a screenshot and checked
by axe-core with the casework forms open."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from petitionkit.testing import DIRECTOR
from petitionkit.testing.files import png

from .conftest import WebServer, browser_sign_in, check_accessibility, screenshot, wait_for
from .pages_helpers import seed_visit, start_pages
from .test_browser_case_walk import choose, fill, no_alert, open_action, submit, switch_user, wait_state

CITED = "xfgztl-2022-art31"


@pytest.fixture
def pages(sqlite_url: str, tmp_path: Path) -> Iterator[WebServer]:
    server = start_pages(sqlite_url, tmp_path / "blobs")
    yield server
    server.stop()
    server.office.close()


def _by() -> Any:
    from selenium.webdriver.common.by import By

    return By


def open_form(driver: Any, ident: str) -> None:
    driver.find_element(_by().CSS_SELECTOR, f"#{ident} > summary").click()
    wait_for(driver, lambda d: d.find_element(_by().ID, ident).get_attribute("open") is not None)


def test_receive_upload_and_reply_citing_a_provision(page: Any, pages: WebServer, tmp_path: Path) -> None:
    by = _by()
    case = seed_visit(pages.office)

    # --- the clerk receives the petitioner: a visit, explained on a provision, settled in the talk
    browser_sign_in(page, pages, "wang")
    page.get(pages.url(f"/cases/{case}"))
    page.find_element(by.CSS_SELECTOR, "details.knowledge > summary").click()  # the category's provisions
    assert "信访工作条例" in wait_for(page, lambda d: d.find_element(by.ID, f"provision-{CITED}").text)
    open_form(page, "receive-form")
    open_form(page, "attach-form")
    screenshot(page, "case-casework-forms")
    check_accessibility(page)
    choose(page, "f-receive-channel", "visit")
    fill(page, "f-receive-asked", "要求公司支付拖欠的三个月工资")
    fill(page, "f-receive-explained", "欠薪争议可申请劳动仲裁，已告知途径和期限")
    page.find_element(by.ID, f"f-receive-cite-{CITED}").click()
    fill(page, "f-receive-response", "表示理解，将申请仲裁")
    page.find_element(by.ID, "f-receive-settled").click()
    submit(page, "form[action$='/receptions']")
    wait_for(page, lambda d: "欠薪争议可申请劳动仲裁" in d.find_element(by.ID, "receptions-title").find_element(
        by.XPATH, "..").text)  # fmt: skip
    no_alert(page)

    # --- and uploads a photo, which is listed with its digest and downloads
    picture = tmp_path / "现场照片.png"
    picture.write_bytes(png(8, 8))
    open_form(page, "attach-form")
    page.find_element(by.ID, "f-attach-file").send_keys(str(picture))
    choose(page, "f-attach-kind", "photo")
    submit(page, "form[action$='/attachments']")
    link = wait_for(page, lambda d: d.find_element(by.CSS_SELECTOR, "table.attachments a"))
    assert link.text == "现场照片.png"
    cookies = {c["name"]: c["value"] for c in page.get_cookies()}
    with httpx.Client(cookies=cookies, timeout=30) as client:
        got = client.get(link.get_attribute("href"))
    assert got.status_code == 200 and got.content == png(8, 8)

    # --- the director accepts it and replies citing the provision
    switch_user(page, pages, "zhao")
    page.get(pages.url(f"/cases/{case}"))
    open_action(page, "accept")
    submit(page, "form[action$='/actions/accept']")
    wait_state(page, "accepted")
    open_action(page, "reply")
    choose(page, "f-reply-outcome", "explain")
    fill(page, "f-reply-text", "经核查，已告知申请劳动仲裁的途径")
    page.find_element(by.ID, f"f-reply-cite-{CITED}").click()
    submit(page, "form[action$='/actions/reply']")
    wait_state(page, "replied")
    citations = page.find_element(by.ID, "citations-title").find_element(by.XPATH, "..").text
    assert citations.count("《信访工作条例》第二十九条至第三十一条") == 2  # the reception's and the reply's
    no_alert(page)
    page.execute_script("document.getElementById('citations-title').scrollIntoView()")
    screenshot(page, "case-casework")
    check_accessibility(page)
    assert [c.citation.provision_id for c in pages.office.acting_as(DIRECTOR).citations(case)] == [CITED, CITED]
