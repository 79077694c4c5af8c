"""The trainers' quiz: sound questions from the bank, reproducible by seed, and faithful exports.

Most tests build quizzes from the shipped bank against the corpus files directly (no model
needed); the command-line and web tests use the session's starter index.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from cpguide.errors import UsageError
from cpguide.eval.check import normalise
from cpguide.eval.quiz import (
    KINDS,
    MAX_QUESTIONS,
    QUOTE_OVERLAP,
    SIMILAR,
    build_quiz,
    content_words,
    jaccard,
    load_bank,
    mark,
    parse_kinds,
)
from cpguide.eval.quiz_export import CSV_COLUMNS, LETTERS, csv_text, export, gift, gift_escape, html_sheet
from cpguide.records import DocMeta

sys.path.insert(0, str(Path(__file__).parent))
from gift_parser import parse as parse_gift  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"


# -- fixtures -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def corpus() -> tuple[dict[str, DocMeta], dict[str, str]]:
    manifest = tomllib.loads((CORPUS / "manifest.toml").read_text(encoding="utf-8"))
    meta = {d["id"]: DocMeta(d["id"], d["title"], d["publisher"], d["year"], jurisdiction=d["jurisdiction"])
            for d in manifest["document"]}
    texts = {d["id"]: (CORPUS / d["file"]).read_text(encoding="utf-8") for d in manifest["document"]}
    return meta, texts


@pytest.fixture(scope="module")
def bank(corpus) -> list[dict]:
    items, problems = load_bank([], corpus[1])
    assert problems == []
    return items


def quiz_of(bank, corpus, **kw):
    meta, texts = corpus
    return build_quiz(bank, meta, texts, **kw)


# A small world whose every text is full of GIFT's special characters.
SPECIAL_DOCS = {
    "doc-a": ("Guide: {care} = ~love~ #1", "A\\B Council: the {best}", 2021, "england",
              "Housing: care leavers = priority #1 {always}, and ~never~ a B&B: ask C:\\housing\\team."),
    "doc-b": ("Health = wealth: a {guide}", "NHS #trust ~ partners", 2020, "wales",
              "Health: every child gets a check-up = once a year {at least}, see form #12: ~done~."),
    "doc-c": ("Schools: #learning {plan}", "Dept = Education", 2019, "england",
              "Education: the virtual school head {VSH} tracks progress #weekly = ~good~ practice: keep it."),
    "doc-d": ("Leisure: {free} passes", "Leisure ~ Trust", 2018, "uk",
              "Leisure: free swimming = {yes} for all #children in care: the pass costs ~nothing~ at all."),
    "doc-e": ("Youth justice: {fair} = just", "Police #1 : Force", 2017, "england",
              "Police: avoid criminalising children in care = {restorative} approach #first: talk ~before~ charging."),
}
SPECIAL_ITEMS = [  # (id, topic, doc_id, question, answer); each quote is its document's one sentence
    ("s-1", "housing", "doc-a", "Are care leavers {a} priority = #1: yes or ~no~?",
     "[html] <b>Care leavers</b> = priority #1 {always}: never a B&B, ask C:\\housing."),
    ("s-2", "health", "doc-b", "How often = check-ups {health}: #often?",
     "Once a year {at least} = form #12: ~done~ and dusted."),
    ("s-3", "education", "doc-c", "Who tracks {school} progress = #weekly: which ~role~?",
     "The virtual school head {VSH}: tracks progress #weekly = ~good~ practice."),
    ("s-4", "leisure-and-culture", "doc-d", "What does the {swimming} pass cost = #money: ~anything~?",
     "%50% off? No: free swimming = {yes}, the pass costs ~nothing~ #free."),
    ("s-5", "youth-justice-and-police", "doc-e", "=SUM(1) How should {police} respond = #first: ~charge~?",
     "A {restorative} approach = #first: talk ~before~ charging, C:\\law."),
]


@pytest.fixture
def special(tmp_path):
    """(items, meta, texts) for the special-character world, via a trainer's items file."""
    meta = {d: DocMeta(d, title, publisher, year, jurisdiction=place)
            for d, (title, publisher, year, place, _text) in SPECIAL_DOCS.items()}
    texts = {d: spec[4] for d, spec in SPECIAL_DOCS.items()}
    path = tmp_path / "special.jsonl"
    path.write_text("".join(json.dumps({"id": i, "question": q, "answerable": True, "doc_id": d, "quote": texts[d],
                                        "answer": a, "audience": "trainer", "topic": t, "style": "direct"},
                                       ensure_ascii=False) + "\n"
                            for i, t, d, q, a in SPECIAL_ITEMS), encoding="utf-8")
    items, problems = load_bank([path], texts, include_shipped=False)
    assert problems == [] and len(items) == len(SPECIAL_ITEMS)
    return items, meta, texts


