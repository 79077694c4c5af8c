"""Quizzes for trainers, made from the question bank (``gold.jsonl`` and trainers' own files).

Every answerable item already holds a question, the verbatim passage that answers it and a
one-sentence answer, so a quiz needs no new writing: it re-uses the items and borrows wrong
answers from *other* items. A quiz shows each item's ``stem``, a plain exam-style question,
never its ``question``, which in the shipped bank is often a deliberately everyday paraphrase
written to test retrieval ("What could the gym down the road do for our LAC?"); a trainer's
own item without a stem shows its question. The whole difficulty is making sure a borrowed answer is really
wrong, so each kind of question says below how it guards against that.

Three kinds of question, each citing its passage (title, publisher, year, jurisdiction,
page, the verbatim quote and the item's answer) as feedback:

``mc`` (multiple choice)
    The item's stem; the options are its answer plus three answers of other items, taken
    from the same topic first, then from related topics (:data:`RELATED`), then from any. A
    candidate is never used when it could also be right: its item quotes the same or an
    overlapping passage (in any document, so the passages Telford copied from the LGA pack
    count as one), sits in the same section of the same document, asks a near-identical
    question, or its answer is the same as the right one after normalisation or shares at
    least :data:`SIMILAR` of its content words (token-set Jaccard).

``tf`` (true or false)
    "True or false? Asked “<stem>”, the guidance answers: “<statement>”". The true
    version states the item's own answer. The false version states another item's answer,
    which is a correct sentence from the guidance but one that answers a *different*
    question, so the statement is false as an answer to this one. To keep it clearly false
    the other item must pass every ``mc`` guard, be on a different topic (an unrelated one
    when possible), and its answer must not open with a verdict ("Yes", "No", "Not", ...),
    since a "No: ..." could agree with the right answer's verdict while saying something
    else. The feedback names the question the borrowed sentence really answers.

``source`` ("which document says this?")
    The verbatim quote; the options are document titles (publisher, year), the right one
    being the item's document and the others drawn from the library. A quote found in more
    than one document, verbatim or nearly (half its five-word runs in another document), is
    never asked, since more than one option would then be right.

All choices come from one ``random.Random(seed)``, and everything it draws from is kept in
file order (never in set or hash order), so the same seed, bank and library give the same
quiz in any process.
"""

from __future__ import annotations

import bisect
import random
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from cpguide.errors import UsageError
from cpguide.eval.check import Problem, check_items, load_taxonomy, normalise

KINDS: tuple[str, ...] = ("mc", "tf", "source")
KIND_NAMES = {"mc": "multiple choice", "tf": "true or false", "source": "which document says this?"}
AUDIENCE_NAMES = {"councillor": "councillors", "partner": "partner agency staff", "officer": "council officers",
                  "trainer": "trainers", "young-person": "young people"}
PLACES = {"england": "England", "wales": "Wales", "uk": "UK"}

MAX_QUESTIONS = 200
DISTRACTORS = 3  # wrong options in a multiple-choice question
SOURCE_OPTIONS = 4  # documents offered in a "which document says this?" question
SIMILAR = 0.6  # content-word Jaccard at which two answers count as saying the same thing
SIMILAR_QUESTION = 0.5  # ... at which two questions count as asking the same thing
QUOTE_OVERLAP = 0.3  # share of a quote's word trigrams found in another quote: same passage
NEAR_COPY = 0.5  # share of a quote's five-word runs found in another document: a copy
NEARBY_CHARS = 300  # two quotes of one document closer than this are one passage

# Topics whose wrong answers look plausible next to each other (used both ways round).
RELATED: dict[str, tuple[str, ...]] = {
    "principles": ("councillors-role", "partners-role", "wales-charter", "governance-and-scrutiny"),
    "wales-charter": ("partners-role", "business-and-private-sector"),
    "councillors-role": ("governance-and-scrutiny", "partners-role", "corporate-parenting-week"),
    "partners-role": ("business-and-private-sector", "youth-justice-and-police", "health"),
    "governance-and-scrutiny": ("participation",),
    "participation": ("relationships-and-mentoring", "aspirations-and-achievement"),
    "health": ("mental-health",),
    "mental-health": ("relationships-and-mentoring",),
    "education": ("employment-and-training", "aspirations-and-achievement"),
    "housing": ("leaving-care", "employment-and-training"),
    "leaving-care": ("employment-and-training", "relationships-and-mentoring"),
    "employment-and-training": ("business-and-private-sector",),
    "business-and-private-sector": ("leisure-and-culture",),
    "leisure-and-culture": ("aspirations-and-achievement", "corporate-parenting-week"),
    "youth-justice-and-police": ("missing-and-exploitation",),
    "missing-and-exploitation": ("placement-stability",),
    "fostering-and-adoption": ("placement-stability", "relationships-and-mentoring"),
    "aspirations-and-achievement": ("corporate-parenting-week",),
}

