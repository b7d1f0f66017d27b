"""Shared pieces of the page-area tests: a server with an office's handler, director and two bodies'
users, a petition form a clerk would fill in, and the CSRF token of a page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx

from petitionkit.service import Office, open_office
from petitionkit.testing import REGISTRAR, SAMPLE_ID_NUMBERS

from .conftest import ACCOUNTS, WebServer, add_accounts, web_config

#: The accounts of these tests: the sample office's (wang registers, li handles, zhao directs, sun
#: audits), the human-resources bureau's user (hrss) and the housing bureau's (housing).
PAGE_ACCOUNTS = {**ACCOUNTS, "li": "li", "zhao": "zhao", "housing": "body-housing"}
OTHER_BODY = "GOV-HOUSING"
XSS = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def start_pages(db_url: str, blobs: Path | None = None) -> WebServer:
    """The server of the page tests; ``blobs``: the folder uploaded files are kept in (a test's
    temporary folder, never the working directory)."""
    config = web_config(db_url)
    if blobs is not None:
        config["settings"]["attachments"] = {"folder": str(blobs)}
    config["principals"].append(
        {"id": "body-housing", "name": "住建局承办人", "roles": ["handling_body"], "bodies": [OTHER_BODY]}
    )
    office = open_office(config)
    add_accounts(office, PAGE_ACCOUNTS)
    return WebServer(office)


def token(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "no CSRF token in the page"
    return found[1]


def visit_form(csrf: str, received: str, **changes: str) -> dict[str, str]:
    """The intake form of a wage-arrears visit by one petitioner with an ID number."""
    form = {
        "csrf_token": csrf,
        "channel": "visit",
        "received_at": received,
        "kind": "claim",
        "category": "labour",
        "region_code": "330102",
        "headcount": "1",
        "subject": "某公司拖欠工资三个月",
        "content": "本人在某公司工作，公司拖欠三个月工资共计一万二千元，多次讨要未果。",
        "p0_name": "张三",
        "p0_role": "petitioner",
        "p0_id_number": SAMPLE_ID_NUMBERS[0],
        "p0_phone": "13800138000",
        "respondent_unit": "某公司",
    }
    form.update(changes)
    return form


def seed_visit(office: Office, subject: str = "某公司拖欠工资三个月") -> str:
    """An earlier visit by the same petitioner about the same matter (registered through the service)."""
    registration = office.acting_as(REGISTRAR).register(
        {
            "channel": "visit",
            "received_at": office.now().isoformat(),
            "kind": "claim",
            "category": "labour",
            "region_code": "330102",
            "subject": subject,
            "content": "公司拖欠三个月工资，共一万二千元，讨要未果。",
            "petitioners": [{"name": "张三", "id_number": SAMPLE_ID_NUMBERS[0], "phone": "13800138000"}],
            "respondent": {"unit_name": "某公司"},
        }
    )
    return registration.petition.tracking_number


def now_local(office: Office) -> str:
    return office.now().astimezone(office.zone).strftime("%Y-%m-%dT%H:%M")


def signed_in(web: WebServer, username: str) -> httpx.Client:
    from .conftest import sign_in

    client = web.client()
    answer = sign_in(client, username)
    assert answer.status_code == 303, answer.text[:500]
    return client


def page_token(client: httpx.Client, path: str = "/workspace/cases") -> str:
    answer = client.get(path)
    assert answer.status_code == 200, answer.text[:500]
    return token(answer.text)


def slip_tracking(page: str) -> str:
    found = re.search(r'id="slip-tracking">([^<]+)<', page)
    assert found, page[:2000]
    return found[1]


def act(client: httpx.Client, case: str, action: str, **fields: Any) -> httpx.Response:
    csrf = page_token(client, f"/workspace/cases/{case}")
    return client.post(f"/workspace/cases/{case}/actions/{action}", data={"csrf_token": csrf, **fields})
