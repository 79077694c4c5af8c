"""The library's documents: the list, the reader view with a cited passage highlighted, and JSON.

Documents are only ever read from the index database (``Library.document``), never from the
file they were ingested from, so no path a request names can reach the file system. The
server-side ``source_path`` is left out of every response for the same reason.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from cpguide.records import Document, Section
from cpguide.web.deps import LibraryDep, TemplatesDep

router = APIRouter(tags=["documents"])

_BULLET = re.compile(r"^[•◦▪‣·*–-]\s+")


@dataclass
class Piece:
    text: str
    marked: bool = False
    anchor: bool = False  # the first marked piece carries id="passage"


@dataclass
class ReaderBlock:
    kind: str  # "heading", "paragraph", "list", "table" or "page"
    level: int = 0
    label: str = ""
    items: list[list[Piece]] = field(default_factory=list)


def _pieces(text: str, start: int, end: int, mark: tuple[int, int] | None, state: dict) -> list[Piece]:
    """``text[start:end]`` split where the highlighted passage begins and ends."""
    if mark is None:
        return [Piece(text[start:end])]
    a, b = max(start, mark[0]), min(end, mark[1])
    if a >= b:
        return [Piece(text[start:end])]
    pieces = [Piece(text[start:a])] if a > start else []
    pieces.append(Piece(text[a:b], marked=True, anchor=not state["anchored"]))
    state["anchored"] = True
    if b < end:
        pieces.append(Piece(text[b:end]))
    return pieces


def reader_blocks(doc: Document, mark: tuple[int, int] | None) -> list[ReaderBlock]:
    """Sections as headings, paragraphs and lists, with a marker wherever a new page starts.

    Heading levels follow the document but never skip one (the page's h1 is the title), so
    the outline makes sense to a screen reader.
    """
    blocks: list[ReaderBlock] = []
    state = {"anchored": False}
    last_page, last_level = None, 1
    for s in doc.sections:
        if s.page is not None and s.page != last_page:
            blocks.append(ReaderBlock("page", label=s.page_label or str(s.page)))
        if s.page is not None:
            last_page = s.last_page
        start = s.start
        if s.kind == "list_item":
            bullet = _BULLET.match(doc.text[s.start:s.end])
            start += bullet.end() if bullet else 0
        pieces = _pieces(doc.text, start, s.end, mark, state)
        if s.kind == "heading":
            last_level = min(max(2, (s.level or 1) + 1), last_level + 1, 6)
            blocks.append(ReaderBlock("heading", level=last_level, items=[pieces]))
        elif s.kind == "list_item":
            if not blocks or blocks[-1].kind != "list":
                blocks.append(ReaderBlock("list"))
            blocks[-1].items.append(pieces)
        else:
            blocks.append(ReaderBlock("table" if s.kind == "table" else "paragraph", items=[pieces]))
    return blocks


def public_info(info) -> dict:
    data = info.to_dict()
    data.pop("source_path", None)
    return data


def section_dict(s: Section) -> dict:
    return {**dataclasses.asdict(s), "heading_path": list(s.heading_path)}


@router.get("/documents", response_class=HTMLResponse, include_in_schema=False)
def documents_page(request: Request, library: LibraryDep, templates: TemplatesDep) -> Response:
    infos = sorted(library.docs.values(), key=lambda i: i.meta.title.lower())
    context = {"documents": infos, "chunks": sum(i.chunks for i in infos), "page_title": "Documents in the library"}
    return templates.TemplateResponse(request, "documents.html", context)


@router.get("/documents/{doc_id}", response_class=HTMLResponse, include_in_schema=False)
def document_page(request: Request, doc_id: str, library: LibraryDep, templates: TemplatesDep,
                  start: Annotated[int | None, Query(ge=0)] = None,
                  end: Annotated[int | None, Query(ge=0)] = None) -> Response:
    """The whole cleaned document; ``start``/``end`` (offsets from a citation) are highlighted."""
    doc = library.document(doc_id)
    asked = start is not None and end is not None
    mark = (start, end) if asked and start < end <= len(doc.text) else None
    context = {"doc": doc, "info": library.doc_info(doc_id), "blocks": reader_blocks(doc, mark),
               "mark": mark, "mark_missing": asked and mark is None, "page_title": doc.meta.title}
    return templates.TemplateResponse(request, "document.html", context)


@router.get("/api/documents", summary="List the documents in the library")
def api_documents(library: LibraryDep) -> dict:
    return {"documents": [public_info(i) for i in library.docs.values()]}


@router.get("/api/documents/{doc_id}", summary="One document: metadata, sections and cleaned text")
def api_document(doc_id: str, library: LibraryDep) -> dict:
    doc = library.document(doc_id)
    return {**public_info(library.doc_info(doc_id)), "sections": [section_dict(s) for s in doc.sections],
            "text": doc.text}
