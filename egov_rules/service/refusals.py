"""The API's refusals in the reader's language.  ``?lang=`` picks it, else the first of ``en``/``zh`` that
``Accept-Language`` names (by its q-values), else English.  A refusal's body keeps its English ``detail`` (what
clients match on today) and adds a stable ``code`` and a ``message`` in that language."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, Request

from ..errors import EgovError, Local, Said, Wording

LANGS = ("en", "zh")
ROLE_WORDS = {"reviewer": "审查人员", "finance": "财政人员", "supervisor": "监督人员", "admin": "管理员"}


def request_lang(request: Request) -> str:
    asked = request.query_params.get("lang")
    if asked in LANGS:
        return asked
    best, best_q = "en", 0.0
    for part in request.headers.get("accept-language", "").split(","):
        tag, _, params = part.strip().partition(";")
        lang = tag.strip().lower().split("-")[0]
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if lang in LANGS and q > best_q:
            best, best_q = lang, q
    return best


class Refusal(HTTPException):
    """An HTTP refusal said by a Wording: ``detail`` its English, the body's ``message`` the reader's."""

    def __init__(self, status: int, said: Said, headers: dict[str, str] | None = None) -> None:
        super().__init__(status, str(said), headers)
        self.said = said


def said_fields(said: Said | None, lang: str, expected: str | Said | None = None) -> dict[str, Any]:
    """``code`` and ``message`` of a refusal said by a Wording (nothing for one that is not)."""
    if said is None:
        return {}
    message = said.text(lang)
    if isinstance(expected, Said):
        message += ("；应为" if lang == "zh" else "; expected ") + expected.text(lang)
    elif expected:
        message += ("；应为“" + expected + "”") if lang == "zh" else "; expected " + expected
    return {"code": said.wording.code, "message": message}


def error_fields(exc: EgovError, lang: str) -> dict[str, Any]:
    """``code`` and ``message`` of an account's problem (``auth``'s ConfigError): its words in ``lang``."""
    said = getattr(exc, "said", None)
    message = exc.message_text(lang)
    if exc.expected:
        message += ("；应为" if lang == "zh" else "; expected ") + exc.expected_text(lang)
    return {"code": said.wording.code if said is not None else "invalid", "message": message}


def role_list(names: tuple[str, ...] | list[str]) -> Local:
    """Role names as the API takes them; in Chinese each with its label (``reviewer（审查人员）``)."""
    return Local(", ".join(names), "、".join(f"{n}（{ROLE_WORDS.get(n, n)}）" for n in names))


# what was expected, as a list of what the API takes (English: the list as it was; Chinese: 以下之一)
E_ONE_OF = Wording("{values}", "以下之一：{values}")

# the refusals of the HTTP layer (auth, api, api_admin, api_rules), in both languages with their codes
AUTH_REQUIRED = Wording("authentication required: a valid bearer token or session",
                        "需要登录：请提供有效的访问令牌（Bearer）或登录会话", "authentication_required")
CROSS_SITE = Wording("cross-site request refused: the Origin does not match this service",
                     "已拒绝跨站请求：请求来源（Origin）与本服务不符", "cross_site_refused")
ROLE_REFUSED = Wording("the {role} role may not do this; it needs: {needed}",
                       "{role}角色无权执行此操作；需要的角色：{needed}", "role_not_allowed")
SAVE_REFUSED = Wording("the {role} role may check but not save; saving needs: reviewer",
                       "{role}角色可以检查但不能保存；保存需要审查人员角色", "save_not_allowed")
THROTTLED = Wording("too many failed logins for this name: try again in {wait} seconds",
                    "该用户名登录失败次数过多：请于 {wait} 秒后再试", "too_many_logins")
WRONG_LOGIN = Wording("wrong name or password", "用户名或密码错误", "wrong_credentials")
TOO_LARGE = Wording("request body exceeds {limit} bytes (the service's --max-bytes limit)",
                    "请求内容超过 {limit} 字节（本服务的 --max-bytes 上限）", "body_too_large")
LOGIN_TOO_LARGE = Wording("request body exceeds {limit} bytes: a login sends no more",
                          "请求内容超过 {limit} 字节：登录请求无需更多内容", "body_too_large")
UNSUPPORTED_TYPE = Wording("unsupported content type '{ctype}': send application/json, application/yaml, an xlsx "
                           "workbook or multipart/form-data with a 'file' field",
                           "不支持的内容类型“{ctype}”：请发送 JSON、YAML、xlsx 工作簿，或在 multipart/form-data 的"
                           "“file”字段中上传文件", "unsupported_content_type")
OWN_ACCOUNT = Wording("an admin cannot disable their own account", "管理员不能停用自己的账号", "own_account")
INTERNAL = Wording("internal error: a bug in egov-rules, not in your request; it is logged on the server",
                   "内部错误：这是 egov-rules 的缺陷，并非请求有误；已记录在服务器日志中", "internal_error")
# the refusals FastAPI and Starlette make themselves (no route, a method the route does not take), by status
ROUTING = {404: Wording("Not Found", "没有这个地址", "not_found"),
           405: Wording("Method Not Allowed", "该地址不接受此请求方法", "method_not_allowed")}
NO_ARTICLE = Wording("no article {number}", "没有第 {number} 条", "article_not_found")


def role_word(role: str) -> Local:
    return Local(role, ROLE_WORDS.get(role, role))


def role_said(wording: Wording, role: str, **params: object) -> Said:
    return wording(role=role_word(role), **params)


# what pydantic says of a parameter or body field that does not fit, by its error type, in Chinese
REQUEST_PROBLEMS = {
    "missing": "缺少该项", "int_parsing": "应为整数", "int_type": "应为整数", "int_from_float": "应为整数",
    "float_parsing": "应为数字", "float_type": "应为数字", "bool_parsing": "应为布尔值（是或否）",
    "bool_type": "应为布尔值（是或否）", "string_type": "应为文本", "string_too_short": "文本过短",
    "string_too_long": "文本过长", "too_short": "项数过少", "too_long": "项数过多",
    "greater_than_equal": "小于允许的最小值", "greater_than": "不大于允许的下限", "less_than_equal": "大于允许的最大值",
    "less_than": "不小于允许的上限", "date_parsing": "应为日期（YYYY-MM-DD）", "date_type": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）", "string_pattern_mismatch": "格式不符",
    "json_invalid": "不是有效的 JSON", "json_type": "不是有效的 JSON", "model_attributes_type": "应为对象",
    "dict_type": "应为对象", "list_type": "应为列表", "extra_forbidden": "不允许的字段", "literal_error": "取值无效",
    "enum": "取值无效",
}


def request_message(errors: list[dict[str, Any]], lang: str) -> str:
    """A request's problems in ``lang``: ``field: message; …`` (pydantic's English) or ``字段“…”：…；…``."""
    if lang != "zh":
        return "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return "；".join(f"字段“{e['field']}”：" + REQUEST_PROBLEMS.get(str(e.get("type")), "取值无效") for e in errors)
