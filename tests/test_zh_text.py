"""Chinese typesetting of rule texts (egov_rules/text/zh.py): fixed parts tidied, values from the file untouched."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from egov_rules.text.zh import tidy_zh, tidy_zh_parts, zh_punct, zh_terms

VALUE = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\ue000\ue001\ue002\ue003"),
                min_size=1, max_size=30).filter(lambda v: v.strip() == v and v.strip())


@given(st.lists(VALUE, min_size=1, max_size=4))
def test_values_from_the_submission_come_out_exactly_as_given(values: list[str]) -> None:
    parts: list[tuple[str, bool]] = []
    for v in values:
        parts += [("项目 ", False), (v, True), (" 拟对, 数据中心 ", False)]
    out = tidy_zh_parts(parts)
    for v in values:
        assert v in out


def test_fixed_parts_lose_folded_spaces_and_take_full_width_punctuation() -> None:
    out = tidy_zh_parts([("项目 ", False), ("泉州平台（prj.1）", True), (" 拟对数据中心 进行 ", False), ("自建", True),
                         (", 但没有 批准 (类型为数据中心).", False)])
    assert out == "项目泉州平台（prj.1）拟对数据中心进行自建，但没有批准（类型为数据中心）."
    # an id in Latin letters keeps its spaces; a name with brackets of its own keeps them as given
    assert tidy_zh_parts([("采集事项 ", False), ("ci.33", True), (" 再次", False)]) == "采集事项 ci.33 再次"
    assert tidy_zh_parts([("平台 ", False), ("宁德APP (whether it moves to 闽政通)", True), (" 未整合", False)]) \
        == "平台宁德APP (whether it moves to 闽政通) 未整合"


def test_codes_in_rule_texts_are_put_into_words() -> None:
    text = tidy_zh(zh_terms("并记录为符合（cloud_backup_compliant 为 true）；integration_status 设为 planned 或 n/a"))
    assert text == "并记录为符合（「符合云备份规范」为“是”）；「整合状态」设为规划中或不涉及"
    assert zh_terms("{project.id} 的 B-review") == "{project.id} 的 需审查的B类"


# The regexes tidy_zh used before it tested code points (compiling their wide classes cost every start
# ~8 ms); the rewrite must do exactly what they did, on any text.
_CJK = "\u2018-\u201d\u3000-\u303f\u4e00-\u9fff\uff00-\uffef\ue000\ue001"
_OLD_SPACE_IN_CJK = re.compile(f"(?<=[{_CJK}])[ \t\n]+(?=[{_CJK}])")
_OLD_PUNCT_AFTER_CJK = re.compile(f"(?<=[{_CJK}])[ \t]*([,;:!?])[ \t]*")
_OLD_HALF_PARENS = re.compile("\\(([^()\ue000-\ue003]*[\u4e00-\u9fff][^()\ue000-\ue003]*)\\)")
_FULL = {",": "，", ";": "；", ":": "：", "!": "！", "?": "？"}


def _old_tidy_zh(text: str) -> str:
    text = _OLD_HALF_PARENS.sub(lambda m: f"（{m.group(1).strip()}）", text)
    text = _OLD_SPACE_IN_CJK.sub("", text)
    text = _OLD_PUNCT_AFTER_CJK.sub(lambda m: _FULL[m.group(1)], text)
    return text.strip()


# each edge of every range, its neighbours outside, blanks, the punctuation, parentheses and the marks
_EDGES = "".join(chr(c) for lo, hi in ((0x2018, 0x201D), (0x3000, 0x303F), (0x4E00, 0x9FFF), (0xFF00, 0xFFEF),
                                       (0xE000, 0xE003)) for c in (lo - 1, lo, hi, hi + 1))
TIDY_TEXT = st.text(st.sampled_from(list(_EDGES + "中文数据（）() \t\n\r,;:!?，a1.-")), max_size=40)


@given(TIDY_TEXT)
def test_tidy_zh_does_what_the_regexes_it_replaces_did(text: str) -> None:
    assert tidy_zh(text) == _old_tidy_zh(text)
    assert zh_punct(text) == "\n".join(_OLD_PUNCT_AFTER_CJK.sub(lambda m: _FULL[m.group(1)], line)
                                       for line in text.split("\n"))


def test_tidy_zh_examples_of_each_rule() -> None:
    assert tidy_zh("数据 中心 (自建) , 未批准 ;") == "数据中心（自建），未批准；"
    assert tidy_zh("data centre (self-built), ok") == "data centre (self-built), ok"
    assert tidy_zh("中 a 中 (x) 中") == "中 a 中 (x) 中"
