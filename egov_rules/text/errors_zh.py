"""Input errors in Chinese (``--lang zh``): the frame (position, kind, field, expected, suggestion) always,
and the messages the loader and the schema check produce, pattern by pattern.  A message no pattern
knows keeps its English words inside the Chinese frame rather than being guessed at."""

from __future__ import annotations

import re
from collections.abc import Callable

KINDS = {"error": "错误", "invalid input": "输入无效", "limit exceeded": "超出限制", "invalid rule": "规则无效",
         "invalid configuration": "配置无效", "usage": "用法错误", "cannot write output": "无法写入输出",
         "not checked": "未检查"}


def _q(text: str) -> str:
    return f"“{text}”"


def _one_of(values: str) -> str:
    from .labels import value_label

    items = [v.strip() for v in values.split(",") if v.strip()]
    # a value with a label beside it; one without (a configuration key) quoted as it is typed
    return "以下之一：" + "、".join(f"{v}（{value_label(v, 'zh')}）" if value_label(v, "zh") != v else _q(v)
                                 for v in items)


_TYPES = {"a number": "数字", "an integer": "整数", "true or false": "true 或 false", "text": "文本",
          "a date": "日期（YYYY-MM-DD）", "a list": "列表", "a mapping": "映射"}

PATTERNS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"^missing required field '(.+)'$"), lambda m: f"缺少必填字段{_q(m[1])}"),
    (re.compile(r"^missing (\d+) required fields: (.+)$"),
     lambda m: f"缺少 {m[1]} 个必填字段：" + "、".join(_q(f.strip()) for f in m[2].split(","))),
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
    (re.compile(r"^duplicate id '(.+)'(.*)$"), lambda m: f"编号{_q(m[1])}重复{_where_first(m[2])}"),
    (re.compile(r"^duplicate key '(.+)'(.*)$"), lambda m: f"键{_q(m[1])}重复{_where_first(m[2])}"),
    (re.compile(r"^nothing to check: the submission has no projects and names no units_under_review$"),
     lambda m: "没有可检查的内容：报送材料既无项目，也未列明受审查单位"),
    (re.compile(r"^'(.+)' does not name any entity$"), lambda m: f"{_q(m[1])}不是本材料中任何条目的编号"),
    (re.compile(r"^'(.+)' is (.+), but this field must name (.+)$"),
     lambda m: f"{_q(m[1])}是{_entities(m[2])}，但本字段须填写{_entities(m[3])}的编号"),
    (re.compile(r"^(.+) \(raise with (--[a-z-]+)\)$"), lambda m: f"{_limit(m[1])}（可用 {m[2]} 调高）"),
    (re.compile(r"^the top level must be a mapping of entity lists; "
                r"found (an alias|a list|a mapping|a scalar \((.*)\))$", re.S),
     lambda m: "顶层应为由各类条目清单组成的映射，实际为" + _found(m[1], m[2])),
    # the configuration file and --policy (config.py, rulebook.check_parameter)
    (re.compile(r"^configuration file not found$"), lambda m: "找不到配置文件"),
    (re.compile(r"^unknown key '(.+)'$"), lambda m: f"未知的配置项{_q(m[1])}"),
    (re.compile(r"^'(.+)' is not an option of this command$"), lambda m: f"本命令没有{_q(m[1])}这一选项"),
    (re.compile(r"^(file|directory) not found: (.+)$"),
     lambda m: f"找不到{'文件' if m[1] == 'file' else '目录'}：{m[2]}"),
    (re.compile(r"^--policy '(.*)' is not NAME=VALUE$", re.S), lambda m: f"--policy {_q(m[1])}不是“名称=值”的形式"),
    (re.compile(r"^no policy parameter '(.+?)'(?: \(known: (.+)\))?$"),
     lambda m: f"没有名为{_q(m[1])}的政策参数" + (f"（已有：{m[2].replace(', ', '、')}）" if m[2] else "")),
    (re.compile(r"^policy parameter '(.+)' takes a whole number, not (.+)$"),
     lambda m: f"政策参数{_q(m[1])}应为整数，实际为{_got(m[2])}"),
    (re.compile(r"^policy parameter '(.+)' must be between (-?\d+) and (-?\d+), not (.+)$"),
     lambda m: f"政策参数{_q(m[1])}应在 {m[2]} 至 {m[3]} 之间，实际为 {m[4]}"),
    # the command line's own usage errors (cli.py, explain.py)
    (re.compile(r"^no submission files found in (.+)$"), lambda m: f"在 {m[1]} 中没有找到报送材料文件"),
    (re.compile(r"^no rule '(.+)'$"), lambda m: f"没有规则{_q(m[1])}"),
    (re.compile(r"^unknown stage '(.*)'$", re.S), lambda m: f"未知的阶段{_q(m[1])}"),
    (re.compile(r"^nesting depth exceeds (\d+), the most the YAML parser accepts \(--max-depth cannot raise it; "
                r"JSON input has no such cap\)$"),
     lambda m: f"嵌套层数超过 {m[1]}，已达 YAML 解析器的上限（--max-depth 无法调高；JSON 输入没有此上限）"),
]
# the loader's and the checker's limits (``load_errors._limit``, ``deadline``), said before "(raise with --option)"
LIMITS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^file size (\d+) bytes exceeds (\d+)$"), "文件大小为 {0} 字节，超过上限 {1} 字节"),
    (re.compile(r"^file size exceeds (\d+) bytes$"), "文件大小超过 {0} 字节"),
    (re.compile(r"^node count exceeds (\d+)$"), "节点数超过 {0}"),
    (re.compile(r"^entity count exceeds (\d+)$"), "条目数超过 {0}"),
    (re.compile(r"^loading took longer than ([\d.]+) s$"), "读取超过 {0} 秒"),
    (re.compile(r"^nesting depth exceeds (\d+)$"), "嵌套层数超过 {0}"),
    (re.compile(r"^alias uses exceed (\d+)$"), "别名引用次数超过 {0}"),
    (re.compile(r"^field paths \(JSON pointers\) total more than (\d+) x (\d+) characters: keys too long or "
                r"nested too deep$"), "字段路径总长超过 {0}×{1} 个字符：键名过长或嵌套过深"),
    (re.compile(r"^checking took longer than the time limit of ([\d.]+) s$"), "检查超过时限 {0} 秒"),
]
EXPECTED = {
    "the field to be given": "应填写该字段",
    "every required field of this block (null where unknown; egov-rules schema submission lists them)":
        "本段的全部必填字段（未知的请填空值）",
    "a field the schema defines": "本格式定义的字段",
    "a readable YAML or JSON file": "可读取的 YAML 或 JSON 文件",
    "an id not used by any other entity of the document": "本材料中其他条目未使用的编号",
    "projects[] or submission.units_under_review": "项目清单或受审查单位",
    "each item at most once": "每项最多出现一次",
    "a mapping such as 'submission: {...}'": "由报送信息和各类条目清单组成的映射",
    "a readable YAML file": "可读取的 YAML 文件",
    "only options the command has": "本命令具有的选项",
    "a policy parameter of the rulebook and a whole number in its range (egov-rules rules params)":
        "规则库的政策参数，取值为其范围内的整数（egov-rules rules params 可列出）",
    "NAME=VALUE, e.g. art31_answer_days=15": "“名称=值”，如 art31_answer_days=15",
    "an existing file (relative to the configuration file)": "已存在的文件（相对于配置文件所在位置）",
    "an existing directory (relative to the configuration file)": "已存在的目录（相对于配置文件所在位置）",
    "a mapping of configuration keys such as 'fail-on: warning'": "由配置项组成的映射（如 fail-on: warning）",
    "the id of a rule (egov-rules rules list)": "规则编号（egov-rules rules list 可列出全部规则）",
}