_STOP = frozenset(
    "a an and are as at be been by can could do does for from had has have how if in into is it its "
    "may must not of on or our should so such than that the their them then there these they this "
    "those to was were what when where which who will with would you your".split())
_WORD = re.compile(r"[a-z0-9]+")
_YES_NO = re.compile(r"^\s*(yes|no|not|never|always)\b", re.IGNORECASE)  # an answer opening with a verdict


def related_topics(topic: str) -> tuple[str, ...]:
    """Topics next to ``topic``, in a fixed order (the map is read both ways round)."""
    out = list(RELATED.get(topic, ()))
    out += [t for t, near in RELATED.items() if topic in near and t not in out]
    return tuple(out)


# --------------------------------------------------------------------------- the data model


@dataclass(frozen=True)
class QuizSource:
    """Where a question comes from: what a trainer prints under the answer as its citation."""

    doc_id: str
    title: str
    publisher: str
    year: int | None
    jurisdiction: str
    page: int | None
    section: str
    quote: str
    answer: str  # the item's one-sentence answer
    start: int | None = None  # where the quote is in the cleaned document text (for the reader view)
    end: int | None = None

    @property
    def reference(self) -> str:
        """'Title (Publisher, 2019, England), p. 12'."""
        bits = [b for b in (self.publisher, str(self.year) if self.year else "n.d.",
                            PLACES.get(self.jurisdiction, "")) if b]
        out = f"{self.title} ({', '.join(bits)})"
        return out + (f", p. {self.page}" if self.page else "")


@dataclass(frozen=True)
class QuizQuestion:
    """One question, ready for any export.

    ``answer_index`` points into ``options`` for every kind (for ``tf`` the options are
    ``("True", "False")``); ``answer`` repeats a true/false question's answer as a bool and
    is ``None`` otherwise. ``option_feedback`` says, option by option, why it is right or
    wrong; ``source`` is the citation shown once the question is answered.
    """

    id: str
    kind: str
    prompt: str
    options: tuple[str, ...]
    answer_index: int
    source: QuizSource
    option_feedback: tuple[str, ...] = ()
    answer: bool | None = None
    item_id: str = ""
    topic: str = ""
    audience: str = ""

    @property
    def kind_name(self) -> str:
        return KIND_NAMES.get(self.kind, self.kind)

    @property
    def correct_option(self) -> str:
        return self.options[self.answer_index]

    def to_dict(self) -> dict:
        d = asdict(self)
        d["options"] = list(self.options)
        d["option_feedback"] = list(self.option_feedback)
        d["source"]["reference"] = self.source.reference
        return d


@dataclass(frozen=True)
class QuizFilters:
    """What the questions were chosen by (``None``: any)."""

    topic: str | None = None
    audience: str | None = None
    doc_id: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Quiz:
    """A titled list of questions; ``notes`` say why it may be shorter than ``requested``."""

    title: str
    seed: int
    filters: QuizFilters
    questions: tuple[QuizQuestion, ...]
    kinds: tuple[str, ...] = KINDS
    requested: int = 0
    notes: tuple[str, ...] = ()

    @property
    def short(self) -> bool:
        return len(self.questions) < self.requested

    def to_dict(self) -> dict:
        return {"title": self.title, "seed": self.seed, "filters": self.filters.to_dict(),
                "kinds": list(self.kinds), "requested": self.requested, "notes": list(self.notes),
                "questions": [q.to_dict() for q in self.questions]}


# --------------------------------------------------------------------------- the question bank


@dataclass(frozen=True)
class BankProblem:
    """A problem with one line of one bank file."""

    path: str
    problem: Problem

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"


def shipped_bank() -> Path:
    from cpguide.eval.runner import gold_path

    return gold_path()


