"""The index folder on disk: generations, an atomic switch, and a writer's lock.

::

    INDEX_DIR/
      CURRENT              name of the live generation (replaced atomically)
      lock                 held by the one process writing
      gen-<time>-<pid>/
        manifest.json      model, dimension, chunking, versions: the index describes itself
        library.sqlite     documents (with cleaned text) and chunks
        vectors.npy        one unit vector per chunk row (kept to reuse on the next ingest)
        vectors.faiss      the search structure built from them
        lexical/           the BM25 index over the same rows

A writer builds a whole new generation beside the live one and only then rewrites
``CURRENT``, so a crash, Ctrl-C or a full disk mid-ingest leaves the previous index as it was.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import json
import logging
import os
import shutil
import sqlite3
import time
from pathlib import Path
from typing import Iterable, Iterator

from cpguide.errors import IndexBusy, IndexMismatch, IndexMissing
from cpguide.records import Chunk, DocMeta, Document, Section

log = logging.getLogger(__name__)

FORMAT_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    publisher TEXT NOT NULL DEFAULT '',
    year INTEGER,
    date TEXT NOT NULL DEFAULT '',
    jurisdiction TEXT NOT NULL DEFAULT 'unknown',
    kind TEXT NOT NULL DEFAULT 'other',
    audience TEXT NOT NULL DEFAULT '[]',
    source_url TEXT NOT NULL DEFAULT '',
    source_path TEXT NOT NULL DEFAULT '',
    format TEXT NOT NULL DEFAULT '',
    content_hash TEXT NOT NULL,
    page_count INTEGER,
    text TEXT NOT NULL,
    sections TEXT NOT NULL,
    warnings TEXT NOT NULL DEFAULT '[]',
    n_chunks INTEGER NOT NULL DEFAULT 0,
    ingested_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS chunks (
    row INTEGER PRIMARY KEY,
    chunk_id TEXT NOT NULL UNIQUE,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id),
    ordinal INTEGER NOT NULL,
    text TEXT NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    page_start INTEGER,
    page_end INTEGER,
    page_label TEXT,
    heading_path TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id, ordinal);
"""


def current_generation(index_dir: Path) -> Path | None:
    """The live generation folder, or None when nothing has been built yet."""
    pointer = index_dir / "CURRENT"
    try:
        name = pointer.read_text().strip()
    except FileNotFoundError:
        return None
    gen = index_dir / name
    return gen if (gen / "manifest.json").is_file() else None


def require_generation(index_dir: Path) -> Path:
    gen = current_generation(index_dir)
    if gen is None:
        raise IndexMissing(
            f"No index found in {index_dir}.",
            hint="Build one with `cpguide ingest` (the starter corpus) or `cpguide ingest PATH...`, "
            "or point --index-dir / CPGUIDE_INDEX_DIR at an existing index.",
        )
    return gen


def read_manifest(gen: Path) -> dict:
    manifest = json.loads((gen / "manifest.json").read_text())
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexMismatch(
            f"The index in {gen.parent} was written in format {manifest.get('format_version')}, "
            f"this version of cpguide reads format {FORMAT_VERSION}.",
            hint="Rebuild it: `cpguide ingest --rebuild` (and the same paths as before).",
        )
    return manifest


def new_generation(index_dir: Path) -> Path:
    gen = index_dir / f"gen-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6:06d}"
    gen.mkdir(parents=True)
    return gen


def publish(index_dir: Path, gen: Path) -> None:
    """Make ``gen`` the live generation in one atomic rename, then tidy old ones."""
    for f in gen.iterdir():
        if f.is_file():
            with open(f, "rb") as fh:
                os.fsync(fh.fileno())
    tmp = index_dir / f"CURRENT.{os.getpid()}.tmp"
    tmp.write_text(gen.name + "\n")
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, index_dir / "CURRENT")
    prune(index_dir, keep=gen)


def prune(index_dir: Path, keep: Path | None) -> None:
    """Remove generations that are not live (finished old ones and abandoned half-built ones).

    Called only while holding the writer's lock, so no other writer is building one.
    A reader that still has an old generation open keeps working: its files stay readable
    until it closes them.
    """
    live = current_generation(index_dir)
    for gen in index_dir.glob("gen-*"):
        if gen not in (keep, live) and gen.is_dir():
            shutil.rmtree(gen, ignore_errors=True)
    for tmp in index_dir.glob("CURRENT.*.tmp"):
        tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def writer_lock(index_dir: Path, wait: float = 600.0) -> Iterator[None]:
    """Serialise writers: a second ``ingest`` waits for the first instead of racing it."""
    deadline = time.monotonic() + wait
    announced = False
    while True:
        index_dir.mkdir(parents=True, exist_ok=True)
        fh = open(index_dir / "lock", "a+")
        try:
            while True:
                try:
                    fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if not announced:
                        log.warning("Another cpguide process is writing to %s; waiting for it to finish.", index_dir)
                        announced = True
                    if time.monotonic() > deadline:
                        raise IndexBusy(
                            f"Another cpguide process has been writing to {index_dir} for over {wait:.0f}s.",
                            hint="Wait for it to finish, or stop it; the index stays usable meanwhile.",
                        ) from None
                    time.sleep(0.2)
            if _same_file(fh, index_dir / "lock"):
                try:
                    yield
                finally:
                    fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
                return
            # The writer before us removed the lock file (see discard_unused): lock the new one.
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
        finally:
            fh.close()


