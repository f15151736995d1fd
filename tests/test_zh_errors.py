"""Every error under ``--lang zh`` (and every API refusal under ``?lang=zh`` or ``Accept-Language: zh``) is
Chinese: each error path is driven for real and its message scanned for Latin words.  What may stay Latin is
narrow: the file names given, values and codes the user typed (quoted “…” as one token, or a code shown beside
its label ``code（标签）``), option names, the tool's commands, and a few names of formats and protocols."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from egov_rules.cli import app

ROOT = Path(__file__).resolve().parents[1]
OWN_DC = str(ROOT / "fixtures" / "02_municipal_own_datacentre.yaml")
CJK = "\u4e00-\u9fff"
ALLOWED = re.compile(
    r"“[^“”\s]*”"  # a value or code the user typed, quoted as one token
    r"|[A-Za-z0-9_.\-]+(?=（[" + CJK + r"])"  # a code beside its Chinese label: approved_by（批准单位）
    r"|--[a-z][a-z-]*(?: N)?"  # option names (and --max-aliases N)
    r"|egov-rules(?: [a-z-]+){0,2}"  # the tool's commands: egov-rules rules list
    r"|U\+[0-9A-F]{4,6}|0x[0-9a-f]{2}|\\u(?:XXXX)?|YYYY-MM-DD"
    r"|(?<![A-Za-z])(?:YAML|JSON|CSV|HTML|UTF-8|UTF-16|UTF-32|Unicode|RFC 8259|xlsx|multipart/form-data|Bearer|Origin"
    r"|docs/registry\.md|\.yaml|\.yml|\.json)(?![A-Za-z])"
)
LATIN = re.compile(r"[A-Za-z]{2,}")
# ASCII punctuation touching Chinese text (full-width is the rule); quoted text shows what the user typed
HALF_WIDTH = re.compile(rf"[{CJK}][,;:!?()]|[,;:!?()][{CJK}]")


def not_chinese(text: str, typed: tuple[str, ...] = ()) -> list[str]:
    """The Latin words and half-width punctuation of a Chinese message, beyond the allowance."""
    for value in sorted(typed, key=len, reverse=True):  # file names and codes this case typed
        text = text.replace(value, "〇")  # not a blank: a quoted value stays one token
    unquoted = re.sub(r"“[^”]*”", "“”", text)
    punct = HALF_WIDTH.findall(unquoted)
    return sorted(set(LATIN.findall(ALLOWED.sub(" ", text)))) + punct


def test_the_scan_finds_english_and_half_width_punctuation() -> None:
    """The scan itself: an English sentence, an English word in quotes with a space, ASCII punctuation beside
    Chinese are caught; typed codes, options, commands and file names are not."""
    assert not_chinese("a.yaml:1:5：输入无效：YAML 语法错误（mapping values are not allowed）", ("a.yaml",)) == [
        "allowed", "are", "mapping", "not", "values"]
    assert not_chinese("应为“a list of findings”") == ["findings", "list", "of"]
    assert not_chinese("规则库中没有规则,请检查") == ["则,"]
    assert not_chinese("未知字段“rulle”；应为以下字段之一：rule（规则编号）；是否应为“rule”？（--max-bytes 可调高；"
                       "egov-rules rules list 可列出）") == []


# ------------------------------------------------------------------------------------------- the CLI
def cli_zh(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, [*args, "--lang", "zh"])
    return result.exit_code, result.stderr


def refused(tmp_path: Path, name: str, text: str, *command: str) -> tuple[Path, str]:
    """The file ``name`` written with ``text`` and given last to ``command`` in Chinese: it must fail (exit 2)."""
    path = tmp_path / name
    path.write_text(text, "utf-8")
    code, err = cli_zh(*command, str(path))
    assert code == 2, err
    return path, err


SUBMISSIONS = {  # name -> (text, what the message must say)
    "tab.yaml": ("submission:\n\tid: x\n", "制表符"),
    "colon.yaml": ("a: b: c\n", "此处不能出现"),
    "quote.yaml": ("a: 'abc\n", "文件意外结束"),
    "flow.yaml": ("a: [1, 2\n", "读取方括号列表时，该结构始于第 1 行"),
    "indent.yaml": ("a:\n  b: 1\n c: 2\n", "此处应为一个键"),
    "dash.yaml": ("a:\n - 1\n b: 2\n", "列表项"),
    "escape.yaml": ('a: "\\q"\n', "未知的转义字符"),
    "dupkey.yaml": ("a: 1\na: 2\n", "同一映射中每个键只出现一次"),
    "tag.yaml": ("a: !!python/object 1\n", "不允许使用 YAML 标签"),
    "anchor.yaml": ("a: &x 1\nb: *x\n", "不允许使用 YAML 锚点和别名"),
    "control.yaml": ("a: \x07\n", "控制字符"),
    "twodocs.yaml": ("a: 1\n---\nb: 2\n", "第二个文档"),
    "list.yaml": ("- a\n", "顶层应为"),
    "empty.yaml": ("\n", "文档为空"),
    "key.json": ('{a: 1}', "双引号括起的键"),
    "comma.json": ('{"a": 1,}', "双引号括起的键"),
    "eof.json": ('{"a": 1', "文件意外结束"),
    "colon.json": ('{"a" 1}', "键之后应为"),
    "nan.json": ('{"a": NaN}', "有限的数值"),
    "escape.json": ('{"a": "\\x"}', "无效的转义"),
    "trailing.json": ('{"a": 1} 2', "多余内容"),
    "value.json": ('{"a": }', "应为一个值"),
    "scalar.json": ('3', "顶层应为由各类条目清单组成的映射，实际为单个值"),
}


@pytest.mark.parametrize("name", sorted(SUBMISSIONS))
def test_a_syntax_error_is_told_in_chinese(tmp_path: Path, name: str) -> None:
    text, says = SUBMISSIONS[name]
    path, err = refused(tmp_path, name, text, "validate")
    assert says in err, err
    assert not_chinese(err, (str(path), "NaN", "python/object")) == [], err


@pytest.mark.parametrize("name", ["tab.yaml", "colon.yaml", "indent.yaml", "dash.yaml", "escape.yaml", "flow.yaml"])
def test_pyyamls_own_parser_is_told_in_chinese_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    name: str) -> None:
    """Without libyaml the pure-Python parser words the problems otherwise: they are Chinese as well."""
    import egov_rules.input.load as load

    monkeypatch.setattr(load, "_FastParser", None)
    path, err = refused(tmp_path, name, SUBMISSIONS[name][0], "validate")
    assert "YAML 语法错误" in err and "解析器报告" not in err, err
    assert not_chinese(err, (str(path),)) == [], err
    if name == "tab.yaml":  # PyYAML names the character: the message says it is a tab
        assert "此处有制表符" in err


def test_binary_and_encoding_errors_in_chinese(tmp_path: Path) -> None:
    for name, data, says in (("nul.yaml", b"a: 1\x00", "二进制文件"), ("bad.yaml", b"a: \xff\n", "UTF-8 编码"),
                             ("utf16.yaml", "a: 1\n".encode("utf-16"), "UTF-16")):
        (tmp_path / name).write_bytes(data)
        code, err = cli_zh("validate", str(tmp_path / name))
        assert code == 2 and says in err and not_chinese(err, (str(tmp_path / name),)) == [], err


def test_os_errors_in_chinese(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    import egov_rules.input.load as load

    (tmp_path / "file.yaml").write_text("a: 1\n", "utf-8")
    for path, says in ((tmp_path / "none.yaml", "文件不存在"), (tmp_path, "这是目录，不是文件"),
                       (tmp_path / "file.yaml" / "x.yaml", "路径中的某一级不是目录")):
        code, err = cli_zh("validate", str(path))
        assert code == 2 and says in err and not_chinese(err, (str(path),)) == [], err

    def refuse(error: OSError) -> Any:
        def opener(*_args: object, **_kw: object) -> Any:
            raise error
        return opener

    for error, says in ((PermissionError(errno.EACCES, "Permission denied"), "无权读取该文件"),
                        (OSError(errno.EIO, "Input/output error"), "输入输出错误"),
                        (OSError(errno.ENOLINK, "Link has been severed"), "系统报告“Link has been severed”")):
        monkeypatch.setattr(load, "open", refuse(error), raising=False)  # the loader's open, as root cannot chmod
        code, err = cli_zh("validate", str(tmp_path / "file.yaml"))
        assert code == 2 and says in err, err
        assert not_chinese(err.replace(says, ""), (str(tmp_path / "file.yaml"),)) == [], err


def test_an_unmapped_parser_message_keeps_a_chinese_frame() -> None:
    """A libyaml text no table knows is quoted as the parser's, with what to look at: never alone."""
    from egov_rules.errors import InputError

    err = InputError("invalid YAML syntax: found something new (while scanning a thing started at line 4)",
                     file="a.yaml", line=5, column=1).render("zh")
    assert err == ("a.yaml:5:1：输入无效：YAML 语法错误（该结构始于第 4 行）：解析器报告“found something new”，"
                   "请检查此处附近的缩进、冒号、引号和括号")


