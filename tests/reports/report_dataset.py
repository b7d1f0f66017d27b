"""A generated office history with known answers, pushed through the service as clerks would.

Every petition is registered with ``Office.register`` at its received time (a ``FakeClock`` walks
through the months) and every later step (accept, transfer, assign, supervise, extend, reply,
evaluate, review...) is a service call at its own time, so the data is exactly what a real office
stores.  The generator keeps its own log of what it did: the tests count their expectations from
that log, independently of the report code.

What is planted:

* flat Poisson noise over five categories, five regions and all channels and kinds, months
  2025-09 .. 2026-03, plus March 2025 (the same period last year);
* ``environment`` rises in March 2026: ~10 petitions a month before, ~35 in March;
* six petitioners who do not know each other write about the same chemical plant in March 2026
  (a cluster the signals must find); one petitioner writes four near-identical letters as four
  separate cases (not a cluster: one petitioner).
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from petitionkit.domain.identity import id_check_digit
from petitionkit.domain.protection import is_resolved
from petitionkit.service import Office
from petitionkit.testing import DIRECTOR, SHANGHAI, FakeClock, office_settings

FLAT_CATEGORIES = ("labour", "housing", "land", "health", "education")
RISING = "environment"
REGIONS = ("330102", "330106", "330109", "330110", "330182")
CHANNELS = ("letter", "visit", "online", "phone")
KINDS = ("claim", "claim", "claim", "suggestion", "accusation")
BODIES = ("GOV-HRSS", "GOV-HOUSING", "GOV-LAND", "COURT")
MONTHS = [(2025, 3)] + [(2025, m) for m in range(9, 13)] + [(2026, m) for m in (1, 2, 3)]
NOW = datetime(2026, 4, 10, 9, 0, tzinfo=SHANGHAI)  # when the report is run (after everything)

_WORD_TEXT = (
    "道路 桥梁 学校 医院 工厂 企业 村民 居民 社区 街道 物业 业主 合同 工资 补偿 拆迁 "
    "征地 宅基地 低保 医保 社保 养老 教育 收费 噪声 污水 垃圾 油烟 执法 审批 许可 执行 "
    "判决 立案 派出所 户口 交通 公交 停车 电梯 供水 供电 燃气 暖气 绿化 排水 积水 裂缝 "
    "渗漏 质量 维修 基金 账目 公开 选举 补贴 奖励 罚款 扣押 查封 违建 拆除 规划 用地 "
    "承包 流转 租金 押金 欠款 借款 利息 担保 保险 理赔 事故 伤残 鉴定 仲裁 调解 诉讼 "
    "律师 证据 材料 照片 录音 视频 发票 收据 协议 通知 公告 文件 政策 标准 程序 期限 "
    "地点 人员 干部 书记 主任 局长 科长 所长 队长 老板 经理 会计 保安 司机 工人 农民 "
    "学生 家长 老人 儿童 病人 医生 护士 教师 银行 商场 超市 餐馆 菜场 市场 网吧 工地 "
    "仓库 码头 车站 机场 高速 隧道 水库 山林 果园 鱼塘 大棚 养殖 种植 化肥 农药 种子 "
    "粮食 蔬菜 水果 猪场 鸡场 牛羊 宠物 装修 漏水 停电 断水 信号 基站 辐射 粉尘 异味 "
    "震动 施工 夜间 凌晨 周末 节假日 电费 水费 燃气费 车位 门禁 监控 路灯 井盖 台阶 "
)
WORDS = _WORD_TEXT.split()
SUBJECTS = {
    "labour": ("拖欠工资", "工伤认定", "社保缴费", "劳动合同"),
    "housing": ("物业纠纷", "房屋质量", "安置房交付", "维修基金"),
    "land": ("承包地调整", "宅基地审批", "征地补偿"),
    "health": ("医疗纠纷", "医保报销"),
    "education": ("入学问题", "学校收费"),
    "environment": ("噪声扰民", "油烟污染", "垃圾堆放"),
}
CLUSTER_TEXTS = (
    "我们是{place}的居民，附近的宏达化工厂长期在夜间偷排废水，河道发黑发臭，鱼虾大量死亡，请求依法查处宏达化工厂偷排废水问题。",
    "反映宏达化工厂夜间偷排废水，导致{place}旁边河道发黑发臭，鱼虾死亡，村民饮水安全受到威胁，恳请依法查处。",
    "{place}附近宏达化工厂偷排废水，每到夜间河道就发黑发臭，鱼虾成片死亡，我们多次反映无果，请求依法查处化工厂。",
    "宏达化工厂在夜间向河道偷排废水，河水发黑发臭、鱼虾死亡，严重影响{place}居民生活，请人大督促有关部门依法查处。",
    "本人住在{place}，宏达化工厂夜里偷偷排放废水，河道发黑发臭，鱼虾都死了，希望依法查处宏达化工厂的偷排行为。",
    "宏达化工厂长期夜间偷排废水，河道发黑发臭，鱼虾大量死亡，{place}群众反映强烈，请求依法查处并恢复河道环境。",
)
SAME_PERSON_TEXT = "我家楼下的烧烤店每天营业到凌晨两点，烟熏火燎，噪声很大，请求城管部门依法处理烧烤店扰民问题。{n}"


def _id_number(rng: random.Random) -> str:
    born = date(1955, 1, 1) + timedelta(days=rng.randrange(365 * 45))
    first17 = f"330109{born:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + id_check_digit(first17)


def poisson(rng: random.Random, lam: float) -> int:
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


@dataclass
class Log:
    """What the generator did, in its own words (the tests' independent answer key)."""

    petitions: list[dict[str, Any]] = field(default_factory=list)  # each registration input + tracking number
    repeats: list[dict[str, Any]] = field(default_factory=list)  # petitions that joined a case
    actions: list[tuple[datetime, str, str, dict[str, Any]]] = field(default_factory=list)  # (at, action, case, params)
    cluster_cases: list[str] = field(default_factory=list)
    same_person_cases: list[str] = field(default_factory=list)

    def done(self, action: str) -> list[tuple[datetime, str, str, dict[str, Any]]]:
        return [a for a in self.actions if a[1] == action]


class Generator:
    """Registers petitions and runs their lifecycles in time order through the service."""

    def __init__(self, office: Office, clock: FakeClock, *, seed: int = 7, scale: float = 1.0) -> None:
        self.office, self.clock, self.rng, self.scale = office, clock, random.Random(seed), scale
        self.log = Log()
        self._queue: list[tuple[datetime, int, Callable[[], None]]] = []
        self._seq = itertools.count()
        self._people = [
            {"name": f"居民{i}", "id_number": _id_number(self.rng), "phone": f"139{i:08d}"} for i in range(400)
        ]

    # --- scheduling -----------------------------------------------------------------------------

    def at(self, when: datetime, job: Callable[[], None]) -> None:
        if when <= NOW:
            heapq.heappush(self._queue, (when, next(self._seq), job))

    def run(self) -> Log:
        self.clock.current = datetime(2025, 3, 1, tzinfo=SHANGHAI)
        self._plan_petitions()
        while self._queue:
            when, _, job = heapq.heappop(self._queue)
            self.clock.current = max(self.clock.current, when)
            job()
        self.clock.current = NOW
        return self.log

    def act(self, when: datetime, action: str, case: str, **params: Any) -> None:
        def job() -> None:
            getattr(self.office, action)(case, **params)
            self.log.actions.append((self.clock.current, action, case, params))

        self.at(when, job)

    # --- petitions ------------------------------------------------------------------------------

    def _moment(self, year: int, month: int) -> datetime:
        days = (date(year + month // 12, month % 12 + 1, 1) - date(year, month, 1)).days
        return datetime(year, month, 1, tzinfo=SHANGHAI) + timedelta(seconds=self.rng.randrange(days * 86400))

    def _text(self) -> str:
        return "，".join(self.rng.sample(WORDS, 24)) + "。"

    def _plan_petitions(self) -> None:
        rng = self.rng
        for year, month in MONTHS:
            for category in (*FLAT_CATEGORIES, RISING):
                lam = 10 * self.scale
                if category == RISING and (year, month) == (2026, 3):
                    lam = 35 * self.scale
                for _ in range(poisson(rng, lam)):
                    self._plan_one(self._moment(year, month), category)
        # The planted cluster: six different petitioners, six cases, one matter.
        places = ("东湖小区", "西溪村", "南岸花园", "北门社区", "红星村", "滨河苑")
        for n, (template, place) in enumerate(zip(CLUSTER_TEXTS, places, strict=True)):
            received = datetime(2026, 3, 3 + 4 * n, 10, 0, tzinfo=SHANGHAI)
            self._plan_one(received, RISING, content=template.format(place=place), subject="化工厂偷排废水",
                           person=self._people[300 + n], tag="cluster")  # fmt: skip
        # One petitioner, four letters about the same barbecue stall: four cases, not a cluster.
        for n in range(4):
            received = datetime(2026, 3, 5 + 5 * n, 15, 0, tzinfo=SHANGHAI)
            self._plan_one(received, RISING, content=SAME_PERSON_TEXT.format(n=n), subject="烧烤店扰民",
                           person=self._people[350], tag="same_person")  # fmt: skip

    def _plan_one(
        self,
        received: datetime,
        category: str,
        *,
        content: str | None = None,
        subject: str | None = None,
        person: dict[str, Any] | None = None,
        tag: str | None = None,
    ) -> None:
        rng = self.rng
        kind = rng.choice(KINDS) if tag is None else "claim"
        channel = rng.choice(CHANNELS) if tag is None else "letter"
        data: dict[str, Any] = {
            "channel": channel,
            "received_at": received.isoformat(),
            "kind": kind,
            "subject": subject or rng.choice(SUBJECTS[category]),
            "content": content or self._text(),
            "category": category,
            "region_code": rng.choice(REGIONS),
            "petitioners": [dict(person or rng.choice(self._people[:300]))],
        }
        roll = rng.random()
        if tag is None and roll < 0.06:
            data["headcount"] = rng.randint(5, 30)
            data["petitioners"][0]["role"] = "representative"
        elif tag is None and roll < 0.09 and channel in ("letter", "online"):
            data["anonymous"] = True
            data.pop("petitioners")
        if kind == "accusation" and rng.random() < 0.7:
            if rng.random() < 0.6:
                data["respondent"] = {"person_name": "某某", "unit_name": None, "body_code": rng.choice(BODIES[:3])}
            else:
                data["respondent"] = {"person_name": "某某", "unit_name": rng.choice(("某街道办事处", "某村委会"))}

        def register() -> None:
            registration = self.office.register(data)
            tracking = registration.petition.tracking_number
            self._resolve_unlisted(registration)
            self.log.petitions.append({**data, "tracking_number": tracking, "case_id": registration.case.id})
            if tag == "cluster":
                self.log.cluster_cases.append(registration.case.id)
            elif tag == "same_person":
                self.log.same_person_cases.append(registration.case.id)
            else:
                self._plan_lifecycle(received, tracking, data)

        self.at(received + timedelta(minutes=30), register)

    def _resolve_unlisted(self, registration: Any) -> None:
        """The clerk confirms that an accused unit no rule pack knows is none of the bodies (so the
        accusation may be referred at all; the guard has nothing to keep it from)."""
        if is_resolved(registration.petition.respondent) or registration.petition.kind.value != "accusation":
            return
        self.office.resolve_respondent(
            registration.case.id, unlisted=True, petition=registration.petition.tracking_number
        )

    # --- lifecycles -------------------------------------------------------------------------------

    def _plan_lifecycle(self, received: datetime, case: str, data: dict[str, Any]) -> None:
        rng = self.rng
        kind = data["kind"]
        day = timedelta(days=1)
        anonymous = data.get("anonymous", False)
        if rng.random() < 0.05 and not anonymous:  # a repeat petition joins this case later
            later = received + rng.randint(5, 40) * day
            repeat = {**data, "received_at": later.isoformat(), "joins_case": case}

            def join() -> None:
                registration = self.office.register(repeat)
                self._resolve_unlisted(registration)
                self.log.repeats.append({**repeat, "tracking_number": registration.petition.tracking_number})

            self.at(later + timedelta(minutes=5), join)
        path = rng.random()
        if path < 0.10:
            channel = rng.choice(("litigation", "arbitration", "other_organ"))
            self.act(received + 2 * day, "decline", case, reason="依法应当通过其他途径解决", channel=channel)
        elif path < 0.25:
            body = "SUPERVISION" if kind == "accusation" else rng.choice(BODIES)
            self.act(received + 3 * day, "transfer", case, body=body, note="请依法处理")
        elif path < 0.45:
            body = "SUPERVISION" if kind == "accusation" else rng.choice(BODIES)
            self.act(received + 3 * day, "assign", case, body=body, note="请依法办理并报告结果")
            fate = rng.random()
            outcome = rng.choice(("support", "explain", "not_support"))
            if fate < 0.5:
                self.act(received + 25 * day, "record_report", case, outcome=outcome, text="已办结")
            elif fate < 0.75:
                self.act(received + 66 * day, "supervise", case, reason="逾期未报送办理结果")
                self.act(received + 80 * day, "record_report", case, outcome=outcome, text="已办结")
        elif path < 0.85 and not anonymous:
            self.act(received + 2 * day, "accept", case)
            start = received + 2 * day
            if kind == "claim" and rng.random() < 0.2:
                self.act(start + 50 * day, "extend", case, days=20, reason="情况复杂", approved_by=DIRECTOR)
                reply_at = start + 70 * day
            else:
                reply_at = start + rng.choice((20, 40, 55, 75)) * day
            self._plan_reply(reply_at, case)
        elif path < 0.85:
            self.act(received + 2 * day, "accept", case)
            self.act(received + 30 * day, "reply", case, outcome="explain", text="已答复")

    def _plan_reply(self, at: datetime, case: str) -> None:
        rng = self.rng
        day = timedelta(days=1)
        outcome = rng.choice(("support", "explain", "not_support", "mediated"))
        self.act(at, "reply", case, outcome=outcome, text="经调查核实，现答复如下。")
        if rng.random() < 0.7:
            rating = rng.choice(("satisfied", "satisfied", "basically_satisfied", "dissatisfied"))
            self.act(at + 5 * day, "evaluate", case, rating=rating)
        if rng.random() < 0.2:
            self.act(at + 10 * day, "request_review", case, reason="不服处理意见", organ="市人大常委会信访室")
            self.act(at + 35 * day, "decide_review", case, outcome="explain", opinion="维持原处理意见")
            if rng.random() < 0.4:
                self.act(at + 45 * day, "request_rereview", case, reason="仍不服", organ="省人大常委会信访局")
                self.act(at + 70 * day, "decide_rereview", case, outcome="not_support", opinion="维持")


def build(office: Office, clock: FakeClock, *, seed: int = 7, scale: float = 1.0) -> Log:
    """Fill ``office`` (empty) with the planted history; return the generator's log."""
    return Generator(office, clock, seed=seed, scale=scale).run()


@dataclass
class Built:
    """An office filled by :func:`build`, with its clock and the generator's log."""

    kind: str
    office: Office
    clock: FakeClock
    log: Log
    url: str | None


def settings_for(url: str | None, **office: Any) -> dict[str, Any]:
    """Office settings with the sample bodies on ``url`` (memory when ``None``; SQLite without fsync)."""
    data = dict(office_settings(**office))
    if url is not None:
        data["database"] = {"url": url}
        data["settings"] = {"sql": {"sqlite_synchronous": "off"}}
    return data