def load_bank(paths: Sequence[Path | str], documents: Mapping[str, str], *,
              include_shipped: bool = True) -> tuple[list[dict], list[BankProblem]]:
    """Read and check the shipped bank plus trainers' files; return ``(items, problems)``.

    Every file is checked with :func:`~cpguide.eval.check.check_items` against
    ``documents`` (doc_id -> text): a bad line is reported by line number and left out, and
    the rest of the file is still used. An id already used by an earlier file is reported
    and that later item left out, so every question in a quiz has its own id.
    """
    files = ([shipped_bank()] if include_shipped else []) + [Path(p) for p in paths]
    items: list[dict] = []
    problems: list[BankProblem] = []
    owner: dict[str, str] = {}
    for path in files:
        valid, found = check_items(path, documents)
        problems.extend(BankProblem(str(path), p) for p in found)
        lines = _id_lines(path)
        for item in valid:
            if item["id"] in owner:
                problems.append(BankProblem(str(path), Problem(
                    lines.get(item["id"], 0), item["id"],
                    f"id already used in {owner[item['id']]}; give this item an id of its own")))
                continue
            owner[item["id"]] = str(path)
            items.append(item)
    return items, problems


def _id_lines(path: Path) -> dict[str, int]:
    """First line number of each id, for reporting clashes between files."""
    import json

    out: dict[str, int] = {}
    for n, raw in enumerate(Path(path).read_text(encoding="utf-8-sig").splitlines(), 1):
        try:
            obj = json.loads(raw)
        except ValueError:
            continue
        if isinstance(obj, dict) and isinstance(obj.get("id"), str):
            out.setdefault(obj["id"], n)
    return out


@dataclass(frozen=True)
class LibraryDocuments:
    """What a quiz needs from the library: citation details, cleaned texts and sections."""

    meta: Mapping[str, Any]
    text: Mapping[str, str]
    sections: Mapping[str, Sequence[Any]]


def library_documents(library) -> LibraryDocuments:
    """Citation details, cleaned texts (what quotes are matched in) and sections, by doc_id."""
    docs = {doc_id: library.document(doc_id) for doc_id in library.docs}
    return LibraryDocuments(meta={d: library.docs[d].meta for d in docs},
                            text={d: doc.text for d, doc in docs.items()},
                            sections={d: doc.sections for d, doc in docs.items()})


# --------------------------------------------------------------------------- text comparison


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold().replace("’", "'"))


def content_words(text: str) -> frozenset[str]:
    return frozenset(w for w in _words(text) if w not in _STOP)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def _grams(words: list[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)} if len(words) >= n else {tuple(words)}


def _fold_text(text: str) -> str:
    return normalise(text).casefold()


# --------------------------------------------------------------------------- documents


class _Texts:
    """Normalised document texts with a way back to raw offsets, for finding quotes and pages."""

    def __init__(self, texts: Mapping[str, str], sections: Mapping[str, Sequence[Any]] | None):
        self.order = list(texts)
        self.norm: dict[str, str] = {}
        self._norm_starts: dict[str, list[int]] = {}
        self._raw_starts: dict[str, list[int]] = {}
        self._sections = {d: list(sections.get(d, ())) for d in texts} if sections else {}
        self._section_starts = {d: [s.start for s in secs] for d, secs in self._sections.items()}
        self._five: dict[str, set[tuple[str, ...]]] = {}
        for doc_id, text in texts.items():
            tokens = list(re.finditer(r"\S+", text.replace("\u00a0", " ")))
            norm_starts, raw_starts, pos = [], [], 0
            for m in tokens:
                norm_starts.append(pos)
                raw_starts.append(m.start())
                pos += len(m.group()) + 1
            self.norm[doc_id] = " ".join(m.group() for m in tokens)
            self._norm_starts[doc_id] = norm_starts
            self._raw_starts[doc_id] = raw_starts

    def find(self, doc_id: str, quote: str) -> int:
        """Offset of the normalised quote in the normalised document, or -1."""
        return self.norm.get(doc_id, "").find(normalise(quote))

    def holders(self, quote: str) -> list[str]:
        """Every document whose text holds the quote verbatim (after normalisation)."""
        q = normalise(quote)
        return [d for d in self.order if q in self.norm[d]]

    def near_copies(self, quote: str, doc_id: str) -> list[str]:
        """Other documents holding most of the quote's five-word runs (a lightly edited copy)."""
        grams = _grams(_words(quote), 5)
        out = []
        for d in self.order:
            if d == doc_id:
                continue
            if d not in self._five:
                self._five[d] = _grams(_words(self.norm[d]), 5)
            if len(grams & self._five[d]) >= NEAR_COPY * len(grams):
                out.append(d)
        return out

    def raw_offset(self, doc_id: str, norm_offset: int) -> int:
        starts = self._norm_starts[doc_id]
        k = max(0, bisect.bisect_right(starts, norm_offset) - 1)
        return self._raw_starts[doc_id][k] + (norm_offset - starts[k]) if starts else 0

    def section_at(self, doc_id: str, norm_offset: int) -> Any | None:
        """The document section holding this place (the nearest one before it, in a gap)."""
        secs = self._sections.get(doc_id)
        if not secs:
            return None
        raw = self.raw_offset(doc_id, norm_offset)
        k = bisect.bisect_right(self._section_starts[doc_id], raw) - 1
        return secs[max(k, 0)]


