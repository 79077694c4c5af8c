"""Numbered citations: a verbatim quote and where it sits (document, page, section).

Answers, LLM answers and panel briefs all cite the same way, so where a quote "is" (its
page and section) is decided here once, from the cleaned document's sections.
"""

from __future__ import annotations

from datetime import date

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
    page = sec.page if sec and sec.page is not None else fallback_page
    if section is None:
        section = (" > ".join(sec.heading_path) if sec else "") or fallback_section
    return Citation(
        n=n, doc_id=doc_id, title=meta.title, publisher=meta.publisher, year=meta.year,
        jurisdiction=meta.jurisdiction, kind=meta.kind, page=page, section=section, quote=quote,
        start=start, end=end, chunk_id=chunk_id,
        notes=notes_for(meta, quote, stale_years=stale_years, today=today),
    )
