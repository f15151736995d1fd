"""click's usage errors (unknown option, missing argument, bad value …) in Chinese when the command line asks
for Chinese: ``--lang zh`` as typed, or for ``check`` and ``gate`` the configuration file's ``lang: zh``.

A usage error stops click before the command runs, so the language is read from the raw arguments; this
module is imported only when a usage error happens (a good command line never pays for it).  The Chinese is
said from the exception's own data (the option, the parameter and its type) rather than translated from
click's English; a message no case knows keeps its English inside the Chinese frame rather than being
guessed at.  Under English click's own text is shown unchanged, and the exit code is click's (2) either way.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
from collections.abc import Sequence
from typing import IO, Any

import click

from ..errors import safe_text

# the commands that read a configuration file (common_options' --config / --no-config)
CONFIG_COMMANDS = ("check", "gate")

# Chinese names of the commands' positional arguments (click shows PATHS..., RULE_ID ...)
ARGUMENTS = {"paths": "路径", "path": "路径", "rule_id": "规则编号", "name": "名称", "token_id": "令牌编号"}

# Chinese words for the values a choice option takes (shown beside the value, which is typed as it is);
# by parameter name, since a value may mean different things to different options (warning)
CHOICES: dict[str, dict[str, str]] = {
    "fmt": {"table": "表格", "json": "结构化数据", "sarif": "静态分析结果交换格式", "junit": "测试结果格式",
            "github": "代码托管平台的流水线批注", "markdown": "轻量标记文本", "html": "网页",
            "yaml": "带注释的文本", "xlsx": "电子表格"},
    "lang": {"en": "英文", "zh": "中文"},
    "engine": {"native": "生成的代码", "reference": "参照实现", "durable": "持久规则引擎"},
    "fail_on": {"violation": "违规", "warning": "疑似违规", "insufficient": "材料不全",
                "decision": "第四十四条处理决定受阻", "needs-review": "需人工审查"},
    "case": {"project": "项目", "unit": "单位"},
    "log_level": {"critical": "严重", "error": "错误", "warning": "警告", "info": "一般信息", "debug": "调试"},
    "role": {"reviewer": "审查员", "finance": "财务人员", "supervisor": "监督人员", "admin": "管理员"},
}
PATH_PROBLEMS = {"does not exist": "“{}”不存在", "is a file": "“{}”是文件，此处应为目录",
                 "is a directory": "“{}”是目录，此处应为文件", "is not readable": "无权读取“{}”",
                 "is not writable": "无权写入“{}”", "is not executable": "无权执行“{}”"}


# ------------------------------------------------------------------------------------ which language
def _typed_lang(args: Sequence[str]) -> str | None:
    """The last ``--lang X`` / ``--lang=X`` typed (click lets a later one win), or None."""
    lang = None
    for i, arg in enumerate(args):
        if arg == "--lang" and i + 1 < len(args):
            lang = args[i + 1]
        elif arg.startswith("--lang="):
            lang = arg.partition("=")[2]
    return lang


def _typed_value(args: Sequence[str], option: str) -> str | None:
    value = None
    for i, arg in enumerate(args):
        if arg == option and i + 1 < len(args):
            value = args[i + 1]
        elif arg.startswith(option + "="):
            value = arg.partition("=")[2]
    return value


def _config_lang(args: Sequence[str]) -> str | None:
    """The configuration's ``lang`` for a command that reads one; None when there is none or it is broken
    (the usage error is the one to report: the configuration's own error shows once the line is right)."""
    if not args or args[0] not in CONFIG_COMMANDS or "--no-config" in args:
        return None
    from ..config import resolve_config
    from ..errors import EgovError

    try:
        config = resolve_config(_typed_value(args, "--config"), False)
    except (EgovError, OSError):
        return None
    return config.model.lang if config is not None else None


def language(argv: Sequence[str]) -> str:
    """The language of a usage error: ``--lang`` as typed, else the configuration's for check and gate."""
    args = list(argv[: list(argv).index("--")] if "--" in argv else argv)
    lang = _typed_lang(args) or _config_lang(args)
    return "zh" if lang == "zh" else "en"


def in_language(exc: click.UsageError, argv: Sequence[str]) -> click.UsageError:
    """The error to show: Chinese when the command line asks for it, else click's own."""
    if isinstance(exc, ChineseUsageError) or type(exc).__name__ == "NoArgsIsHelpError" or language(argv) != "zh":
        return exc  # a bare group's help is not an error message
    return ChineseUsageError(exc)


# ------------------------------------------------------------------------------------ the words
def _q(text: object) -> str:
    return f"“{safe_text(text)}”"


def _typed(text: str) -> str:
    """A value as the user typed it, from click's ``repr`` of it (``'abc'``)."""
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text
    return value if isinstance(value, str) else text


def argument_name(param: click.Parameter) -> str:
    return ARGUMENTS.get(param.name or "", param.human_readable_name)


def _where(param: click.Parameter | None) -> str:
    """选项“--output”或“-o” / 参数“路径”."""
    if param is None:
        return "参数"
    if isinstance(param, click.Argument):
        return f"参数{_q(argument_name(param))}"
    return "选项" + "或".join(_q(o) for o in param.opts)


def choice_words(param_name: str | None, value: str) -> str:
    """``“table”（表格）``: the value as it is typed, with what it means."""
    words = CHOICES.get(param_name or "", {}).get(value)
    if words is None:
        from ..text.labels import value_label

        label = value_label(value, "zh")
        words = label if label != value else None
    return f"{_q(value)}（{words}）" if words else _q(value)


def _choices(param: click.Parameter) -> str:
    choices = getattr(param.type, "choices", ())
    return "、".join(choice_words(param.name, str(c)) for c in choices)


def _range(kind: Any) -> str:
    """A number range's bounds in words: 应在 40 至 1000 之间 / 应不小于 1."""
    low, high = getattr(kind, "min", None), getattr(kind, "max", None)
    if low is not None and high is not None and not kind.min_open and not kind.max_open:
        return f"应在 {low} 至 {high} 之间"
    parts = []
    if low is not None:
        parts.append(f"{'大于' if kind.min_open else '不小于'} {low}")
    if high is not None:
        parts.append(f"{'小于' if kind.max_open else '不大于'} {high}")
    return "应" + "且".join(parts)


def _bad_value(message: str, param: click.Parameter | None) -> str:
    """What is wrong with a value, said from the parameter's type (click's sentence is the fallback)."""
    kind = param.type if param is not None else None
    if isinstance(kind, click.Choice) and (m := re.match(r"^(.*) is not (?:one of )?", message, re.S)):
        return f"{_q(_typed(m[1]))}不是可选的值；可选值：{_choices(param)}"  # type: ignore[arg-type]
    if isinstance(kind, (click.IntRange, click.FloatRange)) and (m := re.match(r"^(.*) is not in the range",
                                                                                 message, re.S)):
        return f"{safe_text(m[1])} 超出范围（{_range(kind)}）"
    if isinstance(kind, (click.types.IntParamType, click.types.FloatParamType)) and (
            m := re.match(r"^(.*) is not a valid", message, re.S)):
        return f"{_q(_typed(m[1]))}不是{'整数' if isinstance(kind, click.types.IntParamType) else '数字'}"
    if isinstance(kind, click.DateTime) and (m := re.match(r"^(.*) does not match the format", message, re.S)):
        example = "、".join(dt.date(2026, 1, 31).strftime(f) for f in kind.formats)
        return f"{_q(_typed(m[1]))}不是有效的日期，应写作 {example} 这样的年-月-日"
    if isinstance(kind, click.Path) and (m := re.match(r"^\w+ (.*) (does not exist|is a file|is a directory|is not "
                                                       r"readable|is not writable|is not executable)\.$",
                                                       message, re.S)):
        return PATH_PROBLEMS[m[2]].format(safe_text(_typed(m[1])))
    return message


def _possibilities(names: Sequence[str] | None) -> str:
    if not names:
        return ""
    if len(names) == 1:
        return f"是否想用{_q(names[0])}？"
    return "是否想用以下之一：" + "、".join(_q(n) for n in sorted(names)) + "？"


_OPTION_USAGE = [
    (re.compile(r"^Option (.+) requires an argument\.$"), "选项{}需要一个值。"),
    (re.compile(r"^Option (.+) requires (\d+) arguments\.$"), "选项{}需要 {} 个值。"),
    (re.compile(r"^Option (.+) does not take a value\.$"), "选项{}不接受值。"),
    (re.compile(r"^Argument (.+) takes (\d+) values\.$"), "参数{}需要 {} 个值。"),
    (re.compile(r"^Got unexpected extra arguments? \((.*)\)$", re.S), "多余的参数：{}。"),
    (re.compile(r"^Missing command\.$"), "缺少命令。"),
    (re.compile(r"^No such command (.+?)\.(?: .*)?$", re.S), "没有命令{}。"),
]


def message_zh(exc: click.UsageError) -> str:
    """The sentence after 错误：, said from the exception's own data."""
    if isinstance(exc, click.NoSuchOption):
        return f"没有选项{_q(exc.option_name)}。{_possibilities(exc.possibilities)}"
    if isinstance(exc, click.MissingParameter):
        param = exc.param
        kind = exc.param_type or (param.param_type_name if param is not None else "parameter")
        what = f"缺少{'选项' if kind == 'option' else '参数'}"
        if param is not None:
            what += _where(param).removeprefix("选项").removeprefix("参数")
        more = f"可选值：{_choices(param)}。" if param is not None and isinstance(param.type, click.Choice) else ""
        return f"{what}。{more}"
    if isinstance(exc, click.BadParameter) and not isinstance(exc, click.MissingParameter):
        return f"{_where(exc.param)}的值无效：{_bad_value(exc.message, exc.param)}。"
    for pattern, words in _OPTION_USAGE:
        m = pattern.match(exc.message)
        if m:
            quoted = [_q(_typed(g)) if g.startswith(("'", '"')) else safe_text(g) for g in m.groups()]
            names = getattr(exc, "possibilities", None)
            return words.format(*quoted) + _possibilities(names)
    return f"命令行有误：{exc.format_message()}"


def usage_zh(ctx: click.Context) -> str:
    """``用法：egov-rules check [选项] 路径…``: click's usage line with its words in Chinese."""
    pieces = [ctx.command_path, "[选项]"]
    for param in ctx.command.get_params(ctx):
        if isinstance(param, click.Argument):
            name = argument_name(param) + ("…" if param.nargs == -1 else "")
            pieces.append(name if param.required else f"[{name}]")
    if isinstance(ctx.command, click.Group):
        pieces.append("命令 [参数]…")
    return "用法：" + " ".join(pieces)


class ChineseUsageError(click.UsageError):
    """A usage error shown in Chinese: the usage line, where to find help, and what is wrong."""

    def __init__(self, original: click.UsageError) -> None:
        super().__init__(message_zh(original), original.ctx)
        self.original = original

    def show(self, file: IO[Any] | None = None) -> None:
        lines = []
        if self.ctx is not None:
            lines.append(usage_zh(self.ctx))
            if self.ctx.command.get_help_option(self.ctx) is not None:
                help_name = max(self.ctx.command.get_help_option_names(self.ctx), key=len)
                lines.append(f"可运行“{self.ctx.command_path} {help_name}”查看帮助。")
            lines.append("")
        lines.append(f"错误：{self.message}")
        click.echo("\n".join(lines), file=file, err=file is None)