@dataclass(frozen=True)
class _Place:
    doc_id: str
    start: int  # in the normalised document text
    end: int
    heading: tuple[str, ...]


@dataclass(frozen=True)
class _Entry:
    """A bank item with everything the guards compare, worked out once."""

    item: dict
    question: str  # the everyday wording kept for retrieval evaluation; guards compare it
    stem: str  # what the quiz shows: the item's plain exam-style stem, or its question when it has none
    answer: str
    quote: str
    answer_words: frozenset[str]
    question_words: frozenset[str]
    quote_grams: frozenset[tuple[str, ...]]
    places: tuple[_Place, ...]
    folded_answer: str
    yes_no: bool

    @property
    def id(self) -> str:
        return self.item["id"]

    @property
    def topic(self) -> str:
        return self.item["topic"]


def _entry(item: dict, texts: _Texts) -> _Entry:
    quote = normalise(item["quote"])
    places = []
    for doc_id in texts.holders(quote):
        start = texts.find(doc_id, quote)
        sec = texts.section_at(doc_id, start)
        places.append(_Place(doc_id, start, start + len(quote), tuple(getattr(sec, "heading_path", ()) or ())))
    answer = normalise(item["answer"])
    return _Entry(item=item, question=normalise(item["question"]),
                  stem=normalise(item.get("stem") or item["question"]), answer=answer, quote=quote,
                  answer_words=content_words(answer), question_words=content_words(item["question"]),
                  quote_grams=frozenset(_grams(_words(quote), 3)), places=tuple(places),
                  folded_answer=_fold_text(answer).rstrip(". "), yes_no=bool(_YES_NO.match(answer)))


def _same_passage(a: _Entry, b: _Entry) -> bool:
    """Could ``b``'s answer also be right for ``a``? Same, overlapping or neighbouring passage."""
    if a.quote == b.quote:
        return True
    small = min(len(a.quote_grams), len(b.quote_grams)) or 1
    if len(a.quote_grams & b.quote_grams) >= QUOTE_OVERLAP * small:
        return True
    for pa in a.places:
        for pb in b.places:
            if pa.doc_id != pb.doc_id:
                continue
            if pa.start < pb.end + NEARBY_CHARS and pb.start < pa.end + NEARBY_CHARS:
                return True
            if pa.heading and pa.heading == pb.heading:
                return True
    return False


def _conflicts(a: _Entry, b: _Entry) -> bool:
    """True when ``b``'s answer must never be offered as a wrong answer to ``a``'s question."""
    return (a.id == b.id or _same_passage(a, b)
            or jaccard(a.question_words, b.question_words) >= SIMILAR_QUESTION
            or a.folded_answer == b.folded_answer
            or jaccard(a.answer_words, b.answer_words) >= SIMILAR)


# --------------------------------------------------------------------------- building


