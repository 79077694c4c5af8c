"""The quiz pages in headless Chromium: make a quiz, take it, see the marking and the sources.

Reuses the browser and page fixtures and the axe check of ``test_web_browser``; the server here is the
app as ``cpguide serve`` builds it, on the starter index. Like those tests, these skip without Debian's
chromium, except on CI.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_web_browser import axe_violations, browser, page  # noqa: E402,F401  (fixtures)
from web_server import LiveServer, services_for  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.model]

QUERY = "topic=housing&n=3&seed=5&kinds=mc&kinds=tf&kinds=source"


@pytest.fixture(scope="module")
def app(starter_index, embedder):
    """The app exactly as ``cpguide serve`` builds it, quiz pages included."""
    from cpguide.settings import Settings
    from cpguide.web.app import create_app

    settings = Settings.resolve(env={}, index_dir=str(starter_index), rate_limit=100_000)
    return create_app(settings, services_for(settings, embedder))


@pytest.fixture(scope="module")
def server(browser, app):  # noqa: F811  (the page fixture uses this server)
    with LiveServer(app) as live:
        yield live


@pytest.fixture(scope="module")
def expected(server, app):
    """The quiz the pages will show for QUERY, built in-process to know its right answers."""
    from cpguide.eval.quiz import KINDS
    from cpguide.web.routes.quiz import QuizParams, _build

    return _build(app.state.runtime.services.library, QuizParams(topic="housing", n=3, seed=5, kinds=KINDS))


def _make_and_take(page):
    page.goto("/quiz")
    page.select_option("#quiz-topic", "housing")
    page.fill("#quiz-n", "3")
    page.fill("#quiz-seed", "5")
    page.get_by_role("button", name="Make the quiz").click()
    page.wait_for_url("**/quiz?*build=1*")
    assert page.locator(".quiz-question-preview").count() == 3
    assert page.get_by_role("link", name="Moodle (GIFT)").count() == 1
    page.get_by_role("link", name="Take this quiz").click()
    page.wait_for_url("**/quiz/take?*")
    assert page.locator("fieldset.quiz-question").count() == 3


def _answer_and_mark(page, quiz):
    first, second = quiz.questions[0], quiz.questions[1]
    page.locator(f"#q1-{first.answer_index}").check()
    page.locator(f"#q2-{(second.answer_index + 1) % len(second.options)}").check()
    page.get_by_role("button", name="Mark my answers").click()
    page.wait_for_url("**/quiz/take")
    assert "You got 1 of 3 right" in page.locator(".quiz-score").inner_text()
    headings = page.locator(".quiz-result h2").all_inner_texts()
    assert headings == ["Question 1: right", "Question 2: not right", "Question 3: not answered"]
    for k, q in enumerate(quiz.questions):
        assert page.locator(".quiz-result blockquote").nth(k).inner_text().strip() == q.source.quote


def test_build_take_and_see_the_marking_and_the_passage(page, expected):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    _make_and_take(page)
    _answer_and_mark(page, expected)
    page.locator(".quiz-result").nth(1).get_by_role("link", name="Open the passage in the document").click()
    page.wait_for_url("**/documents/**#passage")
    mark = page.locator("mark#passage")
    assert mark.is_visible()
    assert " ".join(mark.inner_text().split()).startswith(expected.questions[1].source.quote[:40])
    assert dialogs == []


def test_the_quiz_works_without_javascript(browser, server, expected):
    context = browser.new_context(base_url=server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        _make_and_take(page)
        _answer_and_mark(page, expected)
    finally:
        context.close()


def test_printable_sheet_is_styled_under_its_own_policy(page, expected):
    messages = []
    page.on("console", lambda m: messages.append(m.text))
    page.goto(f"/quiz/download?format=html&view=1&{QUERY}")
    assert page.locator("h1").inner_text() == expected.title
    assert page.evaluate("() => getComputedStyle(document.querySelector('table.key')).borderCollapse") == "collapse"
    assert not [m for m in messages if "Content Security Policy" in m]


def test_quiz_pages_pass_axe(page):
    problems = {}
    page.goto(f"/quiz?build=1&{QUERY}")
    problems["maker"] = axe_violations(page)
    page.goto(f"/quiz/take?{QUERY}")
    problems["take"] = axe_violations(page)
    page.get_by_role("button", name="Mark my answers").click()
    page.wait_for_url("**/quiz/take")
    problems["results"] = axe_violations(page)
    for path in ("/quiz", f"/quiz/take?{QUERY}"):
        page.goto(path)
        assert page.locator("h1").count() == 1
        for role in ("banner", "navigation", "main", "contentinfo"):
            assert page.get_by_role(role).count() >= 1, (path, role)
    assert problems == {name: [] for name in problems}
