"""The "Check a strategy" page in headless Chromium: choose, read, download, print, axe.

Reuses the browser, server and page fixtures and the axe check of ``test_web_browser`` (the
starter index, every router mounted); skips without Debian's chromium, except on CI.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_web_browser import axe_violations, browser, download_word, follow_first_cite, page, server  # noqa: E402,F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.model]


def test_choose_a_document_see_the_table_and_download_it_for_word(page, tmp_path):
    page.goto("/")
    page.get_by_role("link", name="Check a strategy").click()
    page.get_by_label("Document to check").select_option("walsall-service")
    page.get_by_role("button", name="Check the document").click()
    page.wait_for_url(re.compile(r"/check\?doc=walsall-service&against=#check$"))
    assert page.locator("#check-heading").inner_text() == "Strategy check: Corporate Parenting Service against England"

    rows = page.locator("table.check-table tbody tr")
    assert rows.count() == 15  # seven principles and the eight partners the LGA packs give duties to
    names = [n.strip() for n in page.locator("table.check-table tbody th").all_inner_texts()]
    statuses = [s.replace("Status:", "").strip() for s in page.locator("td.check-status").all_inner_texts()]
    assert names[0] == "Principle 1: best interests, health and wellbeing"
    assert set(statuses) <= {"Covered", "Mentioned only", "Not found"} and "Not found" in statuses
    assert page.locator("ul.check-gaps li").count() > 0

    # A [n] marker leads to its source, which opens in the document.
    follow_first_cite(page, "td.check-local a.cite")

    name, document = download_word(page, tmp_path)
    assert name == "strategy-check-walsall-service-england.docx"
    table = document.tables[0]
    in_word = [(row.cells[0].text, row.cells[1].text) for row in table.rows][1:]
    assert in_word == list(zip(names, statuses))


def test_works_without_javascript_and_prints(browser, server):
    context = browser.new_context(base_url=server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/check")
    page.get_by_label("Document to check").select_option("telford-partners")
    page.get_by_label("England's seven principles").check()
    page.get_by_role("button", name="Check the document").click()
    page.wait_for_url(re.compile(r"/check\?doc=telford-partners&against=england"))
    assert page.locator("table.check-table tbody tr").count() == 15
    page.get_by_role("link", name="Open the printable page").click()
    page.wait_for_url(re.compile(r"/check/download\?.*view=1"))
    assert page.locator("h1").inner_text().startswith("Strategy check: The role of Partners as Corporate Parents")
    assert page.locator("table.check-table tbody tr").count() == 15
    context.close()


def test_axe_finds_no_serious_problems_on_the_check_page(page):
    problems = {}
    page.goto("/check")
    problems["form"] = axe_violations(page)
    page.goto("/check?doc=telford-partners")
    assert page.locator("table.check-table").count() == 1
    page.locator("details.strengths-help summary").click()
    problems["check"] = axe_violations(page)
    page.goto("/check?doc=no-such-document")
    assert page.locator(".error-summary").is_visible()
    problems["form error"] = axe_violations(page)
    assert problems == {name: [] for name in problems}
