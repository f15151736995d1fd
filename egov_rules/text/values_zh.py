"""What the schema check said was expected and what the file gave (``input/validate_words.py``), in Chinese:
the kinds of value, a list of allowed codes each with its label, bounds and counts; the value found as the
file gives it (quoted) or by its kind.  Used for the message and for its ``expected`` part alike."""

from __future__ import annotations

import re


def quote(text: str) -> str:
    return f"“{text}”"


KINDS_OF_VALUE = {
    "a number": "数字", "an integer": "整数", "a whole number": "整数", "a finite number": "有限的数值",
    "true or false": "true 或 false（是或否）", "text": "文本", "a string": "文本", "a non-empty string": "非空文本",
    "a date": "日期（YYYY-MM-DD）", "a date written YYYY-MM-DD": "日期（YYYY-MM-DD）",
    "a real calendar date YYYY-MM-DD": "真实存在的日期（YYYY-MM-DD）", "a list": "列表", "a mapping": "映射",
    "a year: 4 digits as a string, or a whole number 1000-9999": "年份（4 位数字，写作文本或 1000 至 9999 的整数）",
    "an id: 1-128 characters from A-Z a-z 0-9 . _ : - starting with a letter or digit":
        "编号（1 至 128 个字符，只能用字母、数字及“. _ : -”，以字母或数字开头）",
    "a data element code: lower-case dotted words such as person.id_number":
        "数据元代码（以点分隔的小写单词，如“person.id_number”）",
}
HINTS = {" (quote it to make it a string)": "（如要作为文本，请加引号）",
         " (leave the field out when it is unknown)": "（未知时请省略该字段）"}
EXPECTED_GOT = re.compile(r"^expected (.+?)(?: or null)?, got (.+?)(" + "|".join(re.escape(h) for h in HINTS) + ")?$",
                          re.S)


def one_of(values: str) -> str:
    """``a, b`` -> 以下之一：a（甲）、b（乙）: a value with a label beside it; one without quoted as typed."""
    from .labels import value_label

    items = [v.strip() for v in values.split(",") if v.strip()]
    return "以下之一：" + "、".join(f"{v}（{value_label(v, 'zh')}）" if value_label(v, "zh") != v else quote(v)
                                 for v in items)


def kind_zh(words: str) -> str | None:
    """The Chinese of what was expected, or None when it is not one of the schema check's phrases."""
    if words in KINDS_OF_VALUE:
        return KINDS_OF_VALUE[words]
    m = re.match(r"^one of:? (.+?)( \(or null\))?$", words, re.S)
    if m:
        return one_of(m[1]) + ("（或留空）" if m[2] else "")
    m = re.match(r"^a number of at (least|most) (\S+)$", words)
    if m:
        return f"{'不小于' if m[1] == 'least' else '不大于'} {m[2]} 的数值"
    m = re.match(r"^at least (\d+) items?$", words)
    if m:
        return f"至少 {m[1]} 项"
    return None


def got_zh(text: str) -> str:
    """What the file gave, as ``validate_words._describe`` says it: quoted as given, or by its kind."""
    text = text.replace("the string ", "")
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return quote(text[1:-1])
    m = re.match(r"^the number (.+)$", text)
    if m:
        return f"数字 {m[1]}"
    m = re.match(r"^a value of type (\w+)$", text)
    if m:
        return f"类型为 {m[1]} 的值"
    return {"null": "空值", "true": "“true”", "false": "“false”", "an empty string": "空文本", "a list": "列表",
            "an empty list": "空列表", "a mapping": "映射"}.get(text, text)


def expected_got_zh(message: str) -> str | None:
    """``expected X, got Y (hint)`` in Chinese, or None when X is not a phrase of the schema check."""
    m = EXPECTED_GOT.match(message)
    if m is None:
        return None
    words = kind_zh(m[1])
    if words is None:
        return None
    or_null = "（或留空）" if message.startswith(f"expected {m[1]} or null,") else ""
    return f"应为{words}{or_null}，实际为{got_zh(m[2])}{HINTS.get(m[3] or '', '')}"