# -- GIFT -----------------------------------------------------------------------------------------
def _assert_gift_matches(quiz, parsed):
    assert len(parsed) == len(quiz.questions)
    for q, g in zip(quiz.questions, parsed):
        assert g.text == q.prompt and g.text_format == "plain"
        assert g.name.endswith(f"({q.item_id})")
        s = q.source
        assert g.general_feedback.split("\n") == [
            f"Source: {s.reference}" + (f", section “{s.section}”" if s.section else ""), f"“{s.quote}”",
            f"Answer: {s.answer}"]
        if q.kind == "tf":
            assert g.kind == "tf" and g.truth is q.answer
            assert g.right_feedback == q.option_feedback[q.answer_index]
            assert g.wrong_feedback == q.option_feedback[1 - q.answer_index]
        else:
            assert g.kind == "mc"
            assert [o.text for o in g.options] == list(q.options)
            assert [o.correct for o in g.options] == [k == q.answer_index for k in range(len(q.options))]
            assert [o.feedback for o in g.options] == list(q.option_feedback)


@pytest.mark.parametrize("kinds", [("mc",), ("tf",), ("source",), KINDS])
def test_gift_parses_back_with_special_characters(special, kinds):
    items, meta, texts = special
    for seed in range(6):
        quiz = build_quiz(items, meta, texts, n=5, seed=seed, kinds=kinds)
        assert quiz.questions, quiz.notes
        text = gift(quiz)
        parsed = parse_gift(text)
        _assert_gift_matches(quiz, parsed)
        assert all(g.category.startswith("cpguide/") for g in parsed)


def test_gift_special_texts_survive_exactly(special):
    items, meta, texts = special
    quiz = build_quiz(items, meta, texts, n=5, seed=1, kinds=("mc",))
    parsed = parse_gift(gift(quiz))
    options = {o.text for g in parsed for o in g.options}
    # a leading "[html]" stays text, and "%50%" is not read as a weight
    assert "[html] <b>Care leavers</b> = priority #1 {always}: never a B&B, ask C:\\housing." in options
    assert "%50% off? No: free swimming = {yes}, the pass costs ~nothing~ #free." in options
    assert all(o.weight in (None, 0.0) for g in parsed for o in g.options)
    assert any("Source: Guide: {care} = ~love~ #1 (A\\B Council: the {best}, 2021, England)" in g.general_feedback
               for g in parsed)


def test_gift_escape_covers_every_special_character():
    assert gift_escape("a~b=c#d{e}f:g\\h\ni") == "a\\~b\\=c\\#d\\{e\\}f\\:g\\\\h\\ni"


def test_gift_of_the_whole_bank_parses_back(bank, corpus):
    quiz = quiz_of(bank, corpus, n=60, seed=11)
    assert len(quiz.questions) == 60 and {q.kind for q in quiz.questions} == set(KINDS)
    _assert_gift_matches(quiz, parse_gift(gift(quiz)))


# -- soundness of the questions ---------------------------------------------------------------------
def _overlaps(a: str, b: str) -> bool:
    from cpguide.eval.quiz import _grams, _words

    ga, gb = _grams(_words(a), 3), _grams(_words(b), 3)
    return len(ga & gb) >= QUOTE_OVERLAP * (min(len(ga), len(gb)) or 1)