BASELINES = {  # name -> (text, what the message must say)
    "syntax.json": ("{", "无法读取基线文件：JSON 语法错误：文件意外结束"),
    "list.json": ("[]", "无法读取基线文件：顶层应为映射，实际为列表"),
    "empty.json": ("{}", "缺少“submissions”"),
    "subs.json": ('{"submissions": 1}', "“submissions”是整数"),
    "sub.json": ('{"submissions": [1]}', "每份报送材料的记录应为 JSON 对象"),
    "file.json": ('{"submissions": [{}]}', "缺少“file”"),
    "findings.json": ('{"submissions": [{"file": "x", "findings": 1}]}', "“findings”应为数组"),
    "finding.json": ('{"submissions": [{"file": "x", "findings": [1]}]}', "每条检查结果应为 JSON 对象"),
    "fingerprint.json": ('{"submissions": [{"file": "x", "findings": [{}]}]}', "缺少“fingerprint”"),
}


@pytest.mark.parametrize("name", sorted(BASELINES))
def test_a_bad_baseline_is_told_in_chinese(tmp_path: Path, name: str) -> None:
    text, says = BASELINES[name]
    path, err = refused(tmp_path, name, text, "check", OWN_DC, "--baseline")
    assert says in err, err
    assert not_chinese(err, (str(path),)) == [], err
    en = CliRunner().invoke(app, ["check", OWN_DC, "--baseline", str(path)]).stderr
    assert "配置无效" not in en and "invalid configuration" in en  # English stays the default


