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

def _shown(text: str) -> str:
    """What the JSON parser found (``'a: 1}'``, a repr) or ``the end of the file``, in Chinese quotes."""
    if text == "the end of the file":
        return "文件结尾"
    return _q(text[1:-1]) if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"" else _q(text)


def _key_kind(text: str) -> str:
    return {"a mapping": "映射", "a list": "列表"}.get(text, _q(text))


# the loader's own messages (no parser text inside them but quoted values): pattern, Chinese
SYNTAX: list[tuple[str, Callable[[re.Match[str]], str]]] = [
    (r"^invalid JSON: expected a key in double quotes, found (.+)$",
     lambda m: f"JSON 语法错误：此处应为双引号括起的键，实际为{_shown(m[1])}"),
    (r"^invalid JSON: expected a value, found (.+)$", lambda m: f"JSON 语法错误：此处应为一个值，实际为{_shown(m[1])}"),
    (r"^invalid JSON: trailing data after the document, found (.+)$",
     lambda m: f"JSON 语法错误：文档结束后还有多余内容{_shown(m[1])}"),
    (r"^invalid JSON: expected ',' or '([]}])', found (.+)$",
     lambda m: f"JSON 语法错误：此处应为“,”或“{m[1]}”，实际为{_shown(m[2])}"),
    (r"^invalid JSON: expected ':' after the key, found (.+)$",
     lambda m: f"JSON 语法错误：键之后应为“:”，实际为{_shown(m[1])}"),
    (r"^invalid JSON: unexpected end of file$", lambda m: "JSON 语法错误：文件意外结束"),
    (r"^invalid JSON string: (.+)$", lambda m: "JSON 语法错误：" + _json_string(m[1])),
    (r"^(.+) is not allowed in JSON \(RFC 8259\)$", lambda m: f"JSON 不允许{_q(m[1])}（RFC 8259）"),
    (r"^(.+) is not allowed \(not a finite number\)$", lambda m: f"{_q(m[1])}不是有限的数值，不允许使用"),
    (r"^number (.+) is out of range$", lambda m: f"数值 {m[1]} 超出范围"),
    (r"^integer has too many digits$", lambda m: "整数位数过多"),
    (r"^mapping key is (a mapping|a list|.+), not a string$", lambda m: f"映射的键是{_key_kind(m[1])}，不是文本"),
    (r"^mapping key (.+) is not a string$", lambda m: f"映射的键{_key_kind(m[1])}不是文本"),
    (r"^alias '\*(.+)' refers to no complete anchor$", lambda m: f"别名“*{m[1]}”所引用的锚点不存在或尚未结束"),
    (r"^one document expected; a second document starts at line (\d+)$",
     lambda m: f"只能有一个文档，但第 {m[1]} 行开始了第二个文档"),
    (r"^YAML tags are not allowed \(found '(.+)'\)$", lambda m: f"不允许使用 YAML 标签（此处为{_q(m[1])}）"),
    (r"^YAML anchors and aliases are not allowed \(found '(.+)'; --max-aliases N accepts up to N alias uses\)$",
     lambda m: f"不允许使用 YAML 锚点和别名（此处为{_q(m[1])}；--max-aliases N 可允许至多 N 次别名引用）"),
    (r"^character U\+([0-9A-F]+) is not allowed in YAML \(control character\)$",
     lambda m: f"YAML 中不允许出现字符 U+{m[1]}（控制字符）"),
    (r"^empty document$", lambda m: "文档为空"),
    (r"^file is UTF-16 or UTF-32 encoded$", lambda m: "文件为 UTF-16 或 UTF-32 编码"),
    (r"^binary file \(NUL byte at byte offset (\d+)\)$", lambda m: f"这是二进制文件（第 {m[1]} 字节处为空字节）"),
    (r"^not valid UTF-8: byte 0x([0-9a-f]{2}) at byte offset (\d+) \(.*\)$",
     lambda m: f"不是有效的 UTF-8 编码：第 {m[2]} 字节处的字节 0x{m[1]} 无法解码"),
]
# what libyaml (0.2.x, every problem it has) and PyYAML's own parser say went wrong, and what they were reading
YAML_PROBLEMS: list[tuple[re.Pattern[str], str]] = [(re.compile(p), w) for p, w in [
    (r"^found character '\\t' that cannot start any token$", "此处有制表符（YAML 只能用空格缩进，不能用制表符）"),
    (r"^found character that cannot start any token$",
     "此处有不能作为内容开头的字符（常见原因：用制表符缩进，YAML 只能用空格缩进；或值以 @、` 开头而未加引号）"),
    (r"^found character '(.+)' that cannot start any token$", "字符“{0}”不能作为内容的开头（请给该值加引号）"),
    (r"^found a tab character (?:that violates indentation|where an indentation space is expected)$",
     "缩进中有制表符（YAML 只能用空格缩进）"),
    (r"^mapping values are not allowed (?:here|in this context)$",
     "此处不能出现“键: 值”（常见原因：值中含有“: ”而未加引号，或缩进有误）"),
    (r"^mapping keys are not allowed (?:here|in this context)$", "此处不能出现键（缩进有误，或“?”未加引号）"),
    (r"^(?:block )?sequence entries are not allowed (?:here|in this context)$", "此处不能出现列表项“- ”（缩进有误？）"),
    (r"^found unexpected end of stream$", "文件意外结束（引号或括号未闭合？）"),
    (r"^did not find expected key$|^expected <block end>, but found '<block mapping start>'$",
     "此处应为一个键（缩进有误？同一映射中的键须对齐）"),
    (r"^did not find expected '-' indicator$|^expected <block end>, but found '\?'$",
     "此处应为列表项“- ”（缩进有误？同一列表中的各项须对齐）"),
    (r"^expected <block end>, but found ('.+')$", "缩进有误：此处不应出现{0}"),
    (r"^did not find expected node content$|^expected the node content, but found '(.+)'$"
     r"|^expected SCALAR, SEQUENCE-START, MAPPING-START, or ALIAS$", "此处缺少应有的值"),
    (r"^did not find expected ',' or '([]}])'$|^expected ',' or '([]}])', but got '.+'$",
     "此处应为“,”或“{0}”（括号未闭合？）"),
    (r"^invalid indentation or unclosed '\[' or '\{'$", "缩进有误，或“[”“{{”未闭合"),
    (r"^could not find expected ':'$", "缺少“:”（键之后应有冒号和空格；多行文本请加引号）"),
    (r"^found unexpected ':'$", "此处出现了意外的“:”（含冒号的值请加引号）"),
    (r"^found unknown escape character(?: '(.+)')?$", "未知的转义字符（双引号内的“\\”须为有效转义，或改用单引号）"),
    (r"^found invalid Unicode character escape code$|^expected escape sequence of \d+ hexadecimal numbers"
     r"|^did not find expected hexdecimal number$", "转义“\\x”“\\u”“\\U”之后的十六进制数有误"),
    (r"^found undefined alias$|^found undefined (?:alias|anchor)", "引用了未定义的锚点"),
    (r"^found duplicate anchor", "锚点名称重复"),
    (r"^did not find expected alphabetic or numeric character$|^expected alphabetic or numeric character",
     "此处应为字母或数字（锚点、别名或标签的名称有误）"),
    (r"^found unexpected non-alphabetical character$", "此处出现了非字母字符（标签或指令的名称有误）"),
    (r"^did not find expected whitespace(?: or line break)?$|^expected ' ', but found",
     "此处应为空格或换行（“-”“:”之后须有空格？）"),
    (r"^did not find expected comment or line break$|^expected a comment or a line break, but found",
     "此处应为注释或换行（多行文本标记“|”“>”之后不能再写内容）"),
    (r"^found an indentation indicator equal to 0$|^expected indentation indicator in the range 1-9",
     "多行文本的缩进标记应为 1 至 9"),
    (r"^expected chomping or indentation indicators, but found", "多行文本标记“|”“>”之后的写法有误"),
    (r"^did not find (?:the )?expected '>'$|^expected '>', but found", "标签缺少结尾的“>”"),
    (r"^did not find expected tag URI$|^did not find URI escaped octet$|^expected URI"
     r"|^did not find expected '!'$|^expected '!', but found|^found non-specific tag|^found undefined tag handle"
     r"|^duplicate tag handle|^found duplicate %TAG directive$", "标签写法有误"),
    (r"^found (?:unexpected document indicator|unexpected document separator)$"
     r"|^did not find expected <document start>$|^expected '<document start>', but found|^expected DOCUMENT-",
     "此处的文档结构有误（多余的“---”或“...”？）"),
    (r"^found incompatible YAML document|^found duplicate (?:%YAML|YAML) directive|^found extremely long version"
     r"|^did not find expected (?:version number|digit or '\.' character|directive name)$"
     r"|^could not find expected directive name$|^found unknown directive name$|^expected a digit"
     r"|^did not find expected <stream-start>$|^expected (?:STREAM-START|nothing after STREAM-END)$",
     "文档开头的指令（%YAML、%TAG）有误"),
    (r"^control characters are not allowed$", "不允许出现控制字符"),
    (r"^(?:found an incorrect (?:leading|trailing) UTF-8 octet|invalid (?:leading|trailing) UTF-8 octet"
     r"|invalid length of a UTF-8 sequence|invalid Unicode character|unexpected low surrogate area)",
     "不是有效的 UTF-8 文本"),
]]
YAML_CONTEXTS = {
    "while scanning for the next token": "读取下一项内容时",
    "while scanning a quoted scalar": "读取带引号的文本时",
    "while parsing a quoted scalar": "读取带引号的文本时",
    "while scanning a double-quoted scalar": "读取双引号文本时",
    "while scanning a single-quoted scalar": "读取单引号文本时",
    "while scanning a plain scalar": "读取文本时",
    "while scanning a block scalar": "读取多行文本时",
    "while parsing a flow sequence": "读取方括号列表时",
    "while parsing a flow mapping": "读取花括号映射时",
    "while parsing a flow node": "读取括号内的值时",
    "while parsing a block mapping": "读取映射时",
    "while parsing a block collection": "读取列表或映射时",
    "while parsing a block node": "读取值时",
    "while parsing a node": "读取值时",
    "while scanning a simple key": "读取键时",
    "while scanning an anchor": "读取锚点时",
    "while scanning an alias": "读取别名时",
    "while scanning a tag": "读取标签时",
    "while parsing a tag": "读取标签时",
    "while scanning a directive": "读取文档指令时",
    "while scanning a %YAML directive": "读取 %YAML 指令时",
    "while scanning a %TAG directive": "读取 %TAG 指令时",
    "while parsing a %TAG directive": "读取 %TAG 指令时",
    "while scanning a tag directive": "读取 %TAG 指令时",
    "while parsing a tag directive": "读取 %TAG 指令时",
}
_YAML_DETAIL = re.compile(r"^(.*?)(?: \((while [^()]*?)(?: started at line (\d+))?\))?$", re.S)


