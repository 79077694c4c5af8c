"""Which sentences answer the question: candidates from the top passages, scored and chosen.

A sentence earns its place by meaning (cosine to the question), by the question's rarer words
it shares, by sitting under a heading that matches, by having the service asked about as its
subject, and by being the guidance's own "should / must" statement when the question asks
what someone should do. A council's case study or a statistic answers a question about
outcomes or examples, not one about duties, so it is held back there. Few sentences that
answer beat five that drift: we keep those close to the best one, at most ``MAX_SENTENCES``.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from cpguide.assistant.actors import actor_vocabulary
from cpguide.assistant.structure import DocumentShape, leans_on_previous
from cpguide.index.lexical import tokenize
from cpguide.ingest.sentences import sentence_spans
from cpguide.records import Hit

MAX_SENTENCES = 3
WITHIN_BEST = 0.08  # keep sentences scoring within this of the best one

_ACTION_QUESTION = re.compile(
    r"\b(should|must|ought|need to|needs to|have to|has to|expected|responsib\w*|role|duty|duties|"
    r"can (?:we|i|they|you|\w+ (?:services?|staff|partners?|councillors?|businesses|schools?))|"
    r"what (?:can|could|do|does|should|must)\b.*\bdo\b|how (?:can|should|do|could)|help|support|make sure|ensure)\b",
    re.I,
)
_EXAMPLE_QUESTION = re.compile(
    r"\b(example|examples|case stud\w*|outcomes?|results?|achiev\w*|how (?:well|many|much)|"
    r"figures?|statistics?|data|per ?cent|percentage|proportion|rate|did|has any|have any|who has|which councils?)\b",
    re.I,
)
_MODAL = re.compile(
    r"\b(must|shall|should|need to|needs to|has a duty|have a duty|are required|is required|expected to|"
    r"responsible for|make sure|ensure|ensuring|will)\b",
    re.I,
)
_IMPERATIVE = re.compile(
    r"^(?:•\s*)?(?:\d{1,2}[.)]\s*)?(?:make|ensure|consider|work|provide|offer|support|help|promote|give|take|"
    r"encourage|develop|identify|listen|involve|ask|check|challenge|champion|treat|share|use|recognise|"
    r"offering|providing|ensuring|supporting|helping|promoting|giving|developing|working|championing)\b",
    re.I,
)
_STATISTIC = re.compile(r"\b\d[\d,.]*\s*(?:per ?cent|%)|\bper cent\b|\b\d{2,}[\d,]*\s+(?:children|young people|care leavers)\b",
                        re.I)


@dataclass
class Candidate:
    """One sentence of a retrieved passage, with where it sits and how well it answers."""

    hit: Hit
    start: int  # offsets in the cleaned document
    end: int
    text: str
    score: float = 0.0
    similarity: float = 0.0


class SentenceSelector:
    """Scores the sentences of retrieved passages against a question; keeps a few."""

    def __init__(self, library, embedder, vocabulary, *, floor: float):
        self.library = library
        self.embedder = embedder
        self.vocabulary = vocabulary
        self.floor = floor  # a sentence less similar than this is never an answer
        self._headings: dict[str, set[int]] = {}
        self._shapes: dict[str, DocumentShape] = {}

    def shape(self, doc_id: str) -> DocumentShape:
        if doc_id not in self._shapes:
            self._shapes[doc_id] = DocumentShape(self.library.document(doc_id))
        return self._shapes[doc_id]

    # -- candidates ----------------------------------------------------------------------------
    def candidate_spans(self, doc_id: str, text: str, start: int) -> list[tuple[int, int, str]]:
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

    def candidates(self, hits: list[Hit]) -> list[Candidate]:
        return [Candidate(hit, s, e, text) for hit in hits for s, e, text in self.candidate_spans(hit.doc_id, hit.text, hit.start)]

    # -- scoring -------------------------------------------------------------------------------
    def score(self, question: str, qvec: np.ndarray, candidates: list[Candidate]) -> None:
        vecs = self.embed_sentences(tuple(c.text for c in candidates))
        sims = vecs @ qvec
        qtok = set(tokenize(self.vocabulary.expand(question)))
        idf = {t: self.library.lexical.idf(t) for t in qtok}
        total = sum(idf.values()) or 1.0
        actors = actor_vocabulary()
        wanted = set(actors.slugs_in(question, heading=True))
        action = bool(_ACTION_QUESTION.search(question))
        examples = bool(_EXAMPLE_QUESTION.search(question))
        for c, sim in zip(candidates, sims):
            stoks = set(tokenize(c.text))
            lexical = sum(idf[t] for t in qtok & stoks) / total
            heading = sum(idf[t] for t in qtok & set(tokenize(c.hit.section))) / total
            prior = 1.0 / (1 + 0.15 * (c.hit.rank - 1))
            bonus = 0.0
            if wanted:
                named = set(actors.slugs_in(c.text)) | set(actors.slugs_in(c.hit.section, heading=True))
                bonus += 0.08 if named & wanted else (-0.06 if named else -0.03)
            shape = self.shape(c.hit.doc_id)
            if action and not examples:
                if _MODAL.search(c.text) or _IMPERATIVE.match(c.text):
                    bonus += 0.05
                if shape.is_case_study(c.start) or _STATISTIC.search(c.text):
                    bonus -= 0.12
            if leans_on_previous(c.text) and shape.sentence_before(c.start) is None:
                bonus -= 0.1  # "However, ..." with nothing before it in its paragraph
            c.similarity = float(sim)
            c.score = 0.6 * float(sim) + 0.25 * lexical + 0.08 * heading + 0.1 * prior + bonus

    def select(self, question: str, qvec: np.ndarray, hits: list[Hit]) -> list[Candidate]:
        """The few sentences that answer best, best first; near-duplicates cited once."""
        candidates = self.candidates(hits)
        if not candidates:
            return []
        self.score(question, qvec, candidates)
        candidates.sort(key=lambda c: -c.score)
        floor = max(candidates[0].score - WITHIN_BEST, 0.0)
        chosen: list[Candidate] = []
        seen: list[set[str]] = []
        for c in candidates:
            if c.score < floor or c.similarity < self.floor:
                continue
            words = set(_norm(c.text).split())
            if any(len(words & w) / max(1, min(len(words), len(w))) >= 0.8 for w in seen):
                continue  # the same sentence from a near-duplicate passage: cite it once
            chosen.append(c)
            seen.append(words)
            if len(chosen) >= MAX_SENTENCES:
                break
        return chosen

    # -- sentence vectors ----------------------------------------------------------------------
    def embed_sentences(self, texts: tuple[str, ...]) -> np.ndarray:
        key = self.embedder.fingerprint
        missing = [t for t in texts if _SENTENCE_VECTORS.get((key, t)) is None]
        if missing:
            for t, v in zip(missing, self.embedder.embed(missing, batch_size=64)):
                _SENTENCE_VECTORS[(key, t)] = v
        return np.stack([_SENTENCE_VECTORS.get((key, t)) for t in texts]) if texts else np.zeros((0, 1))

    def warm_up(self, max_chunks: int = 5000, batch: int = 256) -> int:
        """Embed every candidate sentence of a small library once, so that a long-running server
        answers from its cache (about 4 s for the starter library on two cores). Returns how many
        sentences were embedded; a library larger than ``max_chunks`` is left to fill as used."""
        if len(self.library.chunks) > max_chunks:
            return 0
        key = self.embedder.fingerprint
        texts = list(dict.fromkeys(text for c in self.library.chunks
                                   for _, _, text in self.candidate_spans(c.doc_id, c.text, c.start)))
        missing = [t for t in texts if _SENTENCE_VECTORS.get((key, t)) is None]
        for i in range(0, len(missing), batch):
            self.embed_sentences(tuple(missing[i:i + batch]))
        return len(missing)


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


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