def test_a_missing_baseline_and_the_baseline_summary_in_chinese(tmp_path: Path) -> None:
    code, err = cli_zh("check", OWN_DC, "--baseline", str(tmp_path / "none.json"))
    assert code == 2 and "无法读取基线文件：文件不存在" in err
    assert not_chinese(err, (str(tmp_path / "none.json"),)) == [], err
    baseline = tmp_path / "baseline.json"
    assert CliRunner().invoke(app, ["check", OWN_DC, "--write-baseline", str(baseline)]).exit_code == 1
    result = CliRunner().invoke(app, ["check", OWN_DC, "--baseline", str(baseline), "--lang", "zh"])
    assert result.exit_code == 0 and "已按基线略去" in result.stderr, result.stderr
    assert not_chinese(result.stderr, (str(baseline),)) == [], result.stderr


WAIVER = ("{rule: art17-data-centre-without-approval, entity: prj.ex02, justification: j, approved_by: a, "
          "approval_ref: r, expires: '2020-01-01'}")
WAIVERS = {  # name -> (text, what the message must say, codes or values the file typed)
    "syntax.yaml": ("waivers: [\n", "YAML 语法错误", ()),
    "extra.yaml": ("waiver: []\n", "只有一个键“waivers”的映射", ()),
    "notlist.yaml": ("waivers: 1\n", "豁免文件应为豁免事项的列表", ("waivers:", "rule", "entity")),
    "notmap.yaml": ("waivers: [1]\n", "每项豁免应为映射", ()),
    "field.yaml": ("waivers:\n - rulle: x\n", "以下字段之一", ()),
    "missing.yaml": ("waivers:\n - rule: x\n", "缺少必填字段“entity”", ()),
    "empty.yaml": ("waivers:\n - " + WAIVER.replace("justification: j", "justification: ''") + "\n",
                   "“justification”（理由）应为非空文本", ()),
    "rule.yaml": ("waivers:\n - " + WAIVER.replace("art17-data-centre-without-approval", "art17-nope") + "\n",
                  "规则库中没有规则“art17-nope”", ()),
    "date.yaml": ("waivers:\n - " + WAIVER.replace("2020-01-01", "2020-13-01") + "\n", "“2020-13-01”不是有效的日期",
                  ()),
    "twice.yaml": (f"waivers:\n - {WAIVER}\n - {WAIVER}\n", "已有一项豁免（第 2 行），此为第二项", ()),
}


@pytest.mark.parametrize("name", sorted(WAIVERS))
def test_a_bad_waiver_file_is_told_in_chinese(tmp_path: Path, name: str) -> None:
    text, says, typed = WAIVERS[name]
    path, err = refused(tmp_path, name, text, "check", OWN_DC, "--waivers")
    assert says in err, err
    assert not_chinese(err, (str(path), *typed)) == [], err


def test_an_expired_waiver_is_noticed_in_chinese(tmp_path: Path) -> None:
    path = tmp_path / "old.yaml"
    path.write_text("waivers:\n - " + WAIVER.replace("2020-01-01", "2000-01-01") + "\n", "utf-8")
    result = CliRunner().invoke(app, ["check", OWN_DC, "--waivers", str(path), "--lang", "zh", "--format", "markdown"])
    assert result.exit_code == 1 and "已于 2000-01-01 到期" in result.stdout
    shown = result.stdout.replace(str(path).replace("_", "\\_"), "")
    assert "expired" not in shown and "waiver" not in shown.lower()


