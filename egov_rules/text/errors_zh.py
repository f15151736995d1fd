"""Input errors in Chinese (``--lang zh``): the frame (position, kind, field, expected, suggestion) always,
and the messages the loader, the schema check, the configuration and the checker produce, pattern by pattern
(the parsers' syntax details: ``syntax_zh``).  A message no pattern knows keeps its English words inside the
Chinese frame rather than being guessed at; baseline, waiver, registry and account errors are ``Wording``s in
the modules that raise them."""

from __future__ import annotations

import re
from collections.abc import Callable

from .syntax_zh import SYNTAX, os_error_zh, unknown_zh, yaml_syntax_zh
from .syntax_zh import quote as _q
from .values_zh import expected_got_zh, got_zh, kind_zh
from .values_zh import one_of as _one_of

KINDS = {"error": "错误", "invalid input": "输入无效", "limit exceeded": "超出限制", "invalid rule": "规则无效",
         "invalid configuration": "配置无效", "usage": "用法错误", "cannot write output": "无法写入输出",
         "not checked": "未检查"}


PATTERNS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"^missing required field '(.+)'$"), lambda m: f"缺少必填字段{_q(m[1])}"),
    (re.compile(r"^missing (\d+) required fields: (.+)$"),
     lambda m: f"缺少 {m[1]} 个必填字段：" + "、".join(_q(f.strip()) for f in m[2].split(","))),
    (re.compile(r"^unknown field '(.+)'$"), lambda m: f"未知字段{_q(m[1])}"),
    (re.compile(r"^'(.+)' is not a real calendar date$"), lambda m: f"{_q(m[1])}不是有效的日期"),
    (re.compile(r"^missing field '(\w+)', required when (\w+) is ('[^']*'|true)( \(null if .*\))?$"),
     lambda m: f"缺少字段{_q(m[1])}：{_q(m[2])}为{_value(m[3])}时必须填写" + ("（不确定时可填空值）" if m[4] else "")),
    (re.compile(r"^duplicate item (.+): the same as item (\d+)$", re.S),
     lambda m: f"重复的项{got_zh(m[1])}：与第 {int(m[2]) + 1} 项相同"),
    (re.compile(r"^invalid value: (.+)$", re.S), lambda m: f"取值无效：{got_zh(m[1])}"),
    (re.compile(r"^(missing field|null is not allowed for) '(\w+)' in region: (?:an? )?(.+?) at (\w+) level must name "
                r"its (\w+)$"),
     lambda m: (f"行政区域缺少字段{_q(m[2])}：" if m[1] == "missing field" else f"行政区域的字段{_q(m[2])}不能为空值：")
     + f"{_level(m[4])}{_entities(m[3])}须填写其{_region_part(m[5])}"),
    (re.compile(r"^missing field '(\w+)' in region: (.+)$"), lambda m: f"行政区域缺少字段{_q(m[1])}"),
    (re.compile(r"^invalid YAML syntax: (.+)$", re.S), lambda m: yaml_syntax_zh(m[1])),
    (re.compile(r"^invalid YAML: (.+)$", re.S), lambda m: f"YAML 语法错误：{unknown_zh(m[1])}"),
    (re.compile(r"^file not found$"), lambda m: "文件不存在"),
    (re.compile(r"^permission denied$"), lambda m: "无权读取该文件"),
    (re.compile(r"^is a directory, not a file$"), lambda m: "这是目录，不是文件"),
    (re.compile(r"^cannot read (file|input): (.+)$"),
     lambda m: f"无法读取{'文件' if m[1] == 'file' else '输入'}：{os_error_zh(m[2])}"),
    # the loader's own syntax and encoding checks (load.py, load_json.py, load_yaml.py, load_builder.py)
    *((re.compile(pattern, re.S), words) for pattern, words in SYNTAX),
    # the id ends at the quote before its tail (a workbook's tail quotes a sheet: (cell '应用单位 units'!A3))
    (re.compile(r"^duplicate id '(.+?)'((?:: already used at | in the registry: already used at ).*)?$", re.S),
     lambda m: f"编号{_q(m[1])}重复{_where_first(m[2] or '')}"),
    (re.compile(r"^duplicate key '(.+)'(.*)$"), lambda m: f"键{_q(m[1])}重复{_where_first(m[2])}"),
    (re.compile(r"^nothing to check: the submission has no projects and names no units_under_review$"),
     lambda m: "没有可检查的内容：报送材料既无项目，也未列明受审查单位"),
    (re.compile(r"^'(.+)' does not name any entity$"), lambda m: f"{_q(m[1])}不是本材料中任何条目的编号"),
    (re.compile(r"^'(.+)' is (.+), but this field must name (.+)$"),
     lambda m: f"{_q(m[1])}是{_entities(m[2])}，但本字段须填写{_entities(m[3])}的编号"),
    (re.compile(r"^(.+) \(raise with (--[a-z-]+)\)$"), lambda m: f"{_limit(m[1])}（可用 {m[2]} 调高）"),
    (re.compile(r"^the top level must be a mapping( of entity lists)?; "
                r"found (an alias|a list|a mapping|a scalar(?: \((.*)\))?)$", re.S),
     lambda m: f"顶层应为{'由各类条目清单组成的' if m[1] else ''}映射，实际为" + _found(m[2], m[3])),
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
     lambda m: f"政策参数{_q(m[1])}应为整数，实际为{got_zh(m[2])}"),
    (re.compile(r"^policy parameter '(.+)' must be between (-?\d+) and (-?\d+), not (.+)$"),
     lambda m: f"政策参数{_q(m[1])}应在 {m[2]} 至 {m[3]} 之间，实际为 {m[4]}"),
    # the command line's own usage errors (cli.py, explain.py)
    (re.compile(r"^no submission files found in (.+)$"), lambda m: f"在 {m[1]} 中没有找到报送材料文件"),
    (re.compile(r"^no rule '(.+)'$"), lambda m: f"没有规则{_q(m[1])}"),
    # the service's own input problems (service/api.py, service/checking.py)
    (re.compile(r"^the multipart body has no file$"), lambda m: "表单中没有上传文件"),
    (re.compile(r"^the multipart body cannot be read$"), lambda m: "无法读取表单内容"),
    (re.compile(r"^a saved review needs the submission's id$"), lambda m: "保存审查记录需要报送材料的编号"),
    (re.compile(r"^no rule '(.+)' in the rulebook$"), lambda m: f"规则库中没有规则{_q(m[1])}"),
    (re.compile(r"^include and exclude leave no rule to run$"), lambda m: "“include”与“exclude”筛选后没有可运行的规则"),
    (re.compile(r"^unknown (engine|format) '(.*)'$", re.S),
     lambda m: f"未知的{'检查引擎' if m[1] == 'engine' else '报告格式'}{_q(m[2])}"),
    (re.compile(r"^--engine durable needs the durable-rules package \((.*)\)$", re.S),
     lambda m: "--engine durable 需要安装 durable-rules 软件包（未能导入）"),
    (re.compile(r"^rule '(.+)' gives more than (\d+) findings for this submission \((\d+) per entity\): .*$", re.S),
     lambda m: f"规则{_q(m[1])}对本报送材料给出的检查结果超过 {m[2]} 项（每个对象 {m[3]} 项）：其 for_each "
               "或量词组合了多个清单却未按编号关联（见 README 的限制一节）"),
    (re.compile(r"^the worker process checking this file died \((.+)\); the file was not checked, the other files "
                r"were$"), lambda m: f"检查该文件的工作进程意外退出（{_death(m[1])}）；该文件未检查，其他文件已检查"),
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
    "NAME=VALUE, e.g. art31_answer_days=15": "“名称=值”，如“art31_answer_days=15”",
    "an existing file (relative to the configuration file)": "已存在的文件（相对于配置文件所在位置）",
    "an existing directory (relative to the configuration file)": "已存在的目录（相对于配置文件所在位置）",
    "a mapping of configuration keys such as 'fail-on: warning'": "由配置项组成的映射（如 fail-on: warning）",
    "the id of a rule (egov-rules rules list)": "规则编号（egov-rules rules list 可列出全部规则）",
    "a form field 'file' holding the submission": "在表单字段“file”中上传报送材料",
    "multipart/form-data with one file, in the field 'file', and at most 10 fields":
        "multipart/form-data 表单：在“file”字段中上传一个文件，最多 10 个字段",
    "submission.id": "填写报送材料的编号（submission.id）",
    "a rule id or a glob pattern such as 'art17-*'": "规则编号或通配模式（如“art17-*”）",
    "patterns that select at least one rule": "至少能选中一条规则的模式",
    "native, reference or durable": "native、reference 或 durable 之一",
    "a completed check: run this file again, alone with --jobs 1, to see whether it causes the crash":
        "完成检查：请用 --jobs 1 单独重新检查该文件，确认是否由它引起",
    "pip install 'egov-rules[durable]' (durable-rules 2.0.28 builds from source: it needs gcc and the Python "
    "headers, and imports on CPython 3.12 or older); or use --engine native":
        "安装 pip install 'egov-rules[durable]'（durable-rules 2.0.28 需从源码编译：要有 gcc 和 Python 头文件，"
        "且只能在 CPython 3.12 及更早版本上导入）；或改用 --engine native",
    # the loader's
    "a YAML or JSON file": "YAML 或 JSON 文件",
    "a readable file": "可读取的文件",
    "a mapping of entity lists": "由各类条目清单组成的映射",
    "a mapping": "映射",
    "a JSON object": "JSON 对象",
    "each key once per mapping": "同一映射中每个键只出现一次",
    "plain values without '!' tags": "不带“!”标签的普通值",
    "each value written out in full": "每个值都完整写出",
    "printable text": "可打印的文本",
    "a single YAML document (no second '---')": "单个 YAML 文档（不再有第二个“---”）",
    "a string key": "文本形式的键",
    "a string key (quote it)": "文本形式的键（请加引号）",
    "an anchor defined (and closed) before the alias": "在别名之前定义（并已结束）的锚点",
    "the rest of the document": "文档的其余部分",
    "the end of the file": "文件在此结束",
    "a string in double quotes with valid escapes": "双引号括起、转义有效的文本",
    "valid Unicode escapes": "有效的 Unicode 转义",
    "a finite number": "有限的数值",
    "an integer of at most 4300 digits": "不超过 4300 位的整数",
    "a string, number, object, array, true, false or null": "文本、数字、对象、数组、布尔值或空值",
    "':'": "“:”",
    "UTF-8 text": "UTF-8 编码的文本",
    "a UTF-8 YAML or JSON text file": "UTF-8 编码的 YAML 或 JSON 文本文件",
}


