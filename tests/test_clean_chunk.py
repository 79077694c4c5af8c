"""Cleaning keeps the source's words; chunks follow structure and know their pages."""

from __future__ import annotations

import re

from cpguide.ingest.chunk import chunk_document
from cpguide.ingest.clean import clean
from cpguide.ingest.loaders import load
from cpguide.ingest.sources import starter_corpus_dir
from cpguide.records import Block, DocMeta, RawDocument
from tests.pdf_factory import flowing_pages, make_pdf


def _raw(text: str, fmt: str = "text") -> RawDocument:
    return RawDocument("x.txt", fmt, (Block(text, "raw"),))


def _texts(doc, kind: str) -> list[str]:
    """The text of each section of one kind ("heading", "paragraph"), in order."""
    return [doc.text[s.start:s.end] for s in doc.sections if s.kind == kind]


def _words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z]+", text)


def test_cleaning_changes_layout_not_words():
    raw = (
        " The role of Partners\n\n1. Introduction\n\nOutcomes for care leavers are significantly poorer than\n"
        "those of their peers.  Corporate parents should act as\n\nany good parent would.\n"
        "• make sure they have access to services\n•\t\tprepare them for adulthood\n"
    )
    doc = clean(_raw(raw), DocMeta("d", "D"))
    assert "Outcomes for care leavers are significantly poorer than those of their peers." in doc.text
    # a paragraph cut by a blank line mid-sentence is joined again
    assert "Corporate parents should act as any good parent would." in doc.text
    assert "• make sure they have access to services" in doc.text
    assert "• prepare them for adulthood" in doc.text
    assert _words(doc.text) == _words(raw)


def test_headings_become_the_section_path():
    raw = "1. Introduction\n\nSome text about the council and its duties here.\n\n2. Housing\n\nCare leavers need homes that are safe.\n"
    doc = clean(_raw(raw), DocMeta("d", "D"))
    paras = [s for s in doc.sections if s.kind == "paragraph"]
    assert paras[0].heading_path == ("1. Introduction",)
    assert paras[1].heading_path == ("2. Housing",)


def test_a_two_line_title_under_a_title_is_not_read_into_its_paragraph():
    raw = ("Some text before the titles, long enough to set the width of a line.\n\n"
           "Sir Martin Narey’s\nIndependent Review of\nResidential Care\nSir Martin Narey was commissioned by\n"
           "the Prime Minister in 2015 to carry out\nan independent review of residential care.\n\n"
           "Next part\nThe Government published a new Care\nLeaver Strategy in July 2016, entitled\n"
           "Keep on caring, to support care leavers.\n")
    doc = clean(_raw(raw), DocMeta("d", "D"))
    headings = _texts(doc, "heading")
    assert "Independent Review of Residential Care" in headings
    paras = _texts(doc, "paragraph")
    assert any(p.startswith("Sir Martin Narey was commissioned") for p in paras), paras
    assert any(p.startswith("The Government published a new Care Leaver Strategy") for p in paras), \
        "one capitalised line under a title is the paragraph's first line"


# The end of the 2012 pack's foreword, as the text file has it.
FOREWORD_END = """Introduction

We are keen to hear about your corporate parenting work and plans so that we can
promote and share all the good practice going on across the country.

Councillor David Simmonds
Chair, LGA Children and Young People Board
 Why should my council
get involved?

Corporate Parenting Week provides an
opportunity for:

• councillors to find out more about their role
• sharing ideas and good practice
"""


def test_a_foreword_s_sign_off_is_not_the_title_of_the_section_after_it():
    """"Councillor David Simmonds" / "Chair, LGA Children and Young People Board" closes the
    foreword; the list after "Why should my council get involved?" is cited under that question,
    and the passage opening there does not start with the sign-off."""
    doc = clean(_raw(FOREWORD_END), DocMeta("d", "D"))
    assert not any("Simmonds" in h for h in _texts(doc, "heading")), _texts(doc, "heading")
    sign_off = next(s for s in doc.sections if "Simmonds" in doc.text[s.start:s.end])
    assert sign_off.heading_path == ("Introduction",)
    lead = next(s for s in doc.sections if doc.text[s.start:s.end].startswith("Corporate Parenting Week provides"))
    assert lead.heading_path[-1] == "Why should my council get involved?"


def test_the_starter_corpus_has_no_sign_off_for_a_heading():
    """Both LGA packs close their foreword with a councillor's name and post."""
    for path in sorted(starter_corpus_dir().glob("lga-*.txt")):
        doc = clean(load(path), DocMeta(path.stem, path.stem))
        headings = _texts(doc, "heading")
        assert not any(h.startswith("Councillor ") for h in headings), (path.name, headings[:5])


