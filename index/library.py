"""A read-only view of the live index generation, loaded once and held lightly.

In memory: the vector and keyword indexes, document metadata, and one array naming each
vector row's document (what filters need for every row). A passage's text and place are read
from SQLite by row when a search reaches it (``ChunkRows``): a search touches a few dozen
passages, and keeping all of them as Python objects cost over 400 MiB at 100,000 passages.
Whole documents (for the reader view and quotes) are read from SQLite on demand too.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cpguide.errors import DocumentNotFound
from cpguide.index import store, vectors
from cpguide.index.embedder import Embedder, index_mismatch
from cpguide.index.lexical import LexicalIndex
from cpguide.records import Chunk, DocMeta, Document


@dataclass(frozen=True)
class DocInfo:
    """A row of ``cpguide docs``: what is indexed and when."""

    meta: DocMeta
    pages: int | None
    chunks: int
    ingested_at: str
    source_path: str
    format: str
    warnings: tuple[str, ...]

    def to_dict(self) -> dict:
        return {**self.meta.to_dict(), "pages": self.pages, "chunks": self.chunks,
                "ingested_at": self.ingested_at, "source_path": self.source_path, "format": self.format,
                "warnings": list(self.warnings)}


class ChunkRows(Sequence):
    """The passages of a generation by vector row, read from its SQLite file when asked for.

    Behaves like the list it replaces (``len``, ``[row]``, slices, iteration in row order).
    A lookup by row is a primary-key read of a few microseconds; the most recent
    ``cache_size`` passages are kept, so a follow-up that returns to them reads nothing.
    Each thread gets its own read-only connection, so concurrent searches do not queue.
    """

    def __init__(self, path: Path, n_rows: int, cache_size: int = 2048):
        self._path = path
        self._n = n_rows
        self._cache: OrderedDict[int, Chunk] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self._local = threading.local()
        self._opened: list[sqlite3.Connection] = []
        self._closed = False

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = store.connect(self._path, readonly=True)
            # Rows are read one at a time and the OS caches the file: a small page cache per
            # thread keeps a server's many threads from holding megabytes each.
            conn.execute("PRAGMA cache_size = -256")
            with self._lock:
                if self._closed:
                    conn.close()
                    raise sqlite3.ProgrammingError("the library has been closed")
                self._opened.append(conn)
            self._local.conn = conn
        return conn

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._n))]
        row = int(index)
        if row < 0:
            row += self._n
        if not 0 <= row < self._n:
            raise IndexError(f"chunk row {index} out of range (0..{self._n - 1})")
        with self._lock:
            chunk = self._cache.get(row)
            if chunk is not None:
                self._cache.move_to_end(row)
                return chunk
        found = self._conn().execute("SELECT * FROM chunks WHERE row=?", (row,)).fetchone()
        chunk = store.chunk_from_row(found)
        with self._lock:
            self._cache[row] = chunk
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return chunk

    def __iter__(self) -> Iterator[Chunk]:
        """Every passage in row order, streamed (the whole library is never held at once)."""
        cursor = self._conn().execute("SELECT * FROM chunks ORDER BY row")
        while batch := cursor.fetchmany(1000):
            yield from (store.chunk_from_row(r) for r in batch)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            opened, self._opened = self._opened, []
            self._cache.clear()
        for conn in opened:
            conn.close()


def _row_documents(conn: sqlite3.Connection, n_rows: int) -> np.ndarray:
    """Each row's doc id, as an array of references to one string per document (8 bytes a row).

    An ingest writes each document's passages as one run of rows, so the runs are read per
    document rather than row by row; any other layout falls back to reading every row.
    """
    runs = conn.execute("SELECT doc_id, MIN(row), MAX(row), COUNT(*) FROM chunks GROUP BY doc_id").fetchall()
    out = np.empty(n_rows, dtype=object)
    if all(last - first + 1 == count for _, first, last, count in runs):
        for doc_id, first, last, _ in runs:
            out[first:last + 1] = doc_id
        return out
    names = {doc_id: doc_id for doc_id, *_ in runs}
    for row, doc_id in conn.execute("SELECT row, doc_id FROM chunks"):
        out[row] = names[doc_id]
    return out


class Library:
    def __init__(self, gen: Path):
        self.generation = gen
        self.manifest = store.read_manifest(gen)
        self._conn = store.connect(gen / "library.sqlite", readonly=True)
        self._lock = threading.Lock()
        n_rows = self._conn.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
        self.chunks = ChunkRows(gen / "library.sqlite", n_rows)
        self.docs: dict[str, DocInfo] = {}
        for r in self._conn.execute(
            "SELECT doc_id, title, publisher, year, date, jurisdiction, kind, audience, source_url, "
            "page_count, n_chunks, ingested_at, source_path, format, warnings FROM documents ORDER BY doc_id"
        ):
            meta = DocMeta(r["doc_id"], r["title"], r["publisher"], r["year"], r["date"], r["jurisdiction"],
                           r["kind"], tuple(json.loads(r["audience"])), r["source_url"])
            self.docs[meta.doc_id] = DocInfo(meta, r["page_count"], r["n_chunks"], r["ingested_at"],
                                             r["source_path"], r["format"], tuple(json.loads(r["warnings"])))
        self.row_doc = _row_documents(self._conn, n_rows)
        self.vector_index = vectors.load(gen / "vectors.faiss")
        self.lexical = LexicalIndex.load(gen / "lexical", len(self.chunks))
        self._doc_cache: dict[str, Document] = {}

    @classmethod
    def open(cls, index_dir: Path | str) -> "Library":
        return cls(store.require_generation(Path(index_dir)))

    @property
    def model(self) -> dict:
        return self.manifest["model"]

    def check_embedder(self, embedder: Embedder) -> None:
        """Refuse to compare vectors from two different models, or from two backends of one model."""
        error = index_mismatch(self.model, embedder)
        if error is not None:
            raise error

    def meta(self, doc_id: str) -> DocMeta:
        return self.doc_info(doc_id).meta

    def doc_info(self, doc_id: str) -> DocInfo:
        try:
            return self.docs[doc_id]
        except KeyError:
            raise DocumentNotFound(f"No document with id {doc_id!r} in the library.",
                                   hint="`cpguide docs` (or /api/documents) lists the ids.") from None

    def document(self, doc_id: str) -> Document:
        self.doc_info(doc_id)
        with self._lock:
            if doc_id not in self._doc_cache:
                row = self._conn.execute("SELECT * FROM documents WHERE doc_id=?", (doc_id,)).fetchone()
                self._doc_cache[doc_id] = store.document_from_row(row)
            return self._doc_cache[doc_id]

    def query(self, sql: str, params: tuple = ()) -> list:
        """Read extra tables written at ingest (e.g. duty statements)."""
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def table_exists(self, name: str) -> bool:
        return bool(self.query("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (name,)))

    def close(self) -> None:
        self.chunks.close()
        self._conn.close()