# where a duplicate was seen first (the tail of a duplicate id's or key's message)
FIRST_SEEN: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^: already used at (\S+) \(line (\d+), column (\d+)\)$"), "，已用于 {0}（第 {1} 行第 {2} 列）"),
    (re.compile(r"^: already used at (\S+) \(cell (.+)\)$"), "，已用于 {0}（单元格 {1}）"),
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
    return {"an alias": "别名引用", "a list": "列表", "a mapping": "映射", "a scalar": "单个值"}[kind]


def _death(how: str) -> str:
    """``killed by SIGKILL`` / ``exited with code 1`` (``workers._death``) in Chinese."""
    m = re.match(r"^killed by (?:signal )?(\w+)$", how)
    if m:
        return f"被信号 {m[1]} 终止"
    m = re.match(r"^exited with code (-?\w+)$", how)
    return f"退出码 {m[1]}" if m else how


def _limit(what: str) -> str:
    for pattern, words in LIMITS:
        m = pattern.match(what)
        if m:
            return words.format(*m.groups())
    return what


def _level(code: str) -> str:
    return {"county": "县级", "municipal": "设区市级", "provincial": "省级"}.get(code, code)


def _region_part(code: str) -> str:
    return {"city": "设区市", "county": "县（市、区）"}.get(code, code)


def message_zh(message: str) -> str:
    said = expected_got_zh(message)  # the schema check's "expected X, got Y": one phrase table (values_zh)
    if said is not None:
        return said
    for pattern, words in PATTERNS:
        m = pattern.match(message)
        if m:
            return words(m)
    return message


def _value(typed: str) -> str:
    """A condition's value as the model says it (``'not_shared'``, ``true``): its label beside the code."""
    from .labels import value_label

    if typed == "true":
        return "“是”"
    code = typed.strip("'")
    label = value_label(code, "zh")
    return f"{_q(code)}（{label}）" if label != code else _q(code)


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
    return kind_zh(expected) or expected


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
