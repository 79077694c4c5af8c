"""BM25 over the same chunk rows as the vector index.

bm25s is used because it stores the index as plain sparse-matrix files (quick to save and
memory-map), scores a whole corpus with one sparse product, and lets us ask for the score of
every row so that filters and fusion need no second pass. Tokens are lower-cased, stop words
dropped and Snowball-stemmed, so "leavers" matches "leaver" and "housing" matches "house".
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import re
import threading
from collections import Counter
import unicodedata
from pathlib import Path
from typing import Sequence

import numpy as np

STOP_WORDS = frozenset("""
a about above after again against all am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further
had has have having he her here hers herself him himself his how i if in into is it its itself
just me more most my myself no nor not now of off on once only or other our ours ourselves out
over own same she should so some such than that the their theirs them themselves then there
these they this those through to too under until up very was we were what when where which
while who whom why will with would you your yours yourself yourselves also may might must shall
us let get got does s t d ll m re ve y what's tell know want think please
""".split())

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")

# Bump when ``fold`` or ``tokenize`` change what tokens a text gives: the token lists an ingest
# keeps for the next one (``tokens.npz``) are then recomputed instead of reused.
TOKENIZER_VERSION = 1
TOKENS_FILE = "tokens.npz"


_local = threading.local()


def _stemmer():
    """This thread's stemmer: a snowball stemmer keeps the word it is working on in itself, so
    two threads sharing one (concurrent web requests) garble each other's words or crash."""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        import snowballstemmer

        stemmer = _local.stemmer = snowballstemmer.stemmer("english")
    return stemmer


@functools.lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    return _stemmer().stemWord(word)


def fold(text: str) -> str:
    """Lower-case, strip accents and superscript footnote marks, straighten apostrophes."""
    text = text.replace("’", "'").replace("‘", "'")
    text = re.sub(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]+", " ", text)
    if text.isascii():  # most passages: nothing to decompose
        return text.lower()
    text = unicodedata.normalize("NFKD", text)
    # Only the few distinct non-ASCII characters can be combining marks: look at those alone
    # rather than at every character of the text.
    marks = {ord(c): None for c in set(_NON_ASCII.findall(text)) if unicodedata.combining(c)}
    return (text.translate(marks) if marks else text).lower()


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def tokenize(text: str) -> list[str]:
    """The words BM25 and the scorers compare: folded, stop words dropped, stemmed."""
    return list(_tokens(text))


# An answer tokenises the same candidate sentences and passages again and again (and the
# next question often meets them too); a few thousand recent texts are worth remembering.
@functools.lru_cache(maxsize=4096)
def _tokens(text: str) -> tuple[str, ...]:
    tokens = []
    for tok in _TOKEN.findall(fold(text)):
        tok = tok.split("'")[0]
        if tok and tok not in STOP_WORDS:
            tokens.append(_stem(tok))
    return tuple(tokens)


def _bm25s():
    import logging

    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)  # it sets itself to DEBUG on import
    return bm25s