def clear(index_dir: Path) -> None:
    """Retire the live generation, leaving no index (after the last document is removed).

    Call only while holding the writer's lock. Readers with the old generation open keep it
    until they close it; new readers are told there is no index and how to build one.
    """
    (index_dir / "CURRENT").unlink(missing_ok=True)
    prune(index_dir, keep=None)


def _same_file(fh, path: Path) -> bool:
    try:
        return os.fstat(fh.fileno()).st_ino == os.stat(path).st_ino
    except FileNotFoundError:
        return False


def discard_unused(index_dir: Path, *, remove_folder: bool) -> None:
    """Undo the traces of a first ingest that wrote nothing: half-built generations and the lock
    file, and the folder itself when the run created it and it is now empty.

    Call only while holding the writer's lock and when there is no live generation. Removing the
    lock file is safe: a writer waiting on it finds, once it gets the lock, that the file is no
    longer the one at the path, and locks a new one (see ``writer_lock``).
    """
    if current_generation(index_dir) is not None:
        return
    prune(index_dir, keep=None)
    (index_dir / "CURRENT").unlink(missing_ok=True)
    (index_dir / "lock").unlink(missing_ok=True)
    if remove_folder:
        with contextlib.suppress(OSError):
            index_dir.rmdir()


def connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    if readonly:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    else:
        conn = sqlite3.connect(path, check_same_thread=False)
        conn.executescript(SCHEMA)
    conn.row_factory = sqlite3.Row
    return conn


# -- rows <-> records -----------------------------------------------------------------

def document_from_row(row: sqlite3.Row) -> Document:
    meta = DocMeta(
        doc_id=row["doc_id"], title=row["title"], publisher=row["publisher"], year=row["year"],
        date=row["date"], jurisdiction=row["jurisdiction"], kind=row["kind"],
        audience=tuple(json.loads(row["audience"])), source_url=row["source_url"],
    )
    sections = tuple(Section(**{**s, "heading_path": tuple(s["heading_path"]),
                                "page_breaks": tuple(tuple(b) for b in s.get("page_breaks", ()))})
                     for s in json.loads(row["sections"]))
    return Document(meta=meta, text=row["text"], sections=sections, content_hash=row["content_hash"],
                    source_path=row["source_path"], format=row["format"], page_count=row["page_count"],
                    warnings=tuple(json.loads(row["warnings"])))


def insert_document(conn: sqlite3.Connection, doc: Document, n_chunks: int, when: str) -> None:
    m = doc.meta
    conn.execute(
        "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (m.doc_id, m.title, m.publisher, m.year, m.date, m.jurisdiction, m.kind, json.dumps(list(m.audience)),
         m.source_url, doc.source_path, doc.format, doc.content_hash, doc.page_count, doc.text,
         json.dumps([dataclasses.asdict(s) for s in doc.sections]), json.dumps(list(doc.warnings)),
         n_chunks, when),
    )


def copy_document(conn: sqlite3.Connection, row: sqlite3.Row) -> None:
    """Store a document row of the live generation unchanged (its sections are not re-serialised)."""
    names = row.keys()
    conn.execute(f"INSERT INTO documents ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})", tuple(row))


def insert_chunks(conn: sqlite3.Connection, chunks: Iterable[tuple[int, Chunk]]) -> None:
    conn.executemany(
        'INSERT INTO chunks (row, chunk_id, doc_id, ordinal, text, start, "end", page_start, page_end, '
        "page_label, heading_path) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        [(row, c.chunk_id, c.doc_id, c.ordinal, c.text, c.start, c.end, c.page_start, c.page_end,
          c.page_label, json.dumps(list(c.heading_path))) for row, c in chunks],
    )


def chunk_from_row(row: sqlite3.Row) -> Chunk:
    return Chunk(chunk_id=row["chunk_id"], doc_id=row["doc_id"], ordinal=row["ordinal"], text=row["text"],
                 start=row["start"], end=row["end"], page_start=row["page_start"], page_end=row["page_end"],
                 heading_path=tuple(json.loads(row["heading_path"])), page_label=row["page_label"])
