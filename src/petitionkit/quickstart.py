"""Setting up an office folder, and the quickstart workload that shows a working office.

``init_office`` writes ``petitionkit.toml`` and the sample county's rule pack into a folder and
creates the database. ``run_workload`` then drives a realistic small caseload of the fictional
清溪县 through the service, replaying the last :data:`WORKLOAD_DAYS` days up to today on a
simulated clock, so the office has open, due, overdue and concluded cases to look at today.
"""

from __future__ import annotations

import getpass
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from importlib.resources import files
from pathlib import Path
from typing import Any

from petitionkit.audit.keys import write_new_key_file
from petitionkit.config import OfficeConfig
from petitionkit.domain.access import Principal
from petitionkit.errors import ConfigurationError, PetitionkitError
from petitionkit.privacy.keys import write_new_master_key_file
from petitionkit.service import Office, open_office

CONFIG_TEMPLATE = """\
# petitionkit office configuration (see docs/cli.md and docs/rules.md)
[office]
office_code = "{office_code}"          # prefix of tracking numbers: {office_code}-2026-000001
office_name = "{office_name}"
timezone = "Asia/Shanghai"
locale = "zh-CN"                       # or "en"

[database]
url = "{database_url}"                 # sqlite:///office.db (this folder) or postgresql+psycopg://...

[rules]
set = "{rules}"                        # national | zhejiang | builtin
files = {rule_files}                   # the office's own packs, applied in order on top of the set

[plugins]
# allow = ["..."]                      # load only these plugins
# block = ["..."]                      # never load these

# Who may act on the office (docs/security.md): `petitionkit --as ID ...`; without --as, the entry whose
# os_user is your operating-system login. Roles are declared by the rule packs (docs/rules.md, "Roles");
# a handling body's user also lists its bodies: bodies = ["QX-HOUSING"]. `petitionkit principals` lists them.
[[principals]]
id = "admin"
name = "系统管理员"
roles = ["administrator"]
os_user = {os_user}                    # whoever ran `petitionkit init`

[[principals]]
id = "wang"
name = "王登记（登记员）"
roles = ["registrar"]

[[principals]]
id = "li"
name = "李承办（承办人）"
roles = ["handler"]

[[principals]]
id = "zhao"
name = "赵主任（主任）"
roles = ["director"]

[[principals]]
id = "sun"
name = "孙审计（审计员）"
roles = ["auditor"]
[settings.audit]                       # the audit trail's key and checkpoints (docs/audit.md)
key_file = "audit.key"                 # mode 0600, never inside the database; keep a copy offline
require_key = true                     # record nothing without the audit key
checkpoint_folder = "checkpoints"      # signed checkpoints; better: a folder on another machine
checkpoint_daily = true                # `petitionkit remind` writes one each run

[settings.privacy]                     # field encryption of personal data (docs/security.md)
key_file = "master.key"                # mode 0600, never inside the database; losing it loses the data
require_key = true                     # refuse to open without the master key
"""


def init_office(
    folder: Path,
    *,
    office_code: str = "QX",
    office_name: str = "清溪县人大常委会信访室",
    database_url: str = "sqlite:///office.db",
    rules: str = "national",
    sample_county: bool = True,
) -> OfficeConfig:
    """Create an office folder: configuration, rule pack, database (at the newest schema).

    Refuses to overwrite an existing ``petitionkit.toml``.  A new audit key file (``audit.key``,
    mode 0600) is generated beside it and named in ``[settings.audit]``, and a new master key file of
    field encryption (``master.key``, mode 0600) named in ``[settings.privacy]``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    config_path = folder / "petitionkit.toml"
    if config_path.exists():
        raise ConfigurationError.of(str(config_path), "config.already_exists")
    rule_files: list[str] = []
    if sample_county:
        (folder / "rules").mkdir(exist_ok=True)
        pack = files("petitionkit").joinpath("office_template/county.toml").read_text(encoding="utf-8")
        (folder / "rules" / "county.toml").write_text(pack, encoding="utf-8")
        rule_files.append("rules/county.toml")
    key_path = folder / "audit.key"
    master_path = folder / "master.key"
    write_new_key_file(key_path)  # refuses to overwrite a key file already there
    try:
        write_new_master_key_file(master_path)
    except PetitionkitError:
        key_path.unlink()
        raise
    config_path.write_text(
        CONFIG_TEMPLATE.format(
            office_code=office_code,
            office_name=office_name,
            database_url=database_url,
            rules=rules,
            rule_files="[" + ", ".join(f'"{f}"' for f in rule_files) + "]",
            os_user=json.dumps(getpass.getuser(), ensure_ascii=False),
        ),
        encoding="utf-8",
    )
    try:
        config = OfficeConfig.load(config_path, env={})
        open_office(config).close()  # creates the database at the newest schema
    except PetitionkitError:
        config_path.unlink()
        key_path.unlink()
        master_path.unlink()
        raise
    return config


WORKLOAD_DAYS = 110  # the quickstart replays this many days of office work, ending today


class SimulatedClock:
    """The workload's clock: it moves only when the workload says a day has passed."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def set_day(self, day: date, hour: int = 9) -> None:
        self.current = datetime(day.year, day.month, day.day, hour, tzinfo=self.current.tzinfo)


