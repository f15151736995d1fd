"""Citations and fixed texts in English and Chinese (第十七条第一款)."""

from __future__ import annotations

DIGITS = "零一二三四五六七八九"
# The words for severities, chosen once and used by every human format.  A warning is not rendered 警告
# (the name of a formal sanction) but as a suspected breach awaiting confirmation; insufficient facts as
# materials to be supplied.
SEVERITY = {
    "violation": ("violation", "违规"),
    "warning": ("warning (to be confirmed)", "疑似违规（待确认）"),
    "insufficient": ("insufficient facts (to be supplied)", "材料不全（待补充）"),
}
SEVERITY_PLURAL = {
    "violation": ("violations", "违规"),
    "warning": ("warnings (to be confirmed)", "疑似违规（待确认）"),
    "insufficient": ("open questions (facts to supply)", "材料不全（待补充）"),
}
# "applicable" is the JSON's word for an Art 46 item that applies (README and reports use it too)
STATUS46 = {"applicable": ("applicable", "适用"),
            "potential": ("potential (impact not established)", "可能适用（后果尚未认定）")}
ART46_ITEMS = {
    1: ("ignoring coordinated planning and sharing, duplicate construction with major waste",
        "不遵循统筹规划和整合共享、重复建设造成重大浪费"),
    2: ("not keeping the applications and services directory, causing major errors",
        "未按要求建立和更新维护应用和服务目录造成重大失误"),
    3: ("widening the collection scope without authority or collecting the same data again",
        "擅自扩大信息采集范围或重复采集信息"),
    4: ("refusing sharing requests, affecting public services", "拒绝其他单位共享需求，影响社会管理和公共服务"),
    5: ("not opening government information as required", "未按要求向社会开放政府信息"),
    6: ("not using or sharing electronic files, with significant adverse impact",
        "未按要求使用或共享同步生成的电子文件，造成重大不良社会影响"),
    7: ("other violations of the Measures", "其他违反本办法的行为"),
}


def count_text(n: int, severity: str, lang: str) -> str:
    """``2 violations`` / ``违规 2 项`` (Chinese puts the count after the noun, with its measure word)."""
    if lang == "zh":
        return f"{SEVERITY_PLURAL[severity][1]} {n} 项"
    if n == 1:
        return f"1 {SEVERITY[severity][0]}"
    return f"{n} {SEVERITY_PLURAL[severity][0]}"


def art46_item_text(item: int, status: str, lang: str) -> str:
    """``Art 46(4) refusing sharing requests, affecting public services: applicable``."""
    words = t(ART46_ITEMS.get(item, ("", "")), lang)
    state = t(STATUS46.get(status, (status, status)), lang)
    if lang == "zh":
        return f"{art46_citation(item, lang)}（{words}）：{state}"
    return f"{art46_citation(item, lang)} {words}: {state}"


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
