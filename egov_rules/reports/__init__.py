"""Output formats: one module per format behind a single interface, ``render(report, options) -> str``."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from ..errors import UsageError

if TYPE_CHECKING:  # errors.py imports reports.sanitize: importing this package must stay light
    from ..check import Report

FORMATS = ("table", "json", "sarif", "junit", "github", "markdown", "html")
MACHINE_FORMATS = frozenset({"json", "sarif", "junit", "github"})


@dataclass(frozen=True)
class RenderOptions:
    """How a report is rendered: language, failure level, width, colour."""
    lang: str = "en"
    fail_on: str = "violation"
    include_context: bool = False  # context findings fail like the others (--include-context)
    command: str = "check"  # check or gate
    color: bool = False
    width: int | None = None


class Renderer(Protocol):
    def render(self, report: Report, options: RenderOptions) -> str: ...


def renderer(name: str) -> Renderer:
    if name not in FORMATS:
        raise UsageError(f"unknown format '{name}'", expected="one of " + ", ".join(FORMATS))
    module: Renderer = importlib.import_module(f"{__name__}.{name}")  # type: ignore[assignment]
    return module


def render(report: Report, fmt: str, options: RenderOptions) -> str:
    return renderer(fmt).render(report, options)
