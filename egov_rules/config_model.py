"""The schema of ``.egov-rules.yaml`` (pydantic), and its errors at file:line:column.

Imported by ``config.load_config`` only, so a command run without a configuration file never builds
these models.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .config import _escape
from .errors import ConfigError, EgovError, InputErrors, closest
from .input.load import Document

Format = Literal["table", "json", "sarif", "junit", "github", "markdown", "html"]
Severity = Literal["violation", "warning"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class LimitsModel(_Strict):
    """Spelt like the command-line options without the leading dashes."""

    max_bytes: int | None = Field(None, alias="max-bytes", gt=0)
    max_depth: int | None = Field(None, alias="max-depth", gt=0)
    max_nodes: int | None = Field(None, alias="max-nodes", gt=0)
    max_entities: int | None = Field(None, alias="max-entities", gt=0)
    max_aliases: int | None = Field(None, alias="max-aliases", ge=0)
    max_seconds: float | None = Field(None, alias="max-seconds", gt=0)


class ConfigModel(_Strict):
    rules: list[str] = Field(default_factory=list)
    include: list[str] | None = None
    exclude: list[str] = Field(default_factory=list)
    severity: dict[str, Severity] = Field(default_factory=dict)
    fail_on: Literal["violation", "warning", "insufficient", "decision", "needs-review"] | None = Field(
        None, alias="fail-on")
    format: Format | None = None
    lang: Literal["en", "zh"] | None = None
    waivers: str | None = None
    registry: str | None = None
    limits: LimitsModel | None = None
    policy: dict[str, Any] = Field(default_factory=dict)

    @field_validator("rules", mode="before")
    @classmethod
    def _one_dir(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value  # `rules: dir` as well as a list


def _aliases(model: type[BaseModel]) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()]


def _validation_errors(exc: ValidationError, doc: Document) -> list[EgovError]:
    out: list[EgovError] = []
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        pointer = "".join(f"/{_escape(p)}" for p in loc)
        if err["type"] == "extra_forbidden":
            line, col = doc.locate_key(pointer)
            parent = _aliases(LimitsModel) if loc[:1] == ["limits"] else _aliases(ConfigModel)
            out.append(ConfigError(f"unknown key '{loc[-1]}'", file=doc.source, line=line, column=col,
                                   field=pointer, expected="one of " + ", ".join(parent),
                                   suggestion=closest(loc[-1], parent)))
            continue
        line, col = doc.locate(pointer)
        msg = err["msg"]
        out.append(ConfigError(msg[0].lower() + msg[1:], file=doc.source, line=line, column=col,
                               field=pointer or None))
    return out


def validate_config(doc: Document) -> ConfigModel:
    try:
        return ConfigModel.model_validate(doc.data)
    except ValidationError as exc:
        errors = _validation_errors(exc, doc)
        raise (errors[0] if len(errors) == 1 else InputErrors(errors)) from None
