"""The panel brief: duties, facts and questions on a topic, every line cited and quoted exactly."""

from __future__ import annotations

import dataclasses
import html
import re
from datetime import date

import pytest

from cpguide.assistant.brief import (Brief, Question, build_brief, citation_line, how_do_we_know, question_line,
                                     render_docx, render_html, render_text)

TODAY = date(2026, 3, 1)


@pytest.fixture(scope="module")
def housing_brief(searcher, library) -> Brief:
    return build_brief(searcher, library, "care leavers' housing", today=TODAY)


@pytest.fixture(scope="module")
def health_brief(searcher, library) -> Brief:
    return build_brief(searcher, library, "health assessments", today=TODAY)


def assert_cited_verbatim(brief: Brief, library) -> None:
    assert brief.citations, "a brief with no sources"
    for i, c in enumerate(brief.citations, 1):
        assert c.n == i
        assert c.doc_id in library.docs
        assert library.document(c.doc_id).text[c.start:c.end] == c.quote
        meta = library.meta(c.doc_id)
        assert (c.title, c.publisher, c.year, c.jurisdiction) == (meta.title, meta.publisher, meta.year, meta.jurisdiction)
    n = len(brief.citations)
    for bd in brief.duties:
        assert brief.citation(bd.cite).quote == bd.duty.text
    for f in brief.key_facts:
        assert brief.citation(f.cite).quote == f.text
    for q in brief.questions:
        assert 1 <= q.cite <= n
        if not q.generated:
            assert brief.citation(q.cite).quote == q.text


@pytest.mark.parametrize("name", ["housing_brief", "health_brief"])
def test_a_brief_cites_only_passages_that_exist_verbatim(request, library, name):
    assert_cited_verbatim(request.getfixturevalue(name), library)


def test_brief_on_care_leavers_housing(housing_brief):
    duties = [bd.duty.text for bd in housing_brief.duties]
    assert any("bed and breakfast" in t for t in duties)
    assert any("housing" in bd.duty.actors for bd in housing_brief.duties)
    own = [q for q in housing_brief.questions if not q.generated]
    made = [q for q in housing_brief.questions if q.generated]
    assert own and all(q.text.rstrip("”’\"'").endswith("?") for q in own)
    assert made and all(q.text.startswith("How do we know that") and q.text.endswith("?") for q in made)
    # A generated question cites the duty it was made from.
    duty_cites = {bd.cite for bd in housing_brief.duties}
    assert all(q.cite in duty_cites for q in made)


def test_key_facts_carry_figures_and_their_date(health_brief, housing_brief):
    facts = health_brief.key_facts + housing_brief.key_facts
    assert facts
    for f in facts:
        assert re.search(r"\d|quarter|third|half|times", f.text)
        assert f.as_of  # figures age: the reader sees when they were published


def test_ccg_note_only_on_quotes_naming_ccgs(health_brief, housing_brief):
    for brief in (health_brief, housing_brief):
        for c in brief.citations:
            names_ccg = bool(re.search(r"clinical commissioning group|\bCCGs?\b", c.quote, re.I))
            assert names_ccg == any("clinical commissioning groups (CCGs)" in n for n in c.notes), c.quote
    assert any("(CCG)" in c.quote for c in health_brief.citations)


def test_a_welsh_brief_quotes_only_welsh_guidance(searcher, library):
    brief = build_brief(searcher, library, "care leavers' housing", jurisdiction="wales", today=TODAY)
    assert brief.duties
    assert {c.jurisdiction for c in brief.citations} == {"wales"}
    assert all("housing" in bd.duty.actors or bd.duty.section != "Housing services" for bd in brief.duties)


def test_generated_questions_read_as_questions(library):
    from cpguide.assistant.duties import find_duties

    duties = {d.text: d for d in find_duties(library)}
    allocation = next(d for t, d in duties.items() if t.startswith("Make sure that your housing allocation policy"))
    assert how_do_we_know(allocation) == ("How do we know that your housing allocation policy is sufficiently flexible "
                                          "to meet the needs of care-experienced young people as they move into adulthood?")
    bnb = next(d for t, d in duties.items() if t.startswith("Care leavers should not be placed in bed and breakfast"))
    assert how_do_we_know(bnb).startswith("How do we know that care leavers are not placed in bed and breakfast")


def test_html_is_standalone_escaped_and_cited(housing_brief):
    page = render_html(housing_brief)
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page and "<script" not in page
    for c in housing_brief.citations:
        assert html.escape(citation_line(c)) in page
    assert "[1] " in page and ", England, p. —, § " in page
    hostile = dataclasses.replace(housing_brief, topic="<script>alert(1)</script>",
                                  questions=housing_brief.questions + (Question("<b>Who & why?</b>", 1, False),))
    page = render_html(hostile)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>Who" not in page and "&lt;b&gt;Who &amp; why?&lt;/b&gt;" in page


def test_docx_holds_the_same_questions_and_citations_as_the_html(housing_brief, tmp_path):
    import docx

    path = tmp_path / "brief.docx"
    render_docx(housing_brief, path)
    document = docx.Document(str(path))
    paragraphs = [p.text for p in document.paragraphs]

    page = render_html(housing_brief)
    html_questions = [html.unescape(m) for m in re.findall(r'<li class="question[^"]*">(.*?)</li>', page)]
    docx_questions = [p.text for p in document.paragraphs if p.style.name == "List Number"]
    assert html_questions == docx_questions == [question_line(q) for q in housing_brief.questions]

    html_citations = [html.unescape(m) for m in re.findall(r'<li class="citation"[^>]*>(.*?) <span', page)]
    docx_citations = [p for p in paragraphs if re.match(r"\[\d+\] ", p)]
    assert html_citations == [citation_line(c) for c in housing_brief.citations]
    assert len(docx_citations) == len(html_citations)
    assert all(d.startswith(h) for d, h in zip(docx_citations, html_citations))
    assert any(p.startswith("Panel brief: care leavers' housing") for p in paragraphs)


def test_text_brief_has_every_section(housing_brief):
    text = render_text(housing_brief)
    for heading in ("Who must do what", "Key facts", "Questions to ask officers", "Sources"):
        assert heading in text
    assert "(generated from the duty quoted at [" in text


def test_cli_asks_for_a_file_for_word_output(capsys, starter_index):
    from cpguide.cli import main

    with pytest.raises(SystemExit) as info:
        main(["brief", "placement stability", "--format", "docx", "--index-dir", str(starter_index)])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "written to a file" in err and "--output" in err


def test_a_question_puts_an_instructions_opening_condition_first():
    from types import SimpleNamespace

    duty = SimpleNamespace(text="If a child has moved school, make sure their records follow them.")
    assert how_do_we_know(duty) == "If a child has moved school, how do we know that we make sure their records follow them?"