def test_distractors_never_equal_or_echo_the_right_answer(bank, corpus):
    by_answer: dict[str, list[dict]] = {}
    for item in bank:
        if item["answerable"]:
            by_answer.setdefault(normalise(item["answer"]), []).append(item)
    by_id = {i["id"]: i for i in bank}
    checked = 0
    wanted = min(MAX_QUESTIONS, sum(1 for i in bank if i["answerable"]))
    for seed in range(12):
        quiz = quiz_of(bank, corpus, n=wanted, seed=seed, kinds=("mc",))
        assert len(quiz.questions) == wanted
        for q in quiz.questions:
            item = by_id[q.item_id]
            right = q.options[q.answer_index]
            assert right == normalise(item["answer"])
            assert len({o.casefold() for o in q.options}) == 4
            for k, option in enumerate(q.options):
                if k == q.answer_index:
                    continue
                assert option.casefold().rstrip(". ") != right.casefold().rstrip(". ")
                assert jaccard(content_words(option), content_words(right)) < SIMILAR
                for other in by_answer[option]:
                    assert other["id"] != item["id"]
                    assert normalise(other["quote"]) != normalise(item["quote"])
                    assert not _overlaps(other["quote"], item["quote"])
                checked += 1
    assert checked > 5000


def test_false_statements_come_from_another_topic_and_passage(bank, corpus):
    by_answer = {normalise(i["answer"]): i for i in bank if i["answerable"]}
    by_id = {i["id"]: i for i in bank}
    falses = 0
    for seed in range(6):
        for q in quiz_of(bank, corpus, n=200, seed=seed, kinds=("tf",)).questions:
            item = by_id[q.item_id]
            assert q.options == ("True", "False") and q.answer_index == (0 if q.answer else 1)
            statement = q.prompt.rsplit("the guidance answers: “", 1)[1][:-1]
            if q.answer:
                assert statement == normalise(item["answer"])
                continue
            falses += 1
            other = by_answer[statement]
            assert other["id"] != item["id"] and other["topic"] != item["topic"]
            assert not statement.lower().startswith(("yes", "no"))
            assert not _overlaps(other["quote"], item["quote"])
            assert normalise(other["stem"]) in q.option_feedback[1]
    assert falses > 100


def test_which_document_is_never_asked_of_a_shared_quote(bank, corpus):
    meta, texts = corpus
    norm = {d: normalise(t) for d, t in texts.items()}
    by_id = {i["id"]: i for i in bank}
    quiz = quiz_of(bank, corpus, n=200, seed=4, kinds=("source",))
    asked = {q.item_id for q in quiz.questions}
    shared = {i["id"] for i in bank if i["answerable"]
              and sum(normalise(i["quote"]) in t for t in norm.values()) > 1}
    assert shared and not asked & shared  # the quote copied into the Telford paper is never asked
    assert any("could not make a sound source question" in n for n in quiz.notes)
    for q in quiz.questions:
        item = by_id[q.item_id]
        assert sum(normalise(item["quote"]) in t for t in norm.values()) == 1
        assert len(set(q.options)) == len(q.options) == 4
        assert q.options[q.answer_index].startswith(meta[item["doc_id"]].title)
        assert q.source.quote in q.prompt


def test_every_question_cites_its_passage(bank, corpus):
    meta, _ = corpus
    by_id = {i["id"]: i for i in bank}
    for q in quiz_of(bank, corpus, n=30, seed=9).questions:
        item, s = by_id[q.item_id], q.source
        assert (s.doc_id, s.quote, s.answer) == (item["doc_id"], normalise(item["quote"]), normalise(item["answer"]))
        m = meta[s.doc_id]
        assert (s.title, s.publisher, s.year, s.jurisdiction) == (m.title, m.publisher, m.year, m.jurisdiction)


def test_filters_and_shortfall(bank, corpus):
    quiz = quiz_of(bank, corpus, topic="housing", audience="partner", n=10, seed=2)
    assert quiz.questions and all(q.topic == "housing" and q.audience == "partner" for q in quiz.questions)
    matching = sum(1 for i in bank if i["answerable"] and i["topic"] == "housing" and i["audience"] == "partner")
    assert len(quiz.questions) == matching < 10 and quiz.short
    assert f"Only {matching} question(s)" in quiz.notes[0]
    only = quiz_of(bank, corpus, doc_id="walsall-service", n=3, seed=1)
    assert {q.source.doc_id for q in only.questions} == {"walsall-service"}


def test_bad_flags_say_what_to_do(bank, corpus):
    with pytest.raises(UsageError) as err:
        quiz_of(bank, corpus, topic="housnig")
    assert "housing" in err.value.hint and "leaving-care" in err.value.hint
    with pytest.raises(UsageError, match="audience"):
        quiz_of(bank, corpus, audience="mayor")
    with pytest.raises(UsageError, match="document"):
        quiz_of(bank, corpus, doc_id="nope")
    with pytest.raises(UsageError, match="between 1 and"):
        quiz_of(bank, corpus, n=0)
    with pytest.raises(UsageError) as err:
        parse_kinds("mc,essay")
    assert "source" in err.value.hint
    assert parse_kinds("tf, mc") == ("tf", "mc") and parse_kinds("") == KINDS


