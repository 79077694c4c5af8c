"""A small, independent reader of Moodle's GIFT format, used only to check the quiz export.

Written from the format's description (Moodle docs, "GIFT format"), not from the exporter:
questions are separated by blank lines; lines starting with ``//`` are comments;
``$CATEGORY:`` lines name a category; ``::name::`` opens a question; the answers sit in
``{...}``; a backslash makes the next character literal (``\\n`` is a line break); ``=``
marks a right option and ``~`` a wrong one, each optionally followed by ``#feedback``;
``####`` starts the general feedback; ``{TRUE#wrong#right}`` is a true/false question; a
leading ``[plain]``/``[html]``/``[moodle]``/``[markdown]`` names a text format.

The reader works on a list of characters each flagged "markup or literal", so an escaped
``=`` can never be mistaken for an answer marker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

SPECIAL = set("~=#{}:")
FORMATS = ("moodle", "html", "plain", "markdown")
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")


class GiftError(ValueError):
    pass


@dataclass
class GiftOption:
    text: str
    correct: bool
    feedback: str = ""
    weight: float | None = None


@dataclass
class GiftQuestion:
    name: str
    text: str
    kind: str  # "mc", "tf", "short", "essay", "description"
    options: list[GiftOption] = field(default_factory=list)
    truth: bool | None = None
    wrong_feedback: str = ""  # true/false: shown when the student answers wrongly
    right_feedback: str = ""
    general_feedback: str = ""
    category: str = ""
    text_format: str = "moodle"


# A "chunk" is a list of (char, markup) pairs.
Chunk = list[tuple[str, bool]]


def _lex(text: str) -> Chunk:
    out: Chunk = []
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt == "n":
                out.append(("\n", False))
                i += 2
                continue
            if nxt in SPECIAL or nxt == "\\":
                out.append((nxt, False))
                i += 2
                continue
        out.append((c, c in SPECIAL))
        i += 1
    return out


def _plain(chunk: Chunk) -> str:
    return "".join(c for c, _ in chunk)


def _find(chunk: Chunk, markup: str, start: int = 0) -> int:
    """Index of the first run of unescaped ``markup`` characters at or after ``start``."""
    n = len(markup)
    for i in range(start, len(chunk) - n + 1):
        if all(chunk[i + k] == (markup[k], True) for k in range(n)):
            return i
    return -1


def _rfind(chunk: Chunk, markup: str) -> int:
    n = len(markup)
    for i in range(len(chunk) - n, -1, -1):
        if all(chunk[i + k] == (markup[k], True) for k in range(n)):
            return i
    return -1


def _split(chunk: Chunk, markup: str, maxsplit: int = -1) -> list[Chunk]:
    parts, current, splits = [], [], 0
    for pair in chunk:
        if pair == (markup, True) and (maxsplit < 0 or splits < maxsplit):
            parts.append(current)
            current = []
            splits += 1
        else:
            current.append(pair)
    parts.append(current)
    return parts


def _strip(chunk: Chunk) -> Chunk:
    start, end = 0, len(chunk)
    while start < end and chunk[start][0].isspace() and not chunk[start][1]:
        start += 1
    while end > start and chunk[end - 1][0].isspace() and not chunk[end - 1][1]:
        end -= 1
    return chunk[start:end]


def _text(chunk: Chunk) -> tuple[str, str | None]:
    """Text with its leading format marker removed: ``(text, format or None)``."""
    s = _plain(_strip(chunk))
    m = re.match(r"^\[(\w+)\]", s)
    if m and m.group(1) in FORMATS:
        return s[m.end():].strip(), m.group(1)
    return s.strip(), None


def _blocks(source: str) -> list[list[str]]:
    blocks, current = [], []
    for line in source.splitlines():
        if not line.strip():
            if current:
                blocks.append(current)
            current = []
            continue
        if line.strip().startswith("//"):
            continue
        current.append(line)
    if current:
        blocks.append(current)
    return blocks


def parse(source: str) -> list[GiftQuestion]:
    """Every question in a GIFT file, in order, with the category in force for each."""
    questions: list[GiftQuestion] = []
    category = ""
    for lines in _blocks(source):
        block = "\n".join(lines).strip()
        if block.startswith("$CATEGORY:"):
            category = block[len("$CATEGORY:"):].strip()
            continue
        chunk = _lex(block)
        name = ""
        if _find(chunk, "::") == 0:
            close = _find(chunk, "::", 2)
            if close < 0:
                raise GiftError(f"unclosed question name in {block[:60]!r}")
            name = _plain(chunk[2:close]).strip()
            chunk = chunk[close + 2:]
        open_ = _find(chunk, "{")
        if open_ < 0:
            text, fmt = _text(chunk)
            questions.append(GiftQuestion(name, text, "description", category=category, text_format=fmt or "moodle"))
            continue
        close = _find(chunk, "}", open_)
        if close < 0:
            raise GiftError(f"no closing brace in {block[:60]!r}")
        if _find(chunk, "{", open_ + 1) != -1 and _find(chunk, "{", open_ + 1) < close:
            raise GiftError(f"nested brace in {block[:60]!r}")
        text, fmt = _text(chunk[:open_] + chunk[close + 1:])
        answers = chunk[open_ + 1:close]
        general = ""
        cut = _rfind(answers, "####")
        if cut >= 0:
            general = _text(answers[cut + 4:])[0]
            answers = answers[:cut]
        answers = _strip(answers)
        q = GiftQuestion(name, text, "essay", general_feedback=general, category=category,
                         text_format=fmt or "moodle")
        head = _split(answers, "#", 2)
        verdict = _plain(head[0]).strip()
        if verdict in ("T", "TRUE", "F", "FALSE"):
            q.kind = "tf"
            q.truth = verdict in ("T", "TRUE")
            q.wrong_feedback = _text(head[1])[0] if len(head) > 1 else ""
            q.right_feedback = _text(head[2])[0] if len(head) > 2 else ""
        elif any(pair in (("~", True), ("=", True)) for pair in answers):
            q.kind = "mc" if any(pair == ("~", True) for pair in answers) else "short"
            q.options = _options(answers, weighted_right=q.kind == "short")
        elif answers:
            raise GiftError(f"unrecognised answers in {block[:60]!r}")
        questions.append(q)
    return questions


def _options(answers: Chunk, *, weighted_right: bool) -> list[GiftOption]:
    """Options of a multiple-choice (or short-answer) question.

    In multiple choice only a ``~`` option may carry a ``%weight%``; text after ``=`` is
    taken as it stands. In short answer every ``=`` option may carry one.
    """
    options: list[GiftOption] = []
    current: Chunk | None = None
    correct = False

    def flush():
        if current is None:
            return
        body = _strip(current)
        weight = None
        raw = _plain(body)
        m = _WEIGHT.match(raw) if (not correct or weighted_right) else None
        if m:
            weight = float(m.group(1))
            body = body[m.end():]
        parts = _split(body, "#", 1)
        options.append(GiftOption(_text(parts[0])[0], correct if weight is None else weight >= 100,
                                  _text(parts[1])[0] if len(parts) > 1 else "", weight))

    for pair in answers:
        if pair in (("~", True), ("=", True)):
            flush()
            current, correct = [], pair[0] == "="
        elif current is None:
            if not pair[0].isspace():
                raise GiftError("text before the first answer marker")
        else:
            current.append(pair)
    flush()
    return options
