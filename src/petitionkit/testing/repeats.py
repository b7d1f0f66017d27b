"""A generated intake stream with known repeats (重复信访), for repeat detection's tests and benchmark.

People raise matters; some raise the same matter again (a *repeat*) with the variations real intake
shows: the phone with ``+86`` or in full-width digits, the ID number with a lower-case ``x`` or in
full-width digits, the ID number left out (name and phone only), a letter with name and address only,
the content reworded, another category chosen by another clerk, the respondent left out.  The hard
negatives are there too: one person raising several different matters (often the same category and
region), relatives sharing a phone, and different people raising the same kind of matter.

Every petition carries ``matter`` (the true matter's id) and ``person`` in :attr:`IntakePetition`,
so a test can score candidates against the truth.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import attrs

from petitionkit.domain.identity import id_check_digit

_FULL = str.maketrans("0123456789+X", "０１２３４５６７８９＋Ｘ")

# Matter templates: category, respondent kinds, and paraphrases with slots ({unit}, {n}, {place}).
_MATTERS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "labour",
        "{company}",
        (
            "拖欠工资|本人在{company}承建的{place}工地务工，被拖欠工资{n}个月，多次讨要未果，请求依法处理。",
            "工钱被拖欠|我在{place}工地给{company}干活，{n}个月的工钱一直没有发，老板推脱不给，请帮忙讨要工资。",
            "讨要欠薪|{company}至今拖欠我{n}个月工资，我在{place}工地干活，找了多次没有结果，恳请督促支付。",
        ),
    ),
    (
        "land",
        "{township}人民政府",
        (
            "征地补偿不到位|{place}村集体土地被征收，{township}承诺的补偿款{n}万元至今没有足额发放，请求落实补偿。",
            "土地征收补偿款未发|我家在{place}村的承包地被征用，补偿款{n}万元没有到位，{township}一直拖延，请求督促发放。",
            "征地款问题|{township}征收{place}村土地后，应付给我家的{n}万元补偿没有兑现，请人大督促政府依法补偿。",
        ),
    ),
    (
        "housing",
        "{company}",
        (
            "房屋质量问题|{place}小区由{company}开发，交房后墙体开裂、屋顶漏水，多次报修无人处理，请求督促维修。",
            "新房漏水开裂|我买的{place}小区房子漏水严重、墙面开裂，开发商{company}不管不问，请求协调解决维修问题。",
            "商品房质量差|{company}开发的{place}小区住房出现裂缝和漏雨，业主反映{n}次仍未维修，请求依法督促整改。",
        ),
    ),
    (
        "environment",
        "{company}",
        (
            "工厂噪音扰民|{place}附近的{company}夜间生产噪音很大，影响周边居民休息，请求责令整改。",
            "噪声污染|{company}在{place}的厂房晚上机器轰鸣，居民睡不好觉，反映{n}次没人管，请求处理噪声污染。",
            "夜间施工生产噪音|{place}的{company}每天夜里开工，噪音严重扰民，请求环保部门查处。",
        ),
    ),
    (
        "environment",
        "{company}",
        (
            "企业排污污染河道|{company}向{place}河道直接排放污水，河水发黑发臭，鱼虾死亡，请求查处。",
            "河水被污染|{place}的小河被{company}排出的废水污染，水又黑又臭，请求环保部门调查处理。",
            "偷排污水|{company}夜间偷排废水进入{place}河道，造成严重污染，请求依法查处排污企业。",
        ),
    ),
    (
        "labour",
        "{township}社会保障所",
        (
            "养老保险待遇|本人{n}岁，按规定应领取养老金，{township}社保所以材料不全为由一直不予办理，请求核查。",
            "养老金办不下来|我到了领取养老金的年龄，去{township}社保所办了{n}次都说材料不全，请帮忙解决养老保险问题。",
            "退休养老金未发放|{township}社会保障所拖着不给我办理养老保险待遇，已经{n}个月没有领到养老金，请求督办。",
        ),
    ),
    (
        "public_security",
        "{township}派出所",
        (
            "报案不立案|我家在{place}被盗，损失{n}千元，向{township}派出所报案后一直不立案，请求督促侦查。",
            "被盗案件无人处理|{place}家中失窃{n}千元，{township}派出所接警后没有调查，请求人大监督公安机关依法办案。",
            "盗窃案件久拖不办|我在{place}的住所被盗，{township}派出所收了报案却不立案不侦查，请求督促办理。",
        ),
    ),
    (
        "court_work",
        "县人民法院",
        (
            "判决执行难|本人与{company}的合同纠纷已经判决，对方拒不履行{n}万元，县法院执行不力，请求监督。",
            "法院执行不到位|县法院判决{company}支付我{n}万元，到现在一分钱没执行到，请求督促法院加大执行力度。",
            "胜诉后拿不到钱|我起诉{company}胜诉了，可是{n}万元判决款迟迟执行不了，恳请人大监督法院执行。",
        ),
    ),
    (
        "education",
        "{township}中心学校",
        (
            "子女入学难|孩子户籍在{place}，{township}中心学校以学位不足为由拒绝入学，请求解决就近入学。",
            "孩子上学被拒|我家孩子在{place}住，到{township}中心学校报名被拒，说没有学位，请帮助解决孩子上学问题。",
            "义务教育入学问题|{township}中心学校不让{place}的适龄儿童入学，请求教育部门保障孩子接受义务教育。",
        ),
    ),
    (
        "transport",
        "县交通运输局",
        (
            "道路损坏未修|{place}通村公路损坏严重，坑洼积水，村民出行困难，已反映{n}次，请求维修。",
            "村道坑洼难行|{place}的通村路破烂不堪，下雨全是积水，群众出行很不方便，请求交通部门尽快修路。",
            "公路年久失修|通往{place}的公路多处塌陷，{n}年没有修过，存在安全隐患，请求安排维修。",
        ),
    ),
    (
        "market_regulation",
        "{company}",
        (
            "预付卡退费|{company}突然关门，我在{place}办的预付卡还有{n}千元没用完，商家拒不退款，请求处理。",
            "办卡后商家跑路|{place}的{company}办卡时承诺随时退费，现在停业了，卡里{n}千元退不了，请市场监管部门处理。",
            "预付费消费纠纷|{company}收了我{n}千元预付款后停业，{place}门店已经关闭，请求督促退还预付款。",
        ),
    ),
    (
        "rural_affairs",
        "{company}",
        (
            "假种子坑农|从{company}买的玉米种子出苗率很低，{place}{n}亩地几乎绝收，请求调查赔偿。",
            "买到劣质种子|我在{company}买的种子不发芽，{place}种了{n}亩基本没收成，请求农业部门查处并赔偿损失。",
            "种子质量问题|{company}销售的种子有问题，导致{place}农户{n}亩庄稼减产绝收，请求依法处理。",
        ),
    ),
)
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国红梅玉兰志强文博海燕春花德明金凤"
_TOWNSHIPS = ("城关镇", "东湖镇", "西山乡", "南塘镇", "北岭乡", "青石镇", "白沙乡", "桃源镇", "双河镇", "龙泉乡")
_PLACES = ("幸福", "和平", "光明", "红旗", "新民", "团结", "胜利", "长安", "永丰", "富强", "金星", "前进")
_COMPANIES = ("宏达建筑公司", "鑫源实业公司", "恒泰房地产公司", "绿源化工厂", "大华机械厂", "万家乐超市",
              "金禾种业公司", "顺发物流公司", "华美健身会所", "天成置业公司", "远航建材厂", "康宁美容院")  # fmt: skip
_REGIONS = ("330109", "330110", "330111", "330112", "330113")


@attrs.frozen
class IntakePetition:
    """One generated petition: the registration input and the truth about it."""

    data: dict[str, Any]
    person: int
    matter: int
    repeat: bool  # the person raised this matter before


@attrs.define
class _Person:
    index: int
    name: str
    id_number: str | None
    phone: str
    address: str
    region: str


@attrs.define
class _Matter:
    index: int
    person: _Person
    template: int
    category: str
    respondent: str | None
    slots: dict[str, str]
    region: str


def _id_number(rng: random.Random, region: str, force_x: bool) -> str:
    while True:
        first17 = f"{region}{rng.randint(1950, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        first17 += f"{rng.randint(0, 999):03d}"
        check = id_check_digit(first17)
        if (check == "X") == force_x:
            return first17 + check


def _slots(rng: random.Random) -> dict[str, str]:
    return {
        "company": rng.choice(_COMPANIES),
        "township": rng.choice(_TOWNSHIPS),
        "place": rng.choice(_PLACES),
        "n": str(rng.randint(2, 9)),
    }


def intake_stream(
    people: int = 300, *, seed: int = 7, repeat_share: float = 0.25, received: str = "2026-03-02T09:00:00+08:00"
) -> Iterator[IntakePetition]:
    """Petitions in registration order: each person's matters, and repeats of some of them.

    About ``repeat_share`` of the matters are raised again (once or twice), with variations.
    """
    rng = random.Random(seed)
    persons: list[_Person] = []
    for i in range(people):
        region = rng.choice(_REGIONS)
        persons.append(
            _Person(
                i,
                rng.choice(_SURNAMES) + rng.choice(_GIVEN) + rng.choice(["", *_GIVEN]),
                _id_number(rng, region, force_x=rng.random() < 0.3) if rng.random() < 0.8 else None,
                f"1{rng.choice('3578')}{rng.randint(0, 999_999_999):09d}",
                f"{rng.choice(_TOWNSHIPS)}{rng.choice(_PLACES)}村{rng.randint(1, 12)}组{rng.randint(1, 60)}号",
                region,
            )
        )
    # relatives share a phone (a hard negative: the same phone, another person, another matter)
    for person in rng.sample(persons, people // 10):
        relative = rng.choice(persons)
        if relative is not person:
            relative.phone = person.phone
    matters: list[_Matter] = []
    for person in persons:
        count = rng.choices((1, 2, 3), weights=(5, 3, 2))[0]
        # several matters of one person often share the category (a hard negative: another matter of
        # the same category, e.g. unpaid wages and a pension refused, both "labour")
        templates = rng.sample(range(len(_MATTERS)), count)
        if count > 1 and rng.random() < 0.5:
            same = [t for t, m in enumerate(_MATTERS) if m[0] == _MATTERS[templates[0]][0] and t != templates[0]]
            if same:
                templates[1] = rng.choice(same)
        for template in templates:
            category, respondent, _ = _MATTERS[template]
            slots = _slots(rng)
            matters.append(
                _Matter(
                    len(matters),
                    person,
                    template,
                    category,
                    respondent.format(**slots) if rng.random() < 0.8 else None,
                    slots,
                    person.region if rng.random() < 0.9 else rng.choice(_REGIONS),
                )
            )
    events: list[tuple[_Matter, bool]] = [(m, False) for m in matters]
    for matter in rng.sample(matters, int(len(matters) * repeat_share)):
        events.extend((matter, True) for _ in range(rng.choice((1, 1, 2))))
    rng.shuffle(events)
    seen: set[int] = set()
    for matter, _ in events:
        repeat = matter.index in seen
        seen.add(matter.index)
        yield IntakePetition(_petition(rng, matter, repeat, received), matter.person.index, matter.index, repeat)


def _petition(rng: random.Random, matter: _Matter, repeat: bool, received: str) -> dict[str, Any]:
    person = matter.person
    _, _, phrasings = _MATTERS[matter.template]
    text = phrasings[rng.randrange(len(phrasings))] if repeat else phrasings[0]
    subject, content = text.format(**matter.slots).split("|")
    petitioner: dict[str, Any] = {"name": person.name, "phone": person.phone, "address": person.address}
    if person.id_number:
        petitioner["id_number"] = person.id_number
    category = matter.category
    respondent = matter.respondent
    if repeat:
        variation = rng.randrange(8)
        if variation == 0:
            petitioner["phone"] = "+86 " + person.phone
        elif variation == 1:
            petitioner["phone"] = person.phone.translate(_FULL)
            if person.id_number:
                petitioner["id_number"] = person.id_number.translate(_FULL)
        elif variation == 2 and person.id_number:
            petitioner["id_number"] = person.id_number.lower()
        elif variation == 3:
            petitioner.pop("id_number", None)  # a call: name and phone only
        elif variation == 4:
            petitioner = {"name": person.name, "address": person.address}  # a letter: name and address
        elif variation == 5:
            category = "other" if category != "other" else "labour"  # another clerk's category
        elif variation == 6:
            respondent = None
    data: dict[str, Any] = {
        "channel": "letter",
        "received_at": received,
        "kind": "claim",
        "subject": subject,
        "content": content,
        "category": category,
        "region_code": matter.region,
        "petitioners": [petitioner],
    }
    if respondent:
        data["respondent"] = {"unit_name": respondent}
    return data


@attrs.frozen
class RepeatMeasure:
    """Recall and precision of repeat detection over a stream (pairs: a petition and a candidate case)."""

    positives: int  # repeats whose matter already had a case
    found: int  # ... whose case was among the candidates
    flagged: int  # candidate cases shown, in all
    right: int  # ... that were the petition's own matter

    @property
    def recall(self) -> float:
        return self.found / self.positives if self.positives else 1.0

    @property
    def precision(self) -> float:
        return self.right / self.flagged if self.flagged else 1.0


def measure_repeats(office: Any, stream: Iterator[IntakePetition] | list[IntakePetition]) -> RepeatMeasure:
    """Register ``stream`` as a clerk would, scoring every candidate shown against the truth.

    Each petition is checked (``check_repeats``); the clerk joins its matter's case when it is shown,
    else registers a new matter (with a reason when candidates were shown).
    """
    case_matter: dict[str, int] = {}
    matter_case: dict[int, str] = {}
    positives = found = flagged = right = 0
    for item in stream:
        candidates = office.check_repeats(item.data)
        flagged += len(candidates)
        right += sum(1 for c in candidates if case_matter.get(c.case.id) == item.matter)
        own = matter_case.get(item.matter)
        if own is not None:
            positives += 1
            found += any(c.case.id == own for c in candidates)
        if own is not None and any(c.case.id == own for c in candidates):
            office.register({**item.data, "joins_case": own})
            continue
        reason = "另一事项" if candidates else None
        registration = office.register(item.data, new_reason=reason)
        case_matter[registration.case.id] = item.matter
        matter_case.setdefault(item.matter, registration.case.id)
    return RepeatMeasure(positives, found, flagged, right)