# -- reproducibility -------------------------------------------------------------------------------
def test_same_seed_same_quiz_and_another_seed_another(bank, corpus):
    a = quiz_of(bank, corpus, n=10, seed=42)
    assert a == quiz_of(bank, corpus, n=10, seed=42)
    assert gift(a) == gift(quiz_of(bank, corpus, n=10, seed=42))
    b = quiz_of(bank, corpus, n=10, seed=43)
    assert [q.id for q in a.questions] != [q.id for q in b.questions]
    shuffled = quiz_of(list(bank), corpus, n=10, seed=42, kinds=("mc",))
    assert shuffled == quiz_of(bank, corpus, n=10, seed=42, kinds=("mc",))


def test_same_seed_same_quiz_in_other_processes():
    """No set or hash order leaks in: two interpreters with different hash seeds agree."""
    script = (
        "import tomllib, pathlib, hashlib\n"
        "from cpguide.records import DocMeta\n"
        "from cpguide.eval.quiz import build_quiz, load_bank\n"
        "from cpguide.eval.quiz_export import json_text\n"
        f"c = pathlib.Path({str(CORPUS)!r})\n"
        "m = tomllib.loads((c / 'manifest.toml').read_text())['document']\n"
        "texts = {d['id']: (c / d['file']).read_text() for d in m}\n"
        "meta = {d['id']: DocMeta(d['id'], d['title'], d['publisher'], d['year']) for d in m}\n"
        "items, _ = load_bank([], texts)\n"
        "print(hashlib.sha256(json_text(build_quiz(items, meta, texts, n=25, seed=7)).encode()).hexdigest())\n")
    outs = set()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        outs.add(subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                                check=True).stdout)
    assert len(outs) == 1


# -- trainers' files -------------------------------------------------------------------------------
def test_a_bad_item_is_reported_by_line_and_the_rest_are_used(tmp_path, corpus, bank):
    meta, texts = corpus
    good = next(i for i in bank if i["id"] == "g072")
    lines = [
        {**good, "id": "tw-01", "question": "Can a care leaver be housed in a B&B by us?"},
        "{not json",
        {**good, "id": "tw-03", "quote": "Care leavers should live on the moon."},
        {**good, "id": "tw-04", "topic": "space-travel"},
        {**good, "id": "g001"},  # clashes with the shipped bank
        {**next(i for i in bank if i["id"] == "g141"), "id": "tw-06"},
    ]
    path = tmp_path / "mine.jsonl"
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in lines) + "\n",
                    encoding="utf-8")
    items, problems = load_bank([path], texts)
    lines_reported = sorted((p.problem.line, p.problem.item_id) for p in problems)
    assert lines_reported == [(2, ""), (3, "tw-03"), (4, "tw-04"), (5, "g001")]
    assert all(p.path == str(path) for p in problems)
    assert "unknown topic 'space-travel'" in str(problems[2]) and "first on" not in str(problems[3])
    ids = {i["id"] for i in items}
    assert {"tw-01", "tw-06"} <= ids and len(items) == len(bank) + 2
    quiz = build_quiz(items, meta, texts, n=200, seed=1)
    assert {"tw-01", "tw-06"} <= {q.item_id for q in quiz.questions}


# -- marking ---------------------------------------------------------------------------------------
def test_marking(bank, corpus):
    quiz = quiz_of(bank, corpus, n=6, seed=3)
    answers = {q.id: q.answer_index for q in quiz.questions[:3]}
    answers[quiz.questions[3].id] = (quiz.questions[3].answer_index + 1) % len(quiz.questions[3].options)
    answers[quiz.questions[4].id] = 99
    marks, score = mark(quiz, answers)
    assert score == 3 and [m.correct for m in marks] == [True] * 3 + [False] * 3
    assert marks[4].chosen is None and marks[5].chosen is None
    assert marks[5].feedback.startswith("Not answered")