@dataclass
class WorkloadSummary:
    registered: int = 0
    actions: dict[str, int] = field(default_factory=dict)
    today: date | None = None
    refused: list[str] = field(default_factory=list)

    def count(self, action: str) -> None:
        self.actions[action] = self.actions.get(action, 0) + 1


_SUBJECTS: dict[str, list[tuple[str, str, str]]] = {
    # category: (kind, subject, content)
    "labour": [
        (
            "claim",
            "拖欠农民工工资问题",
            "本人在县城某建筑工地务工，工程结束后包工头拖欠工资三万余元，多次讨要未果，请求督促支付。",
        ),
        ("claim", "企业未依法缴纳社会保险", "所在企业连续两年未为职工缴纳养老保险，影响退休待遇，请求依法查处并补缴。"),
    ],
    "housing": [
        ("claim", "安置房质量问题", "所分安置房屋顶漏水、墙体开裂，向开发商反映后至今未维修，请求责成整改。"),
        ("claim", "小区物业收费不规范", "小区物业公司擅自提高收费标准，且公共收益去向不明，请求查处。"),
    ],
    "land": [
        ("claim", "征地补偿标准异议", "村里土地被征收，补偿标准低于周边乡镇，村民多次反映未获答复，请求依法核查。")
    ],
    "rural_affairs": [
        ("claim", "村集体资金使用不公开", "村委会多年未公开集体资金收支，村民要求查账未果，请求督促公开。"),
        ("suggestion", "建议修缮村级道路", "村内主干道年久失修，雨天泥泞难行，建议纳入乡村道路改造计划。"),
    ],
    "court_work": [("claim", "民事判决执行难", "本人胜诉的借款纠纷判决已生效一年，法院至今未执行到位，请求监督。")],
    "legislation": [
        (
            "suggestion",
            "关于制定养犬管理规定的建议",
            "城区养犬扰民、伤人事件增多，建议县人大常委会推动出台养犬管理规范性文件。",
        )
    ],
    "deputies": [("claim", "反映某代表履职问题", "本选区代表长期不联系选民，建议加强代表履职监督。")],
    "environment": [("claim", "工厂夜间噪声扰民", "村旁工厂夜间生产噪声严重，影响休息，多次向有关部门反映未解决。")],
}
# How often each category reaches a county congress office (a plausible mix, not statistics).
_WEIGHTS = {
    "labour": 6,
    "housing": 4,
    "land": 3,
    "rural_affairs": 3,
    "court_work": 4,
    "legislation": 2,
    "deputies": 2,
    "environment": 2,
}
_NAMES = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄强", "周丽", "吴刚", "徐婷", "孙涛"]
_CHANNELS = ["letter", "visit", "phone", "online", "online", "letter", "fax"]


def _id_number(rng: random.Random) -> str:
    from petitionkit.domain.identity import id_check_digit  # noqa: PLC0415

    born = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 20000))
    body = f"330199{born:%Y%m%d}{rng.randrange(0, 1000):03d}"
    return body + id_check_digit(body)


