"""Syntax errors in Chinese: what the YAML parsers (every problem libyaml 0.2.x and PyYAML report, and what they
were reading), the loader's JSON parser and encoding checks, and the operating system say, by table.  A parser's
text no table knows is quoted inside a Chinese frame that says what to look at (``unknown_zh``), never alone."""

from __future__ import annotations

import re
from collections.abc import Callable


def quote(text: str) -> str:
    return f"“{text}”"


def _shown(text: str) -> str:
    """What the JSON parser found (``'a: 1}'``, a repr) or ``the end of the file``, in Chinese quotes."""
    if text == "the end of the file":
        return "文件结尾"
    return quote(text[1:-1]) if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"" else quote(text)


def _key_kind(text: str) -> str:
    return {"a mapping": "映射", "a list": "列表"}.get(text, quote(text))


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
    (r"^(.+) is not allowed in JSON \(RFC 8259\)$", lambda m: f"JSON 不允许{quote(m[1])}（RFC 8259）"),
    (r"^(.+) is not allowed \(not a finite number\)$", lambda m: f"{quote(m[1])}不是有限的数值，不允许使用"),
    (r"^number (.+) is out of range$", lambda m: f"数值 {m[1]} 超出范围"),
    (r"^integer has too many digits$", lambda m: "整数位数过多"),
    (r"^mapping key is (a mapping|a list|.+), not a string$", lambda m: f"映射的键是{_key_kind(m[1])}，不是文本"),
    (r"^mapping key (.+) is not a string$", lambda m: f"映射的键{_key_kind(m[1])}不是文本"),
    (r"^alias '\*(.+)' refers to no complete anchor$", lambda m: f"别名“*{m[1]}”所引用的锚点不存在或尚未结束"),
    (r"^one document expected; a second document starts at line (\d+)$",
     lambda m: f"只能有一个文档，但第 {m[1]} 行开始了第二个文档"),
    (r"^YAML tags are not allowed \(found '(.+)'\)$", lambda m: f"不允许使用 YAML 标签（此处为{quote(m[1])}）"),
    (r"^YAML anchors and aliases are not allowed \(found '(.+)'; --max-aliases N accepts up to N alias uses\)$",
     lambda m: f"不允许使用 YAML 锚点和别名（此处为{quote(m[1])}；--max-aliases N 可允许至多 N 次别名引用）"),
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
    return quote(found[1:-1]) if len(found) >= 2 and found[0] == found[-1] == "'" else found


def _yaml_problem(problem: str) -> str:
    for pattern, words in YAML_PROBLEMS:
        m = pattern.match(problem)
        if m:
            return words.format(*(_token(g) for g in m.groups() if g is not None))
    return unknown_zh(problem)


def unknown_zh(text: str) -> str:
    """A parser's message no table knows: said to be the parser's, with what to look at, never alone."""
    return f"解析器报告{quote(text)}，请检查此处附近的缩进、冒号、引号和括号"


JSON_STRING_PROBLEMS = {
    "Invalid \\escape": "无效的转义（“\\”之后只能是 \"、\\、/、b、f、n、r、t 或 u）",
    "Invalid \\uXXXX escape": "无效的 \\uXXXX 转义",
    "Invalid control character at": "文本中有未转义的控制字符",
    "Unterminated string starting at": "文本缺少结尾的双引号",
    "\\u escape is a lone surrogate": "\\u 转义是孤立的代理码位",
}


def _json_string(problem: str) -> str:
    return "文本有误：" + JSON_STRING_PROBLEMS.get(problem, f"解析器报告{quote(problem)}")


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
    return OS_ERRORS.get(reason, f"系统报告{quote(reason)}")
