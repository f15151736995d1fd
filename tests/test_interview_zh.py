"""The guided interview's pages in Chinese, driven in process with bad values: every error the page shows (a
refused answer, a broken state, a submission the format refuses, a save outside the reviewer's units) is
Chinese, the answers are listed by their labels, and the English page says what it said before."""

from __future__ import annotations

import copy
import html
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from service_support import FIXTURES
from web_support import csrf_of, login, make_app

from egov_rules.input.load import load_document
from egov_rules.interview import NEW_PREFIX, UNKNOWN, AnswerError, Interview, Question
from egov_rules.interview.scripted import answer_for

WORD = re.compile(r"[A-Za-z][A-Za-z0-9_']*")
# Latin a Chinese error may show: the file and field the format names, choice codes beside their Chinese words,
# the names of the formats (as the team writes them: YAML 语法错误)
ALLOWED = re.compile(r"interview\.yaml|(?:/[\w~.-]+)+|[\w-]+（[^）A-Za-z]*）|\b(?:YAML|JSON)\b")
REFERENCE = load_document(FIXTURES / "02_municipal_own_datacentre.yaml").data
BAD = {"date": "31/01/2020", "int": "many", "number": "lots", "enum": "other", "bool": "maybe", "ref": "nowhere",
       "refs": "nowhere", "items": "several", "str": ""}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return make_app(tmp_path_factory.mktemp("web"))


@pytest.fixture()
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="module")
def one_of_each_kind(app: Any) -> dict[str, tuple[Interview, Question]]:
    """The first question of each kind a reviewer meets answering from fixture 02, with the state before it."""
    interview = Interview(app.state.checks.checker, {}, [], "zh")
    found: dict[str, tuple[Interview, Question]] = {}
    for _ in range(400):
        questions = interview.next_questions(1)
        if not questions or set(BAD) <= set(found):
            break
        q = questions[0]
        found.setdefault(q.kind, (interview, q))
        try:
            interview = interview.with_answer(q.pointer, answer_for(q, REFERENCE, interview))
        except AnswerError:
            interview = interview.with_answer(q.pointer, UNKNOWN)
    return found


def _state(interview: Interview) -> str:
    return json.dumps({"base": interview.base, "answers": interview.answers}, ensure_ascii=False)


def post(client: TestClient, state: str, **fields: Any) -> Any:
    token = csrf_of(client.get("/interview").text)
    return client.post("/interview", data={"csrf": token, "state": state, **fields})


