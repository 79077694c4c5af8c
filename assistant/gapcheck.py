"""Is our strategy complete? A local document measured against the national duties.

A councillor preparing for a corporate parenting panel, or an officer refreshing the
council's strategy, needs to know which principles and which partners the local document
acts on, which it only names, and which it leaves out, each beside the national passage it is
measured against. ``check_document`` answers that for one local document in the library:

* **targets** are the principles of the document's jurisdiction (England's seven, the Welsh
  charter's eleven) and the partner groups the national documents give duties to;
* each local sentence is judged on three signals, all shown in the output:
  - *words*: the principle's cue words (``principles.toml``) or the partner's names
    (``actors.toml``) appear in it;
  - *meaning*: its embedding is close to the principle's own statement or to the national
    duties for that principle or partner;
  - *action*: it states something the council or a partner does or will do (a duty found by
    the duty extraction - must, should, may, an instruction - or a commitment such as "we
    will", "we continue to", "have established", "are allocated");
* a target is **covered** when an action sentence carries its words and its meaning, or
  carries its meaning very strongly; **mentioned** when it is named or its meaning is close
  only in passing (a description, or one item in a list of many); **not found** otherwise;
* the national duties for each partner that no local sentence comes near are listed as gaps,
  with a "How do we know that ...?" question for each.

Every quote is a span of its cleaned document, cited through ``make_citation``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from cpguide.assistant.actors import actor_vocabulary
from cpguide.assistant.brief import how_do_we_know
from cpguide.assistant.duties import Duty, extract_duties, find_duties, principles
from cpguide.assistant.structure import REFERENCES_LEAD
from cpguide.errors import UsageError
from cpguide.ingest.sentences import sentence_spans
from cpguide.records import Citation

STATUSES: tuple[str, ...] = ("covered", "mentioned", "not found")

# Who counts as a partner: the services beyond the council itself, in the order a panel reads them.
PARTNER_GROUPS: tuple[str, ...] = (
    "housing", "health", "police", "youth-justice", "probation", "schools-and-colleges", "leisure-and-culture",
    "businesses", "third-sector", "foster-carers", "care-providers",
)
# The documents a local one is measured against: everything above a local strategy on the ladder.
NATIONAL_KINDS: tuple[str, ...] = ("legislation", "statutory guidance", "national toolkit", "non-statutory guidance")

# Meaning thresholds (cosine similarity of all-MiniLM-L6-v2 sentence vectors). A sentence must
# clear MEANING with the target's words present, or STRONG_MEANING without them; MENTION_MEANING
# is the closeness at which a sentence without the words still counts as touching the target.
MEANING = 0.45
STRONG_MEANING = 0.70
MENTION_MEANING = 0.65
GAP_MEANING = 0.60  # a national duty is "met" when a local sentence comes this close
BROAD = 3  # a sentence naming this many principles (or partners) is a list: each is only mentioned
REFERENCE_DUTIES = 60  # national duties compared with per target, the strongest first
MAX_GAPS_PER_PARTNER = 8


# --- records --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One row of the check: a principle or a partner group."""

    kind: str  # principle | partner
    id: str  # principle id (england-3) or actor slug (housing)
    label: str
    statement: str  # what it asks, in the source's words (a principle) or the partner's label


@dataclass(frozen=True)
class Statement:
    """A sentence or list item of the local document, with offsets into its text."""

    start: int
    end: int
    text: str
    action: str  # "" when it states nothing done; else must | should | may | good-practice | commitment


@dataclass(frozen=True)
class Evidence:
    """A quoted passage and why it was chosen."""

    cite: int
    text: str
    meaning: float  # best cosine similarity with the target's references
    words: tuple[str, ...]  # the target's words it contains
    action: str


@dataclass(frozen=True)
class Row:
    target: Target
    status: str
    reason: str  # how the status was decided, in words a panel can check
    local: Evidence | None
    national: Evidence | None


@dataclass(frozen=True)
class Gap:
    partner: str
    partner_label: str
    duty: Duty
    cite: int
    question: str


