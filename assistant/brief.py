"""A panel brief: what the guidance says must happen on a topic, and what to ask officers.

A councillor on a corporate parenting panel has an agenda item ("placement stability") and
twenty minutes to prepare. The brief gathers, for that topic, the duties the guidance places
on the council and its partners, the figures it quotes, and questions to put to officers:
the library's own "key lines of enquiry" where it has them, and "How do we know that ...?"
questions made from the duties (marked as generated). Every line carries a numbered citation
and every quote is a verbatim substring of the cleaned document, so the brief can be checked
against the source and printed for the meeting.
"""

from __future__ import annotations

import bisect
import functools
import html
import re
from dataclasses import asdict, dataclass, field
from datetime import date

from cpguide.assistant.citations import make_citation
from cpguide.assistant.currency import authority_label
from cpguide.assistant.printable import citation_line, docx_sources, html_head, html_sources, new_docx  # noqa: F401
from cpguide.assistant.duties import (STRENGTH_LABELS, STRENGTHS, Duty, find_duties, is_imperative,
                                      matches_topic, principle_title)
from cpguide.assistant.structure import ENQUIRY
from cpguide.ingest.sentences import sentence_spans
from cpguide.records import Citation, Document

MAX_DUTIES = 12
MAX_FACTS = 8
MAX_LIBRARY_QUESTIONS = 8
MAX_GENERATED_QUESTIONS = 5
PASSAGES = 12  # passages retrieved for the topic: a brief wants breadth

_PLACES = {"england": "England", "wales": "Wales", "uk": "UK", "unknown": ""}


@dataclass(frozen=True)
class BriefDuty:
    duty: Duty
    cite: int  # number of the citation holding its quote


@dataclass(frozen=True)
class KeyFact:
    text: str  # verbatim sentence
    cite: int
    as_of: str  # the document's date, e.g. "September 2019": figures age


@dataclass(frozen=True)
class Question:
    text: str
    cite: int
    generated: bool  # True: made from a duty by rephrasing; False: the library's own words


@dataclass(frozen=True)
class Brief:
    topic: str
    generated: str  # ISO date the brief was made
    jurisdiction: str | None
    duties: tuple[BriefDuty, ...]
    key_facts: tuple[KeyFact, ...]
    questions: tuple[Question, ...]
    citations: tuple[Citation, ...]
    notices: tuple[str, ...] = field(default=())

    def citation(self, n: int) -> Citation:
        return self.citations[n - 1]

    def to_dict(self) -> dict:
        return {
            "topic": self.topic,
            "generated": self.generated,
            "jurisdiction": self.jurisdiction,
            "duties": [{**bd.duty.to_dict(), "cite": bd.cite} for bd in self.duties],
            "key_facts": [asdict(f) for f in self.key_facts],
            "questions": [asdict(q) for q in self.questions],
            "citations": [c.to_dict() for c in self.citations],
            "notices": list(self.notices),
        }


# --- finding what to quote -----------------------------------------------------------------------

_FIGURE = re.compile(
    r"\b\d+(?:\.\d+)?\s*(?:per\s*cent|%)"
    r"|\b(?:two|three|four|five|six|ten|\d+)\s+times\s+(?:more|less|as)\b"
    r"|\b(?:a|one)\s+(?:quarter|third|fifth|tenth)\b|\b(?:nearly|almost|over)\s+half\b|\btwo\s+thirds\b"
    r"|\bone\s+(?:\w+\s+)?in\s+(?:two|three|four|five|ten|twenty|\d+)\b"
    r"|\b\d{1,3}(?:,\d{3})+\b|\b\d+(?:\.\d+)?\s+(?:months?|weeks?|years?|hours?|days?)\b"
    r"|\b(?:January|February|March|April|May|June|July|August|September|October|November|December)\s+(?:19|20)\d{2}\b"
    r"|\bin\s+(?:19|20)\d{2}\b",
    re.I,
)
_REFERENCE = re.compile(r"^\d{1,2}\s+\S|https?://|www\.|@")
_QUESTION = re.compile(r"\?[\"'”’)\]]*$")
_RHETORICAL = re.compile(r"\bwhy\s+not\b|\bwhat\s+else\b", re.I)
_ENQUIRY_SECTION = re.compile(r"lines?\s+of\s+enquiry|questions?|ask\b", re.I)


