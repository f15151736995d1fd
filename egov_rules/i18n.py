"""Citations and fixed texts in English and Chinese (第十七条第一款)."""

from __future__ import annotations

DIGITS = "零一二三四五六七八九"
SEVERITY = {
    "violation": ("violation", "违规"),
    "warning": ("warning", "警告"),
    "insufficient": ("insufficient facts", "事实不足"),
}
STATUS46 = {"applicable": ("applicable", "适用"), "potential": ("potential", "可能适用")}


def cn_number(n: int) -> str:
    """1..99 in Chinese numerals: 17 -> 十七, 40 -> 四十, 47 -> 四十七."""
    if not 0 < n < 100:
        raise ValueError(n)
    tens, ones = divmod(n, 10)
    if tens == 0:
        return DIGITS[ones]
    head = "" if tens == 1 else DIGITS[tens]
    return head + "十" + (DIGITS[ones] if ones else "")


def citation(article: int, paragraph: int | None = None, item: str | int | None = None, lang: str = "en") -> str:
    if lang == "zh":
        text = f"第{cn_number(article)}条"
        if paragraph:
            text += f"第{cn_number(paragraph)}款"
        if isinstance(item, int):
            text += f"第（{cn_number(item)}）项"
        return text
    text = f"Art {article}"
    if paragraph:
        text += f"({paragraph})"
    if isinstance(item, int):
        text += f" item ({item})"
    return text


def art46_citation(item: int, lang: str = "en") -> str:
    return f"第四十六条第（{cn_number(item)}）项" if lang == "zh" else f"Art 46({item})"


def t(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "zh" else pair[0]


def enum_label(value: str, lang: str) -> str:
    """The label of an enum value whose field is not known; the one table is labels.py (data/labels.yaml)."""
    from .labels import value_label

    return value_label(value, lang)


def stage_label(stage: str, lang: str) -> str:
    from .labels import enum_label as field_enum_label

    return field_enum_label("project", "stage", stage, lang)
