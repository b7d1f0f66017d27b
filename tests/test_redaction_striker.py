"""The striker compiles only the values that can occur in a text (issue 21) and still strikes them all."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from petitionkit import redaction
from petitionkit.domain.model import Person
from petitionkit.redaction import STRUCK, Striker, strike_shapes

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


# --- identity shapes: the fast path strikes exactly what the one pattern strikes (issue 21) -------------

# Digits of both widths and of another script, separators, the letters of an ID number's check digit,
# both at signs, e-mail characters and Chinese: where a digit run starts, ends or is cut matters.
_SHAPE_CHARS = "0123456789０１３８９٣ -－_·./xXＸｘ@＠.+ab中文，\n\t"


@given(st.text(alphabet=_SHAPE_CHARS, max_size=60))
@settings(max_examples=1500, deadline=None)
def test_strike_shapes_strikes_what_the_shapes_pattern_strikes(text: str) -> None:
    assert strike_shapes(text) == redaction._SHAPES_ANY_CASE.sub(STRUCK, text)


@given(
    st.lists(
        st.one_of(
            st.from_regex(r"1[3-9]\d{9}", fullmatch=True),
            st.from_regex(r"\d{17}[\dxX]", fullmatch=True),
            st.from_regex(r"\d{1,20}", fullmatch=True),
            st.text(alphabet=_SHAPE_CHARS, max_size=8),
        ),
        max_size=8,
    )
)
@settings(max_examples=1000, deadline=None)
def test_strike_shapes_on_numbers_next_to_each_other(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert strike_shapes(text) == redaction._SHAPES_ANY_CASE.sub(STRUCK, text)


def test_strike_shapes_keeps_a_text_without_digits_or_at_signs_and_strikes_the_rest() -> None:
    assert strike_shapes("关于小区停车难的问题") == "关于小区停车难的问题"
    assert strike_shapes("电话１３９ 1234 5678，身份证33010619800101123x") == f"电话{STRUCK}，身份证{STRUCK}"
    assert strike_shapes("邮箱 zs＠example.com 电话13912345678") == f"邮箱 {STRUCK} 电话{STRUCK}"