class _DocIndex:
    """Sections of a document sorted by offset, to say which section a quote sits in."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.starts = [s.start for s in doc.sections]

    def section_at(self, offset: int):
        i = bisect.bisect_right(self.starts, offset) - 1
        return self.doc.sections[i] if i >= 0 else None

    @functools.cached_property
    def questions(self) -> list[tuple[int, int]]:
        """Spans of questions a panel can put to officers, in document order."""
        out = []
        for sec in self.doc.sections:
            path = " > ".join(sec.heading_path)
            for s, e in sentence_spans(self.doc.text[sec.start:sec.end], sec.start):
                q = self.doc.text[s:e]
                if not _QUESTION.search(q) or len(q.split()) < 4 or _RHETORICAL.search(q) or q[:1] in "“\"‘'":
                    continue
                if ENQUIRY.search(q) or _ENQUIRY_SECTION.search(path):
                    out.append((s, e))
        return out


class _Citer:
    """Numbers citations in order of first use; the same quote is cited once."""

    def __init__(self, library, stale_years: int, today: date):
        self.library = library
        self.stale_years = stale_years
        self.today = today
        self.citations: list[Citation] = []
        self._seen: dict[tuple[str, int, int], int] = {}
        self._indexes: dict[str, _DocIndex] = {}
        self._chunk_starts: dict[str, list[tuple[int, int, str]]] = {}

    def index(self, doc_id: str) -> _DocIndex:
        if doc_id not in self._indexes:
            self._indexes[doc_id] = _DocIndex(self.library.document(doc_id))
        return self._indexes[doc_id]

    def _chunk_id(self, doc_id: str, start: int, end: int) -> str:
        if doc_id not in self._chunk_starts:
            self._chunk_starts[doc_id] = [(c.start, c.end, c.chunk_id) for c in self.library.chunks if c.doc_id == doc_id]
        return next((cid for s, e, cid in self._chunk_starts[doc_id] if s <= start and end <= e), "")

    def cite(self, doc_id: str, start: int, end: int, section: str | None = None) -> int:
        key = (doc_id, start, end)
        if key in self._seen:
            return self._seen[key]
        n = len(self.citations) + 1
        self.citations.append(make_citation(
            self.library, n, doc_id, start, end, chunk_id=self._chunk_id(doc_id, start, end), section=section,
            stale_years=self.stale_years, today=self.today))
        self._seen[key] = n
        return n


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def _topic_terms(topic: str) -> dict[str, float]:
    """Stemmed words of the topic (weight 1) and of the field's words for it (weight 0.5)."""
    from cpguide.index.lexical import tokenize
    from cpguide.index.vocabulary import default_vocabulary

    generic = set(tokenize("care children child young people corporate parent looked after council"))
    weights = {t: 0.5 for t in tokenize(" ".join(default_vocabulary().expansions(topic)))}
    weights.update({t: 1.0 for t in tokenize(topic)})
    return {t: w for t, w in weights.items() if t not in generic}


def _relevance(duty: Duty, terms: dict[str, float], library) -> float:
    """How much of the topic a duty's words carry, rare words counting most."""
    from cpguide.index.lexical import tokenize

    idf = getattr(library.lexical, "idf", lambda token: 1.0)
    return sum(w * idf(t) for t, w in terms.items() if t in set(tokenize(duty.text)))


ON_TOPIC = 2.5  # a distinctive topic word, or two common ones, or a weaker match in a top passage