@dataclass(frozen=True)
class GapCheck:
    doc_id: str
    title: str
    publisher: str
    against: str
    generated: str
    rows: tuple[Row, ...]
    gaps: tuple[Gap, ...]
    citations: tuple[Citation, ...]
    notices: tuple[str, ...] = field(default=())

    def citation(self, n: int) -> Citation:
        return self.citations[n - 1]

    def counts(self) -> dict[str, int]:
        return {s: sum(1 for r in self.rows if r.status == s) for s in STATUSES}

    def to_dict(self) -> dict:
        def ev(e: Evidence | None):
            return None if e is None else {"cite": e.cite, "text": e.text, "meaning": round(e.meaning, 3),
                                           "words": list(e.words), "action": e.action}

        return {
            "doc_id": self.doc_id, "title": self.title, "publisher": self.publisher, "against": self.against,
            "generated": self.generated, "counts": self.counts(),
            "rows": [{"kind": r.target.kind, "id": r.target.id, "label": r.target.label, "status": r.status,
                      "reason": r.reason, "local": ev(r.local), "national": ev(r.national)} for r in self.rows],
            "gaps": [{"partner": g.partner, "partner_label": g.partner_label, "duty": g.duty.text,
                      "strength": g.duty.strength, "doc_id": g.duty.doc_id, "cite": g.cite, "question": g.question}
                     for g in self.gaps],
            "citations": [c.to_dict() for c in self.citations],
            "notices": list(self.notices),
        }


# --- what the local document states ---------------------------------------------------------------

# Commitments and accounts of what is done: "we will", "we continue to", "the council has
# established", "are allocated a worker", "receive an annual health assessment".
_COMMITMENT = re.compile(
    r"\b(?:we|the\s+council|the\s+local\s+authority|partners|councils)\s+(?:\w+\s+)?"
    r"(?:will|shall|continue|have\s+(?:established|developed|appointed|set\s+up|introduced|launched|created|a\s+\w+\s+plan)|"
    r"are\s+(?:committed|working|developing|innovative)|actively|promise|pledge|commit|ensure|offer|provide|monitor|review|"
    r"support|work|encourage|make)\b"
    r"|\b(?:has|have)\s+(?:established|developed|appointed|set\s+up|introduced|launched|created|commissioned)\b"
    r"|\b(?:is|are)\s+(?:allocated|offered|provided|given|informed|invited|supported|completed|in\s+place|led)\b"
    r"|\b(?:will|shall)\s+(?:continue\s+to\s+)?be\s+(?:made|offered|provided|given|allocated|supported)\b"
    r"|\breceive\s+(?:an?|the|their)\b",
    re.I,
)
_WILL = re.compile(r"\b(?:will|shall)\s+(?:continue\s+to\s+|also\s+|always\s+)?(?!be\b|need\b|have\s+to\b)\w+", re.I)
_OURS = re.compile(r"\b(?:we|our|us)\b", re.I)


def _promises(sentence: str) -> bool:
    """ "Our schools will give ...", "The Local Authority will continue to ...": someone who acts
    (the council, a partner, "we") will do something. "Care leavers will need ..." is not a promise."""
    for m in _WILL.finditer(sentence):
        zone = re.split(r"[,;:–—()]", sentence[:m.start()])[-1]
        if _OURS.search(zone) or actor_vocabulary().slugs_in(zone, heading=True):
            return True
    return False
_CONTINUES = re.compile(r"^(?:this|these|that)\s+(?:includes?|means|involves?|is\s+done)\b", re.I)
_URL = re.compile(r"https?://|www\.")