def build_quiz(items: Iterable[dict], documents_meta: Mapping[str, Any], documents_text: Mapping[str, str], *,
               topic: str | None = None, audience: str | None = None, doc_id: str | None = None,
               n: int = 10, seed: int = 0, kinds: Sequence[str] = KINDS,
               documents_sections: Mapping[str, Sequence[Any]] | None = None,
               taxonomy: tuple[dict[str, str], dict[str, str]] | None = None, title: str | None = None) -> Quiz:
    """Choose up to ``n`` answerable items matching the filters and make a question of each.

    ``items`` are checked bank items (see :func:`load_bank`); ``documents_meta`` maps doc_id
    to an object with ``title``, ``publisher``, ``year`` and ``jurisdiction`` (a
    ``DocMeta``, or a ``DocInfo`` holding one); ``documents_text`` maps doc_id to the
    cleaned text the quotes come from; ``documents_sections`` (optional) adds pages and
    section headings to the citations.
    Kinds take turns so a quiz mixes them; an item that cannot make its turn's kind soundly
    (no safe distractors, a quote found in two documents) makes another kind or is passed
    over. When fewer than ``n`` questions can be made the quiz is shorter and ``notes`` say why.
    """
    kinds = _check_kinds(kinds)
    topics, audiences = taxonomy if taxonomy is not None else load_taxonomy()
    _check_choice("topic", topic, topics, "eval/taxonomy.toml describes each one")
    _check_choice("audience", audience, audiences, "")
    _check_choice("document", doc_id, documents_meta, "")
    if not isinstance(n, int) or not 1 <= n <= MAX_QUESTIONS:
        raise UsageError(f"The number of questions must be between 1 and {MAX_QUESTIONS}, not {n!r}.",
                         hint="Ask for 10 (the default) or any number in that range.")

    rng = random.Random(seed)
    texts = _Texts(documents_text, documents_sections)
    bank = [_entry(item, texts) for item in _answerable(items, documents_text)]
    chosen = [e for e in bank if (topic is None or e.topic == topic)
              and (audience is None or e.item["audience"] == audience)
              and (doc_id is None or e.item["doc_id"] == doc_id)]
    rng.shuffle(chosen)

    questions: list[QuizQuestion] = []
    skipped: list[str] = []
    turn = rng.randrange(len(kinds))
    for entry in chosen:
        if len(questions) == n:
            break
        order = [kinds[(turn + k) % len(kinds)] for k in range(len(kinds))]
        made = None
        for kind in order:
            made = _MAKERS[kind](entry, bank, texts, documents_meta, rng)
            if made is not None:
                break
        if made is None:
            skipped.append(entry.id)
            continue
        questions.append(made)
        turn += 1

    filters = QuizFilters(topic, audience, doc_id)
    notes = _notes(len(chosen), len(questions), n, filters, skipped, kinds)
    return Quiz(title=title or quiz_title(filters, documents_meta), seed=seed, filters=filters,
                questions=tuple(questions), kinds=tuple(kinds), requested=n, notes=tuple(notes))


def quiz_title(filters: QuizFilters, documents_meta: Mapping[str, Any] | None = None) -> str:
    title = "Corporate parenting quiz"
    bits = []
    if filters.topic:
        bits.append(filters.topic.replace("-", " ").capitalize())
    if filters.doc_id:
        meta = _meta((documents_meta or {}).get(filters.doc_id))
        bits.append(getattr(meta, "title", filters.doc_id))
    if bits:
        title += ": " + ", ".join(bits)
    if filters.audience:
        title += f" (for {AUDIENCE_NAMES.get(filters.audience, filters.audience)})"
    return title


def parse_kinds(value: str | Sequence[str] | None) -> tuple[str, ...]:
    """``"mc,tf"`` or ``["mc", "tf"]`` -> ``("mc", "tf")``; every kind when empty."""
    if value is None:
        return KINDS
    parts = value.split(",") if isinstance(value, str) else [p for v in value for p in str(v).split(",")]
    parts = [p.strip().lower() for p in parts if p.strip()]
    return _check_kinds(parts or KINDS)


def _check_kinds(kinds: Sequence[str]) -> tuple[str, ...]:
    out: list[str] = []
    for kind in kinds:
        if kind not in KINDS:
            raise UsageError(f"Unknown question kind {kind!r}.",
                             hint="Use any of " + ", ".join(f"{k} ({KIND_NAMES[k]})" for k in KINDS)
                             + ", comma-separated, e.g. --kinds mc,tf.")
        if kind not in out:
            out.append(kind)
    if not out:
        raise UsageError("No question kinds chosen.", hint="Use --kinds mc,tf,source or a part of it.")
    return tuple(out)


def _check_choice(what: str, value: str | None, allowed: Mapping[str, Any], extra: str) -> None:
    if value is None or value in allowed:
        return
    valid = ", ".join(sorted(allowed)) or "none"
    hint = f"Valid {what}s: {valid}." + (f" ({extra})" if extra else "")
    raise UsageError(f"Unknown {what} {value!r}.", hint=hint)


