"""A whole case in a real headless Chromium at 1366×768, on today's date: a clerk registers a visit that
repeats an earlier one (seeded first) and registers it as a new matter with a reason; a handler assigns
it to the human-resources bureau and downloads the assignment letter; the bureau's user finds it on its
page and records its result report; the director accepts and replies to the earlier case; the housing
bureau's user cannot open the case by URL; the director reads the report with its charts.

The subject carries ``<script>alert(1)</script>``: every page that shows it shows it as text and no
alert ever opens.  Intake, case, body and reports pages are kept as screenshots and checked by axe-core.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from petitionkit.i18n import translate

from .conftest import BODY, WebServer, browser_sign_in, check_accessibility, screenshot
from .pages_helpers import XSS, seed_visit, start_pages


@pytest.fixture
def pages(sqlite_url: str) -> Iterator[WebServer]:
    server = start_pages(sqlite_url)
    yield server
    server.stop()
    server.office.close()


def _by() -> Any:
    from selenium.webdriver.common.by import By

    return By


def no_alert(driver: Any) -> None:
    from selenium.common.exceptions import NoAlertPresentException

    try:
        text = driver.switch_to.alert.text
    except NoAlertPresentException:
        return
    pytest.fail(f"an alert opened: {text!r}")


def shows_subject_as_text(driver: Any) -> None:
    no_alert(driver)
    assert XSS in driver.find_element(_by().TAG_NAME, "main").text  # shown as text
    assert XSS not in driver.page_source  # and never a script element (the DOM serialises text escaped)


def switch_user(driver: Any, web: WebServer, username: str) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    driver.delete_all_cookies()
    browser_sign_in(driver, web, username)
    WebDriverWait(driver, 20).until(lambda d: "/sign-in" not in d.current_url)
    no_alert(driver)


def fill(driver: Any, ident: str, text: str) -> None:
    field = driver.find_element(_by().ID, ident)
    field.clear()
    field.send_keys(text)


def choose(driver: Any, ident: str, value: str) -> None:
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element(_by().ID, ident)).select_by_value(value)


def wait_for(driver: Any, css: str) -> Any:
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, 20).until(expected_conditions.presence_of_element_located((_by().CSS_SELECTOR, css)))


def wait_state(driver: Any, state: str) -> None:
    """Wait until the case page shows ``state`` (the page after the action's redirect)."""
    from selenium.webdriver.support.ui import WebDriverWait

    label = translate("state." + state)

    def shown(d: Any) -> bool:
        tags = d.find_elements(_by().CSS_SELECTOR, "h1 .tag.state")
        return bool(tags) and tags[0].text == label

    WebDriverWait(driver, 20).until(shown)


def submit(driver: Any, form_css: str) -> None:
    driver.find_element(_by().CSS_SELECTOR, f"{form_css} button[type=submit]").click()


def open_action(driver: Any, name: str) -> None:
    form = f"form[action$='/actions/{name}']"
    driver.find_element(_by().XPATH, f"//form[contains(@action, '/actions/{name}')]/parent::details/summary").click()
    wait_for(driver, form)


def download(driver: Any, web: WebServer, form: Any) -> httpx.Response:
    """Send a document form the page offers (a POST with its CSRF token) with the browser's session
    (headless Chromium keeps no download)."""
    by = _by()
    cookies = {c["name"]: c["value"] for c in driver.get_cookies()}
    token = form.find_element(by.NAME, "csrf_token").get_attribute("value")
    with httpx.Client(base_url=web.base, cookies=cookies, timeout=60) as client:
        return client.post(form.get_attribute("action"), data={"csrf_token": token})


def test_a_whole_case_in_the_browser(page: Any, pages: WebServer) -> None:  # noqa: PLR0915 - one walk
    by = _by()
    earlier = seed_visit(pages.office)

    # --- the clerk registers a visit; the repeat candidate is shown before anything is saved
    browser_sign_in(page, pages, "wang")
    page.find_element(by.CSS_SELECTOR, "nav a[href='/workspace/intake']").click()
    wait_for(page, "form.intake")
    choose(page, "f-kind", "claim")
    choose(page, "f-category", "labour")
    fill(page, "f-region_code", "330102")
    fill(page, "f-subject", f"某公司拖欠工资 {XSS}")
    fill(page, "f-content", "本人在某公司工作，公司拖欠三个月工资共计一万二千元，多次讨要未果。")
    fill(page, "f-respondent-unit_name", "某公司")
    fill(page, "f-petitioners-0-name", "张三")
    fill(page, "f-petitioners-0-id_number", "11010519491231002X")
    fill(page, "f-petitioners-0-phone", "13800138000")
    submit(page, "form.intake")
    wait_for(page, "#repeats-title")
    no_alert(page)
    assert page.find_element(by.ID, "join-1").get_attribute("value") == f"join:{earlier}"
    screenshot(page, "intake-repeats")
    check_accessibility(page)
    page.find_element(by.ID, "decision-new").click()
    fill(page, "f-new_reason", "另一次欠薪，发生在新的工作期间")
    submit(page, "form.intake")
    tracking = wait_for(page, "#slip-tracking").text
    assert tracking != earlier
    assert page.find_element(by.ID, "slip-query-code").text.strip()
    assert page.find_element(by.ID, "slip-subject").text == f"某公司拖欠工资 {XSS}"
    shows_subject_as_text(page)
    screenshot(page, "intake-slip")
    check_accessibility(page)

    # --- the handler opens the case, sees its clocks explained, assigns it, downloads the letter
    switch_user(page, pages, "li")
    page.get(pages.url(f"/cases/{tracking}"))
    shows_subject_as_text(page)
    page.find_element(by.CSS_SELECTOR, "table.clocks details summary").click()
    assert page.find_element(by.CSS_SELECTOR, "table.clocks .explanation").text.strip()
    first_event = page.find_element(by.CSS_SELECTOR, ".timeline .event").text
    assert first_event == translate("web.pages.event.PetitionRegistered")
    open_action(page, "refer")
    screenshot(page, "case")
    check_accessibility(page)
    choose(page, "f-refer-mode", "assignment")
    choose(page, "f-refer-body", BODY)
    fill(page, "f-refer-note", "请依法处理并报告结果")
    submit(page, "form[action$='/actions/refer']")
    wait_state(page, "assigned")
    form = page.find_element(by.CSS_SELECTOR, "form[action$='/documents/assignment-letter']")
    letter = download(page, pages, form)
    assert letter.status_code == 200 and letter.content[:2] == b"PK"
    assert "assignment-letter" in letter.headers["content-disposition"]

    # --- my work shows nothing raw either
    page.get(pages.url("/"))
    no_alert(page)
    assert XSS not in page.page_source  # the DOM holds no script element of the subject

    # --- the bureau's user sees the case on its page and records the result report
    switch_user(page, pages, "hrss")
    page.get(pages.url("/body"))
    shows_subject_as_text(page)
    screenshot(page, "body")
    check_accessibility(page)
    page.find_element(by.LINK_TEXT, tracking).click()
    wait_for(page, "h1 .tag.state")
    shows_subject_as_text(page)
    assert not page.find_elements(by.CSS_SELECTOR, "form[action$='/actions/refer']")
    open_action(page, "record_report")
    screenshot(page, "case-body")
    check_accessibility(page)
    choose(page, "f-record_report-outcome", "support")
    fill(page, "f-record_report-text", "已责令该公司于十日内支付拖欠工资")
    submit(page, "form[action$='/actions/record_report']")
    wait_state(page, "replied")

    # --- the housing bureau's user cannot open it by URL (404, as for a case that does not exist)
    switch_user(page, pages, "housing")
    page.get(pages.url(f"/cases/{tracking}"))
    assert "404" in page.find_element(by.TAG_NAME, "h1").text
    assert tracking not in page.page_source and "拖欠工资" not in page.page_source

    # --- the director accepts the earlier case and replies to the petitioner
    switch_user(page, pages, "zhao")
    page.get(pages.url(f"/cases/{earlier}"))
    open_action(page, "accept")
    submit(page, "form[action$='/actions/accept']")
    wait_state(page, "accepted")
    open_action(page, "reply")
    choose(page, "f-reply-outcome", "explain")
    fill(page, "f-reply-text", "经核查，已协调该公司支付工资")
    submit(page, "form[action$='/actions/reply']")
    wait_state(page, "replied")

    # --- the report of this month with its charts drawn by the served plotly.js
    page.get(pages.url("/reports"))
    wait_for(page, ".chart-box .main-svg")
    no_alert(page)
    screenshot(page, "reports")
    check_accessibility(page)
    page.execute_script("document.getElementById('charts-title').scrollIntoView()")
    screenshot(page, "reports-charts")


def test_errors_are_announced_beside_their_fields(page: Any, pages: WebServer) -> None:
    by = _by()
    browser_sign_in(page, pages, "wang")
    page.get(pages.url("/intake"))
    fill(page, "f-petitioners-0-phone", "12")
    submit(page, "form.intake")
    wait_for(page, "#form-errors")
    for ident in ("f-subject", "f-content", "f-kind", "f-region_code", "f-petitioners-0-phone"):
        described = page.find_element(by.ID, ident).get_attribute("aria-describedby") or ""
        assert f"{ident}-error" in described, ident
        assert page.find_element(by.ID, f"{ident}-error").get_attribute("role") == "alert"
    assert page.switch_to.active_element.get_attribute("id") == "form-errors"  # focus moved to the summary
    screenshot(page, "intake-errors")
    check_accessibility(page)
