"""Wire the stages: load -> clean -> chunk -> embed -> write a new index generation.

Incremental by content hash: a file whose bytes and metadata are unchanged is not read
again, and its vectors are copied from the live generation. When nothing changed, no
generation is written and the model is never loaded, so a re-run costs a second or two.
A different model or chunking re-embeds everything, including documents whose files are
no longer at hand (their cleaned text is kept in the index).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from cpguide import __version__
from cpguide.errors import CpguideError, DocumentNotFound, IndexMismatch, LoadError
from cpguide.index import lexical, store, vectors
from cpguide.index.embedder import Embedder, model_identity
from cpguide.ingest.chunk import chunk_document, embedding_text
from cpguide.ingest.clean import clean
from cpguide.ingest.loaders import SUPPORTED_SUFFIXES, conversion_hint, load, too_large
from cpguide.ingest.readable import screen
from cpguide.ingest.sources import Source
from cpguide.records import Chunk, DocMeta, Document

log = logging.getLogger(__name__)

# Bump when cleaning or chunking changes what passages a file yields: indexes built by an
# older version are then re-read in full on the next ingest instead of mixing two versions.
# 3: passages record the pages their own words are on (Section.page_breaks); garbled PDF pages
# are left out; a line repeated on every page is kept where it is all the page holds.
# 4: a two-line title under another title is a heading, not the start of its paragraph.
# 5: a sentence wrapped at the column's edge is not a two-line title (its second line is long and lower-case).
# 6: a title over a paragraph that opens with a quotation mark ("‘Staying put’ is ...") is a heading.
# 7: a paragraph cut by a title set beside it ("... support (including" / title / "financial) to ...") is joined again.
# 8: a numbered title ("1. Get the community involved", "9. Ask looked after children and young people:
# How well are we doing?") over its paragraph is a heading, however it is cased, in a narrow column.
# 9: a foreword's two-line sign-off ("Councillor David Simmonds" / "Chair, LGA Children and Young People
# Board") is a paragraph of the text it closes, not the title of the section after it.
# 10: a question set as a narrow title of three to six lines over its paragraph ("Are we providing stable" /
# "environments for children" / "in our care?") is a heading.
TEXT_VERSION = 10

@dataclass(frozen=True)
class Previous:
    """The live generation a new one is built from, for post-build hooks that can copy their
    own earlier work (a document's duty statements) instead of redoing it."""

    conn: sqlite3.Connection  # its database, read-only
    unchanged: frozenset[str]  # ids of documents whose Document is exactly the one stored there


# Extra tables written into each new generation (e.g. duty statements); each receives the
# open database, the complete lists of documents and chunks of the new generation, and
# ``previous=`` a ``Previous`` (or None when there is no live generation).
PostBuild = Callable[..., None]


@dataclass
class FileOutcome:
    path: str
    doc_id: str
    status: str  # added | updated | unchanged | failed
    chunks: int = 0
    title: str = ""
    reason: str = ""
    hint: str = ""
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclass
class IngestReport:
    index_dir: str
    outcomes: list[FileOutcome] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    documents: int = 0
    chunks: int = 0
    chunks_embedded: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0
    # Where the rest of the time went (read, carry, post_build, sqlite, faiss, bm25), and how
    # much earlier work was reused: a one-file change should cost about that file's own work.
    stage_seconds: dict = field(default_factory=dict)
    reused: dict = field(default_factory=dict)
    model: str = ""
    vector_index: str = ""
    wrote_index: bool = False
    not_read: list[dict] = field(default_factory=list)  # files in folders of types it does not read

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)

    @property
    def failed(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def chunks_per_second(self) -> float:
        return self.chunks_embedded / self.seconds if self.seconds else 0.0

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["summary"] = {s: self.count(s) for s in ("added", "updated", "unchanged", "failed")}
        d["chunks_per_second"] = round(self.chunks_per_second, 1)
        return d


class Reporter:
    """Progress callbacks; the CLI draws bars, tests and the web app ignore them."""

    def files_start(self, total: int) -> None: ...
    def file_done(self, outcome: FileOutcome) -> None: ...
    def embed_start(self, total: int) -> None: ...
    def embed_advance(self, n: int) -> None: ...
    def embed_done(self) -> None: ...
    def stage(self, message: str) -> None: ...


def lexical_text(chunk: Chunk, meta: DocMeta) -> str:
    """What BM25 indexes: the passage plus where it sits, so "Walsall's pledge" or "the Welsh
    toolkit on housing" finds passages whose own words name neither."""
    return f"{meta.title} {meta.publisher} {meta.jurisdiction} {chunk.section} {chunk.text}"


def content_hash(data: bytes, meta: DocMeta) -> str:
    h = hashlib.sha256(data)
    h.update(json.dumps(meta.to_dict(), sort_keys=True).encode())
    return h.hexdigest()


def _finish_meta(meta: DocMeta, doc: Document, path: Path) -> DocMeta:
    if meta.title:
        return meta
    raw_title = doc.meta.title
    heading = next((doc.text[s.start:s.end] for s in doc.sections if s.kind == "heading"), "")
    title = raw_title or heading or path.stem.replace("_", " ").replace("-", " ").strip()
    return dataclasses.replace(meta, title=title[:200])


def prepare(source: Source, data: bytes, *, max_bytes: int, max_pages: int,
            chunk_words: int, chunk_max_words: int) -> tuple[Document, list[Chunk]]:
    """Load, clean and chunk one file; raises LoadError for a file we must skip."""
    raw = screen(load(source.path, max_bytes=max_bytes, max_pages=max_pages))
    doc = clean(raw, dataclasses.replace(source.meta, title=source.meta.title or raw.title_hint))
    meta = _finish_meta(source.meta, doc, source.path)
    doc = dataclasses.replace(doc, meta=meta, content_hash=content_hash(data, source.meta))
    if not doc.text.strip():
        raise LoadError("no text left after cleaning", hint="Check the file opens and has readable text.",
                        path=str(source.path))
    chunks = chunk_document(doc, target_words=chunk_words, max_words=chunk_max_words)
    return doc, chunks


def run_ingest(
    sources: list[Source],
    *,
    index_dir: Path,
    model: str,
    embedder_factory: Callable[[], Embedder],
    backend: str | None = None,
    chunk_words: int = 120,
    chunk_max_words: int = 200,
    batch_size: int = 1,
    max_bytes: int = 100 * 1024 * 1024,
    max_pages: int = 2000,
    approx_above: int = 50000,
    rebuild: bool = False,
    remove: Iterable[str] = (),
    reporter: Reporter | None = None,
    post_build: Iterable[PostBuild] = (),
    not_read: Iterable[Path] = (),
    adaptation: dict | None = None,
) -> IngestReport:
    """Bring the index in ``index_dir`` up to date with ``sources`` (and drop ``remove``).

    ``not_read`` are files found in folders whose type cpguide does not read; they are listed
    in the report with what to do about them, and do not fail the run. ``adaptation`` is what
    `cpguide adapt` records about the model it trained; it is kept while that model is in use.

    ``batch_size`` 1 embeds each passage alone, as questions and answer sentences are: the int8
    model scales each batch as a whole, so a passage embedded beside others gets a slightly
    different vector (cosine 0.99) and a full rebuild would not match the index a run of
    incremental ingests built. On the starter corpus, builds with batch sizes 1 to 64 cited a gold
    passage in 58.3 % to 60.6 % of dev answers from that alone.
    """
    reporter = reporter or Reporter()
    t0 = time.perf_counter()
    report = IngestReport(index_dir=str(index_dir))
    report.not_read = [{"path": str(p), "type": p.suffix.lower() or "(no suffix)",
                        "hint": conversion_hint(p.suffix) or ""} for p in not_read]
    chunking = {"target_words": chunk_words, "max_words": chunk_max_words, "embed_context": "title+section",
                "text_version": TEXT_VERSION}
    identity = model_identity(model, backend)
    report.model = identity["name"]

    created = not index_dir.exists()
    with store.writer_lock(index_dir):
        old_gen = store.current_generation(index_dir)
        old_manifest = store.read_manifest(old_gen) if old_gen else None
        old_conn = store.connect(old_gen / "library.sqlite", readonly=True) if old_gen else None
        try:
            if old_manifest is not None and not sources and remove and not rebuild:
                # Removing documents re-uses the stored vectors whatever model is configured now.
                identity = {k: v for k, v in old_manifest["model"].items() if k != "dimension"}
                chunking = old_manifest["chunking"]
            if adaptation is None and old_manifest is not None and \
                    old_manifest["model"]["fingerprint"].partition("+")[0] == identity["fingerprint"].partition("+")[0]:
                adaptation = old_manifest.get("adaptation")
            full = bool(
                rebuild or old_manifest is None
                or old_manifest["model"]["fingerprint"] != identity["fingerprint"]
                or old_manifest.get("chunking") != chunking
            )
            existing = {}
            if old_conn is not None:
                existing = {r["doc_id"]: r["content_hash"] for r in old_conn.execute("SELECT doc_id, content_hash FROM documents")}
            remove = set(remove)
            for doc_id in remove:
                if doc_id not in existing:
                    raise DocumentNotFound(f"No document with id {doc_id!r} in the index.",
                                           hint="`cpguide docs` lists the ids.")

            # 1. Read and prepare what changed.
            stages = report.stage_seconds
            ts = time.perf_counter()
            reporter.files_start(len(sources))
            prepared: dict[str, tuple[Document, list[Chunk]]] = {}
            seen: dict[str, Path] = {}
            for source in sources:
                outcome = _prepare_one(source, seen, existing, full, prepared, max_bytes=max_bytes,
                                       max_pages=max_pages, chunk_words=chunk_words, chunk_max_words=chunk_max_words)
                report.outcomes.append(outcome)
                reporter.file_done(outcome)

            if not prepared and old_manifest is None:
                report.seconds = time.perf_counter() - t0
                return report  # nothing could be read, and there is no index to rewrite
            if not prepared and not remove and not full:
                report.documents = len(existing)
                report.chunks = old_manifest["chunks"] if old_manifest else 0
                report.vector_index = old_manifest.get("vector_index", "") if old_manifest else ""
                report.seconds = time.perf_counter() - t0
                return report

            stages["read"] = time.perf_counter() - ts

            # 2. Carry forward what is unchanged; re-chunk kept documents when everything must be re-embedded.
            ts = time.perf_counter()
            keep_ids = [d for d in existing if d not in prepared and d not in remove]
            carried: list[tuple[Document, list[Chunk]]] = []
            carried_rows: dict[str, sqlite3.Row] = {}  # stored as they are: no need to serialise them again
            old_rows: list[int] = []
            if old_conn is not None:
                for doc_id in keep_ids:
                    row = old_conn.execute("SELECT * FROM documents WHERE doc_id=?", (doc_id,)).fetchone()
                    doc = store.document_from_row(row)
                    if full:
                        chunks = chunk_document(doc, target_words=chunk_words, max_words=chunk_max_words)
                        prepared[doc_id] = (doc, chunks)
                        continue
                    crow = old_conn.execute("SELECT * FROM chunks WHERE doc_id=? ORDER BY ordinal", (doc_id,)).fetchall()
                    carried.append((doc, [store.chunk_from_row(r) for r in crow]))
                    carried_rows[doc_id] = row
                    old_rows.extend(r["row"] for r in crow)
            report.removed = sorted(remove)
            stages["carry"] = time.perf_counter() - ts

            if not prepared and not carried:
                # The last documents were removed: an empty library is no library at all.
                store.clear(index_dir)
                report.wrote_index = True
                return report

            # 3. Embed the new chunks.
            new_chunks = [c for _, cs in prepared.values() for c in cs]
            titles = {d.meta.doc_id: d.meta.title for d, _ in prepared.values()}
            texts = [embedding_text(c, titles[c.doc_id]) for c in new_chunks]
            new_vectors = np.zeros((0, 0), dtype=np.float32)
            embedder = None
            if texts:
                reporter.stage("Loading the embedding model")
                embedder = embedder_factory()
                if embedder.fingerprint != identity["fingerprint"]:  # never record one backend's vectors as another's
                    raise IndexMismatch(f"The embedder given ({embedder.fingerprint}) is not the configured one "
                                        f"({identity['fingerprint']}).", hint="Pass the same model and backend to both.")
                reporter.embed_start(len(texts))
                te = time.perf_counter()
                new_vectors = embedder.embed(texts, batch_size=batch_size, progress=reporter.embed_advance)
                report.embed_seconds = time.perf_counter() - te
                reporter.embed_done()
            report.chunks_embedded = len(texts)

            # 4. Write the new generation beside the live one.
            reporter.stage("Writing the index")
            old_vectors = np.load(old_gen / "vectors.npy") if (old_gen and old_rows) else None
            dim = new_vectors.shape[1] if new_vectors.size else (
                old_vectors.shape[1] if old_vectors is not None else old_manifest["model"]["dimension"])
            parts = []
            if old_vectors is not None:
                parts.append(old_vectors[np.asarray(old_rows, dtype=np.int64)])
            if new_vectors.size:
                parts.append(new_vectors)
            all_vectors = np.concatenate(parts) if parts else np.zeros((0, dim), dtype=np.float32)

            gen = store.new_generation(index_dir)
            when = time.strftime("%Y-%m-%dT%H:%M:%S")
            conn = store.connect(gen / "library.sqlite")
            all_docs: list[Document] = []
            all_chunks: list[Chunk] = []
            with conn:
                ts = time.perf_counter()
                row = 0
                for doc, chunks in carried + list(prepared.values()):
                    if doc.meta.doc_id in carried_rows:
                        store.copy_document(conn, carried_rows[doc.meta.doc_id])
                    else:
                        store.insert_document(conn, doc, len(chunks), when)
                    store.insert_chunks(conn, ((row + i, c) for i, c in enumerate(chunks)))
                    row += len(chunks)
                    all_docs.append(doc)
                    all_chunks.extend(chunks)
                stages["sqlite"] = time.perf_counter() - ts
                ts = time.perf_counter()
                previous = Previous(old_conn, frozenset(keep_ids)) if old_conn is not None else None
                for hook in post_build:
                    hook(conn, all_docs, all_chunks, previous=previous)
                stages["post_build"] = time.perf_counter() - ts
                ts = time.perf_counter()
            conn.close()
            stages["sqlite"] += time.perf_counter() - ts
            assert len(all_chunks) == all_vectors.shape[0], "vector rows out of step with chunks"

            ts = time.perf_counter()
            np.save(gen / "vectors.npy", all_vectors)
            vindex = vectors.build(all_vectors, approx_above)
            vectors.save(vindex, gen / "vectors.faiss")
            stages["faiss"] = time.perf_counter() - ts
            ts = time.perf_counter()
            metas = {d.meta.doc_id: d.meta for d in all_docs}
            keyword = lexical.LexicalIndex.build([lexical_text(c, metas[c.doc_id]) for c in all_chunks],
                                                 reuse_from=old_gen / "lexical" if old_gen else None)
            keyword.save(gen / "lexical")
            stages["bm25"] = time.perf_counter() - ts
            report.reused = {"documents": len(keep_ids), "bm25_rows": keyword.reused_rows}
            manifest = {
                "format_version": store.FORMAT_VERSION,
                "app_version": __version__,
                "model": {**identity, "dimension": int(dim)},
                "normalised": True,
                "metric": "inner_product",
                "vector_index": vectors.kind_of(vindex),
                "chunking": chunking,
                "documents": len(all_docs),
                "chunks": len(all_chunks),
                "corpus_hash": hashlib.sha256("".join(sorted(d.content_hash for d in all_docs)).encode()).hexdigest(),
                "created": when,
            }
            if adaptation:
                manifest["adaptation"] = adaptation
            (gen / "manifest.json").write_text(json.dumps(manifest, indent=2))
            store.publish(index_dir, gen)
            report.wrote_index = True
            report.documents = len(all_docs)
            report.chunks = len(all_chunks)
            report.vector_index = manifest["vector_index"]
        finally:
            if old_conn is not None:
                old_conn.close()
            if not report.wrote_index and old_gen is None:
                # Nothing could be read into a new index: leave no trace of one (no lock file, nor
                # the folder if this run made it), so `cpguide docs` says plainly there is no index.
                store.discard_unused(index_dir, remove_folder=created)
    report.seconds = time.perf_counter() - t0
    return report


def _prepare_one(source: Source, seen: dict[str, Path], existing: dict[str, str], full: bool,
                 prepared: dict, **limits) -> FileOutcome:
    doc_id = source.meta.doc_id
    path = source.path
    try:
        if doc_id in seen:
            raise LoadError(f"has the same document id {doc_id!r} as {seen[doc_id]}",
                            hint="Give one of them another id with --doc-id, or rename the file.")
        seen[doc_id] = path
        if path.is_dir():
            raise LoadError("no documents cpguide can read in this folder",
                            hint=f"It reads {', '.join(SUPPORTED_SUFFIXES)} files (in sub-folders too).")
        if not path.is_file():
            raise LoadError("file not found", hint="Check the path.")
        size = path.stat().st_size
        if size > limits["max_bytes"]:  # before reading it: the loader would say the same
            raise too_large(size, limits["max_bytes"], str(path))
        data = path.read_bytes()
        digest = content_hash(data, source.meta)
        if not full and existing.get(doc_id) == digest:
            return FileOutcome(str(path), doc_id, "unchanged")
        doc, chunks = prepare(source, data, **limits)
        prepared[doc_id] = (doc, chunks)
        status = "updated" if doc_id in existing else "added"
        return FileOutcome(str(path), doc_id, status, chunks=len(chunks), title=doc.meta.title,
                           warnings=doc.warnings)
    except LoadError as exc:
        return FileOutcome(str(path), doc_id, "failed", reason=exc.message, hint=exc.hint or "")
    except CpguideError:
        raise
    except Exception as exc:  # a loader bug must not sink the whole run
        log.debug("unexpected error reading %s", path, exc_info=True)
        return FileOutcome(str(path), doc_id, "failed", reason=f"could not be read ({type(exc).__name__}: {exc})",
                           hint="Check the file opens in its usual program; if it does, please report this.")