# -- CSV and HTML ----------------------------------------------------------------------------------
def test_csv_round_trips(special, bank, corpus):
    for quiz in (quiz_of(bank, corpus, n=20, seed=5), build_quiz(*special, n=5, seed=2)):
        rows = list(csv.DictReader(io.StringIO(csv_text(quiz), newline="")))
        assert len(rows) == len(quiz.questions) and tuple(rows[0]) == CSV_COLUMNS
        for q, row in zip(quiz.questions, rows):
            guarded = lambda s: "'" + s if s.startswith(("=", "+", "-", "@")) else s  # noqa: E731
            assert row["question"] == guarded(q.prompt)
            options = [row[f"option_{x}"] for x in "abcd"]
            assert options[:len(q.options)] == [guarded(o) for o in q.options]
            assert all(not o for o in options[len(q.options):])
            assert row["correct"] == LETTERS[q.answer_index]
            assert row["correct_answer"] == guarded(q.correct_option)
            assert (row["source_title"], row["quote"]) == (q.source.title, guarded(q.source.quote))
            assert row["page"] == (str(q.source.page) if q.source.page else "")
    formula = [r for r in csv.DictReader(io.StringIO(csv_text(build_quiz(*special, n=5, seed=2))))
               if "SUM" in r["question"]]
    assert formula and formula[0]["question"].startswith("'=SUM(1)")


def test_html_sheet_escapes_everything(tmp_path):
    meta = {"x": DocMeta("x", "<script>alert('title')</script> Guide", "<img src=x onerror=alert(1)>", 2024,
                         jurisdiction="england")}
    others = {f"y{k}": DocMeta(f"y{k}", f"Other {k}", "P", 2020) for k in range(3)}
    quote = "<script>alert('quote')</script> children in care must be kept safe & sound."
    texts = {"x": f"Intro. {quote} End.", **{d: f"Text {d} about something else entirely." for d in others}}
    path = tmp_path / "xss.jsonl"
    path.write_text(json.dumps({"id": "x-1", "question": "<script>alert('q')</script> What must happen?",
                                "answerable": True, "doc_id": "x", "quote": quote,
                                "answer": "<b onmouseover=alert(1)>Kept safe</b>", "audience": "trainer",
                                "topic": "principles", "style": "direct"}) + "\n", encoding="utf-8")
    items, problems = load_bank([path], texts, include_shipped=False)
    assert not problems
    quiz = build_quiz(items, {**meta, **others}, texts, n=1, seed=0, kinds=("source",))
    assert len(quiz.questions) == 1
    page = html_sheet(quiz)
    assert "<script>" not in page and "<img" not in page and "<b " not in page
    assert "&lt;script&gt;alert(&#x27;quote&#x27;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "@media print" in page and page.count("<style>") == 1
    for landmark in ("<header>", "<main>", "<footer>"):
        assert landmark in page


def test_every_format_exports(bank, corpus):
    quiz = quiz_of(bank, corpus, n=4, seed=8)
    assert json.loads(export(quiz, "json"))["seed"] == 8
    assert export(quiz, "text").startswith(quiz.title)
    with pytest.raises(UsageError):
        export(quiz, "docx")


# -- stems -----------------------------------------------------------------------------------------
def _paraphrased(bank) -> dict[str, dict]:
    """Items whose everyday question differs from their quiz stem: the ones a trainer must never see."""
    return {i["id"]: i for i in bank if i["answerable"] and normalise(i["stem"]) != normalise(i["question"])}


def test_questions_show_the_plain_stem_not_the_everyday_paraphrase(bank, corpus):
    quiz = quiz_of(bank, corpus, n=60, seed=3, kinds=("mc", "tf"))
    by_id = {i["id"]: i for i in bank}
    paraphrased = _paraphrased(bank)
    assert sum(q.item_id in paraphrased for q in quiz.questions) >= 20
    for q in quiz.questions:
        item = by_id[q.item_id]
        if q.kind == "mc":
            assert q.prompt == normalise(item["stem"])
        else:
            assert f"Asked “{normalise(item['stem'])}”" in q.prompt
        assert all(normalise(p["question"]) not in q.prompt + " ".join(q.option_feedback)
                   for p in paraphrased.values())


