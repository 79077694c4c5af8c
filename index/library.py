"""A read-only view of the live index generation, loaded once and kept in memory.

Everything a query touches per hit (chunk text, offsets, document metadata) is held in plain
Python lists indexed by vector row, so searching never goes back to SQLite; whole documents
(for the reader view and quotes) are read from SQLite on demand.
"""

from __future__ import annotations

import json
import threading
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


class Library:
    def __init__(self, gen: Path):
        self.generation = gen
        self.manifest = store.read_manifest(gen)
        self._conn = store.connect(gen / "library.sqlite", readonly=True)
        self._lock = threading.Lock()
        rows = self._conn.execute("SELECT * FROM chunks ORDER BY row").fetchall()
        self.chunks: list[Chunk] = [store.chunk_from_row(r) for r in rows]
        self.docs: dict[str, DocInfo] = {}
        for r in self._conn.execute(
            "SELECT doc_id, title, publisher, year, date, jurisdiction, kind, audience, source_url, "
            "page_count, n_chunks, ingested_at, source_path, format, warnings FROM documents ORDER BY doc_id"
        ):
            meta = DocMeta(r["doc_id"], r["title"], r["publisher"], r["year"], r["date"], r["jurisdiction"],
                           r["kind"], tuple(json.loads(r["audience"])), r["source_url"])
            self.docs[meta.doc_id] = DocInfo(meta, r["page_count"], r["n_chunks"], r["ingested_at"],
                                             r["source_path"], r["format"], tuple(json.loads(r["warnings"])))
        self.row_doc = np.array([c.doc_id for c in self.chunks], dtype=object)
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
        self._conn.close()