def yaml_syntax_zh(detail: str) -> str:
    """``found … (while parsing … started at line 3)`` (``load_yaml``'s detail) -> the Chinese of each part."""
    m = _YAML_DETAIL.match(detail)
    problem, context, line = (m[1], m[2], m[3]) if m else (detail, None, None)
    where = YAML_CONTEXTS.get(context or "", "")
    if line:
        where += ("，" if where else "") + f"该结构始于第 {line} 行"
    return "YAML 语法错误" + (f"（{where}）" if where else "") + "：" + _yaml_problem(problem)


# PyYAML's names of what it found (``but found '<scalar>'``)
YAML_TOKENS = {"'<scalar>'": "文本值", "'<block mapping start>'": "映射", "'<block sequence start>'": "列表",
               "'<block end>'": "缩进结束", "'<stream end>'": "文件结尾", "'<document start>'": "“---”",
               "'<document end>'": "“...”", "'<alias>'": "别名", "'<anchor>'": "锚点", "'<tag>'": "标签"}


def _token(found: str) -> str:
    """What a group captured: PyYAML's token name in words, a quoted repr in Chinese quotes, else as it is."""
    if found in YAML_TOKENS:
        return YAML_TOKENS[found]
    return _q(found[1:-1]) if len(found) >= 2 and found[0] == found[-1] == "'" else found