def test_a_title_over_a_paragraph_opening_with_a_quotation_mark_is_a_heading():
    """The resource pack's "Staying put and / staying close" over "‘Staying put’ is an arrangement
    ...": without this the answer to "what is staying put?" quoted the title as its first words."""
    pack = clean(load(starter_corpus_dir() / "lga-corporate-parenting-resource-pack-2019.txt"), DocMeta("d", "D"))
    headings = _texts(pack, "heading")
    paras = _texts(pack, "paragraph")
    assert "Staying put and staying close" in headings
    assert any(p.startswith("‘Staying put’ is an arrangement") for p in paras)


def test_a_paragraph_cut_by_a_title_beside_it_is_joined_again():
    """The resource pack prints "Updates to legislation and practice" beside the text, between
    "... advice and support (including" and "financial) to the foster parent ...": one sentence."""
    pack = clean(load(starter_corpus_dir() / "lga-corporate-parenting-resource-pack-2019.txt"), DocMeta("d", "D"))
    paras = _texts(pack, "paragraph")
    assert any("support (including financial) to the foster parent" in p for p in paras)
    assert not any(p.startswith("financial)") for p in paras)
    headings = _texts(pack, "heading")
    assert "Updates to legislation and practice" in headings
    assert "until the young person reaches 21." in pack.text


def test_a_sentence_wrapped_at_the_columns_edge_is_not_a_two_line_title():
    """The 2012 pack's case study opens "East Sussex County Council runs / both a Children Services'
    Scrutiny / Committee and ...": its first two lines are a sentence, not a title, so no quote
    starts with "Committee and a specific Corporate Parenting Panel"."""
    pack = clean(load(starter_corpus_dir() / "lga-corporate-parenting-week-2012.txt"), DocMeta("d", "D"))
    paras = _texts(pack, "paragraph")
    assert any(p.startswith("East Sussex County Council runs both a Children Services’ Scrutiny Committee and a specific")
               for p in paras)
    assert not any(p.startswith("Committee and a specific") for p in paras)
    raw = ("Some text before the title, long enough to set the width of a line.\n\n"
           "What is a corporate\nparent?\nWhen a child comes into care, the council\nbecomes its corporate parent.\n")
    doc = clean(_raw(raw), DocMeta("d", "D"))
    headings = _texts(doc, "heading")
    assert "What is a corporate parent?" in headings, "a short lower-case tail still ends a title"


def test_a_numbered_title_over_its_paragraph_is_a_heading_in_a_narrow_column():
    """The 2012 pack's "10 ideas" are titled "1. Get the community involved" ... "10. Sign up to
    the Foster Carers Charter" over narrow columns: each is a heading, so what follows is cited
    under its own title, not under the idea before or a council's case study above it."""
    pack = clean(load(starter_corpus_dir() / "lga-corporate-parenting-week-2012.txt"), DocMeta("d", "D"))
    headings = _texts(pack, "heading")
    numbered = [h for h in headings if re.match(r"\d{1,2}\. [A-Z]", h)]
    assert [int(h.split(".")[0]) for h in numbered] == list(range(1, 11)), numbered
    assert "9. Ask looked after children and young people: How well are we doing?" in numbered
    work = next(s for s in pack.sections if pack.text[s.start:s.end].startswith("Work experience can range"))
    assert work.heading_path[-1] == "3. Work experience and shadowing"
    # A numbered item wrapped at the column's edge runs on: it is not a title.
    raw = ("Some text before the list, long enough to set the width.\n\n"
           "1. Strategic: for example, elected\nMembers and senior officers.\n")
    doc = clean(_raw(raw), DocMeta("d", "D"))
    assert not [s for s in doc.sections if s.kind == "heading"]


def test_page_footers_dropped_and_footnotes_detached():
    raw = "Children in care are more likely to go missing than others.3 Councils have a duty5 to act.\n\n5 | P a g e \n"
    doc = clean(_raw(raw), DocMeta("d", "D"))
    assert "P a g e" not in doc.text
    assert "others.³ Councils have a duty⁵ to act." in doc.text


def test_end_of_line_hyphenation_follows_the_document_itself():
    raw = ("A signifi-\ncant change. Another significant point. Previously looked-\nafter children "
           "and looked-after children alike.\n")
    doc = clean(_raw(raw), DocMeta("d", "D"))
    assert "A significant change." in doc.text
    assert "Previously looked-after children" in doc.text


def test_ligatures_and_control_characters_normalised():
    doc = clean(_raw("The misﬁts and the diﬀerent ones\x00 are here.\n"), DocMeta("d", "D"))
    assert "misfits" in doc.text and "different" in doc.text and "\x00" not in doc.text


