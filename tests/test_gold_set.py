"""The gold evaluation set and its checker.

Every item and dialogue turn must quote its document verbatim (after whitespace
normalisation); the set must be big enough and cover every document; and a trainer's
broken file must be reported line by line without losing the good items.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections import Counter
from pathlib import Path

import pytest

from cpguide.eval.check import (
    MISS_KINDS,
    SHAPES,
    Problem,
    check_dialogues,
    check_file,
    check_items,
    is_exam_question,
    load_taxonomy,
    normalise,
    shipped_files,
)

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
EVAL = ROOT / "eval"


@pytest.fixture(scope="module")
def documents() -> dict[str, str]:
    manifest = tomllib.loads((CORPUS / "manifest.toml").read_text(encoding="utf-8"))
    return {
        doc["id"]: (CORPUS / doc["file"]).read_text(encoding="utf-8")
        for doc in manifest["document"]
    }


@pytest.fixture(scope="module")
def gold(documents) -> list[dict]:
    items, problems = check_items(EVAL / "gold.jsonl", documents, require_stem=True)
    assert problems == [], "\n".join(map(str, problems))
    return items


def test_normalise_collapses_whitespace_and_nbsp():
    assert normalise("  a\u00a0 b\n\n c\t") == "a b c"
    assert normalise("care \nleavers") == "care leavers"


def test_taxonomy_has_topics_and_the_five_audiences():
    topics, audiences = load_taxonomy()
    assert 15 <= len(topics) <= 22
    assert set(audiences) == {"councillor", "partner", "officer", "trainer", "young-person"}
    assert all(isinstance(d, str) and d for d in [*topics.values(), *audiences.values()])


def test_every_gold_item_passes(gold):
    lines = [ln for ln in (EVAL / "gold.jsonl").read_text(encoding="utf-8").splitlines() if ln.strip()]
    assert len(gold) == len(lines)


def test_gold_set_size_and_coverage(gold, documents):
    answerable = [i for i in gold if i["answerable"]]
    unanswerable = [i for i in gold if not i["answerable"]]
    assert len(answerable) >= 80
    assert len(unanswerable) >= 10
    per_doc = Counter(i["doc_id"] for i in answerable)
    assert set(per_doc) == set(documents)
    assert per_doc["walsall-service"] >= 4
    assert all(n >= 15 for d, n in per_doc.items() if d != "walsall-service")
    assert all(i["doc_id"] is None and i["quote"] is None for i in unanswerable)


def test_gold_ids_and_styles(gold):
    for item in gold:
        prefix = "g" if item["answerable"] else "u"
        assert item["id"].startswith(prefix), item["id"]
    answerable = [i for i in gold if i["answerable"]]
    paraphrased = sum(1 for i in answerable if i["style"] == "paraphrase")
    assert paraphrased * 2 >= len(answerable)


def test_every_dialogue_passes(documents):
    dialogues, problems = check_dialogues(EVAL / "dialogues.jsonl", documents)
    assert problems == [], "\n".join(map(str, problems))
    assert len(dialogues) >= 14
    assert all(2 <= len(d["turns"]) <= 4 for d in dialogues)


GOOD = {
    "id": "t-good",
    "question": "Can a care leaver be put in a B&B?",
    "answerable": True,
    "doc_id": "lga-resource-pack",
    "quote": "Care leavers should not be placed in bed and breakfast accommodation,",
    "answer": "No, care leavers should not be placed in bed and breakfast accommodation.",
    "audience": "trainer",
    "topic": "housing",
    "style": "direct",
}


def test_broken_trainer_file_reports_each_bad_line(tmp_path, documents):
    misquoted = dict(GOOD, id="t-misquote", quote="Care leavers must never be housed in a hotel room.")
    bad_topic = dict(GOOD, id="t-topic", topic="parking-fines")
    lines = [
        '{"id": "t-broken", "question": "unterminated',
        json.dumps(misquoted, ensure_ascii=False),
        json.dumps(bad_topic, ensure_ascii=False),
        json.dumps(GOOD, ensure_ascii=False),
    ]
    path = tmp_path / "my_quiz.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    items, problems = check_items(path, documents)

    assert [i["id"] for i in items] == ["t-good"]
    assert [(p.line, p.item_id) for p in problems] == [(1, ""), (2, "t-misquote"), (3, "t-topic")]
    assert "invalid JSON" in problems[0].message
    assert "not found verbatim" in problems[1].message
    assert "unknown topic" in problems[2].message
    assert all(isinstance(p, Problem) for p in problems)


def test_quote_matching_ignores_whitespace_but_not_characters(tmp_path, documents):
    spaced = dict(GOOD, id="t-spaced", quote="Care   leavers should\nnot be placed in\u00a0bed and breakfast accommodation,")
    straight = dict(
        GOOD,
        id="t-apostrophe",
        doc_id="walsall-service",
        quote="all aspects of a child's wellbeing including their health, education, general welfare",
    )
    path = tmp_path / "quotes.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in (spaced, straight)) + "\n", encoding="utf-8")

    items, problems = check_items(path, documents)

    assert [i["id"] for i in items] == ["t-spaced"]
    assert [(p.line, p.item_id) for p in problems] == [(2, "t-apostrophe")]


def test_other_item_problems_are_reported(tmp_path, documents):
    rows = [
        dict(GOOD, id="t-1"),
        dict(GOOD, id="t-1", question="Same id again?"),
        dict(GOOD, id="t-noanswer", answer=""),
        dict(GOOD, id="t-doc", doc_id="no-such-doc"),
        dict(GOOD, id="t-short", quote="Care leavers should not"),
        dict(GOOD, id="t-aud", audience="mayor", style="casual"),
        {"id": "t-missing", "question": "", "answerable": True},
        dict(GOOD, id="u-ok", answerable=False, doc_id=None, quote=None,
             answer="The library does not cover this."),
    ]
    path = tmp_path / "more.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n", encoding="utf-8")

    items, problems = check_items(path, documents)

    assert [i["id"] for i in items] == ["t-1", "u-ok"]
    by_line = {}
    for p in problems:
        by_line.setdefault(p.line, []).append(p.message)
    assert "duplicate id" in by_line[2][0]
    assert by_line[3] == ["answerable item without an answer"]
    assert "unknown doc_id" in by_line[4][0]
    assert "quote too short" in by_line[5][0]
    assert sorted(m.split(" '")[0] for m in by_line[6]) == ["unknown audience", "unknown style"]
    assert "missing or empty key(s)" in by_line[7][0]
    assert 8 not in by_line


def test_broken_dialogue_file(tmp_path, documents):
    good_turn = {k: GOOD[k] for k in ("question", "doc_id", "quote")}
    rows = [
        json.dumps({"id": "d-ok", "turns": [good_turn, dict(good_turn, question="And why?")]}),
        json.dumps({"id": "d-one", "turns": [good_turn]}),
        json.dumps({"id": "d-bad", "turns": [good_turn, dict(good_turn, quote="nothing like this appears anywhere at all")]}),
        "not json",
    ]
    path = tmp_path / "dlg.jsonl"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")

    dialogues, problems = check_dialogues(path, documents)

    assert [d["id"] for d in dialogues] == ["d-ok"]
    assert [(p.line, p.item_id) for p in problems] == [(2, "d-one"), (3, "d-bad"), (4, "")]
    assert problems[1].message.startswith("turn 2:")


# -- quiz stems -------------------------------------------------------------------------------------
def _check_one(tmp_path, documents, item: dict, **options) -> list[str]:
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(item, ensure_ascii=False) + "\n", encoding="utf-8")
    return [p.message for p in check_items(path, documents, **options)[1]]


def test_every_answerable_gold_item_has_a_plain_stem(gold):
    """Quizzes show the stem: a plain exam question, never the deliberately everyday paraphrase."""
    for item in (i for i in gold if i["answerable"]):
        stem = item["stem"]
        assert is_exam_question(stem) and stem[0].isupper(), item["id"]
        assert normalise(stem) != normalise(item["question"]) or item["style"] == "direct", item["id"]
        assert not re.search(r"\b(LAC|CLA|CiC|kids?|gran|uni|what's)\b", stem), item["id"]


def test_stems_are_questions_or_exam_instructions():
    assert is_exam_question("What is staying put?") and is_exam_question("Name the seven principles.")
    assert not is_exam_question("Staying put and its payments.") and not is_exam_question("Tell me about B&B")


def test_the_shipped_bank_needs_stems_and_a_trainer_file_does_not(tmp_path, documents):
    assert any("stem" in m for m in _check_one(tmp_path, documents, GOOD, require_stem=True))
    assert _check_one(tmp_path, documents, GOOD) == []
    stemmed = dict(GOOD, stem="Should a care leaver be placed in bed and breakfast accommodation?")
    assert _check_one(tmp_path, documents, stemmed, require_stem=True) == []


@pytest.mark.parametrize("stem, words", [("", "stem"), ("   ", "stem"), (42, "stem"),
                                         ("Care leavers and B&B", "question mark"), ("x" * 300 + "?", "long")])
def test_a_bad_stem_is_reported(tmp_path, documents, stem, words):
    messages = _check_one(tmp_path, documents, dict(GOOD, stem=stem))
    assert len(messages) == 1 and words in messages[0], messages


# -- the held-out set's extra fields ----------------------------------------------------------------
UNANSWERABLE = {"id": "t-miss", "question": "What is the leaving care grant in Anytown?", "answerable": False,
                "doc_id": None, "quote": None, "answer": None, "audience": "officer", "topic": "leaving-care",
                "style": "direct"}


def test_extra_quotes_are_each_checked_verbatim(tmp_path, documents):
    good_extra = {"doc_id": "lga-resource-pack", "quote": GOOD["quote"]}
    assert _check_one(tmp_path, documents, dict(GOOD, quotes=[good_extra])) == []
    bad = dict(GOOD, quotes=[good_extra, {"doc_id": "lga-resource-pack", "quote": "Words that are in no document."}])
    messages = _check_one(tmp_path, documents, bad)
    assert len(messages) == 1 and messages[0].startswith("quotes[2]: quote not found verbatim")
    for broken, words in (("a passage", "list"), ([], "list"), (["text"], "quotes[1]"),
                          ([{"quote": GOOD["quote"]}], "quotes[1]")):
        messages = _check_one(tmp_path, documents, dict(GOOD, quotes=broken))
        assert len(messages) == 1 and words in messages[0], (broken, messages)
    assert any("unanswerable" in m for m in _check_one(tmp_path, documents, dict(UNANSWERABLE, quotes=[good_extra])))


def test_shape_must_be_one_of_the_known_shapes(tmp_path, documents):
    assert SHAPES == ("single", "list", "several")
    for shape in SHAPES:
        assert _check_one(tmp_path, documents, dict(GOOD, shape=shape)) == []
    assert ["unknown shape 'table' (use single, list or several)"] == _check_one(tmp_path, documents,
                                                                              dict(GOOD, shape="table"))


def test_miss_kind_and_missing_describe_an_unanswerable_item(tmp_path, documents):
    assert set(MISS_KINDS) == {"figure", "contact", "date", "statistic", "other-nation", "adjacent-topic",
                               "named-scheme"}
    described = dict(UNANSWERABLE, miss_kind="figure", missing="the grant's amount in Anytown")
    assert _check_one(tmp_path, documents, described) == []
    assert _check_one(tmp_path, documents, UNANSWERABLE) == []  # both optional
    for changes, words in (({"miss_kind": "vibe"}, "unknown miss_kind"), ({"missing": ""}, "missing"),
                           ({"missing": "x" * 200}, "long"), ({"missing": 3}, "missing")):
        messages = _check_one(tmp_path, documents, dict(described, **changes))
        assert len(messages) == 1 and words in messages[0], (changes, messages)
    messages = _check_one(tmp_path, documents, dict(GOOD, miss_kind="figure", missing="a figure"))
    assert len(messages) == 1 and "unanswerable" in messages[0]


def test_standalone_on_a_dialogue_turn_must_be_true_or_false(tmp_path, documents):
    turn = {"question": "What should housing do?", "doc_id": "lga-resource-pack", "quote": GOOD["quote"]}
    path = tmp_path / "dialogues.jsonl"
    lines = [{"id": "d-ok", "turns": [dict(turn, standalone=True), dict(turn, standalone=False)]},
             {"id": "d-bad", "turns": [turn, dict(turn, standalone="yes")]}]
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    dialogues, problems = check_dialogues(path, documents)
    assert [d["id"] for d in dialogues] == ["d-ok"]
    assert [str(p) for p in problems] == ["line 2 (d-bad): turn 2: standalone must be true or false"]


def test_check_with_no_file_covers_every_shipped_set_that_exists(tmp_path, documents):
    for name in ("gold.jsonl", "dialogues.jsonl"):
        (tmp_path / name).write_text((EVAL / name).read_text(encoding="utf-8"), encoding="utf-8")
    assert [p.name for p in shipped_files(tmp_path)] == ["gold.jsonl", "dialogues.jsonl"]
    (tmp_path / "test.jsonl").write_text(json.dumps(dict(GOOD, shape="single")) + "\n", encoding="utf-8")
    (tmp_path / "test_dialogues.jsonl").write_text("", encoding="utf-8")
    files = shipped_files(tmp_path)
    assert [p.name for p in files] == ["gold.jsonl", "dialogues.jsonl", "test.jsonl", "test_dialogues.jsonl"]
    results = {p.name: check_file(p, documents, shipped=True) for p in files}
    assert {name: len(problems) for name, (_, problems) in results.items()} == dict.fromkeys(results, 0)
    assert len(results["test.jsonl"][0]) == 1  # test items need no stem: they are never quizzed
    assert len(results["dialogues.jsonl"][0]) >= 14  # read as dialogues


def test_the_checker_runs_as_a_module_and_fails_on_a_bad_file(tmp_path, starter_index):
    import os
    import subprocess
    import sys

    bad = tmp_path / "mine.jsonl"
    bad.write_text(json.dumps({"id": "x1", "question": "What is a pathway plan?"}) + "\n", encoding="utf-8")
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    run = subprocess.run([sys.executable, "-m", "cpguide.eval.check", "--index-dir", str(starter_index), str(bad)],
                         capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "x1" in run.stdout and "missing" in run.stdout


def test_eval_check_reads_the_index_named_before_or_after_check(tmp_path, starter_index):
    """`cpguide eval --index-dir DIR check FILE` used to ignore DIR and report "No index found"."""
    from click.testing import CliRunner

    from cpguide.cli import _register, cli

    _register()
    mine = tmp_path / "mine.jsonl"
    mine.write_text(json.dumps({
        "id": "x1", "question": "Should care leavers go into B&Bs?", "answerable": True,
        "doc_id": "lga-resource-pack", "audience": "partner", "topic": "housing", "style": "paraphrase",
        "quote": "Care leavers should not be placed in bed and breakfast accommodation",
        "answer": "No: care leavers should not be placed in bed and breakfast accommodation."}) + "\n",
        encoding="utf-8")
    for args in (["eval", "--index-dir", str(starter_index), "check", str(mine)],
                 ["eval", "check", "--index-dir", str(starter_index), str(mine)]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        assert "1 valid item(s), ok" in result.output


def test_a_list_item_counts_its_main_quote_whether_or_not_quotes_repeats_it():
    """List completeness reads every passage of the answer: the main quote and the further ones.

    Some files repeat the main quote in ``quotes``, others give only the further passages; if
    the main one were dropped, an answer citing it would count as missing a list item.
    """
    from cpguide.eval.runner import gold_quotes

    further = {"quote": "first item of the list", "quotes": [{"quote": "second item"}, {"quote": "third item"}]}
    repeated = {"quote": "first item of the list",
                "quotes": [{"quote": "first item of the list"}, {"quote": "second item"}, {"quote": "third item"}]}
    assert gold_quotes(further) == gold_quotes(repeated) == ["first item of the list", "second item", "third item"]
    assert gold_quotes({"quote": "only one"}) == ["only one"]
    curly = {"quote": "the council’s  first item", "quotes": [{"quote": "the council's first item"}, {"quote": "second"}]}
    assert len(gold_quotes(curly)) == 2, "the same passage written with other spaces or apostrophes counts once"
