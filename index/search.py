"""Hybrid search: meaning (FAISS) and words (BM25), fused, filtered, de-duplicated.

Dense retrieval finds "teeth" -> "dental check-ups"; BM25 finds rare exact terms ("s22G",
"Staying Put") that a small embedding model blurs. Reciprocal rank fusion combines them
without having to calibrate two unrelated score scales; when a fitted fusion ships
(``fusion.py``, ``fusion.toml``), it then reorders the best candidates from their scores,
word overlaps and place. Near-duplicate passages (one local
strategy reuses whole paragraphs of a national pack) are folded into one hit that says
where else the text appears.
"""

from __future__ import annotations

import re
import time
import unicodedata
from dataclasses import dataclass, field

import numpy as np

from cpguide.errors import UsageError
from cpguide.index import vectors
from cpguide.index.embedder import Embedder
from cpguide.index.fusion import Features, FusionModel, shipped_fusion
from cpguide.index.lexical import STOP_WORDS, fold, tokenize
from cpguide.index.library import Library
from cpguide.index.vocabulary import Vocabulary, default_vocabulary
from cpguide.ingest.sentences import sentence_spans
from cpguide.records import JURISDICTIONS, KINDS, Hit, Span

RRF_K = 60
# Weights of each ranked list in the fusion (dense, BM25); see `cpguide eval` for the comparison.
FUSION_WEIGHTS = (1.0, 1.0)
# Passages each method passes to the fusion, whatever ``k`` is (at most 100): a passage's place in
# the fused list depends on how deep each list goes, so a deeper pool for a larger ``k`` reordered
# the top (``--k 60`` and ``--k 5`` disagreed on the first five for 31 of 200 dev questions).
CANDIDATES = 100
DUPLICATE_OVERLAP = 0.6  # share of word 4-grams two passages must share to count as one

METHODS = ("hybrid", "dense", "bm25")


@dataclass(frozen=True)
class Filters:
    jurisdiction: tuple[str, ...] = ()
    doc_id: tuple[str, ...] = ()
    kind: tuple[str, ...] = ()
    audience: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: dict | None) -> "Filters":
        """Build from JSON / form input, rejecting unknown keys and values with a clear message."""
        data = data or {}
        unknown = set(data) - {"jurisdiction", "doc_id", "kind", "audience"}
        if unknown:
            raise UsageError(f"Unknown filter(s): {', '.join(sorted(unknown))}.",
                             hint="Filters are: jurisdiction, doc_id, kind, audience.")

        def as_tuple(v) -> tuple[str, ...]:
            if v in (None, "", []):
                return ()
            items = v if isinstance(v, (list, tuple)) else [v]
            if not all(isinstance(i, str) for i in items):
                raise UsageError("Filter values must be text, or lists of text.",
                                 hint='e.g. {"jurisdiction": ["wales"], "doc_id": ["lga-resource-pack"]}')
            items = [part for i in items for part in i.split(",")]
            return tuple(i.strip().lower() for i in items if i.strip())

        f = cls(**{k: as_tuple(v) for k, v in data.items()})
        for j in f.jurisdiction:
            if j not in JURISDICTIONS:
                raise UsageError(f"Unknown jurisdiction {j!r}.", hint=f"Use one of: {', '.join(JURISDICTIONS)}.")
        for k in f.kind:
            if k not in KINDS:
                raise UsageError(f"Unknown kind {k!r}.", hint=f"Use one of: {', '.join(KINDS)}.")
        return f

    def __bool__(self) -> bool:
        return bool(self.jurisdiction or self.doc_id or self.kind or self.audience)

    def to_dict(self) -> dict:
        return {k: list(v) for k, v in self.__dict__.items() if v}


@dataclass
class Timings:
    embed_ms: float = 0.0
    dense_ms: float = 0.0
    bm25_ms: float = 0.0
    fusion_ms: float = 0.0
    extra: dict = field(default_factory=dict)