def _pick_duties(hits, library, topic: str, jurisdiction: str | None) -> list[Duty]:
    """The duties most about the topic, shown strongest first.

    Candidates are the duties inside the retrieved passages and any others whose words name
    the topic; each is scored by the topic words it carries plus a bonus for sitting in a
    highly ranked passage, so a housing brief does not list every duty of a long passage.
    """
    every = find_duties(library, jurisdiction=jurisdiction)
    by_doc: dict[str, list[Duty]] = {}
    for d in every:
        by_doc.setdefault(d.doc_id, []).append(d)
    terms = _topic_terms(topic)
    scored: dict[str, tuple[float, Duty]] = {}
    for rank, hit in enumerate(hits):
        bonus = 2.0 * (1 - rank / max(len(hits), 1))
        for d in by_doc.get(hit.doc_id, ()):
            if hit.start <= d.start and d.end <= hit.end:
                score = _relevance(d, terms, library) + bonus
                if score > scored.get(d.duty_id, (-1.0, d))[0]:
                    scored[d.duty_id] = (score, d)
    for d in every:
        if d.duty_id not in scored and matches_topic(d, topic):
            scored[d.duty_id] = (_relevance(d, terms, library), d)
    ranked = sorted(scored.values(), key=lambda x: (-x[0], x[1].doc_id, x[1].start))
    seen_text, out = set(), []
    for score, d in ranked:
        key = _norm(d.text)
        if score < ON_TOPIC or key in seen_text:
            continue  # off the topic, or a local strategy repeating a national pack word for word
        seen_text.add(key)
        out.append(d)
    out = out[:MAX_DUTIES]
    rank_of = {s: i for i, s in enumerate(STRENGTHS)}
    return [d for _, d in sorted(enumerate(out), key=lambda x: (rank_of.get(x[1].strength, 9), x[0]))]


def _pick_facts(hits, citer: _Citer, skip: set[tuple[str, int]]) -> list[tuple[str, int, int]]:
    facts, seen = [], set()
    for hit in hits:
        for s, e in sentence_spans(hit.text, hit.start):
            sentence = citer.index(hit.doc_id).doc.text[s:e]
            if (hit.doc_id, s) in skip or _QUESTION.search(sentence) or _REFERENCE.search(sentence):
                continue
            if len(sentence.split()) < 6 or not _FIGURE.search(sentence):
                continue
            key = _norm(sentence)
            if key in seen:
                continue
            seen.add(key)
            facts.append((hit.doc_id, s, e))
    return facts[:MAX_FACTS]


def _pick_questions(hits, citer: _Citer) -> list[tuple[str, int, int]]:
    """The library's own questions in or just before the retrieved passages, and the question
    headings the passages sit under."""
    out, seen = [], set()
    for hit in hits:
        idx = citer.index(hit.doc_id)
        spans = idx.questions
        inside = [(s, e) for s, e in spans if hit.start <= s and e <= hit.end]
        here = idx.section_at(hit.start)
        before = [(s, e) for s, e in spans if e <= hit.start and hit.start - e < 1500
                  and here is not None and idx.section_at(s).heading_path == here.heading_path]
        heading = [(s, e) for s, e in spans if idx.section_at(s) and idx.section_at(s).kind == "heading"
                   and idx.doc.text[s:e] in hit.section]
        for s, e in heading + before[-1:] + inside:
            key = _norm(idx.doc.text[s:e])
            if key not in seen:
                seen.add(key)
                out.append((hit.doc_id, s, e))
    return out[:MAX_LIBRARY_QUESTIONS]


# --- "How do we know that ...?" ---------------------------------------------------------------

_MAKE_SURE = re.compile(r"^(?:also\s+)?(?:make\s+sure|ensure)(?:\s+that)?\s+", re.I)
_MODAL = re.compile(
    r"\b(should|must)\s+((?:(?:always|also|ideally|regularly|formally|still|\w+ly)\s+)*)(not\s+)?(\w+)", re.I)