def local_statements(doc) -> list[Statement]:
    """The document's sentences and list items, each marked with the action it states, if any.

    A sentence is an action when the duty extraction finds a duty in it, or when it states a
    commitment or an account of what is done. "This includes ..." carries on the sentence
    before it. Reference lists ("Adapted from:") and web addresses are left out: a title
    there is not something the document says.
    """
    duties = {d.start: d for d in extract_duties(doc)}
    by_span = {(d.start, d.end): d for d in duties.values()}
    text = doc.text
    out: list[Statement] = []
    for sec in doc.sections:
        body = text[sec.start:sec.end]
        if REFERENCES_LEAD.match(body.strip()):
            break
        for start, end in sentence_spans(body, sec.start):
            sentence = text[start:end]
            if _URL.search(sentence) or len(sentence.split()) < 3:
                continue
            duty = by_span.get((start, end)) or next((d for d in duties.values() if start <= d.start < end), None)
            if duty is not None:
                action = duty.strength
            elif _COMMITMENT.search(sentence) or _promises(sentence):
                action = "commitment"
            elif _CONTINUES.match(sentence) and out and out[-1].action and out[-1].end >= start - 3:
                action = out[-1].action
            else:
                action = ""
            out.append(Statement(start, end, sentence, action))
    return out


# --- targets and their references -------------------------------------------------------------------


def targets_for(against: str, partners_with_duties: list[str]) -> list[Target]:
    vocab = actor_vocabulary()
    rows = [Target("principle", p.id, p.label, p.text) for p in principles() if p.jurisdiction == against]
    rows += [Target("partner", slug, vocab.label(slug), vocab.label(slug)) for slug in partners_with_duties]
    return rows


def _word_spans(target: Target, text: str) -> list[tuple[int, int]]:
    if target.kind == "principle":
        p = next(p for p in principles() if p.id == target.id)
        return [m.span() for m in p.cues.finditer(text)]
    return [(s, e) for s, e, slug in actor_vocabulary().mentions(text, heading=True) if slug == target.id]


def target_words(target: Target, text: str) -> tuple[str, ...]:
    """The target's own words found in ``text``: principle cues, or the partner's names."""
    return tuple(dict.fromkeys(text[s:e].lower() for s, e in _word_spans(target, text)))


_LIST_BEFORE = re.compile(r"(?:[,;:(–—]|\b(?:and|or|such\s+as|including|includes?|for\s+example|e\.g\.|from))"
                          r"\s+(?:[\w’'-]+\s+){0,2}$", re.I)
_LIST_AFTER = re.compile(r"^[’'s]*(?:\s+[\w’'-]+){0,2}?\s*(?:[,;.)]|$|\s(?:and|or)\b)", re.I)
_SEPARATOR = re.compile(r",|\band\b|\bor\b")


def in_passing(text: str, start: int, end: int) -> bool:
    """True when ``text[start:end]`` is one item of a list ("their health, education, general
    welfare and their aspirations"): named among others rather than written about."""
    window = text[max(0, start - 70):end + 70]
    return (bool(_LIST_BEFORE.search(text[max(0, start - 60):start])) and bool(_LIST_AFTER.match(text[end:end + 40]))
            and len(_SEPARATOR.findall(window)) >= 2)


def named_in_passing(target: Target, text: str) -> bool:
    """Every place ``text`` names the target is an item of a list."""
    spans = _word_spans(target, text)
    return bool(spans) and all(in_passing(text, s, e) for s, e in spans)


def _principles_named(text: str, against: str) -> int:
    return sum(1 for p in principles() if p.jurisdiction == against and p.cues.search(text))


def _partners_named(text: str) -> int:
    return len({slug for slug in actor_vocabulary().slugs_in(text, heading=True) if slug in PARTNER_GROUPS})


def national_duties(library, against: str, exclude: str) -> list[Duty]:
    """Duties in the national documents for ``against`` (and the UK-wide ones), strongest first."""
    kinds = {doc: info.meta.kind for doc, info in library.docs.items()}
    return [d for d in find_duties(library, jurisdiction=against)
            if d.doc_id != exclude and kinds.get(d.doc_id) in NATIONAL_KINDS]


def duties_for_partner(duties: list[Duty], slug: str) -> list[Duty]:
    """The duties that fall on a partner, or that name it other than as one item of a list (a
    duty on the council to agree a protocol "with the police")."""
    target = Target("partner", slug, slug, slug)
    return [d for d in duties if slug in d.actors or (_word_spans(target, d.text) and not named_in_passing(target, d.text))]


