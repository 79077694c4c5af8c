"""Check question files for the evaluation set (and trainers' own quiz files).

Two kinds of file, both JSON Lines (one JSON object per line):

* items (``eval/gold.jsonl`` or a trainer's own file): one question each, with its gold
  quote, answer, audience, topic and style;
* dialogues (``eval/dialogues.jsonl``): a few turns each, every turn with its gold quote.

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
MIN_QUOTE_WORDS = 5
MIN_TURNS = 2

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
) -> tuple[list[dict], list[Problem]]:
    """Check a question-item file; return ``(valid_items, problems)``.

    ``documents`` maps doc_id to the document's text. An item with any problem is left
    out of ``valid_items``; a repeated id is reported on its second and later lines.
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

        problems.extend(Problem(n, item_id, msg) for msg in found)
        if not found:
            valid.append(obj)
    return valid, problems