_IRREGULAR = {"be": ("is", "are"), "have": ("has", "have"), "do": ("does", "do"), "go": ("goes", "go")}


def _third_person(verb: str) -> str:
    if re.search(r"(?:s|sh|ch|x|z|o)$", verb):
        return verb + "es"
    if re.search(r"[^aeiou]y$", verb):
        return verb[:-1] + "ies"
    return verb + "s"


def _plural(subject: str) -> bool:
    subject = re.split(r"\s+of\s+", subject)[0]  # "the wishes of the child": the wishes
    words = re.findall(r"[A-Za-z’']+", subject)
    if not words:
        return True
    last = words[-1].lower()
    return " and " in f" {subject.lower()} " or last in ("we", "you", "they", "children", "people") or (
        last.endswith("s") and not last.endswith("ss"))


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if len(text) > 1 and not text[1].isupper() else text


def _state_as_fact(text: str) -> str:
    """ "Care leavers should not be placed in B&B" -> "Care leavers are not placed in B&B".

    Each "should"/"must" is replaced by the verb agreeing with the subject before it (the
    words since the previous comma or "and"), so a question can ask whether it is so.
    """
    out, pos = [], 0
    for m in _MODAL.finditer(text):
        subject = re.split(r",|;|\band\b|\bthat\b", text[pos:m.start()])[-1] if pos else text[:m.start()]
        subject = subject.strip() or text[:m.start()]
        plural = _plural(subject)
        adverbs, negative, verb = m.group(2), m.group(3), m.group(4)
        if negative:
            if verb.lower() == "be":
                rest = ("are" if plural else "is") + " not"
            else:
                rest = ("do" if plural else "does") + f" not {verb}"
        elif verb.lower() == "be":
            out.append(text[pos:m.start()] + ("are" if plural else "is") + (f" {adverbs.strip()}" if adverbs.strip() else ""))
            pos = m.end()
            continue
        elif verb.lower() in _IRREGULAR:
            rest = _IRREGULAR[verb.lower()][1 if plural else 0]
        else:
            rest = verb if plural else _third_person(verb)
        out.append(text[pos:m.start()] + adverbs + rest)
        pos = m.end()
    out.append(text[pos:])
    return "".join(out)


_LEADING_CLAUSE = re.compile(r"^((?:if|when|where|once|before|after|while|whilst|in)\b[^,]{0,160}),\s*(.+)$", re.I | re.S)


def how_do_we_know(duty: Duty) -> str:
    """A question a panel can ask about a duty: "Make sure X" -> "How do we know that X?"."""
    text = re.sub(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]+", "", duty.text).strip().rstrip(".;:,")
    text = re.sub(r"\s+", " ", text)
    m = _MAKE_SURE.match(text)
    if m:
        return f"How do we know that {_lower_first(text[m.end():])}?"
    if is_imperative(text):
        body = re.sub(r"^(?:also|then|so|and)\s+", "", text, flags=re.I)
        condition = _LEADING_CLAUSE.match(body)
        if condition:  # "If a child has moved, check ..." -> "If a child has moved, how do we know that we check ...?"
            clause = condition.group(1)
            return f"{clause[:1].upper()}{clause[1:]}, how do we know that we {_lower_first(condition.group(2))}?"
        return f"How do we know that we {_lower_first(body)}?"
    if _MODAL.search(text) and _MODAL.search(text).start() > 0:
        return f"How do we know that {_lower_first(_state_as_fact(text))}?"
    return f"How do we know that we meet this: “{text}”?"


def _relevance_order(duties: list[Duty], topic: str, library) -> list[Duty]:
    terms = _topic_terms(topic)
    return sorted(duties, key=lambda d: -_relevance(d, terms, library))


# --- building ------------------------------------------------------------------------------------