def _yaml_problem(problem: str) -> str:
    for pattern, words in YAML_PROBLEMS:
        m = pattern.match(problem)
        if m:
            return words.format(*(_token(g) for g in m.groups() if g is not None))
    return _unknown(problem)


def _unknown(text: str) -> str:
    """A parser's message no table knows: said to be the parser's, with what to look at, never alone."""
    return f"解析器报告{_q(text)}，请检查此处附近的缩进、冒号、引号和括号"


JSON_STRING_PROBLEMS = {
    "Invalid \\escape": "无效的转义（“\\”之后只能是 \"、\\、/、b、f、n、r、t 或 u）",
    "Invalid \\uXXXX escape": "无效的 \\uXXXX 转义",
    "Invalid control character at": "文本中有未转义的控制字符",
    "Unterminated string starting at": "文本缺少结尾的双引号",
    "\\u escape is a lone surrogate": "\\u 转义是孤立的代理码位",
}


def _json_string(problem: str) -> str:
    return "文本有误：" + JSON_STRING_PROBLEMS.get(problem, f"解析器报告{_q(problem)}")


# the operating system's reasons (``strerror``, English in the C locale) a file could not be read
OS_ERRORS = {
    "No such file or directory": "文件不存在", "Permission denied": "无权读取", "Is a directory": "这是目录，不是文件",
    "Not a directory": "路径中的某一级不是目录", "Input/output error": "输入输出错误（磁盘或网络存储故障？）",
    "File name too long": "文件名过长", "Too many levels of symbolic links": "符号链接层数过多（循环链接？）",
    "No such device or address": "设备或地址不存在", "Operation not permitted": "不允许该操作",
    "Resource temporarily unavailable": "资源暂时不可用，请稍后重试", "Invalid argument": "参数无效",
    "Device or resource busy": "设备或资源正忙", "Stale file handle": "文件句柄已失效（网络存储已变化？）",
    "Connection timed out": "连接超时", "Operation timed out": "操作超时", "Too many open files": "打开的文件过多",
    "Text file busy": "文件正被使用", "Bad file descriptor": "文件描述符无效",
}


