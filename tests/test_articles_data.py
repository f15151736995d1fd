"""Consistency tests for the article catalogue egov_rules/data/articles.yaml.

The catalogue is checked against the project's domain reference (shared/measures/articles.md) and the
machine translation (shared/measures/measures-en.txt) when those files are present next to the repository;
otherwise the tests fall back to literal copies of the facts they need (or skip the translation checks).
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
DATA_FILE = REPO / "egov_rules" / "data" / "articles.yaml"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "measures"
ARTICLES_MD = SHARED / "articles.md"
TRANSLATION = SHARED / "measures-en.txt"

HAVE_MD = ARTICLES_MD.is_file()
HAVE_TRANSLATION = TRANSLATION.is_file()
needs_md = pytest.mark.skipif(not HAVE_MD, reason="shared/measures/articles.md not present")
needs_translation = pytest.mark.skipif(
    not HAVE_TRANSLATION, reason="shared/measures/measures-en.txt not present"
)

# Literal copies of articles.md, used only when the shared file is absent.
FALLBACK_COUNT_LINE = (
    "Count: **yes 18** (12, 13, 16, 17, 18, 19, 21, 22, 24, 25, 29, 30, 31, 32, 36, 39, 40, 43) · "
    "**partly 21** (2, 7, 8, 9, 10, 14, 15, 20, 23, 26, 27, 28, 33, 34, 37, 38, 41, 44, 45, 46, 47) · "
    "**no 8** (1, 3, 4, 5, 6, 11, 35, 42)."
)
FALLBACK_CHAPTERS_LINE = (
    "Chapters: **I 总则 = Arts 1–11; II = 12–26; III = 27–41; IV = 42–46; V 附则 = 47** "
    "(11 + 15 + 15 + 5 + 1 = 47)."
)

# Translation notes and the articles they bear on (brief + articles.md §0.2).
EXPECTED_NOTE_ARTICLES = {"N1": {25}, "N2": {17}, "N3": {40, 44}, "N4": {27}, "N5": {7, 20}, "N6": {18},
                          "N7": {24}, "N8": {39}}

ARTICLE_KEYS = {
    "article",
    "chapter",
    "citation_zh",
    "summary_en",
    "summary_zh",
    "addressee",
    "type",
    "checkable",
    "reason_not_checkable_en",
    "reason_not_checkable_zh",
    "sanction",
    "notes",
    "text_en",
}
ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5}
CJK = re.compile(r"[\u4e00-\u9fff]")


# --------------------------------------------------------------------------- helpers


def zh_numeral(n: int) -> str:
    """Chinese numeral for 1..99 as used in article citations (十一, 二十, 四十七)."""
    digits = "零一二三四五六七八九"
    if not 1 <= n <= 99:
        raise ValueError(n)
    tens, units = divmod(n, 10)
    out = ""
    if tens:
        out = ("" if tens == 1 else digits[tens]) + "十"
    if units:
        out += digits[units]
    return out


def md_text() -> str:
    return ARTICLES_MD.read_text(encoding="utf-8")


def find_line(prefix: str, fallback: str) -> str:
    if HAVE_MD:
        for line in md_text().splitlines():
            if line.startswith(prefix):
                return line
        pytest.fail(f"articles.md has no line starting with {prefix!r}")
    return fallback


def parse_count_line() -> dict[str, tuple[int, set[int]]]:
    line = find_line("Count:", FALLBACK_COUNT_LINE)
    found = re.findall(r"\b(yes|partly|no) (\d+)\*\*\s*\(([\d,\s]+)\)", line)
    result = {key: (int(count), {int(x) for x in nums.split(",")}) for key, count, nums in found}
    assert set(result) == {"yes", "partly", "no"}, line
    return result


def parse_chapters_line() -> dict[int, tuple[int, int]]:
    line = find_line("Chapters:", FALLBACK_CHAPTERS_LINE)
    body = line.split("**")[1]
    ranges = {}
    for part in body.split(";"):
        m = re.match(r"\s*(I|II|III|IV|V)\b[^=]*=\s*(?:Arts\s*)?(\d+)(?:\s*[–-]\s*(\d+))?\s*$", part)
        assert m, part
        first = int(m.group(2))
        last = int(m.group(3) or first)
        ranges[ROMAN[m.group(1)]] = (first, last)
    return ranges


def parse_matrix() -> dict[int, dict[str, str]]:
    rows: dict[int, dict[str, str]] = {}
    in_matrix = False
    for line in md_text().splitlines():
        if line.startswith("## "):
            in_matrix = line.startswith("## 2.")
            continue
        if not in_matrix or not line.startswith("|"):
            continue
        cells = [c.strip().replace("**", "") for c in line.strip().strip("|").split("|")]
        if not cells[0].isdigit():
            continue
        rows[int(cells[0])] = {
            "ch": cells[1],
            "summary_en": cells[2],
            "addressee": cells[3],
            "type": cells[4],
            "checkable": cells[5],
            "sanction": cells[7],
        }
    return rows


def normalise(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip().lower()


# An article number that the catalogue removed from inside the translation ("outside the 20th State organs").
ORDINAL_GAP = r"\s+(?:\d+(?:st|nd|rd|th)\s+)?"
ORDINAL = re.compile(r"^\d+(?:st|nd|rd|th)$")
# Words that may make up what lies between two articles in the translation: garbled article numbers and the
# chapter headings that the translation merged into the next article's first line.
HEADING_WORDS = {
    "article", "articles", "chapter", "section", "i", "ii", "general", "provisions", "planning", "and",
    "building", "application", "services", "supplementary", "fourth", "fifth", "sixth", "seventh", "eighth",
    "nineth", "ninth", "tenth",
}  # fmt: skip


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def catalogue() -> dict:
    with DATA_FILE.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def articles(catalogue: dict) -> list[dict]:
    return catalogue["articles"]


@pytest.fixture(scope="module")
def by_number(articles: list[dict]) -> dict[int, dict]:
    return {a["article"]: a for a in articles}


# --------------------------------------------------------------------------- structure


def test_top_level_sections(catalogue: dict) -> None:
    assert {"source", "chapters", "notes", "articles"} <= set(catalogue)


def test_47_articles_numbered_in_order_without_gaps(articles: list[dict]) -> None:
    assert [a["article"] for a in articles] == list(range(1, 48))


def test_every_article_has_exactly_the_catalogue_fields(articles: list[dict]) -> None:
    for a in articles:
        assert set(a) == ARTICLE_KEYS, (a["article"], set(a) ^ ARTICLE_KEYS)
        assert isinstance(a["chapter"], int)
        assert isinstance(a["notes"], list)
        for key in ("citation_zh", "summary_en", "summary_zh", "addressee", "type", "sanction", "text_en"):
            assert isinstance(a[key], str) and a[key].strip(), (a["article"], key)


def test_checkable_is_a_string_not_a_yaml_boolean(articles: list[dict]) -> None:
    # Unquoted yes/no would load as True/False under YAML 1.1.
    for a in articles:
        assert a["checkable"] in {"yes", "partly", "no"}, (a["article"], a["checkable"])


def test_summaries_are_single_lines_and_zh_is_chinese(articles: list[dict]) -> None:
    for a in articles:
        assert "\n" not in a["summary_en"].strip(), a["article"]
        assert "\n" not in a["summary_zh"].strip(), a["article"]
        assert "**" not in a["summary_en"] and "**" not in a["sanction"], a["article"]
        assert CJK.search(a["summary_zh"]), a["article"]


# --------------------------------------------------------------------------- chapters


def test_chapters_partition_articles_as_in_articles_md(catalogue: dict, articles: list[dict]) -> None:
    expected = parse_chapters_line()
    assert expected == {1: (1, 11), 2: (12, 26), 3: (27, 41), 4: (42, 46), 5: (47, 47)}
    chapters = catalogue["chapters"]
    assert [c["number"] for c in chapters] == [1, 2, 3, 4, 5]
    got = {c["number"]: tuple(c["articles"]) for c in chapters}
    assert got == expected

    covered: list[int] = []
    for c in chapters:
        first, last = c["articles"]
        assert first <= last
        covered.extend(range(first, last + 1))
    assert covered == list(range(1, 48)), "chapters must cover 1..47 once each, in order"

    for a in articles:
        first, last = got[a["chapter"]]
        assert first <= a["article"] <= last, (a["article"], a["chapter"])


def test_only_chapter_one_title_is_verified(catalogue: dict) -> None:
    chapters = {c["number"]: c for c in catalogue["chapters"]}
    assert chapters[1]["title_zh"] == "总则" and chapters[1]["verified"] is True
    assert chapters[5]["title_zh"] == "附则"
    for n in (2, 3, 4, 5):
        assert chapters[n]["verified"] is False, n
    for c in chapters.values():
        assert c["title_en"] and c["title_zh"]


# --------------------------------------------------------------------------- checkability


def test_checkable_sets_equal_articles_md_count_line(articles: list[dict]) -> None:
    counts = parse_count_line()
    for key, (declared, numbers) in counts.items():
        assert len(numbers) == declared, f"count line: {key} says {declared}, lists {len(numbers)}"
    assert {k: v[0] for k, v in counts.items()} == {"yes": 18, "partly": 21, "no": 8}
    all_listed = counts["yes"][1] | counts["partly"][1] | counts["no"][1]
    assert all_listed == set(range(1, 48))
    for key, (_, numbers) in counts.items():
        got = {a["article"] for a in articles if a["checkable"] == key}
        assert got == numbers, (key, sorted(got ^ numbers))


def test_reasons_present_exactly_for_not_checkable(articles: list[dict]) -> None:
    for a in articles:
        en, zh = a["reason_not_checkable_en"], a["reason_not_checkable_zh"]
        if a["checkable"] == "no":
            assert isinstance(en, str) and en.strip(), a["article"]
            assert isinstance(zh, str) and CJK.search(zh), a["article"]
        else:
            assert en is None and zh is None, a["article"]


# --------------------------------------------------------------------------- fidelity to articles.md


@needs_md
def test_matrix_columns_copied_from_articles_md(articles: list[dict]) -> None:
    matrix = parse_matrix()
    assert sorted(matrix) == list(range(1, 48))
    for a in articles:
        row = matrix[a["article"]]
        assert ROMAN[row["ch"]] == a["chapter"], a["article"]
        for key in ("summary_en", "addressee", "type", "checkable", "sanction"):
            assert a[key] == row[key], (a["article"], key)


# --------------------------------------------------------------------------- notes


def test_translation_notes_and_their_articles(catalogue: dict, articles: list[dict]) -> None:
    notes = catalogue["notes"]
    assert [n["id"] for n in notes] == ["N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8"]
    for n in notes:
        assert n["title"] and n["text_en"].strip(), n["id"]
    confidence = {n["id"]: n.get("confidence") for n in notes}
    assert confidence["N1"] == "medium-high"  # articles.md §0.3: about 80%, up from medium
    assert confidence["N6"] == "high" and confidence["N7"] == confidence["N8"] == "medium-high"
    assert confidence["N3"] == "medium-high"

    refs: dict[str, set[int]] = {}
    for a in articles:
        for nid in a["notes"]:
            assert nid in confidence, (a["article"], nid)
            refs.setdefault(nid, set()).add(a["article"])
    assert refs == EXPECTED_NOTE_ARTICLES


@needs_md
def test_note_texts_come_from_articles_md(catalogue: dict) -> None:
    in_md = {}
    for line in md_text().splitlines():
        m = re.match(r"^\* \*\*(N\d) – (.+?)\.\*\* (.*)$", line)
        if m:
            in_md[m.group(1)] = (m.group(2), normalise(m.group(3).replace("**", "")))
    assert sorted(in_md) == ["N1", "N2", "N3", "N4", "N5"]
    for n in catalogue["notes"]:
        title, text = in_md[n["id"]]
        assert n["title"] == title, n["id"]
        assert normalise(n["text_en"]) == text, n["id"]


# --------------------------------------------------------------------------- citations


@pytest.mark.parametrize(
    ("n", "expected"),
    [(1, "一"), (9, "九"), (10, "十"), (11, "十一"), (19, "十九"), (20, "二十"), (21, "二十一"), (40, "四十"),
     (47, "四十七")],
)  # fmt: skip
def test_zh_numeral_converter(n: int, expected: str) -> None:
    assert zh_numeral(n) == expected


def test_citation_zh_matches_article_number(articles: list[dict]) -> None:
    for a in articles:
        assert a["citation_zh"] == f"第{zh_numeral(a['article'])}条", a["article"]


# --------------------------------------------------------------------------- source


def test_source_block(catalogue: dict) -> None:
    src = catalogue["source"]
    assert src["decree_number"] == 156
    assert str(src["adopted"]) == "2015-02-15"
    assert str(src["promulgated"]) == "2015-02-16"
    assert str(src["effective"]) == "2015-04-01"
    assert src["article_count"] == 47 and src["chapter_count"] == 5
    (amendment,) = src["amendments"]
    assert str(amendment["date"]) == "2020-11-12"
    assert amendment["verified_content"] is False
    assert amendment["caveat"].strip()


# --------------------------------------------------------------------------- text_en


def test_text_en_is_cleaned_of_numbers_and_headings(articles: list[dict]) -> None:
    leading_number = re.compile(
        r"^(article|chapter|\d+(st|nd|rd|th)\b|first|second|third|fourth|fifth|sixth|seventh|eighth|"
        r"nine?th|tenth)",
        re.IGNORECASE,
    )
    for a in articles:
        text = a["text_en"].strip()
        assert text, a["article"]
        assert not leading_number.match(text), (a["article"], text[:40])
        assert text[0].isupper(), (a["article"], text[:40])
        assert "chapter" not in text.lower(), a["article"]
        assert not re.search(rf"\b{a['article']}(st|nd|rd|th)\b", text), a["article"]


@pytest.fixture(scope="module")
def spans(articles: list[dict]) -> list[tuple[int, int, int]]:
    """(article, start, end) of each text_en in the normalised translation, searched in catalogue order."""
    source = normalise(TRANSLATION.read_text(encoding="utf-8"))
    pos = 0
    found = []
    for a in articles:
        tokens = normalise(a["text_en"]).split(" ")
        pattern = re.compile(ORDINAL_GAP.join(re.escape(t) for t in tokens))
        m = pattern.search(source, pos)
        if m is None:  # reported by test_text_en_follows_translation_order
            found.append((a["article"], -1, -1))
            continue
        found.append((a["article"], m.start(), m.end()))
        pos = m.end()
    return found


@needs_translation
def test_text_en_follows_translation_order(spans: list[tuple[int, int, int]]) -> None:
    missing = [n for n, start, _ in spans if start < 0]
    assert not missing, f"text_en not found in measures-en.txt after the previous article's text: {missing}"
    starts = [s for _, s, _ in spans]
    assert starts == sorted(starts)
    for (_, _, prev_end), (n, start, _) in itertools.pairwise(spans):
        assert start >= prev_end, n


@needs_translation
def test_nothing_but_numbers_and_headings_between_articles(spans: list[tuple[int, int, int]]) -> None:
    source = normalise(TRANSLATION.read_text(encoding="utf-8"))
    assert all(start >= 0 for _, start, _ in spans), "some text_en not found (see the order test)"
    for (prev, _, prev_end), (n, start, _) in itertools.pairwise(spans):
        gap = re.findall(r"[a-z0-9]+", source[prev_end:start])
        stray = [w for w in gap if w not in HEADING_WORDS and not ORDINAL.match(w)]
        assert not stray, f"text between Art {prev} and Art {n} dropped: {source[prev_end:start]!r}"
    assert source[spans[-1][2] :].strip() == "", "text after Art 47 dropped"