def build_brief(searcher, library, topic: str, *, jurisdiction: str | None = None, settings_stale_years: int = 5,
                today: date | None = None) -> Brief:
    """Gather the duties, figures and questions the library holds on ``topic``."""
    from cpguide.index.search import Filters, check_query

    topic = check_query(topic)
    if jurisdiction:
        jurisdiction = jurisdiction.strip().lower()
    filters = Filters.from_dict({"jurisdiction": [jurisdiction]} if jurisdiction else None)
    today = today or date.today()
    notices: list[str] = []
    hits = searcher.search(topic, k=PASSAGES, filters=filters)
    if not hits:
        notices.append("No passages matched this topic; try other words or remove the jurisdiction.")
    if not library.table_exists("duties"):
        notices.append("This index holds no duty statements yet: run `cpguide ingest --rebuild` to add them.")

    citer = _Citer(library, settings_stale_years, today)
    duties = _pick_duties(hits, library, topic, jurisdiction)
    brief_duties = [BriefDuty(d, citer.cite(d.doc_id, d.start, d.end, d.section)) for d in duties]
    by_relevance = [next(bd for bd in brief_duties if bd.duty is d) for d in _relevance_order(duties, topic, library)]
    used = {(d.doc_id, d.start) for d in duties}

    facts = []
    for doc_id, s, e in _pick_facts(hits, citer, used):
        meta = library.meta(doc_id)
        facts.append(KeyFact(citer.index(doc_id).doc.text[s:e], citer.cite(doc_id, s, e),
                             meta.date or (str(meta.year) if meta.year else "undated")))

    questions = [Question(citer.index(doc_id).doc.text[s:e], citer.cite(doc_id, s, e), False)
                 for doc_id, s, e in _pick_questions(hits, citer)]
    asked = {_norm(q.text) for q in questions}
    for bd in by_relevance[:MAX_GENERATED_QUESTIONS]:
        q = how_do_we_know(bd.duty)
        if _norm(q) not in asked:
            asked.add(_norm(q))
            questions.append(Question(q, bd.cite, True))

    return Brief(topic=topic, generated=today.isoformat(), jurisdiction=jurisdiction, duties=tuple(brief_duties),
                 key_facts=tuple(facts), questions=tuple(questions), citations=tuple(citer.citations),
                 notices=tuple(notices))


# --- rendering -------------------------------------------------------------------------------------


def question_line(q: Question) -> str:
    mark = f" (generated from the duty quoted at [{q.cite}])" if q.generated else ""
    return f"{q.text} [{q.cite}]{mark}"


def duty_line(bd: BriefDuty) -> str:
    d = bd.duty
    return f"{STRENGTH_LABELS.get(d.strength, d.strength.upper())}: “{d.text}” [{bd.cite}]"


def fact_line(f: KeyFact) -> str:
    return f"“{f.text}” (as of {f.as_of}) [{f.cite}]"


def _title(brief: Brief) -> str:
    place = f" ({_PLACES.get(brief.jurisdiction, brief.jurisdiction)})" if brief.jurisdiction else ""
    return f"Panel brief: {brief.topic}{place}"


def render_text(brief: Brief) -> str:
    lines = [_title(brief), f"Prepared {brief.generated} from the cpguide library. Check quotes against the sources.", ""]
    for n in brief.notices:
        lines.append(f"Note: {n}")
    sections = (
        ("Who must do what", [duty_line(bd) + _duty_detail(bd) for bd in brief.duties]),
        ("Key facts", [fact_line(f) for f in brief.key_facts]),
        ("Questions to ask officers", [question_line(q) for q in brief.questions]),
    )
    for title, items in sections:
        lines += [title, "-" * len(title)] + ([f"- {i}" for i in items] or ["- none found"]) + [""]
    lines += ["Sources", "-------"]
    for c in brief.citations:
        lines.append(citation_line(c) + f" ({authority_label(c.kind)})")
        for note in c.notes:
            lines.append(f"    Note: {note}")
    return "\n".join(lines) + "\n"