def check_query(query: str, max_chars: int = 2000) -> str:
    """Reject what cannot be searched, with a message a person understands."""
    if query is None:
        raise UsageError("The question is empty.", hint="Type a question, e.g. 'what should housing do for care leavers?'")
    cleaned = "".join(" " if unicodedata.category(c)[0] == "C" else c for c in query)
    cleaned = re.sub(r"\s+", " ", cleaned).strip()
    if not cleaned:
        raise UsageError("The question is empty.", hint="Type a question, e.g. 'what should housing do for care leavers?'")
    if len(cleaned) > max_chars:
        raise UsageError(f"The question is {len(cleaned)} characters long; the limit is {max_chars}.",
                         hint="Shorten it to the question itself.")
    if not re.search(r"\w", cleaned):
        raise UsageError("The question has no words in it.", hint="Type a question in words.")
    return cleaned


class Searcher:
    """Search one library with one embedder; both are loaded once and reused."""

    def __init__(self, library: Library, embedder: Embedder, vocabulary: Vocabulary | None = None,
                 fusion: FusionModel | None | str = "shipped"):
        """``fusion``: the shipped learned fusion by default; None for reciprocal rank fusion alone."""
        library.check_embedder(embedder)
        self.library = library
        self.embedder = embedder
        self.vocabulary = vocabulary or default_vocabulary()
        self.fusion = shipped_fusion() if fusion == "shipped" else fusion
        self.features = Features(library)
        self.last_timings = Timings()

    # -- filters -------------------------------------------------------------------------
    def _mask(self, filters: Filters) -> np.ndarray | None:
        if not filters:
            return None
        lib = self.library
        for d in filters.doc_id:
            lib.doc_info(d)  # raises DocumentNotFound with a hint
        allowed = set()
        for doc_id, info in lib.docs.items():
            m = info.meta
            if filters.doc_id and doc_id not in filters.doc_id:
                continue
            if filters.jurisdiction and m.jurisdiction not in filters.jurisdiction and not (
                m.jurisdiction == "uk" and set(filters.jurisdiction) & {"england", "wales"}
            ):
                continue
            if filters.kind and m.kind not in filters.kind:
                continue
            if filters.audience and not any(
                a in " ".join(m.audience).lower() for a in filters.audience
            ):
                continue
            allowed.add(doc_id)
        return np.isin(lib.row_doc, list(allowed)) if allowed else np.zeros(len(lib.chunks), dtype=bool)

    # -- the two retrievers -----------------------------------------------------------------
    def embed_query(self, text: str) -> np.ndarray:
        return self.embedder.embed([text])[0]

    def dense(self, qvec: np.ndarray, mask: np.ndarray | None, n: int) -> list[tuple[int, float]]:
        index = self.library.vector_index
        want = n if mask is None else min(index.ntotal, max(n * 10, 500))
        scores, rows = vectors.search(index, qvec, want)
        out = [(int(r), float(s)) for r, s in zip(rows, scores) if mask is None or mask[r]]
        if mask is not None and len(out) < n and want < index.ntotal:
            scores, rows = vectors.search(index, qvec, index.ntotal)
            out = [(int(r), float(s)) for r, s in zip(rows, scores) if mask[r]]
        return out[:n]

    def bm25(self, tokens: list[str], mask: np.ndarray | None, n: int) -> list[tuple[int, float]]:
        scores = self.library.lexical.scores(tokens)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        if not len(scores):
            return []
        n = min(n, len(scores))
        top = np.argpartition(-scores, n - 1)[:n]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(r), float(scores[r])) for r in top if scores[r] > 0]

    # -- the public call ---------------------------------------------------------------------
    def search(self, query: str, *, k: int = 5, filters: Filters | None = None, method: str = "hybrid",
               dedupe: bool = True, max_chars: int = 2000, query_vector: np.ndarray | None = None) -> list[Hit]:
        """Top ``k`` passages for ``query``; ``method`` is hybrid, dense or bm25 (for evaluation)."""
        if method not in METHODS:
            raise UsageError(f"Unknown search method {method!r}.", hint=f"Use one of: {', '.join(METHODS)}.")
        if k < 1 or k > 100:
            raise UsageError(f"--k must be between 1 and 100, got {k}.")
        query = check_query(query, max_chars)
        filters = filters or Filters()
        mask = self._mask(filters)
        t = Timings()
        expanded = self.vocabulary.expand(query)
        tokens = tokenize(expanded)
        n = CANDIDATES

        dense_hits: list[tuple[int, float]] = []
        bm25_hits: list[tuple[int, float]] = []
        if method in ("hybrid", "dense"):
            t0 = time.perf_counter()
            qvec = query_vector if query_vector is not None else self.embed_query(expanded)
            t.embed_ms = (time.perf_counter() - t0) * 1000
            t0 = time.perf_counter()
            dense_hits = self.dense(qvec, mask, n)
            t.dense_ms = (time.perf_counter() - t0) * 1000
        if method in ("hybrid", "bm25"):
            t0 = time.perf_counter()
            bm25_hits = self.bm25(tokens, mask, n)
            t.bm25_ms = (time.perf_counter() - t0) * 1000

        t0 = time.perf_counter()
        dense_score = dict(dense_hits)
        bm25_score = dict(bm25_hits)
        if method == "dense":
            ranked = [(r, s) for r, s in dense_hits]
        elif method == "bm25":
            ranked = [(r, s) for r, s in bm25_hits]
        else:
            fused, ranked = rrf(dense_hits, bm25_hits)
            if self.fusion is not None and ranked:
                ranked = self._rerank(query, tokens, ranked, dense_hits, bm25_hits, fused)
        hits = self._to_hits(ranked, k, tokens, dense_score, bm25_score, dedupe)
        t.fusion_ms = (time.perf_counter() - t0) * 1000
        self.last_timings = t
        return hits

    def with_line(self, pattern: re.Pattern[str], like: str, doc_ids: tuple[str, ...], k: int = 2) -> list[Hit]:
        """Passages of ``doc_ids`` (in that order of preference) with a line matching ``pattern``
        ("Principle 8: a stable home"), found by their words (SQL ``LIKE``, over those documents'
        passages only) rather than their meaning: "what is principle eight?" is close in meaning
        to every principle, and names only one."""
        if not doc_ids:
            return []
        marks = ",".join("?" * len(doc_ids))
        rows = self.library.query(f"SELECT row, text, doc_id FROM chunks WHERE doc_id IN ({marks}) AND text LIKE ?",
                                  (*doc_ids, like))
        found = sorted((doc_ids.index(doc_id), row) for row, text, doc_id in rows if pattern.search(text))
        return self._to_hits([(row, 1.0) for _, row in found], k, [], {}, {}, True) if found else []

    def fusion_pool(self, query: str, pool: int) -> tuple[list[int], np.ndarray]:
        """The top ``pool`` rows of reciprocal rank fusion and their fusion features (for fitting)."""
        query = check_query(query)
        expanded = self.vocabulary.expand(query)
        tokens = tokenize(expanded)
        dense_hits = self.dense(self.embed_query(expanded), None, CANDIDATES)
        bm25_hits = self.bm25(tokens, None, CANDIDATES)
        fused, ranked = rrf(dense_hits, bm25_hits)
        rows = [row for row, _ in ranked[:pool]]
        return rows, self.features.rows(query, tokens, rows, dense_hits, bm25_hits, fused)

    def _rerank(self, query, tokens, ranked, dense_hits, bm25_hits, fused) -> list[tuple[int, float]]:
        """Order the top of the fused list by the learned fusion; the rest follow in RRF order."""
        pool = [row for row, _ in ranked[:self.fusion.pool]]
        p = self.fusion.score(self.features.rows(query, tokens, pool, dense_hits, bm25_hits, fused))
        order = np.argsort(-p, kind="stable")
        head = [(pool[i], float(p[i])) for i in order]
        rest = ranked[len(pool):]
        # Below the pool, RRF scores are rescaled under the last pool score: order is what counts.
        top = rest[0][1] if rest else 1.0
        return head + [(row, head[-1][1] * 0.99 * score / top) for row, score in rest]

    # -- turning rows into hits -----------------------------------------------------------
    def _to_hits(self, ranked, k, tokens, dense_score, bm25_score, dedupe) -> list[Hit]:
        chosen: list[tuple[int, float, list[int]]] = []
        shingles: list[set] = []
        for row, score in ranked:
            chunk = self.library.chunks[row]
            sh = _shingles(chunk.text)
            dup_of = None
            if dedupe:
                for i, other in enumerate(shingles):
                    if sh and other and len(sh & other) / min(len(sh), len(other)) >= DUPLICATE_OVERLAP:
                        dup_of = i
                        break
            if dup_of is not None:
                chosen[dup_of][2].append(row)
                continue
            chosen.append((row, score, []))
            shingles.append(sh)
            if len(chosen) >= k:
                break
        hits = []
        for rank, (row, score, dups) in enumerate(chosen, 1):
            chunk = self.library.chunks[row]
            meta = self.library.meta(chunk.doc_id)
            also = tuple(self._where(r) for r in dups)
            hits.append(Hit(
                rank=rank, score=round(float(score), 6), chunk_id=chunk.chunk_id, doc_id=chunk.doc_id,
                title=meta.title, publisher=meta.publisher, year=meta.year, jurisdiction=meta.jurisdiction,
                kind=meta.kind, page=chunk.page_start, page_end=chunk.page_end, section=chunk.section,
                text=chunk.text, start=chunk.start, end=chunk.end,
                highlights=best_sentences(chunk.text, tokens), also_in=also,
                scores={"dense": round(dense_score.get(row, 0.0), 4), "bm25": round(bm25_score.get(row, 0.0), 4)},
            ))
        return hits

    def _where(self, row: int) -> dict:
        c = self.library.chunks[row]
        m = self.library.meta(c.doc_id)
        return {"doc_id": c.doc_id, "title": m.title, "page": c.page_start, "section": c.section,
                "chunk_id": c.chunk_id, "jurisdiction": m.jurisdiction}


