"""Plain records that flow between the stages.

load -> ``RawDocument`` (blocks as the file gives them)
clean -> ``Document`` (cleaned text, blocks with offsets, pages and heading paths)
chunk -> ``Chunk`` (a passage with its place in the document)
search -> ``Hit``; answer -> ``Answer`` with ``Citation``s.

They are frozen dataclasses so a stage cannot quietly change what an earlier one produced.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

Jurisdiction = Literal["england", "wales", "uk", "unknown"]
JURISDICTIONS: tuple[str, ...] = ("england", "wales", "uk", "unknown")

# The authority ladder, strongest first. A document's kind is one of these.
KINDS: tuple[str, ...] = (
    "legislation",
    "statutory guidance",
    "national toolkit",
    "non-statutory guidance",
    "local strategy",
    "web page",
    "other",
)

BlockKind = Literal["raw", "heading", "paragraph", "list_item", "table"]


@dataclass(frozen=True)
class DocMeta:
    """What a citation says about a document: who published it, when, and for where."""

    doc_id: str
    title: str
    publisher: str = ""
    year: int | None = None
    date: str = ""  # free text as the source gives it, e.g. "September 2019"
    jurisdiction: str = "unknown"
    kind: str = "other"
    audience: tuple[str, ...] = ()
    source_url: str = ""

    def to_dict(self) -> dict:
        d = asdict(self)
        d["audience"] = list(self.audience)
        return d


@dataclass(frozen=True)
class Block:
    """A piece of a document as a loader found it.

    PDF and plain-text loaders emit one ``raw`` block per page (cleaning splits it into
    headings and paragraphs); HTML and DOCX loaders already know their structure and emit
    ``heading`` (with ``level`` 1-6), ``paragraph``, ``list_item`` and ``table`` blocks.
    ``page`` is 1-based and ``None`` where the format has no pages.
    """

    text: str
    kind: BlockKind = "paragraph"
    level: int = 0
    page: int | None = None
    page_label: str | None = None


@dataclass(frozen=True)
class RawDocument:
    """A loader's output: blocks plus what the file says about itself."""

    path: str
    format: str  # "pdf", "html", "text", "markdown", "docx"
    blocks: tuple[Block, ...]
    title_hint: str = ""  # PDF metadata title, <title>, first heading, ...
    page_count: int | None = None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Section:
    """A cleaned block placed in the document text: ``text[start:end]``."""

    start: int
    end: int
    kind: BlockKind
    heading_path: tuple[str, ...]
    page: int | None = None
    page_label: str | None = None
    level: int = 0
    page_end: int | None = None  # a paragraph can run on to the next page
    # Where the text crosses onto another page: (offset in the document text, page, label),
    # so a passage or quote taken from part of a long paragraph cites its own pages.
    page_breaks: tuple[tuple[int, int, str | None], ...] = ()

    @property
    def last_page(self) -> int | None:
        return self.page_end if self.page_end is not None else self.page

    def page_at(self, offset: int) -> tuple[int | None, str | None]:
        """The page (and its printed label, if it differs) that ``offset`` in the document sits on."""
        page, label = self.page, self.page_label
        for at, p, lab in self.page_breaks:
            if offset >= at:
                page, label = p, lab
        return page, label


@dataclass(frozen=True)
class Document:
    """A cleaned document. ``text`` is what quotes are taken from and what the reader shows."""

    meta: DocMeta
    text: str
    sections: tuple[Section, ...]
    content_hash: str
    source_path: str = ""
    format: str = "text"
    page_count: int | None = None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Chunk:
    """A passage to embed and retrieve; ``text`` equals ``document.text[start:end]``."""

    chunk_id: str
    doc_id: str
    ordinal: int
    text: str
    start: int
    end: int
    page_start: int | None
    page_end: int | None
    heading_path: tuple[str, ...]
    page_label: str | None = None

    @property
    def section(self) -> str:
        return " > ".join(self.heading_path)


@dataclass(frozen=True)
class Span:
    """Character offsets of the best-matching sentences inside a hit's text."""

    start: int
    end: int


@dataclass(frozen=True)
class Hit:
    """A search result people can use: what it says, where it is, and why it matched."""

    rank: int
    score: float
    chunk_id: str
    doc_id: str
    title: str
    publisher: str
    year: int | None
    jurisdiction: str
    kind: str
    page: int | None
    page_end: int | None
    section: str
    text: str
    start: int  # offsets of ``text`` in the cleaned document
    end: int
    highlights: tuple[Span, ...] = ()
    also_in: tuple[dict, ...] = ()  # near-duplicate passages folded into this hit
    scores: dict = field(default_factory=dict)  # per-method scores, for evaluation and debugging

    def to_dict(self) -> dict:
        d = asdict(self)
        d["highlights"] = [asdict(s) for s in self.highlights]
        d["also_in"] = list(self.also_in)
        return d


@dataclass(frozen=True)
class Citation:
    """One numbered source in an answer; ``quote`` is verbatim from the cleaned document."""

    n: int
    doc_id: str
    title: str
    publisher: str
    year: int | None
    jurisdiction: str
    kind: str
    page: int | None  # the physical page (PDF page) the quote starts on
    section: str
    quote: str
    start: int  # offsets of ``quote`` in the cleaned document
    end: int
    chunk_id: str = ""
    notes: tuple[str, ...] = ()  # e.g. "check this is current"
    page_end: int | None = None  # the page the quote ends on, when it runs over a page break
    page_label: str | None = None  # the printed page number, where the PDF's labels differ
    page_end_label: str | None = None

    @property
    def page_text(self) -> str:
        """Where to look, as a reader says it: "p. 5", "pp. 3-4", "p. 46 (PDF page 49)"."""
        if self.page is None:
            return ""
        last = self.page_end if self.page_end is not None else self.page
        if last == self.page:
            return f"p. {self.page_label} (PDF page {self.page})" if self.page_label else f"p. {self.page}"
        if self.page_label or self.page_end_label:  # a missing label is the same as the page number
            first, second = self.page_label or self.page, self.page_end_label or last
            return f"pp. {first}-{second} (PDF pages {self.page}-{last})"
        return f"pp. {self.page}-{last}"

    def to_dict(self) -> dict:
        d = asdict(self)
        d["notes"] = list(self.notes)
        d["page_text"] = self.page_text
        return d


@dataclass(frozen=True)
class Answer:
    """The assistant's reply: text with ``[n]`` markers, and the citations they point to."""

    question: str
    answer: str
    citations: tuple[Citation, ...]
    abstained: bool
    related: tuple[Hit, ...] = ()  # "may be related" passages when abstaining
    notices: tuple[str, ...] = ()  # e.g. the language model failed and we fell back
    resolved_question: str = ""  # the question after follow-up resolution
    mode: str = "extractive"  # or "llm", or "duties" (a duty table for one service)
    duties: tuple[dict, ...] = ()  # rows of a duty table: n, strength, actors, principle, principle_title

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "resolved_question": self.resolved_question or self.question,
            "answer": self.answer,
            "citations": [c.to_dict() for c in self.citations],
            "abstained": self.abstained,
            "related": [h.to_dict() for h in self.related],
            "notices": list(self.notices),
            "mode": self.mode,
            "duties": list(self.duties),
        }