def os_error_zh(reason: str) -> str:
    return OS_ERRORS.get(reason, f"系统报告{_q(reason)}")


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
    (re.compile(r"^invalid YAML syntax: (.+)$", re.S), lambda m: yaml_syntax_zh(m[1])),
    (re.compile(r"^invalid YAML: (.+)$", re.S), lambda m: f"YAML 语法错误：{_unknown(m[1])}"),
    (re.compile(r"^file not found$"), lambda m: "文件不存在"),
    (re.compile(r"^permission denied$"), lambda m: "无权读取该文件"),
    (re.compile(r"^is a directory, not a file$"), lambda m: "这是目录，不是文件"),
    (re.compile(r"^cannot read (file|input): (.+)$"),
     lambda m: f"无法读取{'文件' if m[1] == 'file' else '输入'}：{os_error_zh(m[2])}"),
    # the loader's own syntax and encoding checks (load.py, load_json.py, load_yaml.py, load_builder.py)
    *((re.compile(pattern, re.S), words) for pattern, words in SYNTAX),
    (re.compile(r"^duplicate id '(.+)'(.*)$"), lambda m: f"编号{_q(m[1])}重复{_where_first(m[2])}"),
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
     lambda m: f"政策参数{_q(m[1])}应为整数，实际为{_got(m[2])}"),
    (re.compile(r"^policy parameter '(.+)' must be between (-?\d+) and (-?\d+), not (.+)$"),
     lambda m: f"政策参数{_q(m[1])}应在 {m[2]} 至 {m[3]} 之间，实际为 {m[4]}"),
    # the command line's own usage errors (cli.py, explain.py)
    (re.compile(r"^no submission files found in (.+)$"), lambda m: f"在 {m[1]} 中没有找到报送材料文件"),
    (re.compile(r"^no rule '(.+)'$"), lambda m: f"没有规则{_q(m[1])}"),
    # the service's own input problems (service/api.py, service/checking.py)
    (re.compile(r"^the multipart body has no file$"), lambda m: "表单中没有上传文件"),
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