def test_every_quiz_format_uses_the_stems(bank, corpus):
    quiz = quiz_of(bank, corpus, n=12, seed=4, kinds=("mc",))
    paraphrased = _paraphrased(bank)
    shown = [q for q in quiz.questions if q.item_id in paraphrased]
    assert shown
    for fmt in ("gift", "csv", "html", "text", "json"):
        text = normalise(export(quiz, fmt))  # the text sheet wraps long lines
        for q in shown:
            item = paraphrased[q.item_id]
            stem, question = normalise(item["stem"]), normalise(item["question"])
            assert any(form in text for form in (stem, gift_escape(stem), stem.replace("'", "&#x27;"),
                                                 stem.replace("'", "&#39;"), json.dumps(stem)[1:-1])), (fmt, q.id)
            assert question not in text and gift_escape(question) not in text, (fmt, q.id)


def test_a_trainer_item_without_a_stem_shows_its_question(special):
    items, meta, texts = special
    quiz = build_quiz(items, meta, texts, n=5, seed=1, kinds=("mc",))
    questions = {i["id"]: normalise(i["question"]) for i in items}
    assert quiz.questions and all(q.prompt == questions[q.item_id] for q in quiz.questions)


# -- the command line ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cli():
    from cpguide.cli import _register, cli

    _register()
    return cli


def _run(cli, args):
    from click.testing import CliRunner

    return CliRunner().invoke(cli, ["quiz", *args], catch_exceptions=True)