def _answerable(items: Iterable[dict], documents_text: Mapping[str, str]) -> list[dict]:
    return [i for i in items if i.get("answerable") is True and i.get("doc_id") in documents_text
            and isinstance(i.get("quote"), str) and isinstance(i.get("answer"), str) and i["answer"].strip()]


def _notes(matching: int, made: int, n: int, filters: QuizFilters, skipped: list[str],
           kinds: Sequence[str]) -> list[str]:
    notes = []
    if made < n:
        which = ", ".join(f"{k} {v!r}" for k, v in filters.to_dict().items() if v) or "no filter"
        notes.append(f"Only {made} question(s) could be made, not {n}: {matching} answerable item(s) "
                     f"match {which}.")
    if skipped:
        notes.append(f"{len(skipped)} item(s) could not make a sound {'/'.join(kinds)} question and were "
                     f"left out: {', '.join(skipped)}.")
    if made < n:
        if skipped and len(kinds) < len(KINDS):
            notes.append("Allow more question kinds (--kinds mc,tf,source) to use those items.")
        else:
            notes.append("Widen the choice (another topic or audience, or no filter), or add items with --bank.")
    return notes


def _source(entry: _Entry, texts: _Texts, meta: Mapping[str, Any]) -> QuizSource:
    doc_id = entry.item["doc_id"]
    m = _meta(meta.get(doc_id))
    start = texts.find(doc_id, entry.quote)
    sec = texts.section_at(doc_id, start) if start >= 0 else None
    raw = (texts.raw_offset(doc_id, start), texts.raw_offset(doc_id, start + len(entry.quote) - 1) + 1) \
        if start >= 0 else (None, None)
    return QuizSource(
        doc_id=doc_id, title=getattr(m, "title", doc_id) or doc_id, publisher=getattr(m, "publisher", "") or "",
        year=getattr(m, "year", None), jurisdiction=getattr(m, "jurisdiction", "unknown") or "unknown",
        page=getattr(sec, "page", None), section=" > ".join(getattr(sec, "heading_path", ()) or ()),
        quote=entry.quote, answer=entry.answer, start=raw[0], end=raw[1])


def _ranked(entry: _Entry, bank: Sequence[_Entry], tiers: Sequence[Sequence[str] | None],
            rng: random.Random, *, prefer_shape: bool) -> list[tuple[_Entry, int]]:
    """Candidates that pass every guard, best tier first, then (optionally) same shape, then random.

    ``tiers`` lists topic groups in order; ``None`` means any topic. Random keys are drawn
    for the whole bank in file order, so the draw does not depend on which items pass.
    """
    keys = [rng.random() for _ in bank]
    out = []
    for cand, key in zip(bank, keys):
        if _conflicts(entry, cand):
            continue
        tier = next((k for k, group in enumerate(tiers) if group is None or cand.topic in group), None)
        if tier is None:
            continue
        shape = int(cand.yes_no != entry.yes_no) if prefer_shape else 0
        out.append(((tier, shape, key), cand, tier))
    out.sort(key=lambda t: t[0])
    return [(cand, tier) for _, cand, tier in out]


def _make_mc(entry: _Entry, bank, texts, meta, rng) -> QuizQuestion | None:
    related = related_topics(entry.topic)
    ranked = _ranked(entry, bank, [(entry.topic,), related, None], rng, prefer_shape=True)
    picked: list[_Entry] = []
    for cand, _tier in ranked:
        # the wrong options must differ from each other too, or two would read as one
        if any(c.folded_answer == cand.folded_answer or jaccard(c.answer_words, cand.answer_words) >= SIMILAR
               for c in picked):
            continue
        picked.append(cand)
        if len(picked) == DISTRACTORS:
            break
    if len(picked) < DISTRACTORS:
        return None
    options = [(entry.answer, "Right: this is what the guidance says.")]
    options += [(c.answer, f"Not this one: that sentence answers another question (“{c.stem}”).")
                for c in picked]
    order = list(range(len(options)))
    rng.shuffle(order)
    return QuizQuestion(
        id=f"{entry.id}-mc", kind="mc", prompt=entry.stem,
        options=tuple(options[k][0] for k in order), answer_index=order.index(0),
        option_feedback=tuple(options[k][1] for k in order), source=_source(entry, texts, meta),
        item_id=entry.id, topic=entry.topic, audience=entry.item["audience"])


