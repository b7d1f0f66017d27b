"""The workspace in a real headless Chromium at 1366×768: sign-in, my work and audit pages, each kept as
a screenshot and checked by axe-core (no serious or critical violations)."""

from __future__ import annotations

from typing import Any

import pyotp
import pytest

from petitionkit.testing import ADMIN
from petitionkit.web.accounts import AccountAdmin

from .conftest import By, WebServer, browser_sign_in, check_accessibility, screenshot, submit_and_wait


def test_sign_in_page_is_accessible_and_signs_in_by_keyboard(page: Any, web: WebServer) -> None:
    page.get(web.url("/"))
    assert page.current_url.startswith(web.url("/sign-in"))  # not signed in: sent to sign in
    assert page.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN"
    screenshot(page, "sign-in")
    check_accessibility(page)
    browser_sign_in(page, web, "wang")
    assert page.find_element(By.TAG_NAME, "h1").text == "我的待办"
    assert "王登记" in page.find_element(By.CSS_SELECTOR, ".who").text


def test_my_work_page_is_accessible(page: Any, web: WebServer) -> None:
    browser_sign_in(page, web, "wang")
    assert page.find_element(By.CSS_SELECTOR, "nav[aria-label]")
    screenshot(page, "my-work")
    check_accessibility(page)


def test_audit_page_for_an_auditor_is_accessible(page: Any, web: WebServer) -> None:
    browser_sign_in(page, web, "sun")
    links = [a.text for a in page.find_elements(By.CSS_SELECTOR, "nav a")]
    assert "审计" in links
    page.get(web.url("/audit"))
    assert page.find_element(By.TAG_NAME, "h1").text == "审计"
    screenshot(page, "audit")
    check_accessibility(page)


def test_password_and_totp_sign_in_in_the_browser(page: Any, web: WebServer) -> None:
    _, uri = AccountAdmin(web.office.acting_as(ADMIN)).set_totp("sun", enable=True)
    assert uri is not None
    totp = pyotp.parse_uri(uri)
    browser_sign_in(page, web, "sun")  # no code: refused, and the page does not say why
    assert page.find_element(By.CSS_SELECTOR, "[role=alert]").text.startswith("用户名、密码或动态验证码不正确")
    browser_sign_in(page, web, "sun", code="000000" if totp.now() != "000000" else "111111")
    assert page.find_elements(By.CSS_SELECTOR, "[role=alert]")
    browser_sign_in(page, web, "sun", code=totp.now())
    assert page.find_element(By.TAG_NAME, "h1").text == "我的待办"
    assert "孙审计" in page.find_element(By.CSS_SELECTOR, ".who").text


def test_the_language_switch_in_the_browser(page: Any, web: WebServer) -> None:
    browser_sign_in(page, web, "sun")
    Select = pytest.importorskip("selenium.webdriver.support.select").Select  # noqa: N806
    Select(page.find_element(By.ID, "locale-choice")).select_by_value("en")
    submit_and_wait(page, page.find_element(By.CSS_SELECTOR, ".locale-switch button"))
    assert page.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    assert page.find_element(By.TAG_NAME, "h1").text == "My work"
    screenshot(page, "my-work-en")
    check_accessibility(page)
    submit_and_wait(page, page.find_element(By.CSS_SELECTOR, ".header-tools form:not(.locale-switch) button"))
    assert page.current_url.startswith(web.url("/sign-in"))
    assert page.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"  # the choice stays


def test_keyboard_focus_is_visible_and_skips_to_the_content(page: Any, web: WebServer) -> None:
    from selenium.webdriver.common.keys import Keys

    browser_sign_in(page, web, "sun")
    page.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    focused = page.switch_to.active_element
    assert focused.get_attribute("class") == "skip-link" and focused.is_displayed()
    outlines = []
    for _ in range(4):  # the skip link, then the navigation's links
        style = page.execute_script(
            "const s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.outlineWidth];"
        )
        outlines.append(style)
        page.switch_to.active_element.send_keys(Keys.TAB)
    assert all(kind != "none" and width != "0px" for kind, width in outlines), outlines
