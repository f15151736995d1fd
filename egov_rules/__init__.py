"""egov-rules: checks e-government submissions against Fujian Decree No. 156."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Checker", "__version__"]

if TYPE_CHECKING:
    from .check import Checker


def __getattr__(name: str) -> Any:
    # lazy: `import egov_rules` (and the CLI's start-up) does not pay for the rule engine
    if name == "Checker":
        from .check import Checker

        return Checker
    raise AttributeError(f"module 'egov_rules' has no attribute {name!r}")
