"""HTML report: one self-contained, printable file that a reviewer can file.

Government networks are closed, so nothing is fetched: the CSS is inline, the chart is inline SVG, there
are no scripts, fonts or images, and a Content-Security-Policy forbids loading anything should a future
template slip.  The template (egov_rules/templates/report.html.j2) is autoescaped: submissions are hostile.
"""

from __future__ import annotations

from typing import Any

from ..check import Report
from ..text.zh import zh_punct
from . import RenderOptions
from .markdown import environment, view

# chart geometry (px)
LABEL_W = 190
BAR_W = 430
ROW_H = 22
BAR_H = 14
SEGMENTS = ("violation", "warning", "insufficient", "waived")


def render(report: Report, options: RenderOptions) -> str:
    data = view(report, options)
    lang = options.lang
    as_of = data.get("as_of")
    footer = data["title"] + (f" · {data['L']['as_of']} {as_of}" if as_of else "")
    data["print_footer"] = css_string(footer)
    data["page_counter"] = ('"第 " counter(page) " 页，共 " counter(pages) " 页"' if lang == "zh"
                            else '"page " counter(page) " of " counter(pages)')
    data["source_url_text"] = data["source_url"].removeprefix("https://")  # text: the file fetches nothing
    for s in data["submissions"]:
        s["svg"] = svg_chart(s["chart"]) if s["chart"] and s["chart"]["chapters"] else None
    zh = lang == "zh"
    text = environment("html").get_template("report.html.j2").render(
        data, c="：" if zh else ": ", cm="，" if zh else ", ", sp="" if zh else " ", lp="（" if zh else "(",
        rp="）" if zh else ")")
    return zh_punct(text) if zh else text  # the template's fixed punctuation after Chinese words, full width


def css_string(text: str) -> str:
    """Text for a CSS ``content: "..."`` string: quotes, backslashes and control characters escaped."""
    out = []
    for ch in text:
        if ch in '"\\' or ord(ch) < 0x20 or ch in "<>&":
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return "".join(out)


def svg_chart(chart: dict[str, Any]) -> dict[str, Any]:
    """Rows of a horizontal stacked bar chart: a heading row per chapter, a bar per article."""
    peak = max(chart["max"], 1)
    rows: list[dict[str, Any]] = []
    y = 0
    for ch in chart["chapters"]:
        rows.append({"kind": "chapter", "y": y + 15, "label": ch["label"], "total": ch["total"]})
        y += ROW_H
        for r in ch["rows"]:
            x = LABEL_W
            segments = []
            for key in SEGMENTS:
                count = r["counts"][key]
                if count:
                    w = max(2.0, BAR_W * count / peak)
                    segments.append({"cls": key, "x": round(x, 1), "w": round(w, 1), "count": count})
                    x += w
            rows.append({"kind": "article", "y": y, "text_y": y + 15, "bar_y": y + (ROW_H - BAR_H) // 2,
                         "label": r["label"], "segments": segments, "total": r["total"], "total_x": round(x + 6, 1)})
            y += ROW_H
    width = LABEL_W + BAR_W + 40
    return {"rows": rows, "height": y + 4, "width": width, "bar_h": BAR_H, "label_w": LABEL_W}