REGISTRIES: dict[str, tuple[dict[str, str], str, tuple[str, ...]]] = {  # name -> (files, says, typed)
    "empty": ({}, "登记库目录中没有 .yaml、.yml 或 .json 文件", ()),
    "list": ({"a.yaml": "- 1\n"}, "顶层应为", ()),
    "key": ({"a.yaml": "platfroms: []\n"}, "“platfroms”不是登记库收录的清单", ()),
    "notlist": ({"a.yaml": "platforms: 1\n"}, "“platforms”应为条目的列表", ()),
    "syntax": ({"a.yaml": "platforms: [\n"}, "YAML 语法错误", ()),
    "twice": ({"a.yaml": "units: [{id: u1}]\n", "b.yaml": "units: [{id: u1}]\n"}, "所有登记库文件中每个编号只出现一次",
              ()),
}


@pytest.mark.parametrize("name", sorted(REGISTRIES))
def test_a_bad_registry_is_told_in_chinese(tmp_path: Path, name: str) -> None:
    files, says, typed = REGISTRIES[name]
    reg = tmp_path / "registry"
    reg.mkdir()
    for file, text in files.items():
        (reg / file).write_text(text, "utf-8")
    code, err = cli_zh("check", OWN_DC, "--registry", str(reg))
    assert code == 2 and says in err, err
    assert not_chinese(err, (*(str(reg / f) for f in files), str(reg), *typed)) == [], err


