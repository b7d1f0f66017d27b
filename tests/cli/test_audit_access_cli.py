"""``petitionkit audit access`` through the command line on today's real date: an auditor pages the
access records latest first (``--newest``, ``--offset``), as an office with years of reads needs."""

from __future__ import annotations

from typing import Any


def test_an_auditor_reads_the_latest_access_records_first_and_pages_back(cli_office: Any) -> None:
    run = cli_office
    run("--as", "wang", "register", "--channel", "visit", "--kind", "claim", "--subject", "工地拖欠工资",
        "--content", "某工地拖欠农民工工资三个月", "--category", "labour", "--region", "330199",
        "--name", "张三", "--id-number", "330102198704123617", "--phone", "13800138000")  # fmt: skip
    for purpose in ("第一次查阅", "第二次查阅", "第三次查阅"):
        run("--as", "wang", "search", "--phone", "13800138000", "--purpose", purpose)
    oldest = run("--as", "sun", "audit", "access")["access_records"]
    purposes = [r["purpose"] for r in oldest if r["action"] == "find_person"]
    assert purposes == ["第一次查阅", "第二次查阅", "第三次查阅"]
    latest = run("--as", "sun", "audit", "access", "--newest", "--limit", "1")["access_records"]
    assert [r["purpose"] for r in latest] == ["第三次查阅"]
    before = run("--as", "sun", "audit", "access", "--newest", "--offset", "1", "--limit", "1")["access_records"]
    assert [r["purpose"] for r in before] == ["第二次查阅"]
    run("--as", "sun", "audit", "access", "--offset", "-1", code=2)  # a usage error, nothing read
