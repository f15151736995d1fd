"""Input errors in Chinese (``--lang zh``): the frame (position, kind, field, expected, suggestion) always,
and the messages the loader and the schema check produce, pattern by pattern.  A message no pattern
knows keeps its English words inside the Chinese frame rather than being guessed at."""

from __future__ import annotations

import re
from collections.abc import Callable

KINDS = {"error": "错误", "invalid input": "输入无效", "limit exceeded": "超出限制", "invalid rule": "规则无效",
         "invalid configuration": "配置无效", "usage": "用法错误"}


def _q(text: str) -> str:
    return f"“{text}”"


def _one_of(values: str) -> str:
    from .labels import value_label

    items = [v.strip() for v in values.split(",") if v.strip()]
    return "以下之一：" + "、".join(f"{v}（{value_label(v, 'zh')}）" for v in items)


_TYPES = {"a number": "数字", "an integer": "整数", "true or false": "true 或 false", "text": "文本",
          "a date": "日期（YYYY-MM-DD）", "a list": "列表", "a mapping": "映射"}

PATTERNS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"^missing required field '(.+)'$"), lambda m: f"缺少必填字段{_q(m[1])}"),
    (re.compile(r"^unknown field '(.+)'$"), lambda m: f"未知字段{_q(m[1])}"),
    (re.compile(r"^'(.+)' is not a real calendar date$"), lambda m: f"{_q(m[1])}不是有效的日期"),
    (re.compile(r"^expected one of: (.+), got (?:the string )?'(.*)'$"),
     lambda m: f"应为{_one_of(m[1])}，实际为{_q(m[2])}"),
    (re.compile(r"^expected (a number|an integer|true or false|text|a date|a list|a mapping), "
                r"got (?:the string )?(.+)$"),
     lambda m: f"应为{_TYPES[m[1]]}，实际为{_got(m[2])}"),
    (re.compile(r"^missing field '(\w+)' in region: a unit at (\w+) level must name its (\w+)$"),
     lambda m: f"行政区域缺少字段{_q(m[1])}：{_level(m[2])}单位须填写其{_region_part(m[3])}"),
    (re.compile(r"^missing field '(\w+)' in region: (.+)$"), lambda m: f"行政区域缺少字段{_q(m[1])}"),
    (re.compile(r"^invalid YAML syntax: (.+)$"), lambda m: f"YAML 语法错误（{m[1]}）"),
    (re.compile(r"^invalid JSON syntax: (.+)$"), lambda m: f"JSON 语法错误（{m[1]}）"),
    (re.compile(r"^file not found$"), lambda m: "文件不存在"),
    (re.compile(r"^permission denied$"), lambda m: "无权读取该文件"),
    (re.compile(r"^is a directory, not a file$"), lambda m: "这是目录，不是文件"),
    (re.compile(r"^cannot read (?:file|input): (.+)$"), lambda m: f"无法读取（{m[1]}）"),
    (re.compile(r"^duplicate id '(.+)'(.*)$"), lambda m: f"编号{_q(m[1])}重复{m[2]}"),
    (re.compile(r"^duplicate key '(.+)'(.*)$"), lambda m: f"键{_q(m[1])}重复{m[2]}"),
    (re.compile(r"^nothing to check: the submission has no projects and names no units_under_review$"),
     lambda m: "没有可检查的内容：报送材料既无项目，也未列明受审查单位"),
]
EXPECTED = {
    "the field to be given": "应填写该字段",
    "a field the schema defines": "本格式定义的字段",
    "a readable YAML or JSON file": "可读取的 YAML 或 JSON 文件",
    "an id not used by any other entity of the document": "本材料中其他条目未使用的编号",
    "projects[] or submission.units_under_review": "项目清单或受审查单位",
    "each item at most once": "每项最多出现一次",
}


def _got(text: str) -> str:
    text = text.replace("the string ", "")
    return _q(text[1:-1]) if len(text) >= 2 and text[0] == text[-1] == "'" else text


def _level(code: str) -> str:
    return {"county": "县级", "municipal": "设区市级", "provincial": "省级"}.get(code, code)


def _region_part(code: str) -> str:
    return {"city": "设区市", "county": "县（市、区）"}.get(code, code)


def message_zh(message: str) -> str:
    for pattern, words in PATTERNS:
        m = pattern.match(message)
        if m:
            return words(m)
    return message


def expected_zh(expected: str) -> str:
    if expected in EXPECTED:
        return EXPECTED[expected]
    m = re.match(r"^one of (.+)$", expected)
    if m:
        return _one_of(m[1])
    return expected


def field_label_zh(pointer: str) -> str:
    """``/projects/0/hosting/data_centre`` -> 部署数据中心 (the field's Chinese label), or "" if unknown."""
    from .labels import entity_types, field_label

    parts = [p for p in pointer.split("/") if p]
    if not parts:
        return ""
    entity = {coll: ent for ent, coll in entity_types().items()}.get(parts[0])
    if entity is None:
        return ""
    rest = parts[2:] if entity != "submission" else parts[1:]
    path = ".".join(p if not p.isdigit() else "" for p in rest).replace("..", "[].").strip(".")
    if not path:
        return ""
    for candidate in (path, path + "[]"):
        label = field_label(entity, candidate, "zh")
        if label != candidate.rsplit(".", 1)[-1].removesuffix("[]").replace("_", " "):
            return label
    return ""