def run_workload(
    office: Office,
    clock: SimulatedClock,
    *,
    seed: int = 2026,
    petitions: int = 30,
    start: date,
    end: date,
    progress: Callable[[str], None] | None = None,
) -> WorkloadSummary:
    """Drive ``petitions`` realistic petitions through the office between ``start`` and ``end``.

    Each step acts as a principal of ``[[principals]]`` holding the role that step needs: the
    registrar registers, the handler works the cases, the director approves extensions.
    """
    registrar, handler = acting(office, "registrar"), acting(office, "handler")
    director = principal_with_role(office.config, "director")
    rng = random.Random(seed)
    summary = WorkloadSummary()
    days = (end - start).days
    plan = sorted(start + timedelta(days=rng.randrange(0, days)) for _ in range(petitions))
    people = [(_NAMES[i], _id_number(rng), f"13{rng.randrange(500000000, 999999999)}") for i in range(len(_NAMES))]
    registered: list[tuple[date, str, str]] = []  # (day, tracking number, category)

    for number, day in enumerate(plan):
        clock.set_day(day)
        category = rng.choices(list(_WEIGHTS), weights=list(_WEIGHTS.values()))[0]
        kind, subject, content = rng.choice(_SUBJECTS[category])
        name, id_number, phone = rng.choice(people)
        data: dict[str, Any] = {
            "channel": rng.choice(_CHANNELS),
            "received_at": clock().isoformat(),
            "kind": kind,
            "subject": subject,
            "content": content,
            "category": category,
            "region_code": "330199",
            "petitioners": [{"name": name, "id_number": id_number, "phone": phone}],
        }
        if number == 5:  # a collective visit with three representatives
            data.update(
                channel="visit",
                headcount=12,
                petitioners=[
                    {"name": n, "id_number": i, "phone": p, "role": "representative"} for n, i, p in people[:3]
                ],
            )
        if number == 8:  # an anonymous accusation against the housing bureau
            data.update(
                channel="letter",
                kind="accusation",
                anonymous=True,
                petitioners=[],
                category="housing",
                subject="举报县住建局某科长收受好处",
                respondent={"unit_name": "县住建局", "body_code": "QX-HOUSING"},
            )
        repeats = registrar.find_repeats(data) if not data.get("anonymous") else []
        if repeats and rng.random() < 0.7:
            data["joins_case"] = repeats[0].first_tracking_number
        reg = registrar.register(data)
        summary.registered += 1
        if not reg.joined_existing_case:
            registered.append((day, reg.petition.tracking_number, category))
        if progress:
            progress(reg.petition.tracking_number)

    # Work each case forward on later days, as a clerk would.
    for index, (day, ref, category) in enumerate(registered):
        _work_case(handler, clock, rng, summary, index, day, ref, category, end, approver=director.id)
    clock.set_day(end, hour=17)
    summary.today = end
    return summary


def principal_with_role(config: OfficeConfig, role: str) -> Principal:
    """The first ``[[principals]]`` entry holding ``role``; a :class:`ConfigurationError` if none does."""
    entry = next((p for p in config.principals if role in p.roles), None)
    if entry is None:
        raise ConfigurationError("principals", f"no principal holds the role '{role}'; add one to [[principals]]")
    return entry.principal()


def acting(office: Office, role: str) -> Office:
    """``office`` acting as the first configured principal holding ``role``."""
    return office.acting_as(principal_with_role(office.config, role))


def _work_case(
    office: Office,
    clock: SimulatedClock,
    rng: random.Random,
    summary: WorkloadSummary,
    index: int,
    day: date,
    ref: str,
    category: str,
    end: date,
    *,
    approver: str,
) -> None:
    def on(offset: int) -> bool:
        target = day + timedelta(days=offset)
        if target > end:
            return False
        clock.set_day(target)
        return True

    if not on(rng.randrange(2, 12)):
        return
    if index % 9 == 4:  # already before a court: steer the petitioner there (诉访分离)
        advice = office.screen(ref, facts=["in_litigation"])
        if not advice.accepted and advice.channel is not None:
            office.decline(ref, reason=advice.reason("zh-CN"), channel=advice.channel)
            summary.count("decline")
            return
    if category in {"legislation"} and index % 2 == 0:
        office.accept(ref, note="由常委会法工委研究办理")
        summary.count("accept")
        if on(rng.randrange(20, 40)):
            office.reply(ref, outcome="explain", text="已将建议转常委会法工委研究，纳入明年立法调研计划。")
            summary.count("reply")
        return
    case = office.refer(ref)
    summary.count("refer")
    if index % 7 == 3 and case.current_referral is not None:  # the body says it is not competent
        if on(2):
            office.record_objection(ref, reason="该事项不属于本单位职责范围")
            summary.count("object")
            if on(1):
                office.transfer(ref, body="QX-GOV", note="请县政府协调办理")
                summary.count("transfer")
        return
    if office.case(ref).state.value != "assigned":
        return
    if index % 5 == 1:  # late: supervise, then the report arrives
        if on(33):
            office.supervise(ref, reason="交办事项逾期未报送办结报告")
            summary.count("supervise")
        if on(38):
            office.record_report(ref, outcome="support", text="已督促责任单位落实，问题已解决。")
            summary.count("record_report")
        return
    if index % 6 == 2:  # complex: the body asks for an extension, approved
        if on(20):
            office.extend(ref, days=15, reason="需现场核查并协调多个部门", approved_by=approver)
            summary.count("extend")
        return
    if on(rng.randrange(12, 28)):
        outcome = rng.choice(["support", "explain", "not_support"])
        office.record_report(ref, outcome=outcome, text="经调查核实，已作出处理并书面答复信访人。")
        summary.count("record_report")
        if on(5):
            office.evaluate(ref, rating=rng.choice(["satisfied", "basically_satisfied", "dissatisfied"]))
            summary.count("evaluate")
        if outcome == "not_support" and on(10):
            office.request_review(ref, reason="对处理意见不服", organ="清溪县人民政府")
            summary.count("request_review")
