"""JSON report (spec/report.md): deterministic, byte-identical for the same input and rulebook."""

from __future__ import annotations

import json

from ..check import Report
from . import RenderOptions
from .model import report_dict
from .sanitize import json_text


def render(report: Report, options: RenderOptions) -> str:
    return json_text(json.dumps(report_dict(report, options.lang), ensure_ascii=False, indent=2)) + "\n"