@functools.lru_cache(maxsize=1)
def tokenizer_fingerprint() -> str:
    """What the saved token lists were made with; a different one means tokenising again."""
    import snowballstemmer

    parts = [str(TOKENIZER_VERSION), _TOKEN.pattern, " ".join(sorted(STOP_WORDS)),
             getattr(snowballstemmer, "__version__", "")]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def text_key(text: str) -> bytes:
    """What a row's saved tokens are filed under: a digest of the exact text they came from."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def saved_tokens(folder: Path, keys: Sequence[bytes]) -> dict[bytes, list[str]]:
    """The token lists an earlier build saved in ``folder`` for any of ``keys``.

    Empty when it saved none (an index from an older cpguide) or used another tokenizer: the
    caller then tokenises those texts again, which gives the same result, only slower.
    """
    try:
        with np.load(folder / TOKENS_FILE) as saved:
            if str(saved["tokenizer"]) != tokenizer_fingerprint():
                return {}
            ids, offsets, old_keys = saved["ids"], saved["offsets"], saved["keys"]
            vocab = str(saved["vocab"]).split("\n")
    except (OSError, KeyError, ValueError):
        return {}
    raw = old_keys.tobytes()
    row_of = {raw[r * 16:(r + 1) * 16]: r for r in range(len(old_keys))}
    out = {}
    for key in keys:
        r = row_of.get(key)
        if r is not None and key not in out:
            out[key] = [vocab[i] for i in ids[offsets[r]:offsets[r + 1]].tolist()]
    return out


class LexicalIndex:
    """BM25 scores for every chunk row."""

    def __init__(self, retriever, n_rows: int, doc_freq: dict[str, int],
                 tokens: tuple[list[bytes], list[list[str]]] | None = None):
        self._retriever = retriever
        self.n_rows = n_rows
        self.doc_freq = doc_freq
        self._tokens = tokens  # (keys, token lists), on a freshly built index: saved for the next ingest
        self.reused_rows = 0

    @classmethod
    def build(cls, texts: Sequence[str], reuse_from: Path | None = None) -> "LexicalIndex":
        """BM25 over ``texts``. ``reuse_from``: the folder of the live generation's keyword index;
        texts it already tokenised (the passages of unchanged documents) are not tokenised again,
        which is most of an ingest's work when one file of many changed."""
        bm25s = _bm25s()

        keys = [text_key(t) for t in texts]
        known = saved_tokens(reuse_from, keys) if reuse_from is not None else {}
        tokenized = [known[k] if k in known else tokenize(t) for k, t in zip(keys, texts)]
        doc_freq: Counter[str] = Counter()
        for toks in tokenized:
            doc_freq.update(set(toks))
        retriever = bm25s.BM25()
        # An empty token list would make bm25s drop the row; a placeholder keeps rows aligned.
        retriever.index([toks or ["\x00empty"] for toks in tokenized], show_progress=False)
        index = cls(retriever, len(texts), dict(doc_freq), (keys, tokenized))
        index.reused_rows = sum(k in known for k in keys)
        return index

    def save(self, folder: Path) -> None:
        self._retriever.save(str(folder), show_progress=False)
        (folder / "doc_freq.json").write_text(json.dumps({"rows": self.n_rows, "doc_freq": self.doc_freq}))
        if self._tokens is not None:
            self._save_tokens(folder / TOKENS_FILE)

    def _save_tokens(self, path: Path) -> None:
        """Each row's tokens as ids into one vocabulary, filed under the digest of its text."""
        keys, tokenized = self._tokens
        vocab: dict[str, int] = {}
        ids = np.fromiter((vocab.setdefault(t, len(vocab)) for toks in tokenized for t in toks), dtype=np.int32)
        offsets = np.zeros(len(tokenized) + 1, dtype=np.int64)
        np.cumsum([len(toks) for toks in tokenized], out=offsets[1:])
        with open(path, "wb") as fh:
            np.savez(fh, ids=ids, offsets=offsets, keys=np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(-1, 16),
                     vocab=np.array("\n".join(vocab)), tokenizer=np.array(tokenizer_fingerprint()))

    @classmethod
    def load(cls, folder: Path, n_rows: int) -> "LexicalIndex":
        bm25s = _bm25s()

        if not (folder / "doc_freq.json").is_file():
            from cpguide.errors import IndexMismatch

            raise IndexMismatch(f"The keyword index in {folder.parent} is from an older version of cpguide.",
                                hint="Rebuild it: `cpguide ingest --rebuild` with the same paths as before.")
        # Memory-mapped: a query reads only the columns of its own words, the pages stay in the
        # OS's file cache (shared by every worker of `cpguide serve --workers N`), and a large
        # library costs the server a fraction of the matrix's size.
        retriever = bm25s.BM25.load(str(folder), mmap=True, show_progress=False, verbosity=0)
        doc_freq = json.loads((folder / "doc_freq.json").read_text())["doc_freq"]
        return cls(retriever, n_rows, doc_freq)

    def idf(self, token: str) -> float:
        """How telling a word is: rare words ("dental") count for more than common ones ("care")."""
        df = self.doc_freq.get(token, 0)
        return math.log(1 + (self.n_rows - df + 0.5) / (df + 0.5))

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        if not query_tokens or self.n_rows == 0:
            return np.zeros(self.n_rows, dtype=np.float32)
        return np.asarray(self._retriever.get_scores(query_tokens), dtype=np.float32)
