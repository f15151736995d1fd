"""Chinese typesetting of rule texts (egov_rules/zh.py): fixed parts tidied, values from the file untouched."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from egov_rules.zh import tidy_zh, tidy_zh_parts, zh_terms

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