# --- judging -----------------------------------------------------------------------------------------

QUOTES_PRINCIPLE = 0.85  # a sentence this close to the principle's own statement is the principle quoted
_REPORTS_LAW = re.compile(r"\blegislation\b|\b(?:the|this)\s+act\b|\bstatutory\s+guidance\b|\bsection\s+\d", re.I)


@dataclass(frozen=True)
class _Reading:
    """What one local sentence says about one target."""

    statement: Statement
    meaning: float
    reference: int  # index of the closest reference (0 is the principle's own statement)
    words: tuple[str, ...]
    broad: int  # how many principles (or partners) the sentence names
    passing: bool  # every mention is one item of a list
    quotes_principle: bool
    reports_law: bool

    @property
    def covers(self) -> bool:
        s = self.statement
        if not (s.action and self.words) or self.quotes_principle or self.reports_law:
            return False
        if self.broad >= BROAD or self.passing:
            return self.meaning >= STRONG_MEANING
        return self.meaning >= MEANING


def _why_not(r: _Reading, kind: str) -> str:
    """Why a sentence that names the target does not cover it."""
    quoted = ", ".join(f"“{w}”" for w in r.words)
    if r.quotes_principle:
        return f"the principle's words ({quoted}) appear where the document quotes the principle itself"
    if r.reports_law:
        return f"its words ({quoted}) appear where the document reports what the law requires, not what is done"
    if not r.statement.action:
        return f"its words ({quoted}) appear in a passage that states nothing the council or a partner does or will do"
    if r.broad >= BROAD or r.passing:
        many = "principles" if kind == "principle" else "partners"
        where = "as one item of a list" if r.passing else f"in a passage naming {r.broad} {many} at once"
        return (f"its words ({quoted}) appear only {where}, and the passage is not close enough in meaning to count "
                f"on its own (similarity {r.meaning:.2f}, needed {STRONG_MEANING:.2f})")
    return (f"its words ({quoted}) appear, but the passage is not close in meaning to the national duties "
            f"(similarity {r.meaning:.2f}, needed {MEANING:.2f})")


def _judge(target: Target, readings: list[_Reading], statement_meaning: np.ndarray) -> tuple[str, _Reading | None, str]:
    """The status, the local sentence it rests on, and how it was decided."""
    covering = [r for r in readings if r.covers]
    if covering:
        best = max(covering, key=lambda r: (r.meaning, len(r.words)))
        quoted = ", ".join(f"“{w}”" for w in best.words)
        action = "a commitment" if best.statement.action == "commitment" else f"a {best.statement.action.upper()} statement"
        how = (f"the passage is {action} that uses the {target.kind}'s words ({quoted}) and is close in meaning "
               f"to the national passage (similarity {best.meaning:.2f}, needed {MEANING:.2f}")
        how += (f"; it names the {target.kind} only among others, so it needed {STRONG_MEANING:.2f})"
                if best.broad >= BROAD or best.passing else ")")
        return "covered", best, "Covered: " + how + "."
    named = [r for r in readings if r.words]
    if named:
        best = max(named, key=lambda r: (not r.quotes_principle, bool(r.statement.action), r.meaning))
        return "mentioned", best, "Mentioned only: " + _why_not(best, target.kind) + "."
    if target.kind == "principle" and len(statement_meaning):
        i = int(np.argmax(statement_meaning))
        if statement_meaning[i] >= MENTION_MEANING:
            r = next(r for r in readings if r.statement is readings[i].statement)
            return "mentioned", r, (
                f"Mentioned only: none of the principle's words appear, but this passage is close in meaning to the "
                f"principle (similarity {statement_meaning[i]:.2f}, needed {MENTION_MEANING:.2f}).")
    if target.kind == "principle":
        best = float(statement_meaning.max()) if len(statement_meaning) else 0.0
        return "not found", None, (
            f"Not found: none of the principle's words appear, and no passage is close in meaning to it "
            f"(best similarity {best:.2f}, needed {MENTION_MEANING:.2f}).")
    return "not found", None, "Not found: the document never names this partner."