def registry_of_fixture(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    """A registry holding fixture 01's unified platforms (and the units they name), and that fixture's data."""
    import yaml

    data = yaml.safe_load((ROOT / "fixtures" / "01_county_compliant.yaml").read_text("utf-8"))
    reg = tmp_path / "registry"
    reg.mkdir()
    (reg / "shared.yaml").write_text(yaml.safe_dump(
        {"authorities": data["authorities"], "units": data["units"],
         "platforms": [p for p in data["platforms"] if p["unified"]]}, allow_unicode=True), "utf-8")
    return reg, data


def test_a_registry_with_a_units_own_platform_in_chinese(tmp_path: Path) -> None:
    import yaml

    reg, _ = registry_of_fixture(tmp_path)
    shared = yaml.safe_load((reg / "shared.yaml").read_text("utf-8"))
    shared["platforms"][0]["unified"] = False
    (reg / "shared.yaml").write_text(yaml.safe_dump(shared, allow_unicode=True), "utf-8")
    code, err = cli_zh("check", OWN_DC, "--registry", str(reg))
    assert code == 2 and "登记库只收录统建平台" in err, err
    assert not_chinese(err, (str(reg / "shared.yaml"),)) == [], err


def test_a_copy_that_disagrees_with_the_registry_is_said_by_labels(tmp_path: Path) -> None:
    """The mismatch finding names the field and its values by their labels in Chinese, as given in English."""
    import yaml

    reg, data = registry_of_fixture(tmp_path)
    dc = next(p for p in data["platforms"] if p["id"] == "plat.ly.dc")
    own = [p for p in data["platforms"] if not p["unified"]]
    data["platforms"] = [{**dc, "unified": False, "level": "county",
                          "region": {**dc["region"], "county": dc["region"].get("county") or "长汀县"}}, *own]
    sub = tmp_path / "sub.yaml"
    sub.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    zh = CliRunner().invoke(app, ["check", str(sub), "--registry", str(reg), "--lang", "zh", "--format", "markdown"])
    lines = [line for line in zh.stdout.splitlines() if "登记库为准" in line or "由登记库提供" in line]
    assert zh.exit_code in (0, 1), zh.output
    assert any("「层级」为“县级”" in line and "中为“设区市级”" in line for line in lines), lines
    assert any("「统建平台」为“否”" in line for line in lines), lines
    shared = str(reg / "shared.yaml").replace("_", "\\_")  # as markdown escapes it
    assert [w for line in lines for w in not_chinese(line, ("plat.ly.dc", shared))] == []
    en = CliRunner().invoke(app, ["check", str(sub), "--registry", str(reg), "--format", "markdown"]).stdout
    assert 'the submission states level = "county"' in en and "unified = false" in en


def test_a_registry_that_is_not_a_directory_in_chinese(tmp_path: Path) -> None:
    code, err = cli_zh("check", OWN_DC, "--registry", str(tmp_path / "none"))
    assert code == 2 and "登记库应为存放 YAML 或 JSON 文件的目录" in err
    assert not_chinese(err, (str(tmp_path / "none"),)) == [], err


def test_a_registry_id_of_another_kind_in_chinese() -> None:
    from egov_rules.errors import InputError
    from egov_rules.input.registry import OTHER_KIND, _kind_words

    said = OTHER_KIND(id="u1", theirs=_kind_words("units"), where="r.yaml:1:2", mine=_kind_words("platforms"))
    err = InputError(said, file="s.yaml", line=3, column=4).render("zh")
    assert "编号“u1”在可信登记库（r.yaml:1:2）中是应用单位，此处却是平台" in err
    assert not_chinese(err, ("s.yaml", "r.yaml")) == []
    assert str(said) == "id 'u1' names unit in the trusted registry (r.yaml:1:2), but platform here"


# ------------------------------------------------------------------------------------------- the API
@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from service_support import add_users
    from web_support import make_app

    tmp = tmp_path_factory.mktemp("zh_api")
    made = make_app(tmp)
    add_users(f"sqlite:///{tmp / 'web.sqlite3'}", {"adm": ("admin", None)})
    return made


@pytest.fixture(scope="module")
def review(api: Any) -> int:
    from web_support import saved_review

    return saved_review(api, Path(OWN_DC).read_bytes())


LATER = "2999-01-01"
# (who, method, path, request arguments, status, code, what the Chinese message says, values the request typed)
REFUSALS: dict[str, tuple[str | None, str, str, dict[str, Any], int, str, str, tuple[str, ...]]] = {
    "no review": ("rev", "GET", "/api/v1/reviews/999999", {}, 404, "review_not_found", "没有编号为 999999 的审查记录",
                  ()),
    "no version": ("rev", "GET", "/api/v1/reviews/{review}/diff", {"params": {"from": 1, "to": 99}}, 404,
                   "version_not_found", "没有第 99 版", ()),
    "no finding": ("rev", "POST", "/api/v1/reviews/{review}/waivers",
                   {"json": {"fingerprint": "f00d", "justification": "j", "approver": "a", "expires": LATER}}, 422,
                   "finding_not_found", "最新版本中没有指纹为“f00d”的检查结果", ()),
    "an unknown action": ("fin", "POST", "/api/v1/reviews/{review}/funding",
                          {"json": {"project": "p", "action": "spend"}}, 422, "unknown_funding_action",
                          "未知的资金处理“spend”", ()),
    "no decision": ("fin", "POST", "/api/v1/reviews/{review}/funding", {"json": {"project": "p", "action": "fund"}},
                    422, "decision_not_found", "没有项目“p”的第四十四条处理决定", ("prj.ex02",)),
    "no login": (None, "GET", "/api/v1/reviews", {}, 401, "authentication_required", "需要登录", ()),
    "wrong password": (None, "POST", "/api/v1/login", {"json": {"name": "rev", "password": "not it"}}, 401,
                       "wrong_credentials", "用户名或密码错误", ()),
    "the wrong role": ("rev", "GET", "/api/v1/audit", {}, 403, "role_not_allowed", "审查人员角色无权执行此操作", ()),
    "finance may not save": ("fin", "POST", "/api/v1/checks",
                             {"content": Path(OWN_DC).read_bytes(), "headers": {"Content-Type": "application/yaml"},
                              "params": {"save": "true"}}, 403, "save_not_allowed", "财政人员角色可以检查但不能保存",
                             ()),
    "a cross-site post": ("rev", "POST", "/api/v1/checks",
                          {"content": b"a: 1\n", "headers": {"Content-Type": "application/yaml",
                                                             "Origin": "https://elsewhere.example"}},
                          403, "cross_site_refused", "已拒绝跨站请求", ()),
    "an unsupported type": ("rev", "POST", "/api/v1/checks",
                            {"content": b"x", "headers": {"Content-Type": "image/png"}}, 415,
                            "unsupported_content_type", "不支持的内容类型“image/png”", ()),
    "a user that exists": ("adm", "POST", "/api/v1/users", {"json": {"name": "rev", "role": "reviewer",
                                                                     "all_units": True}},
                           422, "user_exists", "用户“rev”已存在", ()),
    "an unknown role": ("adm", "POST", "/api/v1/users", {"json": {"name": "x1", "role": "king"}}, 422, "unknown_role",
                        "未知的角色“king”", ()),
    "a scope missing": ("adm", "POST", "/api/v1/users", {"json": {"name": "x2", "role": "reviewer"}}, 422,
                        "scope_missing", "审查人员须指定可见范围", ("units", "all_units")),
    "a scope twice": ("adm", "POST", "/api/v1/users", {"json": {"name": "x3", "role": "reviewer", "units": ["u"],
                                                                "all_units": True}},
                      422, "scope_conflict", "只能给出其一", ("units", "all_units")),
    "disabling oneself": ("adm", "POST", "/api/v1/users/adm/disable", {}, 422, "own_account",
                          "管理员不能停用自己的账号", ()),
    "no such user": ("adm", "POST", "/api/v1/users/nobody/disable", {}, 404, "user_not_found", "没有用户“nobody”", ()),
    "a page that is no number": ("rev", "GET", "/api/v1/reviews", {"params": {"page": "first"}}, 422, "invalid_request",
                                 "字段“query.page”：应为整数", ()),
    "a waiver missing its fields": ("rev", "POST", "/api/v1/reviews/{review}/waivers", {"json": {"fingerprint": "x"}},
                                    422, "invalid_request", "字段“body.justification”：缺少该项", ()),
    "an address that is not there": (None, "GET", "/api/v1/nothing", {}, 404, "not_found", "没有这个地址", ()),
    "a method the address does not take": ("rev", "DELETE", "/api/v1/reviews", {}, 405, "method_not_allowed",
                                           "该地址不接受此请求方法", ()),
    "no such token": ("adm", "POST", "/api/v1/tokens/99999/revoke", {}, 404, "token_not_found",
                      "没有编号为 99999 的令牌", ()),
}


def ask(api: Any, review: int, case: str, lang: dict[str, Any]) -> Any:
    who, method, path, kwargs, *_ = REFUSALS[case]
    kwargs = {**kwargs, "params": {**kwargs.get("params", {}), **lang.get("params", {})},
              "headers": {**kwargs.get("headers", {}), **lang.get("headers", {})}}
    from web_support import client_as

    with client_as(api, who) as c:
        return c.request(method, path.replace("{review}", str(review)), **kwargs)


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_an_api_refusal_speaks_chinese_beside_its_code(api: Any, review: int, case: str) -> None:
    *_, status, code, says, typed = REFUSALS[case]
    english = ask(api, review, case, {})
    assert english.status_code == status, english.text
    for lang in ({"params": {"lang": "zh"}}, {"headers": {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}}):
        body = ask(api, review, case, lang).json()
        assert body["code"] == code == english.json()["code"]
        assert body["detail"] == english.json()["detail"]  # the English detail is what clients match: unchanged
        assert says in body["message"], body
        assert not_chinese(body["message"], typed) == [], body
    assert english.json()["message"].isascii()


def test_accept_language_prefers_by_weight_and_lang_wins(api: Any) -> None:
    from egov_rules.service.refusals import request_lang

    class Asked:
        def __init__(self, query: dict[str, str], header: str) -> None:
            self.query_params, self.headers = query, {"accept-language": header}

    assert request_lang(Asked({}, "en;q=0.5, zh-TW;q=0.8")) == "zh"  # type: ignore[arg-type]
    assert request_lang(Asked({}, "fr, en-GB;q=0.9, zh;q=0.1")) == "en"  # type: ignore[arg-type]
    assert request_lang(Asked({"lang": "en"}, "zh")) == "en"  # type: ignore[arg-type]
    assert request_lang(Asked({}, "")) == "en"  # type: ignore[arg-type]
    from web_support import client_as

    with client_as(api, "rev") as c:  # a broken submission: the CLI's message in the header's language
        broken = c.post("/api/v1/checks", content=b"projects: 3\n", headers={"Content-Type": "application/yaml",
                                                                              "Accept-Language": "zh"})
    assert broken.status_code == 422 and "输入无效" in broken.json()["detail"]
    with client_as(api, "rev") as c:  # a form without its file
        no_file = c.post("/api/v1/checks", files={"other": ("a.yaml", b"a: 1\n")}, params={"lang": "zh"})
    assert no_file.status_code == 422 and "表单中没有上传文件" in no_file.json()["detail"]
    assert not_chinese(no_file.json()["detail"], ("<upload>",)) == [], no_file.json()


# ------------------------------------------------------------------------------------------- the checker's own
@pytest.mark.parametrize(("config", "says"), [
    ("exclude: [art17-nonexistent]\n", "规则库中没有规则“art17-nonexistent”"),
    ("include: ['art17-*']\nexclude: ['art17-*']\n", "“include”与“exclude”筛选后没有可运行的规则"),
])
def test_a_configuration_that_selects_badly_is_told_in_chinese(tmp_path: Path, config: str, says: str) -> None:
    path, err = refused(tmp_path, "egov.yaml", config, "check", OWN_DC, "--config")
    assert says in err and not_chinese(err, (str(path),)) == [], err


def test_the_checkers_own_refusals_in_chinese() -> None:
    """Messages of the checker, the engines and the batch (said through errors_zh): Chinese, English kept."""
    from egov_rules.errors import LimitExceeded, NotChecked, UsageError

    errors = [
        UsageError("unknown engine 'fast'", expected="native, reference or durable"),
        UsageError("unknown format 'pdf'", expected="one of table, json"),
        UsageError("--engine durable needs the durable-rules package (No module named 'durable')",
                   expected="pip install 'egov-rules[durable]' (durable-rules 2.0.28 builds from source: it needs gcc "
                            "and the Python headers, and imports on CPython 3.12 or older); or use --engine native"),
        LimitExceeded("rule 'art17-x' gives more than 100000 findings for this submission (1000 per entity): its "
                      "for_each or quantifiers combine collections without a join on an id (see README, limits)",
                      file="a.yaml", field="rules"),
        NotChecked("the worker process checking this file died (killed by SIGKILL); the file was not checked, the "
                   "other files were", file="a.yaml", expected="a completed check: run this file again, alone with "
                   "--jobs 1, to see whether it causes the crash"),
    ]
    for error in errors:
        text = error.render("zh")
        assert not_chinese(text, ("a.yaml", "fast", "pdf", "art17-x", "SIGKILL", "gcc", "CPython", "for_each",
                                  "README", "durable-rules", "Python", "pip install 'egov-rules[durable]'",
                                  "native", "reference", "durable",
                                  "table", "json")) == [], text
        assert error.render("en").isascii()


@pytest.mark.parametrize("fmt", ["markdown", "html", "github", "table"])
def test_a_report_in_chinese_says_why_a_file_was_not_checked_in_chinese(tmp_path: Path, fmt: str) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: b: c\n", "utf-8")
    result = CliRunner().invoke(app, ["check", str(bad), OWN_DC, "--lang", "zh", "--format", fmt])
    assert result.exit_code == 2
    joined = "".join(result.stdout.split())  # the table folds long cells
    assert "YAML语法错误：此处不能出现" in joined and "mappingvalues" not in joined and "invalidinput" not in joined
    if fmt == "github":
        assert any(line.startswith("::error file=") and "title=egov-rules%3A 输入无效::YAML 语法错误" in line
                   for line in result.stdout.splitlines())


def test_an_internal_error_is_said_in_chinese_too(api: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from fastapi.testclient import TestClient
    from service_support import PASSWORD

    from egov_rules.service import store

    def broken(*_args: object, **_kw: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(store, "list_reviews", broken)
    with TestClient(api, raise_server_exceptions=False) as c:
        assert c.post("/api/v1/login", json={"name": "rev", "password": PASSWORD}).status_code == 200
        body = c.get("/api/v1/reviews", headers={"Accept-Language": "zh-CN"}).json()
    assert body["code"] == "internal_error" and body["detail"].startswith("internal error: a bug in egov-rules")
    assert "内部错误" in body["message"] and not_chinese(body["message"], ("egov-rules",)) == []


# every problem libyaml 0.2.5 reports (its scanner's, parser's and reader's texts) and PyYAML's own, as worded
LIBYAML_PROBLEMS = """block sequence entries are not allowed in this context
control characters are not allowed
could not find expected ':'
could not find expected directive name
did not find URI escaped octet
did not find expected '!'
did not find expected ',' or ']'
did not find expected ',' or '}'
did not find expected '-' indicator
did not find expected <document start>
did not find expected <stream-start>
did not find expected alphabetic or numeric character
did not find expected comment or line break
did not find expected digit or '.' character
did not find expected hexdecimal number
did not find expected key
did not find expected node content
did not find expected tag URI
did not find expected version number
did not find expected whitespace
did not find expected whitespace or line break
did not find the expected '>'
expected DOCUMENT-END
expected DOCUMENT-START or STREAM-END
expected SCALAR, SEQUENCE-START, MAPPING-START, or ALIAS
expected STREAM-START
expected nothing after STREAM-END
found a tab character that violates indentation
found a tab character where an indentation space is expected
found an incorrect leading UTF-8 octet
found an incorrect trailing UTF-8 octet
found an indentation indicator equal to 0
found character that cannot start any token
found duplicate %TAG directive
found duplicate %YAML directive
found duplicate anchor; first occurrence
found extremely long version number
found incompatible YAML document
found invalid Unicode character escape code
found undefined alias
found undefined tag handle
found unexpected ':'
found unexpected document indicator
found unexpected end of stream
found unexpected non-alphabetical character
found unknown directive name
found unknown escape character
invalid Unicode character
invalid leading UTF-8 octet
invalid length of a UTF-8 sequence
invalid trailing UTF-8 octet
mapping keys are not allowed in this context
mapping values are not allowed in this context
unexpected low surrogate area""".splitlines()
PYYAML_PROBLEMS = ["could not find expected ':'", "expected ' ', but found 'x'", "expected '!', but found 'x'",
                   "expected ',' or ']', but got '<stream end>'", "expected ',' or '}', but got '<stream end>'",
                   "expected '<document start>', but found '<scalar>'", "expected '>', but found 'x'",
                   "expected <block end>, but found '<scalar>'", "expected URI, but found 'x'",
                   "expected a comment or a line break, but found 'x'", "expected a digit or '.', but found 'x'",
                   "expected alphabetic or numeric character, but found 'x'",
                   "expected chomping or indentation indicators, but found 'x'",
                   "expected escape sequence of 4 hexadecimal numbers, but found 'x'",
                   "expected indentation indicator in the range 1-9, but found 0",
                   "expected the node content, but found ','", "found character '\\t' that cannot start any token",
                   "found character '@' that cannot start any token", "found duplicate YAML directive",
                   "found incompatible YAML document (version 1.* is required)", "found non-specific tag '!'",
                   "found undefined tag handle '!x!'", "found unexpected document separator",
                   "found unexpected end of stream", "found unknown escape character 'q'",
                   "invalid indentation or unclosed '[' or '{'", "mapping keys are not allowed here",
                   "mapping values are not allowed here", "sequence entries are not allowed here"]
CONTEXTS = ["while scanning for the next token", "while parsing a block mapping", "while scanning a tag directive",
            "while scanning a double-quoted scalar", "while parsing a flow node", "while scanning an anchor"]


@pytest.mark.parametrize("problem", LIBYAML_PROBLEMS + PYYAML_PROBLEMS)
def test_every_yaml_parser_problem_has_chinese_words(problem: str) -> None:
    from egov_rules.text.errors_zh import message_zh

    for context in ("", *(f" ({c} started at line 2)" for c in CONTEXTS)):
        said = message_zh(f"invalid YAML syntax: {problem}{context}")
        assert said.startswith("YAML 语法错误") and "解析器报告" not in said, said
        assert not_chinese(said, ("%YAML", "%TAG", "UTF-8", "'x'", "“x”", "1-9")) == [], said


def _change(path: str, value: Any) -> Any:
    def change(data: dict[str, Any]) -> None:
        *parents, last = [int(p) if p.isdigit() else p for p in path.strip("/").split("/")]
        node: Any = data
        for p in parents:
            node = node[p]
        node[last] = value
    return change


SCHEMA_CHECKS = {  # a field of fixture 02 given wrongly -> what the Chinese message says
    "a number for a stage": ("/projects/0/stage", 5, "应为以下之一：planning（规划）、proposal（立项申报）"),
    "no stage": ("/projects/0/stage", None, "实际为空值"),
    "a date written otherwise": ("/submission/as_of", "2020/01/01", "应为日期（YYYY-MM-DD），实际为“2020/01/01”"),
    "a year for a date": ("/submission/as_of", 2020, "实际为数字 2020"),
    "a list for a name": ("/projects/0/name", ["a"], "应为文本，实际为列表"),
    "a number for a name": ("/projects/0/name", 5, "实际为数字 5（如要作为文本，请加引号）"),
    "a word for yes": ("/projects/0/central_deployed", "yes", "应为true 或 false（是或否），实际为“yes”"),
    "a number for a component": ("/projects/0/components/0", 1, "应为映射，实际为数字 1"),
}


@pytest.mark.parametrize("case", sorted(SCHEMA_CHECKS))
def test_the_schema_checks_expected_and_got_in_chinese(tmp_path: Path, case: str) -> None:
    import yaml

    path, value, says = SCHEMA_CHECKS[case]
    data = yaml.safe_load(Path(OWN_DC).read_text("utf-8"))
    _change(path, value)(data)
    bad, err = refused(tmp_path, "sub.yaml", yaml.safe_dump(data, allow_unicode=True), "validate")
    line = next(line for line in err.splitlines() if f"“{path}”" in line)
    assert says in line, line
    assert not_chinese(line, (str(bad), "true", "false")) == [], line


def test_the_models_own_conditions_in_chinese() -> None:
    from egov_rules.text.errors_zh import expected_zh, message_zh

    assert message_zh("missing field 'not_shared_basis', required when sharing_type is 'not_shared'") == (
        "缺少字段“not_shared_basis”：“sharing_type”为“not_shared”（不予共享）时必须填写")
    secret = message_zh("missing field 'fenji_level', required when secret_involved is true (null if not determined)")
    assert secret == "缺少字段“fenji_level”：“secret_involved”为“是”时必须填写（不确定时可填空值）"
    assert message_zh("duplicate item 'a.b': the same as item 0") == "重复的项“a.b”：与第 1 项相同"
    assert message_zh("missing field 'county' in region: a platform at county level must name its county") == (
        "行政区域缺少字段“county”：县级平台须填写其县（市、区）")
    assert message_zh("null is not allowed for 'city' in region: a unit at municipal level must name its city") == (
        "行政区域的字段“city”不能为空值：设区市级应用单位须填写其设区市")
    assert message_zh("expected at least 1 item, got an empty list") == "应为至少 1 项，实际为空列表"
    assert message_zh("expected a number of at least 0, got the number -5") == "应为不小于 0 的数值，实际为数字 -5"
    assert expected_zh("a data element code: lower-case dotted words such as person.id_number").startswith("数据元代码")
    assert message_zh("expected something new, got the number 1") == "expected something new, got the number 1"
