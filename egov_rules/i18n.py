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


# Readable words for enum values that messages often name (others are shown as they are).
ENUM_LABELS: dict[str, tuple[str, str]] = {
    "build_own": ("build its own", "自建"),
    "expand_own": ("expand its own", "扩建"),
    "rebuild_own": ("rebuild its own", "改建"),
    "purchase_service": ("buy as a service", "购买服务"),
    "use_unified": ("use the unified", "使用统一"),
    "integrate_existing": ("integrate the existing", "整合现有"),
    "planning": ("planning", "规划"),
    "proposal": ("proposal", "立项申报"),
    "approved": ("approved", "已批复"),
    "under_construction": ("under construction", "在建"),
    "completed": ("completed", "已建成"),
    "in_operation": ("in operation", "运行中"),
}


def enum_label(value: str, lang: str) -> str:
    pair = ENUM_LABELS.get(value)
    return value if pair is None else t(pair, lang)