# --- building the check --------------------------------------------------------------------------------

_PLACES = {"england": "England", "wales": "Wales"}


def resolve_against(meta, against: str | None) -> str:
    """The jurisdiction to measure against: the one asked for, else the document's own."""
    if against:
        wanted = against.strip().lower()
        if wanted not in _PLACES:
            raise UsageError(f"Unknown jurisdiction {against!r} to check against.", hint="Use england or wales.")
        return wanted
    if meta.jurisdiction in _PLACES:
        return meta.jurisdiction
    raise UsageError(f"{meta.doc_id!r} is recorded for {meta.jurisdiction!r}, so it is not clear which principles apply.",
                     hint="Say which: --against england (the seven principles) or --against wales (the charter's eleven).")


class _Citer:
    """Numbers citations in order of first use; the same span is cited once."""

    def __init__(self, library, stale_years: int, today: date):
        self.library, self.stale_years, self.today = library, stale_years, today
        self.citations: list[Citation] = []
        self._seen: dict[tuple[str, int, int], int] = {}

    def cite(self, doc_id: str, start: int, end: int) -> int:
        from cpguide.assistant.citations import make_citation

        key = (doc_id, start, end)
        if key not in self._seen:
            n = len(self.citations) + 1
            self.citations.append(make_citation(self.library, n, doc_id, start, end, stale_years=self.stale_years,
                                                today=self.today))
            self._seen[key] = n
        return self._seen[key]


def _ordered(duties: list[Duty], library) -> list[Duty]:
    """Strongest first, then the most authoritative source, then document order."""
    from cpguide.assistant.currency import authority_rank
    from cpguide.assistant.duties import STRENGTHS

    kinds = {doc: info.meta.kind for doc, info in library.docs.items()}
    return sorted(duties, key=lambda d: (STRENGTHS.index(d.strength) if d.strength in STRENGTHS else 9,
                                         authority_rank(kinds.get(d.doc_id, "other")), d.doc_id, d.start))


def _unique_text(duties: list[Duty]) -> list[Duty]:
    """One duty per wording: national packs repeat one another word for word."""
    seen, out = set(), []
    for d in duties:
        key = re.sub(r"[^a-z0-9]+", " ", d.text.lower()).strip()
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out


def _references(target: Target, national: list[Duty], library) -> list[Duty]:
    if target.kind == "principle":
        chosen = [d for d in national if d.principles[:1] == (target.id,)]
    else:
        chosen = duties_for_partner(national, target.id)
    return _unique_text(_ordered(chosen, library))[:REFERENCE_DUTIES]


def _embed(embedder, texts: list[str]) -> dict[str, np.ndarray]:
    unique = list(dict.fromkeys(texts))
    vectors = embedder.embed(unique) if unique else np.zeros((0, 1), dtype=np.float32)
    return {t: vectors[i] for i, t in enumerate(unique)}