def test_pdf_pages_running_footer_and_chunk_pages(tmp_path):
    pages = []
    for n in range(1, 5):
        pages.append([f"Section {n} heading", *[f"Paragraph text on page {n} line {i} about care leavers and housing duties."
                                               for i in range(12)]])
    path = make_pdf(tmp_path / "guide.pdf", pages, footer="Anytown Council Corporate Parenting Strategy")
    doc = clean(load(path), DocMeta("guide", "Guide"))
    assert "Anytown Council Corporate Parenting Strategy" not in doc.text
    chunks = chunk_document(doc, target_words=60, max_words=100)
    assert chunks
    for c in chunks:
        assert c.text == doc.text[c.start:c.end]
        # every line of text in a chunk really is on the pages the chunk claims
        for n in re.findall(r"on page (\d)", c.text):
            assert c.page_start <= int(n) <= c.page_end
    assert {c.page_start for c in chunks} == {1, 2, 3, 4}


def test_chunks_are_sentence_aligned_within_limits():
    text = (starter_corpus_dir() / "lga-corporate-parenting-resource-pack-2019.txt").read_text()
    doc = clean(_raw(text), DocMeta("lga", "LGA"))
    chunks = chunk_document(doc, target_words=120, max_words=200)
    assert len({c.chunk_id for c in chunks}) == len(chunks)
    for c in chunks:
        assert c.text == doc.text[c.start:c.end]
        assert len(c.text.split()) <= 200 + 20  # a heading may ride on top of a full chunk
        assert not c.text[0].islower() or c.text.startswith("•"), c.text[:60]


# --- page furniture never empties a page -----------------------------------------------------


def test_a_line_repeated_on_every_page_is_kept_when_it_is_all_the_page_holds(tmp_path):
    """Four pages each holding the same single line: it is the content, not a running header."""
    line = "Every child in our care deserves a home, a future and people who stay."
    path = make_pdf(tmp_path / "poster.pdf", [[line]] * 4)
    doc = clean(load(path), DocMeta("poster", "Poster"))
    assert doc.text.count(line) == 4
    assert [s.page for s in doc.sections] == [1, 2, 3, 4]


def test_a_running_header_is_dropped_only_from_pages_with_other_text(tmp_path):
    header = "Anytown Corporate Parenting Strategy"
    said = ["Care leavers should have a home and someone to call.", "Councillors visit children's homes twice a year.",
            "Schools keep a designated teacher for looked-after pupils."]
    pages = [[header, text] for text in said]
    pages.append([header])  # a page that holds only the header line
    doc = clean(load(make_pdf(tmp_path / "s.pdf", pages)), DocMeta("s", "S"))
    assert all(text in doc.text for text in said)
    assert doc.text.count(header) == 1 and [s.page for s in doc.sections if header in doc.text[s.start:s.end]] == [4]


# --- a passage cites the pages its own words are on ------------------------------------------


def test_chunks_of_one_long_section_cite_their_own_pages(tmp_path):
    path = make_pdf(tmp_path / "flow.pdf", flowing_pages(4))
    doc = clean(load(path), DocMeta("flow", "Flow"))
    chunks = chunk_document(doc, target_words=60, max_words=100)
    assert len(chunks) > 4
    for c in chunks:
        on = {int(m[0]) for m in re.findall(r"promise (\d)\d\d", c.text)}
        assert (c.page_start, c.page_end) == (min(on), max(on)), c.text[:80]
    assert any(c.page_start == c.page_end for c in chunks)


def test_page_at_finds_the_page_of_an_offset(tmp_path):
    from cpguide.ingest.chunk import pages_of

    path = make_pdf(tmp_path / "flow.pdf", flowing_pages(3))
    doc = clean(load(path), DocMeta("flow", "Flow"))
    for page in (1, 2, 3):
        start = doc.text.index(f"promise {page}05")
        assert pages_of(doc, start, start + 12) == ((page, None), (page, None))


def test_a_question_set_as_a_narrow_title_is_a_heading():
    """The resource pack's key lines of enquiry ("Are we providing stable / environments for
    children / in our care?") head the text under them: a councillor's citation of a sentence on
    placement moves names that question, not "Key lines of enquiry for all councillors" pages
    before."""
    pack = clean(load(starter_corpus_dir() / "lga-corporate-parenting-resource-pack-2019.txt"), DocMeta("d", "D"))
    headings = _texts(pack, "heading")
    assert "Are we providing stable environments for children in our care?" in headings
    assert ("How are we giving children and young people the chance to express their views, wishes and feelings? "
            "How do we know those are being acted on?") in headings
    moves = next(s for s in pack.sections if pack.text[s.start:s.end].startswith("Ten per cent of looked-after"))
    assert moves.heading_path[-1] == "Are we providing stable environments for children in our care?"
    # A question wrapped at the column's full width is the paragraph's first sentence, not a title.
    raw = ("Some text before the question, long enough to set the width of a line here.\n\n"
           "How do we know that every child in our care has a\nstable home, and that their school, friends and\n"
           "family stay part of their lives when they move?\nThe answer starts with the data the council holds on\n"
           "every placement move and every change of school.\n")
    doc = clean(_raw(raw), DocMeta("d", "D"))
    assert not [s for s in doc.sections if s.kind == "heading"]
