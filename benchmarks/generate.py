"""Realistic synthetic petitions for benchmarks, as registration dicts (see ``petitionkit.testing.sample_petition``).

Deterministic for a seed and streamed: ``petitions(1_000_000)`` is a generator, never a list.
The mix follows a city People's Congress office (人大信访): the counties of Hangzhou (3301xx),
mostly claims (申诉求决类), letters, visits and online forms; a few percent collective petitions
(集体访, headcount >= 5 with at most 5 representatives) and repeat petitioners (重复信访, the same
ID number again); content of about 800 Chinese characters composed from phrase lists.

Run ``python benchmarks/generate.py 3`` to print three as JSON.
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from petitionkit.domain.identity import id_check_digit

SHANGHAI = timezone(timedelta(hours=8))

# Counties of Hangzhou with rough weights (population).
REGIONS = (
    ("330102", 6),  # 上城区
    ("330105", 6),  # 拱墅区
    ("330106", 7),  # 西湖区
    ("330108", 5),  # 滨江区
    ("330109", 10),  # 萧山区
    ("330110", 9),  # 余杭区
    ("330111", 5),  # 富阳区
    ("330112", 4),  # 临安区
    ("330113", 5),  # 临平区
    ("330114", 4),  # 钱塘区
    ("330122", 2),  # 桐庐县
    ("330127", 2),  # 淳安县
    ("330182", 2),  # 建德市
)
CATEGORIES = (
    ("labour", 18),
    ("housing", 15),
    ("land", 12),
    ("environment", 7),
    ("government_work", 9),
    ("court_work", 6),
    ("public_security", 6),
    ("rural_affairs", 5),
    ("health", 4),
    ("education", 4),
    ("civil_affairs", 4),
    ("transport", 3),
    ("market_regulation", 3),
    ("other", 4),
)
CHANNELS = (("letter", 35), ("visit", 22), ("online", 28), ("phone", 10), ("fax", 2), ("referred_in", 3))
KINDS = (("claim", 72), ("accusation", 14), ("suggestion", 14))

SUBJECTS = {
    "labour": ("拖欠工资问题", "工伤认定争议", "社保缴费年限问题", "劳动合同纠纷"),
    "housing": ("房屋征收补偿问题", "小区物业管理纠纷", "房屋质量问题", "拆迁安置房交付延迟"),
    "land": ("土地承包经营权纠纷", "宅基地审批问题", "征地补偿标准问题"),
    "environment": ("工厂噪声扰民", "河道污染问题", "餐饮油烟污染"),
    "government_work": ("行政审批久拖不决", "政务服务态度问题", "政策落实不到位"),
    "court_work": ("执行案件久拖未结", "对判决结果不服", "立案难问题"),
    "public_security": ("报警后处理不及时", "户口迁移问题", "交通事故处理争议"),
    "rural_affairs": ("村务不公开问题", "农村道路硬化问题", "农田水利设施损坏"),
    "health": ("医疗纠纷处理问题", "医保报销问题"),
    "education": ("子女入学问题", "学校收费问题"),
    "civil_affairs": ("低保资格认定问题", "养老服务问题"),
    "transport": ("公交线路调整建议", "道路施工影响出行"),
    "market_regulation": ("食品安全问题", "消费维权问题"),
    "other": ("对人大代表工作的意见", "其他反映事项"),
}
OPENINGS = (
    "尊敬的人大常委会信访室领导：您好！",
    "尊敬的领导：",
    "县人大常委会：",
    "各位领导好，",
)
FACTS = (
    "本人于前年在某建筑工地务工，工程结束后承包方以各种理由拖欠工资至今未付，",
    "我们小区自交付以来，地下车库多次渗水，墙体出现裂缝，开发商一直推诿，",
    "去年村里在未征求村民意见的情况下对我家承包地进行了调整，补偿款至今没有到位，",
    "附近一家企业长期夜间生产，噪声和气味严重影响周边居民的休息和健康，",
    "我多次到相关部门反映情况，每次都被告知需要等待研究，但始终没有结果，",
    "有关单位在处理过程中存在程序不规范、告知不到位的问题，",
    "我家老人年事已高，生活困难，申请低保时被告知不符合条件，但没有说明理由，",
    "在案件执行过程中，被执行人名下明明有财产，却一直没有采取强制措施，",
    "街道和社区工作人员曾经上门了解情况，并答应尽快协调解决，但后来没有下文，",
    "我们曾经向12345热线反映，也在网上留言，得到的答复都是正在处理中，",
    "据了解，与我情况相同的还有二十多户，大家的诉求基本一致，",
    "相关合同、收据和照片我都保存完好，可以随时提供给有关部门核实，",
)
DEMANDS = (
    "恳请人大常委会依法监督，督促有关部门尽快依法处理。",
    "希望领导能够重视，责成相关部门给予明确答复。",
    "请求依法维护我们的合法权益，按照政策标准给予补偿。",
    "建议有关部门加强监管，杜绝类似问题再次发生。",
    "请求对相关工作人员的违法违纪行为进行调查处理。",
)
CLOSINGS = ("此致敬礼！", "以上情况属实，如有不实愿承担相应责任。", "望予支持，谢谢！")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华志强文军海燕红梅玉兰"
STREETS = ("人民路", "解放路", "文化路", "建设路", "新华路", "工人路", "市心路", "金城路")


def _cumulative(weighted: Sequence[tuple[str, int]]) -> tuple[list[str], list[int]]:
    values, totals, total = [], [], 0
    for value, weight in weighted:
        total += weight
        values.append(value)
        totals.append(total)
    return values, totals


_CUMULATIVE: dict[int, tuple[list[str], list[int]]] = {}


def _pick(rng: random.Random, weighted: Sequence[tuple[str, int]]) -> str:
    values, totals = _CUMULATIVE.get(id(weighted)) or _CUMULATIVE.setdefault(id(weighted), _cumulative(weighted))
    return rng.choices(values, cum_weights=totals)[0]


def id_number(rng: random.Random, region: str) -> str:
    """A valid GB 11643 resident ID number born in ``region``."""
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 55))
    first17 = f"{region}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + id_check_digit(first17)


def _person(rng: random.Random, region: str, role: str = "petitioner", *, with_id: bool = True) -> dict[str, Any]:
    person: dict[str, Any] = {
        "name": rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2)))),
        "phone": f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
        "address": f"杭州市{rng.choice(STREETS)}{rng.randrange(1, 999)}号",
    }
    if role != "petitioner":
        person["role"] = role
    if with_id:
        person["id_number"] = id_number(rng, region)
    return person


def content(rng: random.Random, target: int = 800) -> str:
    """About ``target`` characters of petition text."""
    parts = [rng.choice(OPENINGS)]
    length = len(parts[0])
    while length < target - 60:
        fact = rng.choice(FACTS)
        parts.append(fact)
        length += len(fact)
    parts.append(rng.choice(DEMANDS))
    parts.append(rng.choice(CLOSINGS))
    return "".join(parts)


def petitions(
    count: int,
    *,
    seed: int = 2026,
    start: datetime = datetime(2024, 3, 1, tzinfo=UTC),
    end: datetime = datetime(2026, 3, 1, tzinfo=UTC),
    collective_share: float = 0.03,
    repeat_share: float = 0.04,
    anonymous_share: float = 0.02,
) -> Iterator[dict[str, Any]]:
    """Yield ``count`` registration dicts received between ``start`` and ``end`` (in time order)."""
    rng = random.Random(seed)
    # Texts are composed up front and drawn from a pool: composing 800 characters per petition
    # would cost more than the storage work being measured.
    texts = [content(random.Random(seed * 100_003 + n)) for n in range(4096)]
    span = (end - start).total_seconds()
    frequent: list[dict[str, Any]] = []  # petitioners who come back (重复信访)
    for i in range(count):
        region = _pick(rng, REGIONS)
        category = _pick(rng, CATEGORIES)
        channel = _pick(rng, CHANNELS)
        kind = _pick(rng, KINDS)
        received = (start + timedelta(seconds=span * (i + rng.random()) / count)).astimezone(SHANGHAI)
        data: dict[str, Any] = {
            "channel": channel,
            "received_at": received.isoformat(timespec="seconds"),
            "kind": kind,
            "subject": rng.choice(SUBJECTS[category]),
            "content": rng.choice(texts),
            "category": category,
            "region_code": region,
        }
        roll = rng.random()
        if roll < anonymous_share and channel in ("letter", "online"):
            data["anonymous"] = True
        elif roll < anonymous_share + collective_share:
            headcount = rng.randint(5, 80)
            data["headcount"] = headcount
            data["petitioners"] = [
                _person(rng, region, "representative") for _ in range(rng.randint(1, min(5, headcount)))
            ]
        elif roll < anonymous_share + collective_share + repeat_share and frequent:
            data["petitioners"] = [dict(rng.choice(frequent))]
            data["category"] = category = rng.choice(CATEGORIES[:3])[0]
            data["subject"] = rng.choice(SUBJECTS[category])
        else:
            person = _person(rng, region, with_id=channel == "visit" or rng.random() < 0.8)
            data["petitioners"] = [person]
            if "id_number" in person and len(frequent) < 5000 and rng.random() < 0.05:
                frequent.append(person)
        if kind == "accusation" and rng.random() < 0.6:
            data["respondent"] = {"person_name": rng.choice(SURNAMES) + "某", "unit_name": "某单位"}
        if rng.random() < 0.1:
            data["attachments"] = [{"name": "材料.jpg", "uri": f"file://attachments/{i}.jpg"}]
        yield data


if __name__ == "__main__":
    for item in petitions(int(sys.argv[1]) if len(sys.argv) > 1 else 3):
        print(json.dumps(item, ensure_ascii=False))