def _make_tf(entry: _Entry, bank, texts, meta, rng) -> QuizQuestion | None:
    truth = rng.random() < 0.5
    source = _source(entry, texts, meta)
    prompt = "True or false? Asked “{q}”, the guidance answers: “{s}”"
    if truth:
        statement, why_false = entry.answer, ""
    else:
        related = related_topics(entry.topic)
        others = [t for t in _topics_in(bank) if t != entry.topic and t not in related]
        ranked = [(c, t) for c, t in _ranked(entry, bank, [others, related], rng, prefer_shape=False)
                  if not c.yes_no]
        if not ranked:
            return None
        other = ranked[0][0]
        statement = other.answer
        why_false = f"That sentence is from the guidance but answers another question (“{other.stem}”)."
    right_fb = "Right. " + (why_false or "That is what the guidance says.")
    wrong_fb = ("Not quite: that is what the guidance says." if truth
                else "Not quite. " + why_false)
    return QuizQuestion(
        id=f"{entry.id}-tf", kind="tf", prompt=prompt.format(q=entry.stem, s=statement),
        options=("True", "False"), answer_index=0 if truth else 1, answer=truth,
        option_feedback=(right_fb, wrong_fb) if truth else (wrong_fb, right_fb), source=source,
        item_id=entry.id, topic=entry.topic, audience=entry.item["audience"])


def _make_source(entry: _Entry, bank, texts, meta, rng) -> QuizQuestion | None:
    doc_id = entry.item["doc_id"]
    if len(texts.holders(entry.quote)) > 1 or texts.near_copies(entry.quote, doc_id):
        return None
    others = [d for d in texts.order if d != doc_id and d in meta]
    if not others:
        return None
    rng.shuffle(others)
    docs = [doc_id] + others[:SOURCE_OPTIONS - 1]
    labels = {d: document_label(meta[d]) if d in meta else d for d in docs}
    if len(set(labels.values())) < len(docs):  # two documents with one label: name them by id too
        labels = {d: f"{labels[d]} [{d}]" for d in docs}
    order = list(range(len(docs)))
    rng.shuffle(order)
    right = labels[doc_id]
    feedback = tuple("Right." if docs[k] == doc_id else f"Not this one: the passage is from {right}."
                     for k in order)
    return QuizQuestion(
        id=f"{entry.id}-source", kind="source", prompt=f"Which document says this? “{entry.quote}”",
        options=tuple(labels[docs[k]] for k in order), answer_index=order.index(0), option_feedback=feedback,
        source=_source(entry, texts, meta), item_id=entry.id, topic=entry.topic,
        audience=entry.item["audience"])


def _meta(value: Any) -> Any:
    """A ``DocMeta`` from either a ``DocMeta`` or a ``DocInfo`` (``Library.docs`` values)."""
    return getattr(value, "meta", value)


def document_label(meta: Any) -> str:
    """'Title (Publisher, 2019)': how a document is offered as an option."""
    meta = _meta(meta)
    bits = [b for b in (getattr(meta, "publisher", ""), str(meta.year) if getattr(meta, "year", None) else "") if b]
    title = getattr(meta, "title", "") or getattr(meta, "doc_id", "")
    return f"{title} ({', '.join(bits)})" if bits else title


def _topics_in(bank: Sequence[_Entry]) -> list[str]:
    seen: dict[str, None] = {}
    for e in bank:
        seen.setdefault(e.topic, None)
    return list(seen)


_MAKERS = {"mc": _make_mc, "tf": _make_tf, "source": _make_source}


# --------------------------------------------------------------------------- marking


@dataclass(frozen=True)
class Mark:
    """One answered question: what was chosen, whether it was right, and why."""

    question: QuizQuestion
    chosen: int | None
    correct: bool
    feedback: str


def mark(quiz: Quiz, answers: Mapping[str, int | None]) -> tuple[list[Mark], int]:
    """Mark ``answers`` (question id -> chosen option index); return the marks and the score."""
    marks = []
    for q in quiz.questions:
        chosen = answers.get(q.id)
        if chosen is not None and not 0 <= chosen < len(q.options):
            chosen = None
        right = chosen == q.answer_index
        if chosen is None:
            feedback = "Not answered. The right answer is: " + q.correct_option
        elif q.option_feedback:
            feedback = q.option_feedback[chosen]
        else:
            feedback = "Right." if right else "Not this one."
        marks.append(Mark(q, chosen, right, feedback))
    return marks, sum(m.correct for m in marks)
