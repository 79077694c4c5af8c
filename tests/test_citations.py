"""A citation gives the pages the quote's own words are on, with printed page numbers where a PDF's
labels differ from its physical pages, the same way in the terminal, the JSON and the web page."""

from __future__ import annotations

from pathlib import Path

import pytest

from cpguide.assistant.citations import make_citation
from cpguide.index.embedder import HashingEmbedder
from cpguide.index.library import Library
from cpguide.ingest.pipeline import run_ingest
from cpguide.ingest.sources import discover
from cpguide.records import Answer, Citation
from tests.pdf_factory import flowing_pages, make_pdf


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Library:
    folder = tmp_path_factory.mktemp("docs")
    # Two front-matter pages numbered i and ii, then 1, 2, ... as printed.
    make_pdf(folder / "labelled.pdf", flowing_pages(5), page_labels=[(0, "r", 1), (2, "D", 1)])
    make_pdf(folder / "plain.pdf", flowing_pages(4))
    index = tmp_path_factory.mktemp("index")
    report = run_ingest(discover([folder]), index_dir=index, model="hashing:64",
                        embedder_factory=lambda: HashingEmbedder(64))
    assert report.count("added") == 2
    return Library.open(index)


def _cite(library: Library, doc_id: str, phrase: str, length: int | None = None) -> Citation:
    text = library.document(doc_id).text
    start = text.index(phrase)
    return make_citation(library, 1, doc_id, start, start + (length or len(phrase)))


def test_a_quote_cites_its_own_page_not_its_paragraphs(library):
    c = _cite(library, "plain", "We keep promise 305")
    assert (c.page, c.page_end, c.page_label) == (3, None, None)
    assert c.page_text == "p. 3"


def test_a_quote_over_a_page_break_cites_both_pages(library):
    text = library.document("plain").text
    start = text.index("We keep promise 213")
    end = text.index("promise 300") + len("promise 300")
    c = make_citation(library, 1, "plain", start, end)
    assert (c.page, c.page_end) == (2, 3)
    assert c.page_text == "pp. 2-3"


def test_page_labels_show_beside_the_pdf_page(library):
    c = _cite(library, "labelled", "We keep promise 405")
    assert (c.page, c.page_label) == (4, "2")
    assert c.page_text == "p. 2 (PDF page 4)"
    front = _cite(library, "labelled", "We keep promise 205")
    assert front.page_text == "p. ii (PDF page 2)"
    data = c.to_dict()
    assert (data["page"], data["page_label"], data["page_text"]) == (4, "2", "p. 2 (PDF page 4)")


def test_a_range_with_labels(library):
    text = library.document("labelled").text
    c = make_citation(library, 1, "labelled", text.index("We keep promise 213"), text.index("promise 302"))
    assert c.page_text == "pp. ii-1 (PDF pages 2-3)"


def test_chunks_record_their_own_pages(library):
    chunks = [c for c in library.chunks if c.doc_id == "plain"]
    assert len(chunks) > 4
    assert {(c.page_start, c.page_end) for c in chunks} != {(1, 4)}
    for c in chunks:
        on = {int(n) for n in __import__("re").findall(r"promise (\d)\d\d", c.text)}
        assert (c.page_start, c.page_end) == (min(on), max(on))


def _citation(**kw) -> Citation:
    base = dict(n=1, doc_id="d", title="Anytown Strategy", publisher="Anytown Council", year=2024,
                jurisdiction="england", kind="local strategy", page=49, section="Housing", quote="A home.",
                start=0, end=7, page_label="46")
    return Citation(**{**base, **kw})


def test_terminal_brief_and_copied_text_show_the_printed_page():
    from cpguide.assistant.brief import citation_line as brief_line
    from cpguide.commands.ask import citation_line

    c = _citation()
    assert "p. 46 (PDF page 49)" in citation_line(c)
    assert "p. 46 (PDF page 49)" in brief_line(c)
    from cpguide.web.routes.chat import where

    assert "p. 46 (PDF page 49)" in where(c)
    assert "p. 5," in citation_line(_citation(page=5, page_label=None))


def test_web_sources_show_the_printed_page():
    from types import SimpleNamespace

    from cpguide.records import Answer
    from cpguide.web.app import make_templates

    answer = Answer(question="q", answer="A home [1].", citations=(_citation(),), abstained=False)
    turn = SimpleNamespace(number=1, question="q", resolved="", answer=answer, blocks=[])
    html = make_templates().env.get_template("_turn.html").render(t=turn)
    assert "p. 46 (PDF page 49)" in html


def test_two_column_paper_passages_cite_their_own_pages(realworld_pdfs):
    """multicolumn.pdf: a paragraph runs from page 1 to page 2; before, most passages said pp. 1-2."""
    from cpguide.ingest.pipeline import prepare

    path = realworld_pdfs / "multicolumn.pdf"
    (source,) = discover([path])
    _, chunks = prepare(source, path.read_bytes(), max_bytes=10**8, max_pages=100, chunk_words=120,
                        chunk_max_words=200)
    spans = [(c.page_start, c.page_end) for c in chunks]
    assert sum(a == b for a, b in spans) >= len(spans) - 2, spans


def test_a_run_of_quotes_from_one_place_names_that_place_once():
    from cpguide.assistant.citations import source_heads
    from cpguide.commands.ask import citation_line
    from cpguide.web.routes.chat import copy_text, where

    lead = _citation(n=1, quote="Examples of what you can do:")
    items = [_citation(n=2, quote="Offer work experience."), _citation(n=3, quote="Offer mentoring.")]
    elsewhere = _citation(n=4, section="Health", quote="Register them with a GP.")
    back = _citation(n=5, quote="Offer discounts.")
    cited = [lead, *items, elsewhere, back]
    heads = source_heads(cited, citation_line)
    assert heads[0] == f"[1] {citation_line(lead)}"
    assert heads[1:3] == ["[2] Same source as [1]", "[3] Same source as [1]"]
    assert heads[3] == f"[4] {citation_line(elsewhere)}"  # another section is written out
    assert heads[4] == f"[5] {citation_line(back)}"  # and so is a place that returns later
    answer = Answer(question="q", answer="a [1]", citations=tuple(cited), abstained=False)
    copied = copy_text("q", "", answer)
    assert copied.count("Anytown Strategy") == 3 and "[3] Same source as [1]\n    “Offer mentoring.”" in copied
    assert where(lead) in copied
