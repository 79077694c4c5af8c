"""Learned fusion: reorder the best hybrid candidates with a few fitted numbers.

Reciprocal rank fusion weighs a dense rank and a BM25 rank the same for every question. The
signals behind them say more: how far a passage's cosine is from the best one, how close its
BM25 score comes to the top, how much of the question's rarer vocabulary it (or its heading)
holds, whether it is from the nation the question names. A regularised logistic regression
over these, fitted on the dev questions (``python -m cpguide.eval.fit_fusion``, cross-validated
by question), scores the top ``pool`` candidates of reciprocal rank fusion; the rest keep
their order below them. The numbers live in ``fusion.toml`` beside this file; no training
happens at run time, and without the file (or with one that does not fit the features) search
falls back to reciprocal rank fusion.
"""

from __future__ import annotations

import functools
import logging
import math
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from cpguide.index.lexical import fold

log = logging.getLogger(__name__)

FUSION_FILE = Path(__file__).with_name("fusion.toml")

# Feature names, in the order of a row. Each is cheap: the candidate lists already hold the
# scores, and word overlaps use token sets cached per passage.
FEATURES = (
    "rrf",              # reciprocal rank fusion score, x 60 (about 0..2)
    "dense",            # cosine to the question
    "dense_gap",        # cosine minus the best candidate's
    "bm25_rel",         # BM25 over the best BM25 score (0 when not in the BM25 list)
    "dense_rank",       # log(1 + rank) in the dense list
    "bm25_rank",        # log(1 + rank) in the BM25 list
    "overlap",          # share of the question's rarity-weighted words in the passage
    "heading_overlap",  # the same for the title and heading path
    "place",            # +1 the question names the passage's nation, -1 another, 0 none
)

_PLACES = {"wales": "wales", "welsh": "wales", "cymru": "wales", "england": "england", "english": "england"}


@dataclass(frozen=True)
class FusionModel:
    """A linear scorer over standardised features: score = ((x - means) / scales) . weights + bias."""

    features: tuple[str, ...]
    weights: np.ndarray
    bias: float
    means: np.ndarray
    scales: np.ndarray
    pool: int
    source: str = ""

    def score(self, x: np.ndarray) -> np.ndarray:
        """Probability that each candidate row of ``x`` holds the answer."""
        z = ((x - self.means) / self.scales) @ self.weights + self.bias
        return 1.0 / (1.0 + np.exp(-z))

    def to_toml(self, header: str = "") -> str:
        lines = [f"# {line}" if line else "#" for line in header.splitlines()]
        lines += [f"pool = {self.pool}", f"bias = {self.bias:.6f}", "", "[weights]"]
        lines += [f"{n} = {w:.6f}" for n, w in zip(self.features, self.weights)]
        lines += ["", "[means]"] + [f"{n} = {m:.6f}" for n, m in zip(self.features, self.means)]
        lines += ["", "[scales]"] + [f"{n} = {s:.6f}" for n, s in zip(self.features, self.scales)]
        return "\n".join(lines) + "\n"


def load_fusion(path: Path | None = None) -> FusionModel | None:
    """The fitted fusion in ``path`` (default: the shipped fusion.toml), or None to use RRF."""
    import tomllib

    path = path or FUSION_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        w, m, s = data["weights"], data["means"], data["scales"]
        if set(w) != set(FEATURES) or set(m) != set(FEATURES) or set(s) != set(FEATURES):
            raise ValueError(f"its features are not {', '.join(FEATURES)}")
        scales = np.array([float(s[n]) for n in FEATURES])
        if (scales <= 0).any():
            raise ValueError("a scale is not positive")
        return FusionModel(FEATURES, np.array([float(w[n]) for n in FEATURES]), float(data["bias"]),
                           np.array([float(m[n]) for n in FEATURES]), scales, int(data["pool"]), str(path))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, tomllib.TOMLDecodeError) as exc:
        log.warning("Ignoring %s (%s); search uses reciprocal rank fusion.", path, exc)
        return None


def question_place(query: str) -> str | None:
    """The nation a question names, if exactly one."""
    found = {_PLACES[w] for w in re.findall(r"[a-z]+", fold(query)) if w in _PLACES}
    return found.pop() if len(found) == 1 else None


class Features:
    """Computes feature rows for candidates of one library; caches each passage's token sets."""

    def __init__(self, library, cache_rows: int = 20_000):
        self.library = library
        self.cache_rows = cache_rows  # bounded, so a server on a large library does not grow without end
        self._tokens_of: OrderedDict[int, tuple[frozenset, frozenset]] = OrderedDict()
        self._lock = threading.Lock()

    def _tokens(self, row: int) -> tuple[frozenset, frozenset]:
        with self._lock:
            found = self._tokens_of.get(row)
            if found is not None:
                self._tokens_of.move_to_end(row)
                return found
        from cpguide.index.lexical import tokenize

        chunk = self.library.chunks[row]
        title = self.library.meta(chunk.doc_id).title
        found = (frozenset(tokenize(chunk.text)), frozenset(tokenize(" ".join((title,) + tuple(chunk.heading_path)))))
        with self._lock:
            self._tokens_of[row] = found
            if len(self._tokens_of) > self.cache_rows:
                self._tokens_of.popitem(last=False)
        return found

    def rows(self, query: str, tokens: Sequence[str], candidates: Sequence[int],
             dense_hits: Sequence[tuple[int, float]], bm25_hits: Sequence[tuple[int, float]],
             rrf: dict[int, float]) -> np.ndarray:
        """One row of ``FEATURES`` per candidate row."""
        dense_rank = {r: i for i, (r, _) in enumerate(dense_hits)}
        bm25_rank = {r: i for i, (r, _) in enumerate(bm25_hits)}
        dense_score, bm25_score = dict(dense_hits), dict(bm25_hits)
        floor = dense_hits[-1][1] if dense_hits else 0.0  # a row outside the dense list scores at most this
        best_dense = max((dense_score.get(r, floor) for r in candidates), default=0.0)
        best_bm25 = max((bm25_score.get(r, 0.0) for r in candidates), default=0.0) or 1.0
        absent_dense, absent_bm25 = math.log1p(len(dense_hits) + 1), math.log1p(len(bm25_hits) + 1)
        lex = self.library.lexical
        weights = {t: lex.idf(t) for t in set(tokens)}
        total = sum(weights.values()) or 1.0
        place = question_place(query)
        out = np.zeros((len(candidates), len(FEATURES)))
        for i, row in enumerate(candidates):
            text_toks, head_toks = self._tokens(row)
            d = dense_score.get(row, floor)
            where = self.library.meta(self.library.chunks[row].doc_id).jurisdiction
            out[i] = (
                rrf.get(row, 0.0) * 60,
                d,
                d - best_dense,
                bm25_score.get(row, 0.0) / best_bm25,
                math.log1p(dense_rank[row] + 1) if row in dense_rank else absent_dense,
                math.log1p(bm25_rank[row] + 1) if row in bm25_rank else absent_bm25,
                sum(w for t, w in weights.items() if t in text_toks) / total,
                sum(w for t, w in weights.items() if t in head_toks) / total,
                0.0 if place is None or where not in ("england", "wales") else (1.0 if where == place else -1.0),
            )
        return out


@functools.lru_cache(maxsize=1)
def shipped_fusion() -> FusionModel | None:
    """The shipped model, read once per process."""
    return load_fusion()