def _duty_detail(bd: BriefDuty) -> str:
    from cpguide.assistant.duties import actor_vocabulary

    d = bd.duty
    who = ", ".join(actor_vocabulary().label(a) for a in d.actors)
    bits = [f"where: {_PLACES.get(d.jurisdiction) or 'unknown'}"] + ([f"who: {who}"] if who else [])
    if d.principles:
        bits.append(f"principle: {principle_title(d.principles[0])}")
    if d.legal_refs:
        bits.append(f"law: {'; '.join(d.legal_refs)}")
    return f" ({'; '.join(bits)})" if bits else ""


_CSS = """
body { font-family: Georgia, 'Times New Roman', serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem;
       color: #111; line-height: 1.45; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; } h2 { font-size: 1.15rem; border-bottom: 1px solid #999;
     margin-top: 1.6rem; }
.meta, .detail, .note { color: #444; font-size: .9rem; }
.badge { font: bold .75rem sans-serif; padding: .05rem .35rem; border: 1px solid #333; border-radius: .2rem; }
.generated { font-style: italic; }
li { margin-bottom: .45rem; }
@media print { body { margin: 0; max-width: none; } a { color: inherit; text-decoration: none; } }
"""


def render_html(brief: Brief) -> str:
    """A printable, standalone HTML page; every piece of text is escaped."""
    e = html.escape
    out = html_head(_title(brief), _CSS, brief.generated)
    for n in brief.notices:
        out.append(f'<p class="note">Note: {e(n)}</p>')
    out.append("<h2>Who must do what</h2>")
    out.append('<ul class="duties">')
    for bd in brief.duties:
        d = bd.duty
        out.append(f'<li class="duty"><span class="badge">{e(STRENGTH_LABELS.get(d.strength, d.strength))}</span> '
                   f"“{e(d.text)}” <a href=\"#c{bd.cite}\">[{bd.cite}]</a>"
                   f'<div class="detail">{e(_duty_detail(bd).strip(" ()"))}</div></li>')
    if not brief.duties:
        out.append("<li>None found.</li>")
    out.append("</ul>")
    out.append("<h2>Key facts</h2>")
    out.append('<ul class="facts">')
    for f in brief.key_facts:
        out.append(f'<li class="fact">“{e(f.text)}” <span class="meta">(as of {e(f.as_of)})</span> '
                   f'<a href="#c{f.cite}">[{f.cite}]</a></li>')
    if not brief.key_facts:
        out.append("<li>None found.</li>")
    out.append("</ul>")
    out.append("<h2>Questions to ask officers</h2>")
    out.append('<ol class="questions">')
    for q in brief.questions:
        cls = "question generated" if q.generated else "question"
        out.append(f'<li class="{cls}">{e(question_line(q))}</li>')
    out.append("</ol>")
    out.append('<p class="meta">Questions in italics are generated from a duty by rephrasing it; the others are '
               "the library's own words.</p>")
    out += html_sources(brief.citations)
    return "\n".join(out) + "\n"


def render_docx(brief: Brief, path) -> None:
    """The same brief as a Word document (for councils that circulate papers in Word)."""
    document = new_docx(_title(brief), brief.generated, notices=brief.notices)
    document.add_heading("Who must do what", level=2)
    for bd in brief.duties:
        document.add_paragraph(duty_line(bd) + _duty_detail(bd), style="List Bullet")
    document.add_heading("Key facts", level=2)
    for f in brief.key_facts:
        document.add_paragraph(fact_line(f), style="List Bullet")
    document.add_heading("Questions to ask officers", level=2)
    for q in brief.questions:
        p = document.add_paragraph(style="List Number")
        run = p.add_run(question_line(q))
        run.italic = q.generated
    docx_sources(document, brief.citations)
    document.save(str(path))
