"""The duty finder, the panel brief and duty tables in chat, in headless Chromium.

Reuses the browser, server and page fixtures and the axe check of ``test_web_browser`` (the
starter index, every router mounted). Like those tests, these skip without Debian's
chromium, except on CI.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_web_browser import (  # noqa: E402,F401  (fixtures and helpers)
    axe_violations, browser, download_word, focused, follow_first_cite, page, server, tab_to)

from cpguide.assistant.duties import STRENGTH_LABELS, find_duties  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.model]

BADGES = set(STRENGTH_LABELS.values())


def test_pick_a_service_and_place_and_see_the_table(page, library):
    page.goto("/duties")
    assert page.locator("table").count() == 0
    page.get_by_label("Service or person").select_option("housing")
    page.get_by_label("Wales", exact=True).check()
    page.get_by_role("button", name="Show duties").click()
    page.wait_for_url(re.compile(r"/duties\?.*actor=housing.*jurisdiction=wales.*#results$"))

    expected = find_duties(library, actor="housing", jurisdiction="wales")
    tables = page.locator("table.duty-table")
    assert tables.count() >= 1
    assert all(c.startswith("Wales ") for c in page.locator("table.duty-table caption").all_inner_texts())
    assert page.locator("table.duty-table tbody tr").count() == len(expected)
    quotes = [q.strip() for q in page.locator("blockquote.duty-quote").all_inner_texts()]
    assert sorted(quotes) == sorted(d.text.strip() for d in expected)
    badges = {b.replace("Strength:", "").strip()
              for b in page.locator("table.duty-table td:first-child .badge").all_inner_texts()}
    assert badges and badges <= BADGES  # the word is visible: meaning never rests on colour alone
    assert page.get_by_label("Wales", exact=True).is_checked()  # the form remembers the choice
    assert page.locator("#results-heading").is_visible()

    # The first duty opens in its document, highlighted.
    first = page.locator("table.duty-table tbody tr").first
    quote = first.locator("blockquote").inner_text().strip()
    first.get_by_role("link", name=re.compile("Open in document")).click()
    page.wait_for_url("**/documents/**#passage")
    assert page.locator("mark#passage").inner_text().strip() == quote


def test_finder_by_keyboard_with_visible_focus(page):
    page.goto("/duties")
    tab_to(page, lambda f: f["id"] == "duty-actor")
    assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") != "none"
    radio = tab_to(page, lambda f: f["name"] == "jurisdiction")
    assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") != "none"
    assert radio["id"] == "duty-place-all"
    page.keyboard.press("ArrowRight")  # England
    assert focused(page)["id"] == "duty-place-england"
    tab_to(page, lambda f: f["text"] == "Show duties")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"jurisdiction=england"))
    assert page.get_by_label("England", exact=True).is_checked()


def test_axe_finds_no_serious_problems_on_the_new_pages(page):
    problems = {}
    page.goto("/duties")
    problems["finder"] = axe_violations(page)
    page.goto("/duties?actor=housing&jurisdiction=wales")
    assert page.locator("table.duty-table").count() >= 1
    page.locator("details.strengths-help summary").click()
    problems["finder with results"] = axe_violations(page)
    page.goto("/brief?topic=placement+stability")
    assert page.locator("#brief table.brief-duties").count() == 1
    problems["brief"] = axe_violations(page)
    page.goto("/brief?topic=" + "x" * 201)
    problems["brief form error"] = axe_violations(page)
    assert problems == {name: [] for name in problems}


def test_build_a_brief_and_download_it_for_word(page, tmp_path):
    page.goto("/brief")
    page.get_by_label("Topic or agenda item").fill("health assessments")
    page.get_by_label("England", exact=True).check()
    page.get_by_role("button", name="Make the brief").click()
    page.wait_for_url(re.compile(r"/brief\?topic=health\+assessments&jurisdiction=england#brief$"))
    assert page.locator("#brief-heading").inner_text() == "Panel brief: health assessments (England)"
    questions = [q.strip() for q in page.locator("ol.brief-questions .question-text").all_inner_texts()]
    assert questions
    # A [n] marker leads to its source on the page.
    follow_first_cite(page, "ol.brief-questions a.cite")

    name, document = download_word(page, tmp_path)
    assert name == "panel-brief-health-assessments-england.docx"
    paragraphs = [p.text for p in document.paragraphs]
    in_word = paragraphs[paragraphs.index("Questions to ask officers") + 1:paragraphs.index("Sources")]
    assert len(in_word) == len(questions)
    assert all(line.startswith(q) for q, line in zip(questions, in_word))


def test_printable_page_gets_its_own_stylesheet_and_nothing_else(page):
    blocked = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto("/brief?topic=placement+stability")
    page.get_by_role("link", name="Open the printable page").click()
    page.wait_for_url(re.compile(r"/brief/download\?.*view=1"))
    assert page.locator("h1").inner_text() == "Panel brief: placement stability"
    font = page.evaluate("() => getComputedStyle(document.body).fontFamily")
    assert "Georgia" in font  # the inline stylesheet was allowed by its hash
    assert blocked == []


def test_duty_question_in_chat_shows_a_table(page):
    page.goto("/")
    page.fill("#message", "what duties do housing services have in Wales?")
    page.click("#ask-button")
    table = page.locator("#turn-1 table.duty-answer")
    table.wait_for()
    assert "in Wales" in table.locator("caption").inner_text()
    assert table.locator("tbody tr").count() >= 3
    marker = table.locator("a.cite").first
    source = marker.get_attribute("data-source")
    marker.click()  # chat.js opens the cited source, as for any other answer
    assert page.locator(f"#{source}").get_attribute("open") is not None
    assert axe_violations(page) == []
