"""Grounded answers: the library's own sentences, chosen, ordered and cited.

No language model is needed. From the top passages we score every sentence against the
question (meaning and shared words), keep the few that answer it, fold sentences that appear
in several documents into one citation, and label England and Wales when both speak. When
nothing is close enough we say so and offer the nearest passages, rather than stitching
unrelated sentences into something that reads like an answer.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from cpguide.assistant import coverage
from cpguide.assistant.citations import make_citation
from cpguide.assistant.conversation import Conversation, resolve
from cpguide.index.lexical import tokenize
from cpguide.index.search import Filters, Searcher, check_query
from cpguide.ingest.sentences import sentence_spans
from cpguide.records import Answer, Citation, Hit

PASSAGES = 6  # passages whose sentences compete for the answer
DUTY_ROWS = 10  # rows of a duty table shown in a chat answer (`cpguide duties` lists them all)
_DUTY_QUESTION = re.compile(
    r"\b(have to do|has to do|must (they |we |it )?do|got to do|supposed to do|required to do|"
    r"duties|obligations|legally (required|obliged|bound))\b",
    re.I,
)
MAX_SENTENCES = 5
WITHIN_BEST = 0.12  # keep sentences scoring within this of the best one
PLACE_NAMES = {"england": "England", "wales": "Wales", "uk": "UK", "unknown": "Other"}

ACTOR_CUES = {
    "housing": ("housing", "homeless", "tenancy", "accommodation"),
    "health": ("health", "nhs", "gp", "dental", "camhs", "clinical", "icb", "ccg", "doctor", "nurse"),
    "police": ("police", "policing", "criminal justice"),
    "education": ("school", "schools", "education", "virtual school", "college", "teacher"),
    "youth justice": ("youth justice", "youth offending", "probation"),
    "leisure": ("leisure", "culture", "sport", "library", "libraries", "arts", "play"),
    "business": ("business", "businesses", "private sector", "employer", "employers"),
    "third sector": ("third sector", "charity", "charities", "voluntary"),
    "councillors": ("councillor", "councillors", "elected member", "lead member", "panel"),
}


@dataclass
class _Sentence:
    hit: Hit
    start: int  # offsets in the cleaned document
    end: int
    text: str
    score: float = 0.0
    similarity: float = 0.0


def _actors_in(text: str) -> set[str]:
    lowered = text.lower()
    return {a for a, cues in ACTOR_CUES.items() if any(re.search(rf"\b{re.escape(c)}\b", lowered) for c in cues)}


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def _display(sentence: str) -> str:
    s = sentence.strip()
    return s[:1].upper() + s[1:]


class Assistant:
    """Answers questions from one library; holds no per-user state (conversations are passed in)."""

    def __init__(self, searcher: Searcher, *, abstain_threshold: float = 0.33, stale_years: int = 5,
                 max_query_chars: int = 2000, llm=None):
        self.searcher = searcher
        self.library = searcher.library
        self.abstain_threshold = abstain_threshold
        self.stale_years = stale_years
        self.max_query_chars = max_query_chars
        self.llm = llm
        self._headings: dict[str, set[int]] = {}

    # -- public ------------------------------------------------------------------------------
    def ask(self, question: str, conversation: Conversation | None = None, filters: Filters | None = None) -> Answer:
        question = check_query(question, self.max_query_chars)
        resolved, place = resolve(question, conversation)
        filters = filters or Filters()
        if place and not filters.jurisdiction:
            filters = Filters(jurisdiction=(place,), doc_id=filters.doc_id, kind=filters.kind, audience=filters.audience)
        if conversation is not None:
            conversation.jurisdiction = place or conversation.jurisdiction

        table = self._duty_table(question, resolved, filters)
        if table is not None:
            return table

        expanded = self.searcher.vocabulary.expand(resolved)
        qvec = self.searcher.embed_query(expanded)
        hits = self.searcher.search(resolved, k=8, filters=filters, query_vector=qvec, max_chars=10_000)
        reason = coverage.out_of_scope(question, self.library.lexical.doc_freq, self.searcher.vocabulary.abbreviations)
        if reason:
            return self._abstain(question, resolved, hits, reason)
        relevance = self.relevance(hits)
        if not hits or relevance < self.abstain_threshold:
            return self._abstain(question, resolved, hits)

        answer = None
        notices: tuple[str, ...] = ()
        if self.llm is not None:
            from cpguide.assistant.llm import LLMFailure

            try:
                answer = self.llm.answer(question, resolved, hits[:PASSAGES], self)
            except LLMFailure as exc:
                notices = (f"The language model could not answer ({exc}); this answer is built from the "
                           "library's own sentences instead.",)
        if answer is None:
            answer = self._extractive(question, resolved, hits[:PASSAGES], qvec)
        if notices:
            answer = Answer(**{**answer.__dict__, "notices": answer.notices + notices})
        return answer

    @staticmethod
    def relevance(hits: list[Hit]) -> float:
        """How well the library covers the question: the best passage's cosine similarity."""
        return max((h.scores.get("dense", 0.0) for h in hits), default=0.0)

    # -- extractive mode ---------------------------------------------------------------------------
    def _candidate_spans(self, doc_id: str, text: str, start: int) -> list[tuple[int, int, str]]:
        """Sentences of a passage that could stand in an answer: not headings, URLs or footnotes."""
        doc = self.library.document(doc_id)
        headings = self._headings.get(doc_id)
        if headings is None:
            headings = self._headings[doc_id] = {s.start for s in doc.sections if s.kind == "heading"}
        out = []
        for s, e in sentence_spans(text, start):
            sentence = doc.text[s:e]
            if s in headings or len(sentence.split()) < 5 or re.search(r"https?://|www\.", sentence):
                continue
            if re.match(r"^\d{1,2}\s+[A-Z]", sentence):  # a footnote line
                continue
            out.append((s, e, sentence))
        return out

    def _sentences(self, hits: list[Hit]) -> list[_Sentence]:
        return [_Sentence(hit, s, e, text) for hit in hits for s, e, text in self._candidate_spans(hit.doc_id, hit.text, hit.start)]

    def warm_up(self, max_chunks: int = 5000, batch: int = 256) -> int:
        """Embed every candidate sentence of a small library once, so that a long-running server
        answers from its cache (about 4 s for the starter library on two cores). Returns how many
        sentences were embedded; a library larger than ``max_chunks`` is left to fill as used."""
        if len(self.library.chunks) > max_chunks:
            return 0
        texts = list(dict.fromkeys(text for c in self.library.chunks
                                   for _, _, text in self._candidate_spans(c.doc_id, c.text, c.start)))
        missing = [t for t in texts if self._sentence_cache(t) is None]
        for i in range(0, len(missing), batch):
            self._embed_sentences(tuple(missing[i:i + batch]))
        return len(missing)

    def _score(self, question: str, qvec: np.ndarray, sentences: list[_Sentence]) -> None:
        vecs = self._embed_sentences(tuple(s.text for s in sentences))
        sims = vecs @ qvec
        qtok = set(tokenize(self.searcher.vocabulary.expand(question)))
        idf = {t: self.library.lexical.idf(t) for t in qtok}
        total = sum(idf.values()) or 1.0
        wanted_actors = _actors_in(question)
        for s, sim in zip(sentences, sims):
            stoks = set(tokenize(s.text))
            lexical = sum(idf[t] for t in qtok & stoks) / total
            prior = 1.0 / (1 + 0.15 * (s.hit.rank - 1))
            actor_bonus = 0.0
            if wanted_actors:
                context = f"{s.hit.section} {s.text}"
                actor_bonus = 0.08 if _actors_in(context) & wanted_actors else -0.04
            s.similarity = float(sim)
            s.score = 0.6 * float(sim) + 0.25 * lexical + 0.1 * prior + actor_bonus

    def _embed_sentences(self, texts: tuple[str, ...]) -> np.ndarray:
        cached = [self._sentence_cache(t) for t in texts]
        missing = [t for t, v in zip(texts, cached) if v is None]
        if missing:
            vecs = self.searcher.embedder.embed(missing, batch_size=64)
            for t, v in zip(missing, vecs):
                _SENTENCE_VECTORS[(self.searcher.embedder.fingerprint, t)] = v
        return np.stack([self._sentence_cache(t) for t in texts]) if texts else np.zeros((0, 1))

    def _sentence_cache(self, text: str):
        return _SENTENCE_VECTORS.get((self.searcher.embedder.fingerprint, text))

    def select(self, question: str, qvec: np.ndarray, hits: list[Hit]) -> list[_Sentence]:
        sentences = self._sentences(hits)
        if not sentences:
            return []
        self._score(question, qvec, sentences)
        sentences.sort(key=lambda s: -s.score)
        best = sentences[0].score
        floor = max(best - WITHIN_BEST, 0.0)
        chosen: list[_Sentence] = []
        seen: list[set[str]] = []
        for s in sentences:
            if s.score < floor or s.similarity < self.abstain_threshold * 0.75:
                continue
            words = set(_norm(s.text).split())
            if any(len(words & w) / max(1, min(len(words), len(w))) >= 0.8 for w in seen):
                continue  # the same sentence from a near-duplicate passage: cite it once
            chosen.append(s)
            seen.append(words)
            if len(chosen) >= MAX_SENTENCES:
                break
        return chosen

    def _extractive(self, question: str, resolved: str, hits: list[Hit], qvec: np.ndarray) -> Answer:
        chosen = self.select(resolved, qvec, hits)
        if not chosen:
            return self._abstain(question, resolved, hits)
        if coverage.asks_for_figure(question) and not any(coverage.has_figure(s.text) for s in chosen):
            return self._abstain(question, resolved, hits,
                                 "The question asks for a figure, and no passage that answers it gives one.")
        return self.compose(question, resolved, chosen, hits)

    def compose(self, question: str, resolved: str, chosen: list[_Sentence], hits: list[Hit],
                mode: str = "extractive") -> Answer:
        """Order sentences (by place, then passage, then position) and number the citations."""
        places = {s.hit.jurisdiction for s in chosen}
        order_hits = {}
        for s in chosen:
            order_hits.setdefault(s.hit.chunk_id, len(order_hits))
        chosen = sorted(chosen, key=lambda s: (sorted(places).index(s.hit.jurisdiction) if len(places) > 1 else 0,
                                               order_hits[s.hit.chunk_id], s.start))
        # Adjacent sentences of one passage share one citation whose quote spans both.
        groups: list[list[_Sentence]] = []
        for s in chosen:
            if groups and groups[-1][-1].hit.chunk_id == s.hit.chunk_id and self._adjacent(groups[-1][-1], s):
                groups[-1].append(s)
            else:
                groups.append([s])
        citations: list[Citation] = []
        lines: list[str] = []
        current_place = None
        for g in groups:
            hit = g[0].hit
            doc = self.library.document(hit.doc_id)
            start, end = g[0].start, g[-1].end
            quote = doc.text[start:end]
            n = len(citations) + 1
            citations.append(self.citation(n, hit, quote, start, end))
            if len(places) > 1 and hit.jurisdiction != current_place:
                current_place = hit.jurisdiction
                lines.append(f"In {PLACE_NAMES.get(current_place, current_place)}:")
            text = " ".join(_display(s.text) for s in g)
            lines.append(f"- {text} [{n}]")
        answer_text = "\n".join(lines)
        return Answer(question=question, answer=answer_text, citations=tuple(citations), abstained=False,
                      resolved_question=resolved, mode=mode)

    def _adjacent(self, a: _Sentence, b: _Sentence) -> bool:
        gap = self.library.document(a.hit.doc_id).text[a.end:b.start]
        return 0 <= len(gap) <= 3 and "\n" not in gap

    def citation(self, n: int, hit: Hit | None, quote: str, start: int, end: int, doc_id: str = "") -> Citation:
        """A numbered citation for ``quote`` (= the document's text[start:end])."""
        return make_citation(self.library, n, hit.doc_id if hit else doc_id, start, end,
                             chunk_id=hit.chunk_id if hit else "", fallback_page=hit.page if hit else None,
                             fallback_section=hit.section if hit else "", stale_years=self.stale_years)

    # -- "what does the NHS have to do?" -> the duty table ------------------------------------
    def _duty_table(self, question: str, resolved: str, filters: Filters) -> Answer | None:
        """Answer a question about one service's obligations with its duty statements."""
        if not _DUTY_QUESTION.search(question):
            return None
        from cpguide.assistant.duties import STRENGTH_LABELS, STRENGTHS, actor_vocabulary, find_duties, principle_title

        actors = actor_vocabulary().slugs_in(resolved, heading=True)
        if len(actors) != 1:
            return None
        jurisdiction = filters.jurisdiction[0] if len(filters.jurisdiction) == 1 else None
        duties = find_duties(self.library, actor=actors[0], jurisdiction=jurisdiction)
        if filters.doc_id:
            duties = [d for d in duties if d.doc_id in filters.doc_id]
        if not duties:
            return None
        seen: set[str] = set()  # a duty repeated in two documents is cited once
        duties = [d for d in sorted(duties, key=lambda d: STRENGTHS.index(d.strength))
                  if not (_norm(d.text) in seen or seen.add(_norm(d.text)))][:DUTY_ROWS]
        from cpguide.assistant.duties import group_by_principle

        label = actor_vocabulary().label(actors[0])
        lines = [f"What the library says {label} must, should or may do"
                 + (f" in {PLACE_NAMES.get(jurisdiction, jurisdiction)}" if jurisdiction else "") + ":"]
        citations: list[Citation] = []
        rows: list[dict] = []
        for pid, group in group_by_principle(duties):
            title = principle_title(pid) if pid else "Other duties"
            lines.append(f"{title}:")
            for d in group:
                n = len(citations) + 1
                citations.append(self.citation(n, None, d.text, d.start, d.end, doc_id=d.doc_id))
                lines.append(f"- {STRENGTH_LABELS[d.strength]}: {_display(d.text)} [{n}]")
                rows.append({"n": n, "strength": d.strength, "actors": list(d.actors), "principle": pid,
                             "principle_title": title, "jurisdiction": d.jurisdiction, "doc_id": d.doc_id})
        return Answer(question=question, answer="\n".join(lines), citations=tuple(citations), abstained=False,
                      resolved_question=resolved, mode="duties", duties=tuple(rows))

    def _abstain(self, question: str, resolved: str, hits: list[Hit], reason: str = "") -> Answer:
        related = tuple(hits[:3])
        text = ("The library does not seem to answer this question. " + (f"{reason} " if reason else "")
                + ("The passages below may be related; check them before relying on them." if related
                   else "Try other words, or add documents that cover it."))
        return Answer(question=question, answer=text, citations=(), abstained=True, related=related,
                      resolved_question=resolved)


# Sentence vectors are pure functions of (model, text): a process-wide cache makes repeated and
# follow-up questions over the same passages cheap.
class _BoundedCache(OrderedDict):
    """Oldest entries leave first; safe to share between a warm-up thread and requests."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit
        self._lock = threading.Lock()

    def __setitem__(self, key, value):
        with self._lock:
            super().__setitem__(key, value)
            if len(self) > self.limit:
                self.popitem(last=False)

    def get(self, key, default=None):
        with self._lock:
            return super().get(key, default)


_SENTENCE_VECTORS = _BoundedCache(50_000)