def rrf(dense_hits, bm25_hits) -> tuple[dict[int, float], list[tuple[int, float]]]:
    """Reciprocal rank fusion of the two lists: each row's score, and the rows best first."""
    fused: dict[int, float] = {}
    for weight, hits in zip(FUSION_WEIGHTS, (dense_hits, bm25_hits)):
        for rank, (row, _) in enumerate(hits):
            fused[row] = fused.get(row, 0.0) + weight / (RRF_K + rank + 1)
    return fused, sorted(fused.items(), key=lambda x: -x[1])


def _shingles(text: str, n: int = 4) -> set:
    words = re.findall(r"\w+", fold(text))
    return {tuple(words[i:i + n]) for i in range(max(0, len(words) - n + 1))}


def best_sentences(text: str, query_tokens: list[str], limit: int = 2) -> tuple[Span, ...]:
    """The sentence(s) of a passage that share most query terms, for highlighting."""
    wanted = {t for t in query_tokens if t not in STOP_WORDS}
    if not wanted:
        return ()
    scored = []
    for s, e in sentence_spans(text):
        toks = set(tokenize(text[s:e]))
        overlap = len(toks & wanted)
        if overlap:
            scored.append((overlap / (1 + 0.02 * len(toks)), s, e))
    scored.sort(key=lambda x: -x[0])
    return tuple(Span(s, e) for _, s, e in sorted(scored[:limit], key=lambda x: x[1]))