@pytest.mark.model
def test_cli_end_to_end(cli, starter_index, tmp_path):
    base = ["--index-dir", str(starter_index)]
    result = _run(cli, [*base, "--topic", "housing", "--n", "5", "--seed", "3", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["seed"] == 3 and len(data["questions"]) == 5
    assert all(q["topic"] == "housing" and q["source"]["quote"] for q in data["questions"])
    again = _run(cli, [*base, "--topic", "housing", "--n", "5", "--seed", "3", "--format", "json"])
    assert again.stdout == result.stdout

    out = tmp_path / "quiz.gift.txt"
    result = _run(cli, [*base, "--n", "12", "--seed", "1", "--format", "gift", "--output", str(out)])
    assert result.exit_code == 0 and "Wrote 12 question(s)" in result.stderr
    parsed = parse_gift(out.read_text(encoding="utf-8"))
    assert len(parsed) == 12 and all(g.general_feedback.startswith("Source: ") for g in parsed)

    out = tmp_path / "quiz.csv"
    assert _run(cli, [*base, "--n", "3", "--seed", "1", "--format", "csv", "-o", str(out)]).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 3 and rows[0]["correct"] in "ABCD"

    result = _run(cli, [*base, "--topic", "mental-health", "--n", "30", "--seed", "1"])
    assert result.exit_code == 0 and "Only 4 question(s) could be made, not 30" in result.stderr

    result = _run(cli, [*base, "--n", "2"])
    assert result.exit_code == 0 and "use --seed" in result.stderr


@pytest.mark.model
def test_cli_bad_bank_lines_and_bad_flags(cli, starter_index, tmp_path, bank):
    base = ["--index-dir", str(starter_index)]
    good = [next(i for i in bank if i["id"] == g) for g in ("g072", "g141", "g016")]
    path = tmp_path / "mine.jsonl"
    path.write_text("\n".join([json.dumps({**good[0], "id": "tw-1"}), "{oops",
                               json.dumps({**good[1], "id": "tw-3", "quote": "Not in any document at all, honestly."}),
                               json.dumps({**good[2], "id": "tw-4"}), json.dumps({**good[1], "id": "tw-5"})]) + "\n",
                    encoding="utf-8")
    result = _run(cli, [*base, "--bank", str(path), "--bank-only", "--kinds", "source", "--seed", "2",
                        "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "line 2" in result.stderr and "line 3 (tw-3)" in result.stderr and "quote not found" in result.stderr
    ids = {q["item_id"] for q in json.loads(result.stdout)["questions"]}
    assert ids == {"tw-4", "tw-5"}  # tw-1 quotes a passage found in two documents: never a source question

    result = _run(cli, [*base, "--topic", "housnig"])
    assert isinstance(result.exception, UsageError) and "housing" in result.exception.hint
    result = _run(cli, [*base, "--kinds", "mc,essay"])
    assert isinstance(result.exception, UsageError)
    assert _run(cli, [*base, "--format", "docx"]).exit_code == 2


# -- the web page ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def web(starter_index, embedder):
    """The app exactly as ``cpguide serve`` builds it: the quiz pages must be part of it."""
    from fastapi.testclient import TestClient

    from cpguide.settings import Settings
    from cpguide.web.app import create_app
    from web_server import services_for

    settings = Settings.resolve(env={}, index_dir=str(starter_index), rate_limit=100_000)
    with TestClient(create_app(settings, services_for(settings, embedder))) as client:
        yield client


@pytest.mark.model
def test_the_app_serves_the_quiz_and_links_to_it(web):
    home = web.get("/")
    assert home.status_code == 200 and '<a href="/quiz"' in home.text
    for path in ("/quiz", "/quiz/take?topic=housing&n=2&seed=1"):
        assert web.get(path).status_code == 200, path


@pytest.mark.model
def test_web_quiz_page_preview_and_downloads(web):
    page = web.get("/quiz")
    assert page.status_code == 200
    for label in ('for="quiz-topic"', 'for="quiz-audience"', 'for="quiz-n"', 'for="quiz-seed"', "<legend>"):
        assert label in page.text
    redirect = web.get("/quiz?build=1&topic=housing&n=4&kinds=mc&kinds=tf", follow_redirects=False)
    assert redirect.status_code == 303 and "seed=" in redirect.headers["location"]
    preview = web.get("/quiz?build=1&topic=housing&n=4&seed=5&kinds=mc&kinds=tf&kinds=source")
    assert preview.status_code == 200 and preview.text.count("(right answer)") == 4
    assert "/quiz/take?topic=housing&amp;n=4&amp;seed=5" in preview.text
    gift_file = web.get("/quiz/download?format=gift&topic=housing&n=4&seed=5")
    assert gift_file.headers["content-disposition"].startswith("attachment;")
    assert len(parse_gift(gift_file.text)) == 4
    sheet = web.get("/quiz/download?format=html&view=1&topic=housing&n=4&seed=5")
    assert sheet.headers["content-disposition"] == "inline" and "sha256-" in sheet.headers["content-security-policy"]
    rows = list(csv.DictReader(io.StringIO(web.get("/quiz/download?format=csv&topic=housing&n=4&seed=5")
                                           .content.decode("utf-8-sig"))))
    assert len(rows) == 4
    no_kinds = web.get("/quiz?build=1&n=4&seed=5")
    assert "Choose at least one kind of question" in no_kinds.text
    bad = web.get("/quiz?build=1&topic=nope&seed=1&kinds=mc")
    assert bad.status_code == 422 and "Unknown topic" in bad.text


@pytest.mark.model
def test_web_quiz_pages_show_the_stems(web, bank):
    import html as html_lib

    paraphrased = _paraphrased(bank)
    for path in ("/quiz?build=1&topic=housing&n=6&seed=5&kinds=mc", "/quiz/take?topic=housing&n=6&seed=5&kinds=mc"):
        text = html_lib.unescape(web.get(path).text)
        housing = [i for i in paraphrased.values() if i["topic"] == "housing"]
        assert any(normalise(i["stem"]) in text for i in housing), path
        assert not [i["id"] for i in housing if normalise(i["question"]) in text], path


@pytest.mark.model
def test_web_take_and_mark(web):
    import html as html_lib

    from cpguide.web.routes.quiz import QuizParams, _build

    form = web.get("/quiz/take?topic=housing&n=4&seed=5&kinds=mc&kinds=tf&kinds=source")
    assert form.status_code == 200
    assert form.text.count("<fieldset") == 4 and form.text.count("<legend>") == 4
    assert 'name="seed" value="5"' in form.text
    library = web.app.state.runtime.services.library
    quiz = _build(library, QuizParams(topic="housing", n=4, seed=5, kinds=KINDS))
    answers = {"q1": str(quiz.questions[0].answer_index),
               "q2": str((quiz.questions[1].answer_index + 1) % len(quiz.questions[1].options)),
               "q3": str(quiz.questions[2].answer_index)}
    result = web.post("/quiz/take", data={"topic": "housing", "n": "4", "seed": "5",
                                          "kinds": ["mc", "tf", "source"], **answers})
    assert result.status_code == 200
    text = html_lib.unescape(result.text)
    assert "You got 2 of 4 right" in text
    assert "Question 1: right" in text and "Question 2: not right" in text and "Question 4: not answered" in text
    for q in quiz.questions:
        assert q.source.quote in text
    assert text.count("Open the passage in the document") == 4