# where a duplicate was seen first (the tail of a duplicate id's or key's message)
FIRST_SEEN: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^: already used at (\S+) \(line (\d+), column (\d+)\)$"), "，已用于 {0}（第 {1} 行第 {2} 列）"),
    (re.compile(r"^ \(first at line (\d+), again at line (\d+)\)$"), "（首次出现于第 {0} 行，再次出现于第 {1} 行）"),
    (re.compile(r"^ in the registry: already used at (.+)$"), "：登记库中已用于 {0}"),
]


def _where_first(tail: str) -> str:
    for pattern, words in FIRST_SEEN:
        m = pattern.match(tail)
        if m:
            return words.format(*m.groups())
    return tail


def _found(kind: str, scalar: str | None) -> str:
    if scalar is not None:
        return f"单个值（{scalar}）"
    return {"an alias": "别名引用", "a list": "列表", "a mapping": "映射"}[kind]


def _limit(what: str) -> str:
    for pattern, words in LIMITS:
        m = pattern.match(what)
        if m:
            return words.format(*m.groups())
    return what


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


def _entities(english: str) -> str:
    """``unit or authority`` (English entity labels, as validate says them) -> 应用单位或主管机关."""
    from .labels import entity_label, entity_types

    zh = {entity_label(e): entity_label(e, "zh") for e in entity_types()}
    return "或".join(zh.get(part, part) for part in english.split(" or "))


def expected_zh(expected: str) -> str:
    if expected in EXPECTED:
        return EXPECTED[expected]
    m = re.match(r"^the id of (.+)$", expected)
    if m:
        return f"{_entities(m[1])}的编号"
    m = re.match(r"^one of (.+)$", expected)
    if m:
        return _one_of(m[1])
    return expected


def limit_option(field: str | None) -> str | None:
    """``max_bytes`` -> ``--max-bytes``: the option a limit's error names as its field."""
    from ..input.load import Limits

    return Limits.OPTIONS.get(field or "")


def field_label_zh(pointer: str) -> str:
    """``/projects/0/hosting/data_centre`` -> 部署数据中心 (the field's Chinese label), or "" if unknown.
    A workbook also names ``components/kind`` (a child sheet's column) and ``project_id`` (a parent's id)."""
    from ..input.layout import spec_by_key
    from .labels import entity_label, entity_types, field_label

    parts = [p for p in pointer.split("/") if p]
    if not parts:
        return ""
    entity = {coll: ent for ent, coll in entity_types().items()}.get(parts[0])
    prefix = ""
    if entity is None:
        spec = spec_by_key().get(parts[0]) if not pointer.startswith("/") else None
        if spec is not None and spec.item_path:
            entity, prefix, parts = spec.entity, spec.item_path + ".", ["", *parts]
        elif len(parts) == 1 and parts[0].endswith("_id") and parts[0][:-3] in entity_types():
            return entity_label(parts[0][:-3], "zh") + "编号"
        else:
            return ""
    rest = parts[2:] if entity != "submission" else parts[1:]
    path = prefix + ".".join(p if not p.isdigit() else "" for p in rest).replace("..", "[].").strip(".")
    if not path:
        return ""
    for candidate in (path, path + "[]"):
        label = field_label(entity, candidate, "zh")
        if label != candidate.rsplit(".", 1)[-1].removesuffix("[]").replace("_", " "):
            return label
    return ""
