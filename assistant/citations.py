"""Numbered citations: a verbatim quote and where it sits (document, page, section).

Answers, LLM answers and panel briefs all cite the same way, so where a quote "is" (its
pages and section) is decided here once, from the cleaned document's sections. The pages are
those the quote's own words are on, with the printed page numbers where a PDF's labels differ
from its physical pages ("p. 46 (PDF page 49)").
"""

from __future__ import annotations

from datetime import date

from cpguide.ingest.chunk import pages_of
from cpguide.records import Citation


def section_at(doc, offset: int):
    """The section holding ``offset`` in a cleaned document, or None."""
    return next((s for s in doc.sections if s.start <= offset < s.end + 2), None)


def make_citation(library, n: int, doc_id: str, start: int, end: int, *, chunk_id: str = "",
                  section: str | None = None, fallback_page: int | None = None, fallback_section: str = "",
                  stale_years: int = 5, today: date | None = None) -> Citation:
    """Citation ``n`` for ``document.text[start:end]``.

    ``section`` overrides the heading path (a brief names the topic it quotes under);
    the fallbacks serve offsets that no section covers.
    """
    from cpguide.assistant.currency import notes_for

    doc = library.document(doc_id)
    meta = library.meta(doc_id)
    quote = doc.text[start:end]
    sec = section_at(doc, start)
    (page, label), (page_end, end_label) = pages_of(doc, start, max(end, start + 1))
    if page is None:
        page, label, page_end, end_label = fallback_page, None, None, None
    if page_end == page:
        page_end, end_label = None, None
    if section is None:
        section = (" > ".join(sec.heading_path) if sec else "") or fallback_section
    return Citation(
        n=n, doc_id=doc_id, title=meta.title, publisher=meta.publisher, year=meta.year,
        jurisdiction=meta.jurisdiction, kind=meta.kind, page=page, section=section, quote=quote,
        start=start, end=end, chunk_id=chunk_id,
        notes=notes_for(meta, quote, stale_years=stale_years, today=today),
        page_end=page_end, page_label=label, page_end_label=end_label,
    )


def same_place(citations, place) -> dict[int, int]:
    """For each citation at the place of the one before it (``place(c)`` writes where a quote is),
    the number of the first citation of that run.

    A list of six items from one section would otherwise name the same title, publisher, year and
    section six times over, and a councillor reading the sources out loses the quotes among them.
    Only a run of one place is folded: a source that returns later is written out again, so each
    can be read without looking far back.
    """
    out: dict[int, int] = {}
    first, previous = 0, None
    for c in citations:
        where = place(c)
        if where == previous:
            out[c.n] = first
        else:
            first, previous = c.n, where
    return out


def source_heads(citations, place) -> list[str]:
    """The head line of each numbered source: ``[n]`` and where its quote is, or "Same source as
    [m]" within a run of one place (see ``same_place``)."""
    same = same_place(citations, place)
    return [f"[{c.n}] Same source as [{same[c.n]}]" if c.n in same else f"[{c.n}] {place(c)}" for c in citations]
