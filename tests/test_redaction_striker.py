"""The striker compiles only the values that can occur in a text (issue 21) and still strikes them all."""

from __future__ import annotations

from petitionkit.domain.model import Person
from petitionkit.redaction import STRUCK, Striker

ZHANG = Person(
    "张三丰", id_number="330106198001011234", phone="13800138000", address="西湖区文三路1号", email="Zs@Example.com"
)


def test_values_are_struck_in_either_width_spaced_and_in_any_case() -> None:
    strike = Striker.hiding([ZHANG])
    text = "来信人张三丰，身份证３３０１０６ 1980 0101 1234，住西湖区文三路1号，邮箱 zs@example.COM。"
    struck = strike(text)
    for piece in ("张三丰", "３３０１０６", "1234", "文三路", "example"):
        assert piece not in struck
    assert struck.count(STRUCK) >= 4


def test_a_text_without_the_people_keeps_its_words_and_loses_identity_shapes() -> None:
    strike = Striker.hiding([ZHANG])
    text = "关于小区停车难的问题，联系电话13912345678。"
    assert strike(text) == f"关于小区停车难的问题，联系电话{STRUCK}。"


def test_nobody_hidden_strikes_nothing_unless_shapes_are_asked_for() -> None:
    assert Striker.hiding([])("张三丰 13912345678") == "张三丰 13912345678"
    assert Striker.hiding([], shapes=True)("张三丰 13912345678") == f"张三丰 {STRUCK}"