def errors_on(page: str) -> list[str]:
    found = re.findall(r'class="(?:error|errtext)"[^>]*>(.*?)</(?:p|pre)>', page, re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", text)).strip() for text in found]


def latin_left(text: str, given: list[str]) -> list[str]:
    for value in sorted(given, key=len, reverse=True):
        text = text.replace(value, " ")
    return WORD.findall(ALLOWED.sub(" ", text))


@pytest.mark.parametrize("kind", sorted(BAD))
def test_a_refused_answer_is_told_in_chinese(kind: str, client: TestClient,
                                             one_of_each_kind: dict[str, tuple[Interview, Question]]) -> None:
    interview, q = one_of_each_kind[kind]
    fields = {"pointer": q.pointer, f"v:{q.pointer}": BAD[kind], "action": "answer"}
    with pytest.raises(AnswerError) as refused:
        interview.with_answer(q.pointer, BAD[kind])
    expected = refused.value.message
    login(client, "rev", "zh")
    zh = post(client, _state(interview), **fields)
    assert zh.status_code == 422 and errors_on(zh.text) == [expected["zh"]]
    assert latin_left(expected["zh"], [BAD[kind]]) == [], expected["zh"]
    login(client, "rev", "en")
    en = post(client, _state(interview), **fields)
    assert en.status_code == 422 and errors_on(en.text) == [expected["en"]]


def test_a_new_entity_in_the_wrong_list_names_the_lists_in_chinese(
        client: TestClient, one_of_each_kind: dict[str, tuple[Interview, Question]]) -> None:
    interview, q = one_of_each_kind["ref"]
    fields = {"pointer": q.pointer, f"v:{q.pointer}": f"{NEW_PREFIX}submission/x", "action": "answer"}
    login(client, "rev", "zh")
    said = errors_on(post(client, _state(interview), **fields).text)
    assert len(said) == 1 and said[0].startswith("新对象只能属于：") and latin_left(said[0], []) == [], said


BROKEN_STATES = {
    "not JSON": "{not json",
    "a list for the base": json.dumps({"base": [1], "answers": []}),
    "text for the header": json.dumps({"base": {"submission": "x"}}),
    "an answer to no question": json.dumps({"base": {}, "answers": [["/projects/x/id", "a"]]}),
    "an empty pointer": json.dumps({"base": {}, "answers": [["", 1]]}),
    "an item never added": json.dumps({"base": {}, "answers": [["/projects", "__add__"], ["/projects/5/id", "a"]]}),
}


@pytest.mark.parametrize("case", sorted(BROKEN_STATES))
def test_a_state_the_page_did_not_write_is_refused_in_the_readers_language(case: str, client: TestClient) -> None:
    login(client, "rev", "zh")
    zh = post(client, BROKEN_STATES[case], action="answer")
    assert zh.status_code == 422 and errors_on(zh.text) == ["问答进度数据有误：不是本页面写出的内容"]
    login(client, "rev", "en")
    en = post(client, BROKEN_STATES[case], action="answer")
    assert en.status_code == 422 and errors_on(en.text) == ["interview state: not the JSON this page wrote"]


def _broken(change: Any) -> dict[str, Any]:
    data = copy.deepcopy(REFERENCE)
    change(data)
    return data


BROKEN_BASES: dict[str, tuple[Any, list[str], str]] = {
    # (the change, what the submission gives, what the Chinese says)
    "a stage no one knows": (lambda d: d["projects"][0].update(stage="bogus"), ["bogus"], "proposal（立项申报）"),
    "a word for a number": (lambda d: d["projects"][0]["budget"].update(construction_cny="lots"), ["lots"],
                            "应为数字"),
    "an id twice": (lambda d: d["projects"].append(copy.deepcopy(d["projects"][0])), ["prj.ex02"],
                    "编号“prj.ex02”重复，已用于 /projects/0/id（第 "),
    "a unit not in the file": (lambda d: d["projects"][0].update(unit="unit.nowhere"), ["unit.nowhere"],
                               "不是本材料中任何条目的编号"),
    "a field no one knows": (lambda d: d["projects"][0].update(zzz=1), ["zzz"], "未知字段“zzz”"),
}


@pytest.mark.parametrize("case", sorted(BROKEN_BASES))
def test_what_the_format_refuses_is_asked_again_in_chinese(case: str, client: TestClient) -> None:
    change, given, words = BROKEN_BASES[case]
    state = json.dumps({"base": _broken(change), "answers": []}, ensure_ascii=False)
    login(client, "rev", "zh")
    said = errors_on(post(client, state, action="answer").text)
    assert said and any(words in s for s in said), said
    for text in said:
        assert latin_left(text, given) == [], text
    login(client, "rev", "en")
    said_en = errors_on(post(client, state, action="answer").text)
    assert said_en and all("invalid input: field '/projects/" in s for s in said_en), said_en


def test_the_answers_are_listed_by_their_labels_not_their_codes(
        client: TestClient, one_of_each_kind: dict[str, tuple[Interview, Question]]) -> None:
    """By the time of the first yes-or-no question, the kind (a choice) and the unit (a new entity) are answered."""
    before, q = one_of_each_kind["bool"]
    interview = before.with_answer(q.pointer, "false")
    assert ("/submission/kind", "project_proposal") in interview.answers
    assert any(isinstance(v, str) and v.startswith(NEW_PREFIX + "units/") for _, v in interview.answers)
    unit = REFERENCE["projects"][0]["unit"]
    login(client, "rev", "zh")
    page = post(client, _state(interview), action="answer").text
    answers = html.unescape(re.search(r"<details>.*?</details>", page, re.S).group(0))  # type: ignore[union-attr]
    assert "项目申报" in answers and f"{unit}（新增）" in answers and f"{q.label}：<code>否</code>" in answers
    assert not re.search(r"project_proposal|__new__|units/|False|True", answers), answers
    login(client, "rev", "en")
    page = post(client, _state(interview), action="answer").text
    answers = html.unescape(re.search(r"<details>.*?</details>", page, re.S).group(0))  # type: ignore[union-attr]
    assert "project proposal" in answers and f"{unit} (new)" in answers and "__new__" not in answers


def test_a_list_field_is_asked_by_its_label(app: Any) -> None:
    """A list's words are kept under its items' path (plan_refs[]): never the code with spaces (plan refs)."""
    interview = Interview(app.state.checks.checker, {}, [], "zh")
    assert interview.question("/projects/0/plan_refs", "format").label == "纳入的规划"
    assert interview.question("/projects/0/components", "format").label == "建设内容"
    assert interview.question("/projects/0/stage", "format").label == "阶段"  # not a list: its own words


def test_a_save_outside_the_reviewers_units_is_refused_in_the_readers_language(client: TestClient) -> None:
    state = json.dumps({"base": load_document(FIXTURES / "14_lists_and_grid_team.yaml").data, "answers": []})
    login(client, "rev_other", "zh")
    zh = post(client, state, action="save")
    assert zh.status_code == 403
    assert any(s.startswith("报送材料涉及您权限范围以外的单位：") for s in errors_on(zh.text)), errors_on(zh.text)
    login(client, "rev_other", "en")
    en = post(client, state, action="save")
    assert en.status_code == 403
    assert any(s.startswith("the submission concerns units outside your scope: ") for s in errors_on(en.text))


def test_the_stores_refusals_on_the_review_page_are_in_the_readers_language(client: TestClient) -> None:
    """A waiver the store refuses (no such finding, a bad date): the same refusals the interview's save shows."""
    login(client, "rev", "zh")
    token = csrf_of(client.get("/reviews/new").text)
    saved = client.post("/reviews/new", data={"csrf": token, "save": "1"}, follow_redirects=False,
                        files={"file": ("s.yaml", (FIXTURES / "02_municipal_own_datacentre.yaml").read_bytes())})
    review = saved.headers["location"].rsplit("/", 1)[-1]
    form = {"csrf": token, "fingerprint": "f00d", "justification": "理由", "approver": "张三"}
    said = {}
    for lang in ("zh", "en"):
        login(client, "rev", lang)
        said[lang] = [errors_on(client.post(f"/reviews/{review}/waivers", data={**form, "expires": expires}).text)
                      for expires in ("2999-01-01", "soon")]
    assert said["zh"] == [["检查结果：最新版本中没有指纹为“f00d”的检查结果"],
                          ["有效期至：应为年-月-日（如2027-01-31）"]]
    assert said["en"] == [["fingerprint: no finding with fingerprint 'f00d' in the latest version"],
                          ["expires: YYYY-MM-DD"]]


BAD_LINKS = {  # a page's link with a parameter that does not fit: (who, path, the Chinese, the English)
    "/interview?review=abc": ("rev", "链接有误：审查记录编号应为整数", "review: a whole number"),
    "/reviews/abc": ("rev", "链接有误：审查记录编号应为整数", "review: a whole number"),
    "/reviews/1/compare?a=x&b=2": ("rev", "链接有误：版本号应为整数", "version: a whole number"),
    "/reviews/1/explain": ("rev", "链接有误：规则缺失", "rule: missing"),
    "/rulebook/abc": ("rev", "链接有误：条号应为整数", "article: a whole number"),
    "/portfolio?since=not-a-date": ("boss", "“not-a-date”不是日期：应为年-月-日（如2027-01-31）",
                                    "not-a-date: YYYY-MM-DD"),
}


@pytest.mark.parametrize("path", sorted(BAD_LINKS))
def test_a_bad_link_shows_the_error_page_in_the_readers_language(path: str, client: TestClient) -> None:
    """Not the API's JSON in English: the workbench's error page, 422."""
    who, zh, en = BAD_LINKS[path]
    for lang, words in (("zh", zh), ("en", en)):
        login(client, who, lang)
        response = client.get(path)
        assert response.status_code == 422 and response.headers["content-type"].startswith("text/html")
        assert errors_on(response.text) == [words], (lang, response.text[-500:])


def test_every_checked_link_parameter_of_the_pages_has_words() -> None:
    """A path or query parameter FastAPI checks (a number, a required one) is named in words when it is bad."""
    from egov_rules.web import pages_admin, pages_interview, pages_review, pages_rulebook
    from egov_rules.web.base import LINK_PARAMS

    checked = set()
    for module in (pages_admin, pages_interview, pages_review, pages_rulebook):
        for route in module.router.routes:
            for param in (*route.dependant.path_params, *route.dependant.query_params):  # type: ignore[attr-defined]
                annotation = str(param.field_info.annotation)
                if "int" in annotation or param.field_info.is_required():
                    checked.add(param.name)
    assert {"review_id", "review", "a", "b", "number", "rule"} <= checked
    assert checked <= set(LINK_PARAMS), checked - set(LINK_PARAMS)


WHATIF = {  # (pointer, value) -> (the Chinese, the English as before)
    ("projects/0/stage", "x"): ("“projects/0/stage”不是事实的位置：应形如 /projects/0/stage",
                                "projects/0/stage: /collection/index/field"),
    ("/projects/0/stage", "[unclosed"): ("无法修改“/projects/0/stage”：新值不是有效的 YAML",
                                         "/projects/0/stage: ParserError"),
    ("/projects/9/stage", "x"): ("无法修改“/projects/9/stage”：该位置不存在", "/projects/9/stage: IndexError"),
    ("/projects/0/stage", "bogus"): ("：输入无效：字段“/projects/0/stage”（阶段）：应为以下之一：",
                                     ": invalid input: field '/projects/0/stage': expected one of: planning,"),
}


def test_a_what_if_the_page_cannot_try_is_told_in_the_readers_language(client: TestClient) -> None:
    login(client, "rev", "zh")
    token = csrf_of(client.get("/reviews/new").text)
    saved = client.post("/reviews/new", data={"csrf": token, "save": "1"}, follow_redirects=False,
                        files={"file": ("s.yaml", (FIXTURES / "02_municipal_own_datacentre.yaml").read_bytes())})
    review = saved.headers["location"].rsplit("/", 1)[-1]
    for (pointer, value), (zh, en) in WHATIF.items():
        for lang, words in (("zh", zh), ("en", en)):
            login(client, "rev", lang)
            response = client.post(f"/reviews/{review}/whatif", data={"csrf": token, "pointer": pointer,
                                                                       "value": value})
            said = errors_on(response.text)
            assert response.status_code == 422 and len(said) == 1 and words in said[0], (lang, said)
            if lang == "zh":
                assert latin_left(said[0], [pointer, value, "what-if.yaml"]) == [], said


def test_an_unknown_rule_to_explain_and_an_unknown_stage_are_told_in_chinese(client: TestClient) -> None:
    """Errors without a file start with their kind in Chinese (never <input> nor 命令行 on a page or in the API)."""
    login(client, "rev", "zh")
    token = csrf_of(client.get("/reviews/new").text)
    saved = client.post("/reviews/new", data={"csrf": token, "save": "1"}, follow_redirects=False,
                        files={"file": ("s.yaml", (FIXTURES / "02_municipal_own_datacentre.yaml").read_bytes())})
    review = saved.headers["location"].rsplit("/", 1)[-1]
    page = client.get(f"/reviews/{review}/explain", params={"rule": "art17-x"})
    assert page.status_code == 422
    assert errors_on(page.text) == ["用法错误：没有规则“art17-x”；应为规则编号（egov-rules rules list 可列出全部规则）"]
    api = client.post("/api/v1/checks", content=(FIXTURES / "02_municipal_own_datacentre.yaml").read_bytes(),
                      headers={"Content-Type": "application/yaml"}, params={"stage": "built", "lang": "zh"})
    assert api.status_code == 422
    assert api.json()["detail"].startswith("用法错误：字段“stage”：未知的阶段“built”；应为以下之一：planning（规划）")
    login(client, "rev", "en")
    page = client.get(f"/reviews/{review}/explain", params={"rule": "art17-x"})
    assert errors_on(page.text) == ["<input>: usage: no rule 'art17-x'; expected the id of a rule "
                                    "(egov-rules rules list)"]
