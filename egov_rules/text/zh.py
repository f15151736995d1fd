"""Chinese as a Chinese reviewer reads it: field and enum codes in rule texts put into words, Chinese spacing
and punctuation.  Applied to the fixed parts of the Chinese rule texts (never to facts quoted from the file:
ids and names stay as given)."""

from __future__ import annotations

import re
from functools import cache

from . import labels

# U+E000/U+E001 (private use) bracket a value quoted from the submission while the text is tidied: spacing
# treats it as Chinese, but nothing inside it is changed (names and ids stay exactly as given)
OPEN, CLOSE = "\ue000", "\ue001"
LATIN_OPEN, LATIN_CLOSE = "\ue002", "\ue003"  # the same for a value with a Latin edge: not spacing-neutral
_MARKS = re.compile("[\ue000-\ue003]")
_MARKED = re.compile("[\ue000\ue002](\\d+)[\ue001\ue003]")
# What counts as Chinese text for spacing and punctuation: curly quotes, CJK punctuation, the ideographs,
# full-width forms and the quoted-value marks OPEN/CLOSE.  Tested by code point rather than inside a
# regex: a character class this wide costs Python's re ~2 ms to compile each time it appears, and the
# three patterns below would be compiled at every start (tests/test_zh_text.py holds them to the
# regexes they replace).
_CJK_RANGES = ((0x2018, 0x201D), (0x3000, 0x303F), (0x4E00, 0x9FFF), (0xFF00, 0xFFEF), (0xE000, 0xE001))
_BLANKS = re.compile("[ \t\n]+")
_ASCII_PUNCT = re.compile("[ \t]*([,;:!?])[ \t]*")
_IN_PARENS = re.compile("\\(([^()\ue000-\ue003]*)\\)")
_FULL = {",": "，", ";": "；", ":": "：", "!": "！", "?": "？"}
_TOKEN = re.compile(r"(?<![A-Za-z0-9_.{/-])([A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*|n/a)(?![A-Za-z0-9_/}-])")
_WORDS = {"true": "“是”", "false": "“否”", "null": "未填写", "B-review": "需审查的B类", "A-review": "需审查的A类"}


def _is_cjk(ch: str) -> bool:
    code = ord(ch)
    return any(low <= code <= high for low, high in _CJK_RANGES)


def _after_cjk(m: re.Match[str]) -> bool:
    return m.start() > 0 and _is_cjk(m.string[m.start() - 1])


def _full_width_parens(m: re.Match[str]) -> str:
    """``(...)`` holding a Chinese ideograph (and no parenthesis or mark) in full-width parentheses."""
    inner = m.group(1)
    return f"（{inner.strip()}）" if any("\u4e00" <= ch <= "\u9fff" for ch in inner) else m.group()


def _drop_blanks_between_cjk(m: re.Match[str]) -> str:
    """A run of blanks goes when Chinese text is on both sides of it."""
    return "" if _after_cjk(m) and m.end() < len(m.string) and _is_cjk(m.string[m.end()]) else m.group()


def _full_width_punct(m: re.Match[str]) -> str:
    """ASCII ``,;:!?`` right after Chinese text (blanks around it dropped) in its full-width form."""
    return _FULL[m.group(1)] if _after_cjk(m) else m.group()


def tidy_zh(text: str) -> str:
    """No spaces between Chinese characters (left by folded YAML or placeholders); full-width punctuation
    after Chinese text and around Chinese words in parentheses."""
    text = _IN_PARENS.sub(_full_width_parens, text)
    text = _BLANKS.sub(_drop_blanks_between_cjk, text)
    text = _ASCII_PUNCT.sub(_full_width_punct, text)
    return text.strip()


def tidy_zh_parts(parts: list[tuple[str, bool]]) -> str:
    """Tidy a text made of fixed parts (``False``) and values quoted from the submission (``True``): the
    fixed parts are tidied around the values, the values themselves are left exactly as given.  A value
    that begins or ends with a Latin letter or digit keeps the space beside it (``采集数据项 ci.33``)."""
    values = [text for text, is_value in parts if is_value]
    shape = [value_edges(text) if is_value else text for text, is_value in parts]
    return fill_zh_layout(tidy_zh_layout(shape), values)


def value_edges(value: str) -> tuple[str, str]:
    """How a quoted value meets the text around it: its marks (Chinese-like or Latin edge, each side)."""
    head = OPEN if value[:1] and not value[:1].isascii() else LATIN_OPEN
    tail = CLOSE if value[-1:] and not value[-1:].isascii() else LATIN_CLOSE
    return head, tail


def tidy_zh_layout(shape: list[str | tuple[str, str]]) -> list[str | int]:
    """The tidied text of fixed parts (``str``) and values (their ``value_edges``), as fixed text and value
    numbers in order.  It depends on the fixed parts and the values' edges only, never on the values: a
    caller may keep it for the next text of the same template whose values have the same edges."""
    marked = []
    count = 0
    for part in shape:
        if isinstance(part, tuple):
            marked.append(f"{part[0]}{count}{part[1]}")
            count += 1
        else:
            marked.append(_MARKS.sub("", part))
    pieces = _MARKED.split(tidy_zh("".join(marked)))  # text, number, text, ..., text
    return [int(piece) if i % 2 else piece for i, piece in enumerate(pieces)]


def fill_zh_layout(layout: list[str | int], values: list[str]) -> str:
    return "".join(values[piece] if isinstance(piece, int) else piece for piece in layout)


def zh_punct(text: str) -> str:
    """Full-width punctuation after Chinese text (for lines that mix Chinese words and code, as explain's)."""
    return "\n".join(_ASCII_PUNCT.sub(_full_width_punct, line) for line in text.split("\n"))


@cache
def _terms() -> dict[str, str]:
    """Code -> Chinese words: collections, entity types, fields (full dotted path or last part), enum values."""
    table = labels._table()
    terms: dict[str, str] = {}
    for entries in table.get("enums", {}).values():
        for value, entry in entries.items():
            if isinstance(entry, dict) and entry.get("zh"):
                terms.setdefault(str(value), entry["zh"])
    for key, entry in table.get("fields", {}).items():
        entity, path = key.split(".", 1)
        clean = path.replace("[]", "")
        label = f"「{entry['zh']}」"
        terms[f"{entity}.{clean}"] = label
        terms.setdefault(clean, label)
        terms.setdefault(clean.rsplit(".", 1)[-1], label)
    for collection in labels.entity_types().values():
        terms.setdefault(collection, labels.collection_label(collection, "zh"))
    for entity in labels.entity_types():
        terms.setdefault(entity, labels.entity_label(entity, "zh"))
    terms.update({"tsu": "技术服务单位", "kind": "「类别」", "unit": "「单位」", "date": "「日期」",
                  "scope": "「范围」"})
    terms.update(_WORDS)
    return terms


def zh_terms(text: str) -> str:
    """Put the codes a rule's Chinese text names (``cloud_backup_compliant 为 true``) into words."""
    terms = _terms()

    def word(m: re.Match[str]) -> str:
        token = m.group(1)
        return terms.get(token, token)

    for code in ("A-review", "B-review"):
        text = text.replace(code, _WORDS[code])
    return _TOKEN.sub(word, text)