def check_document(library, embedder, doc_id: str, *, against: str | None = None, stale_years: int = 5,
                   today: date | None = None) -> GapCheck:
    """Measure local document ``doc_id`` against the principles and partner duties of ``against``.

    Args:
        library: the open index (``Library``); its ``duties`` table holds the national duties.
        embedder: the embedder the index was built with (``searcher.embedder``), for meaning.
        against: ``england`` or ``wales``; by default the document's own jurisdiction.
        stale_years: citations of documents older than this carry a "check this is current" note.
    """
    from cpguide.errors import CpguideError

    meta = library.meta(doc_id)  # DocumentNotFound names the ids to use
    against = resolve_against(meta, against)
    if not library.table_exists("duties"):
        raise CpguideError("This index holds no duty statements: it was built before they were extracted.",
                           hint="Run `cpguide ingest --rebuild` to add them (your documents are kept).")
    today = today or date.today()
    notices: list[str] = []
    if meta.kind in NATIONAL_KINDS:
        notices.append(f"This is a {meta.kind}, not a local document; it is measured against the other national "
                       "documents only.")
    if meta.jurisdiction in _PLACES and meta.jurisdiction != against:
        notices.append(f"The document is recorded for {_PLACES[meta.jurisdiction]} but is checked against "
                       f"{_PLACES[against]}'s principles, as asked.")
    doc = library.document(doc_id)
    statements = local_statements(doc)
    national = national_duties(library, against, exclude=doc_id)
    if not national:
        notices.append(f"The library holds no national guidance for {_PLACES[against]}, so there are no partner duties "
                       "to measure against; add the national documents with `cpguide ingest`.")
    partners = [slug for slug in PARTNER_GROUPS if duties_for_partner(national, slug)]
    targets = targets_for(against, partners)
    references = {t.id: _references(t, national, library) for t in targets}

    texts = [s.text for s in statements] + [t.statement for t in targets if t.kind == "principle"]
    texts += [d.text for refs in references.values() for d in refs]
    vec = _embed(embedder, texts)
    local = np.array([vec[s.text] for s in statements]) if statements else np.zeros((0, 1))

    citer = _Citer(library, stale_years, today)
    rows: list[Row] = []
    gaps: list[Gap] = []
    for t in targets:
        refs = references[t.id]
        ref_texts = ([t.statement] if t.kind == "principle" else []) + [d.text for d in refs]
        sims = local @ np.array([vec[x] for x in ref_texts]).T if statements and ref_texts else np.zeros((len(statements), 0))
        statement_meaning = sims[:, 0] if t.kind == "principle" and sims.shape[1] else np.zeros(0)
        readings = []
        for i, s in enumerate(statements):
            row = sims[i] if sims.shape[1] else np.zeros(1)
            broad = _principles_named(s.text, against) if t.kind == "principle" else _partners_named(s.text)
            readings.append(_Reading(
                s, float(row.max()), int(row.argmax()), target_words(t, s.text), broad, named_in_passing(t, s.text),
                quotes_principle=bool(len(statement_meaning)) and float(statement_meaning[i]) >= QUOTES_PRINCIPLE,
                reports_law=bool(_REPORTS_LAW.search(s.text))))
        status, best, reason = _judge(t, readings, statement_meaning)
        local_ev = None
        if best is not None:
            s = best.statement
            local_ev = Evidence(citer.cite(doc_id, s.start, s.end), s.text, best.meaning, best.words, s.action)
        offset = 1 if t.kind == "principle" else 0
        national_ev = None
        if refs:
            if status == "covered" and best.reference >= offset:
                duty, meaning = refs[best.reference - offset], best.meaning
            elif t.kind == "principle":
                # The national duty that says most nearly what the principle says.
                to_statement = np.array([vec[d.text] for d in refs]) @ vec[t.statement]
                duty, meaning = refs[int(np.argmax(to_statement))], float(np.max(to_statement))
            else:
                duty, meaning = refs[0], 0.0
            national_ev = Evidence(citer.cite(duty.doc_id, duty.start, duty.end), duty.text, meaning,
                                   target_words(t, duty.text), duty.strength)
        rows.append(Row(t, status, reason, local_ev, national_ev))
        if t.kind == "partner":
            for j, duty in enumerate(refs):
                if _met(readings, sims[:, j] if sims.shape[1] else np.zeros(0)):
                    continue
                if sum(1 for g in gaps if g.partner == t.id) >= MAX_GAPS_PER_PARTNER:
                    break
                gaps.append(Gap(t.id, t.label, duty, citer.cite(duty.doc_id, duty.start, duty.end), how_do_we_know(duty)))
    return GapCheck(doc_id=doc_id, title=meta.title, publisher=meta.publisher, against=against,
                    generated=today.isoformat(), rows=tuple(rows), gaps=tuple(gaps),
                    citations=tuple(citer.citations), notices=tuple(notices))


def _met(readings: list[_Reading], to_duty: np.ndarray) -> bool:
    """A national duty is met when a local sentence naming the partner comes close to it in
    meaning, or any local sentence says very nearly the same."""
    return any((r.words and to_duty[i] >= GAP_MEANING) or to_duty[i] >= STRONG_MEANING
               for i, r in enumerate(readings))
