"""Cut a cleaned document into passages that follow its structure.

A passage should answer one thing and be citable as one place: so a chunk starts at a heading,
packs whole paragraphs and list items up to a target length, and only splits a paragraph
(at sentence boundaries) when it alone is longer than the ceiling. Chunks never span two
documents and are contiguous slices of the cleaned text, so their offsets map straight back
to the reader view.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from cpguide.ingest.sentences import sentence_spans
from cpguide.records import Chunk, Document, Section

# A heading starts a new chunk unless what we hold is too small to stand alone.
_MIN_WORDS_BEFORE_BREAK = 25


@dataclass
class _Atom:
    start: int
    end: int
    words: int
    section: Section


def _words(text: str) -> int:
    return len(text.split())


def _atoms(doc: Document, target: int, ceiling: int) -> list[_Atom]:
    atoms: list[_Atom] = []
    for sec in doc.sections:
        text = doc.text[sec.start:sec.end]
        n = _words(text)
        if n <= ceiling:
            atoms.append(_Atom(sec.start, sec.end, n, sec))
            continue
        piece_start, piece_words, last_end = None, 0, sec.start
        for s, e in sentence_spans(text, sec.start):
            w = _words(doc.text[s:e])
            if piece_start is not None and piece_words + w > target:
                atoms.append(_Atom(piece_start, last_end, piece_words, sec))
                piece_start, piece_words = None, 0
            if piece_start is None:
                piece_start = s
            piece_words += w
            last_end = e
        if piece_start is not None:
            atoms.append(_Atom(piece_start, last_end, piece_words, sec))
    return atoms


def chunk_id(doc_id: str, start: int, text: str) -> str:
    return hashlib.sha1(f"{doc_id}\0{start}\0{text}".encode()).hexdigest()[:16]


def chunk_document(doc: Document, *, target_words: int = 120, max_words: int = 200) -> list[Chunk]:
    """Split ``doc`` into chunks of about ``target_words`` (never above ``max_words``)."""
    groups: list[list[_Atom]] = []
    current: list[_Atom] = []
    words = 0
    for atom in _atoms(doc, target_words, max_words):
        is_heading = atom.section.kind == "heading"
        content_words = sum(a.words for a in current if a.section.kind != "heading")
        breaks_here = is_heading and content_words >= _MIN_WORDS_BEFORE_BREAK
        too_long = current and words + atom.words > target_words and not _only_headings(current)
        if current and (breaks_here or too_long):
            groups.append(current)
            current, words = [], 0
        current.append(atom)
        words += atom.words
    if current:
        groups.append(current)

    chunks: list[Chunk] = []
    for group in groups:
        if all(a.section.kind == "heading" for a in group) and chunks:
            continue  # a trailing heading with nothing under it is not a passage
        start, end = group[0].start, group[-1].end
        text = doc.text[start:end]
        (page_start, page_label), (page_end, _) = pages_of(doc, start, end)
        first = next((a for a in group if a.section.kind != "heading"), group[0])
        path = group[0].section.heading_path if group[0].section.kind == "heading" else first.section.heading_path
        chunks.append(Chunk(
            chunk_id=chunk_id(doc.meta.doc_id, start, text),
            doc_id=doc.meta.doc_id,
            ordinal=len(chunks),
            text=text,
            start=start,
            end=end,
            page_start=page_start,
            page_end=page_end,
            heading_path=path,
            page_label=page_label,
        ))
    return chunks


def pages_of(doc: Document, start: int, end: int) -> tuple[tuple[int | None, str | None], tuple[int | None, str | None]]:
    """The first and last page (each with its printed label) that ``doc.text[start:end]`` sits on.

    Pages come from the words themselves, not from the sections they belong to: a passage from
    the middle of a paragraph that runs over four pages cites the one or two it is on.
    """
    places = []
    for sec in doc.sections:
        if sec.end <= start or sec.start >= end:
            continue
        places.append(sec.page_at(max(start, sec.start)))
        places.append(sec.page_at(min(end, sec.end) - 1))
    places = [p for p in places if p[0] is not None]
    if not places:
        return (None, None), (None, None)
    return min(places, key=lambda p: p[0]), max(places, key=lambda p: p[0])


def _only_headings(atoms: list[_Atom]) -> bool:
    return all(a.section.kind == "heading" for a in atoms)


def embedding_text(chunk: Chunk, title: str) -> str:
    """What the model sees: the passage with its document title and section for context.

    The stored passage stays verbatim; only the embedding input carries the context, so a
    passage under "Housing services" is found by a housing question even when its own words
    never say "housing".
    """
    context = " > ".join((title,) + tuple(chunk.heading_path))
    return f"{context}\n{chunk.text}"
