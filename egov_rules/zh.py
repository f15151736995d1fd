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
_CJK = "\u2018-\u201d\u3000-\u303f\u4e00-\u9fff\uff00-\uffef\ue000\ue001"
_SPACE_IN_CJK = re.compile(f"(?<=[{_CJK}])[ \t\n]+(?=[{_CJK}])")
_ASCII_PUNCT_AFTER_CJK = re.compile(f"(?<=[{_CJK}])[ \t]*([,;:!?])[ \t]*")
_FULL = {",": "，", ";": "；", ":": "：", "!": "！", "?": "？"}
_HALF_PARENS = re.compile("\\(([^()\ue000-\ue003]*[\u4e00-\u9fff][^()\ue000-\ue003]*)\\)")
_TOKEN = re.compile(r"(?<![A-Za-z0-9_.{/-])([A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*|n/a)(?![A-Za-z0-9_/}-])")
_WORDS = {"true": "“是”", "false": "“否”", "null": "未填写", "B-review": "需审查的B类", "A-review": "需审查的A类"}


def tidy_zh(text: str) -> str:
    """No spaces between Chinese characters (left by folded YAML or placeholders); full-width punctuation
    after Chinese text and around Chinese words in parentheses."""
    text = _HALF_PARENS.sub(lambda m: f"（{m.group(1).strip()}）", text)
    text = _SPACE_IN_CJK.sub("", text)
    text = _ASCII_PUNCT_AFTER_CJK.sub(lambda m: _FULL[m.group(1)], text)
    return text.strip()


def tidy_zh_parts(parts: list[tuple[str, bool]]) -> str:
    """Tidy a text made of fixed parts (``False``) and values quoted from the submission (``True``): the
    fixed parts are tidied around the values, the values themselves are left exactly as given.  A value
    that begins or ends with a Latin letter or digit keeps the space beside it (``采集数据项 ci.33``)."""
    values: list[str] = []
    marked = []
    for text, is_value in parts:
        if is_value:
            head = OPEN if text[:1] and not text[:1].isascii() else LATIN_OPEN
            tail = CLOSE if text[-1:] and not text[-1:].isascii() else LATIN_CLOSE
            marked.append(f"{head}{len(values)}{tail}")
            values.append(text)
        else:
            marked.append(_MARKS.sub("", text))
    tidied = tidy_zh("".join(marked))
    return _MARKED.sub(lambda m: values[int(m.group(1))], tidied)


def zh_punct(text: str) -> str:
    """Full-width punctuation after Chinese text (for lines that mix Chinese words and code, as explain's)."""
    return "\n".join(_ASCII_PUNCT_AFTER_CJK.sub(lambda m: _FULL[m.group(1)], line) for line in text.split("\n"))


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
