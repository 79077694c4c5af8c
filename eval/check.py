"""Check question files for the evaluation set (and trainers' own quiz files).

Two kinds of file, both JSON Lines (one JSON object per line):

* items (``eval/gold.jsonl``, the held-out ``eval/test.jsonl`` or a trainer's own file):
  one question each, with its gold quote, answer, audience, topic and style;
* dialogues (``eval/dialogues.jsonl``, ``eval/test_dialogues.jsonl``): a few turns each,
  every turn with its gold quote.

Optional fields are checked whenever they are present: ``stem`` (the plain exam-style
question quizzes show), ``quotes`` (further passages that also answer, each verbatim),
``shape`` (how the answer is laid out), ``miss_kind`` and ``missing`` (what an unanswerable
question asks for that the library lacks) and, on dialogue turns, ``standalone``. A stem is
*required* on answerable items of the shipped quiz bank (``gold.jsonl``), because trainers
get quizzes from it; a trainer's own file may leave stems out (the question is shown
instead), and the held-out test set has none, because it is never quizzed.

A quote must appear verbatim in its document. "Verbatim" is judged after
:func:`normalise` on both sides, so line breaks, runs of spaces, tabs and no-break spaces
in the extracted text do not matter, but every other character (curly apostrophes,
dashes, capitals) must match.

The checks never stop at the first bad line: each problem is reported with its 1-based
line number and item id, the line is skipped, and the rest of the file is still read.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

STYLES: tuple[str, ...] = ("paraphrase", "direct")
SHAPES: tuple[str, ...] = ("single", "list", "several")
MISS_KINDS: tuple[str, ...] = ("figure", "contact", "date", "statistic", "other-nation", "adjacent-topic",
                               "named-scheme")
MIN_QUOTE_WORDS = 5
MIN_TURNS = 2
MAX_STEM_CHARS = 250  # one exam question, read aloud in a training session
EXAM_VERBS = frozenset({"Name", "List", "Give", "State", "Describe", "Outline", "Explain", "Identify"})
MAX_MISSING_CHARS = 120  # "the grant's amount in Anytown", not a paragraph

# The shipped question sets: (questions, dialogues) each. dev: tune on it. test: held out from
# the answer rules it judged. holdout: written after those rules. fresh, fresh2 ... fresh28: written from
# the documents alone by someone who had not seen the rules, each before the changes it judges.
# None of the held-out sets is ever tuned on.
SETS: dict[str, tuple[str, str]] = {
    "dev": ("gold.jsonl", "dialogues.jsonl"),
    "test": ("test.jsonl", "test_dialogues.jsonl"),
    "holdout": ("holdout.jsonl", "holdout_dialogues.jsonl"),
    "fresh": ("fresh.jsonl", "fresh_dialogues.jsonl"),
    "fresh2": ("fresh2.jsonl", "fresh2_dialogues.jsonl"),
    "fresh3": ("fresh3.jsonl", "fresh3_dialogues.jsonl"),
    "fresh4": ("fresh4.jsonl", "fresh4_dialogues.jsonl"),
    "fresh5": ("fresh5.jsonl", "fresh5_dialogues.jsonl"),
    "fresh6": ("fresh6.jsonl", "fresh6_dialogues.jsonl"),
    "fresh7": ("fresh7.jsonl", "fresh7_dialogues.jsonl"),
    "fresh8": ("fresh8.jsonl", "fresh8_dialogues.jsonl"),
    "fresh9": ("fresh9.jsonl", "fresh9_dialogues.jsonl"),
    "fresh10": ("fresh10.jsonl", "fresh10_dialogues.jsonl"),
    "fresh11": ("fresh11.jsonl", "fresh11_dialogues.jsonl"),
    "fresh12": ("fresh12.jsonl", "fresh12_dialogues.jsonl"),
    "fresh13": ("fresh13.jsonl", "fresh13_dialogues.jsonl"),
    "fresh14": ("fresh14.jsonl", "fresh14_dialogues.jsonl"),
    "fresh15": ("fresh15.jsonl", "fresh15_dialogues.jsonl"),
    "fresh16": ("fresh16.jsonl", "fresh16_dialogues.jsonl"),
    "fresh17": ("fresh17.jsonl", "fresh17_dialogues.jsonl"),
    "fresh18": ("fresh18.jsonl", "fresh18_dialogues.jsonl"),
    "fresh19": ("fresh19.jsonl", "fresh19_dialogues.jsonl"),
    "fresh20": ("fresh20.jsonl", "fresh20_dialogues.jsonl"),
    "fresh21": ("fresh21.jsonl", "fresh21_dialogues.jsonl"),
    "fresh22": ("fresh22.jsonl", "fresh22_dialogues.jsonl"),
    "fresh23": ("fresh23.jsonl", "fresh23_dialogues.jsonl"),
    "fresh24": ("fresh24.jsonl", "fresh24_dialogues.jsonl"),
    "fresh25": ("fresh25.jsonl", "fresh25_dialogues.jsonl"),
    "fresh26": ("fresh26.jsonl", "fresh26_dialogues.jsonl"),
    "fresh27": ("fresh27.jsonl", "fresh27_dialogues.jsonl"),
    "fresh28": ("fresh28.jsonl", "fresh28_dialogues.jsonl"),
}
# Files `cpguide eval check` reads when none is named, in this order; the held-out sets after
# the dev set may not exist yet.
SHIPPED_FILES: tuple[str, ...] = tuple(name for pair in SETS.values() for name in pair)
QUIZ_BANK = "gold.jsonl"

ITEM_KEYS: tuple[str, ...] = ("id", "question", "answerable", "audience", "topic", "style")
ANSWERABLE_KEYS: tuple[str, ...] = ("doc_id", "quote")
TURN_KEYS: tuple[str, ...] = ("question", "doc_id", "quote")

_WS = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Collapse every run of whitespace (NBSP included) to one space and strip the ends."""
    return _WS.sub(" ", text.replace("\u00a0", " ")).strip()


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one line of a question file."""

    line: int
    item_id: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f" ({self.item_id})" if self.item_id else "")
        return f"{where}: {self.message}"


def load_taxonomy(path: Path | str | None = None) -> tuple[dict[str, str], dict[str, str]]:
    """Return ``(topics, audiences)``, each a dict of slug -> description.

    Reads ``taxonomy.toml`` shipped with ``cpguide.eval`` unless ``path`` is given.
    """
    if path is None:
        text = files("cpguide.eval").joinpath("taxonomy.toml").read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    data = tomllib.loads(text)
    return dict(data.get("topics", {})), dict(data.get("audiences", {}))


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, (str, list, dict)) and not value) or (
        isinstance(value, str) and not value.strip()
    )


class _Quotes:
    """Normalised document texts, built once per check."""

    def __init__(self, documents: dict[str, str]):
        self._docs = {doc_id: normalise(text) for doc_id, text in documents.items()}

    def knows(self, doc_id: str) -> bool:
        return doc_id in self._docs

    def problem(self, doc_id: Any, quote: Any) -> str | None:
        """Why this quote does not pass, or ``None`` when it does."""
        if not isinstance(doc_id, str) or doc_id not in self._docs:
            known = ", ".join(sorted(self._docs)) or "none"
            return f"unknown doc_id {doc_id!r} (known: {known})"
        if not isinstance(quote, str):
            return "quote must be a string"
        q = normalise(quote)
        if len(q.split()) < MIN_QUOTE_WORDS:
            return f"quote too short: {len(q.split())} words (at least {MIN_QUOTE_WORDS})"
        if q not in self._docs[doc_id]:
            return f"quote not found verbatim in {doc_id}: {_clip(q)!r}"
        return None


def _clip(text: str, n: int = 70) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _read_objects(path: Path, problems: list[Problem]):
    """Yield ``(line_number, dict)`` for each non-blank line that is a JSON object."""
    with Path(path).open(encoding="utf-8-sig") as fh:
        for n, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw)
            except json.JSONDecodeError as exc:
                problems.append(Problem(n, "", f"invalid JSON: {exc.msg} (column {exc.colno})"))
                continue
            if not isinstance(obj, dict):
                problems.append(Problem(n, "", "line is not a JSON object"))
                continue
            yield n, obj


def _item_id(obj: dict) -> str:
    value = obj.get("id")
    return value if isinstance(value, str) else ("" if value is None else str(value))


def check_items(
    path: Path | str,
    documents: dict[str, str],
    *,
    taxonomy: tuple[dict[str, str], dict[str, str]] | None = None,
    require_stem: bool = False,
) -> tuple[list[dict], list[Problem]]:
    """Check a question-item file; return ``(valid_items, problems)``.

    ``documents`` maps doc_id to the document's text. An item with any problem is left
    out of ``valid_items``; a repeated id is reported on its second and later lines.
    ``require_stem`` makes a quiz stem compulsory on answerable items (the shipped bank).
    """
    topics, audiences = taxonomy if taxonomy is not None else load_taxonomy()
    quotes = _Quotes(documents)
    problems: list[Problem] = []
    valid: list[dict] = []
    seen: dict[str, int] = {}

    for n, obj in _read_objects(Path(path), problems):
        item_id = _item_id(obj)
        found: list[str] = []

        missing = [k for k in ITEM_KEYS if _is_empty(obj.get(k))]
        answerable = obj.get("answerable")
        if "answerable" not in missing and not isinstance(answerable, bool):
            found.append("answerable must be true or false")
        if answerable is True:
            missing += [k for k in ANSWERABLE_KEYS if _is_empty(obj.get(k))]
        if missing:
            found.append("missing or empty key(s): " + ", ".join(missing))
        if answerable is True and _is_empty(obj.get("answer")):
            found.append("answerable item without an answer")

        if item_id and item_id in seen:
            found.append(f"duplicate id (first on line {seen[item_id]})")
        elif item_id:
            seen[item_id] = n

        for key, allowed in (("topic", topics), ("audience", audiences), ("style", STYLES)):
            value = obj.get(key)
            if not _is_empty(value) and value not in allowed:
                found.append(f"unknown {key} {value!r}")

        if answerable is True and not _is_empty(obj.get("doc_id")) and not _is_empty(obj.get("quote")):
            why = quotes.problem(obj["doc_id"], obj["quote"])
            if why:
                found.append(why)
        elif answerable is False and not _is_empty(obj.get("quote")):
            found.append("unanswerable item has a quote; set quote and doc_id to null")

        found += _stem_problems(obj, required=require_stem and answerable is True)
        found += _optional_problems(obj, answerable, quotes)

        problems.extend(Problem(n, item_id, msg) for msg in found)
        if not found:
            valid.append(obj)
    return valid, problems


def check_dialogues(
    path: Path | str, documents: dict[str, str]
) -> tuple[list[dict], list[Problem]]:
    """Check a dialogue file; return ``(valid_dialogues, problems)``.

    Each line is ``{"id": ..., "turns": [{"question", "doc_id", "quote"}, ...]}`` with
    at least two turns. Problems in a turn name the turn (1-based).
    """
    quotes = _Quotes(documents)
    problems: list[Problem] = []
    valid: list[dict] = []
    seen: dict[str, int] = {}

    for n, obj in _read_objects(Path(path), problems):
        item_id = _item_id(obj)
        found: list[str] = []

        if _is_empty(obj.get("id")):
            found.append("missing or empty key(s): id")
        elif item_id in seen:
            found.append(f"duplicate id (first on line {seen[item_id]})")
        else:
            seen[item_id] = n

        turns = obj.get("turns")
        if not isinstance(turns, list) or not turns:
            found.append("missing or empty key(s): turns")
            turns = []
        elif len(turns) < MIN_TURNS:
            found.append(f"a dialogue needs at least {MIN_TURNS} turns, found {len(turns)}")

        for t, turn in enumerate(turns, 1):
            if not isinstance(turn, dict):
                found.append(f"turn {t}: not a JSON object")
                continue
            missing = [k for k in TURN_KEYS if _is_empty(turn.get(k))]
            if missing:
                found.append(f"turn {t}: missing or empty key(s): " + ", ".join(missing))
                continue
            why = quotes.problem(turn["doc_id"], turn["quote"])
            if why:
                found.append(f"turn {t}: {why}")
            if "standalone" in turn and not isinstance(turn["standalone"], bool):
                found.append(f"turn {t}: standalone must be true or false")

        problems.extend(Problem(n, item_id, msg) for msg in found)
        if not found:
            valid.append(obj)
    return valid, problems


def is_exam_question(text: str) -> bool:
    """'What ...?', or an exam instruction: 'Name ...', 'List ...', 'Describe ...', ending in a full stop."""
    text = normalise(text)
    return text.endswith("?") or (text.endswith(".") and text.split(" ", 1)[0] in EXAM_VERBS)


def _stem_problems(obj: dict, *, required: bool) -> list[str]:
    """A stem is one plain exam question: a question, or an instruction such as 'List ...'."""
    if "stem" not in obj or obj["stem"] is None:
        return ["missing stem: the shipped quiz bank needs a plain exam-style question on every answerable "
                "item"] if required else []
    stem = obj["stem"]
    if not isinstance(stem, str) or not stem.strip():
        return ["stem must be a non-empty string (or leave it out to show the question)"]
    if not is_exam_question(stem):
        return ["stem must be a question ending with a question mark, or an instruction such as "
                "'Name the seven principles.'"]
    if len(normalise(stem)) > MAX_STEM_CHARS:
        return [f"stem too long: {len(normalise(stem))} characters (at most {MAX_STEM_CHARS})"]
    return []


def _optional_problems(obj: dict, answerable: Any, quotes: _Quotes) -> list[str]:
    """``quotes``, ``shape``, ``miss_kind`` and ``missing``, each checked only when present."""
    found: list[str] = []
    if "quotes" in obj:
        extra = obj["quotes"]
        if answerable is False:
            found.append("unanswerable item has quotes; leave quotes out")
        elif not isinstance(extra, list) or not extra:
            found.append("quotes must be a non-empty list of {\"doc_id\", \"quote\"} objects")
        else:
            for k, entry in enumerate(extra, 1):
                if not isinstance(entry, dict) or _is_empty(entry.get("doc_id")) or _is_empty(entry.get("quote")):
                    found.append(f"quotes[{k}]: must be an object with doc_id and quote")
                    continue
                why = quotes.problem(entry["doc_id"], entry["quote"])
                if why:
                    found.append(f"quotes[{k}]: {why}")
    if "shape" in obj and obj["shape"] not in SHAPES:
        found.append(f"unknown shape {obj['shape']!r} (use {', '.join(SHAPES[:-1])} or {SHAPES[-1]})")
    described = [k for k in ("miss_kind", "missing") if k in obj]
    if described and answerable is True:
        found.append(f"{' and '.join(described)} describe unanswerable items; leave them out of an answerable one")
        return found
    if "miss_kind" in obj and obj["miss_kind"] not in MISS_KINDS:
        found.append(f"unknown miss_kind {obj['miss_kind']!r} (use one of: {', '.join(MISS_KINDS)})")
    if "missing" in obj:
        missing = obj["missing"]
        if not isinstance(missing, str) or not missing.strip():
            found.append("missing must be a short non-empty string saying what the library lacks")
        elif len(missing) > MAX_MISSING_CHARS:
            found.append(f"missing too long: {len(missing)} characters (at most {MAX_MISSING_CHARS})")
    return found


def shipped_files(folder: Path | str | None = None) -> list[Path]:
    """The evaluation files shipped with cpguide (or in ``folder``) that exist, in check order."""
    base = Path(folder) if folder is not None else Path(str(files("cpguide.eval")))
    return [base / name for name in SHIPPED_FILES if (base / name).is_file()]


def is_dialogue_file(path: Path | str) -> bool:
    """Dialogue files hold ``turns``; judged by the first non-blank line (an empty file counts by its name)."""
    with Path(path).open(encoding="utf-8-sig") as fh:
        first = next((line for line in fh if line.strip()), "")
    return '"turns"' in first if first else "dialogue" in Path(path).name


def check_file(path: Path | str, documents: dict[str, str], *,
               shipped: bool = False) -> tuple[list[dict], list[Problem]]:
    """Check one file of either kind. ``shipped``: the file is one of ours, so the quiz bank
    (``gold.jsonl``) must carry stems; a trainer's file never has to."""
    if is_dialogue_file(path):
        return check_dialogues(path, documents)
    return check_items(path, documents, require_stem=shipped and Path(path).name == QUIZ_BANK)


if __name__ == "__main__":  # `python -m cpguide.eval.check FILE ...` is `cpguide eval check FILE ...`
    import sys

    from cpguide.cli import main

    main(["eval", "check", *sys.argv[1:]])
