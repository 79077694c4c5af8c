"""End to end in headless Chromium: asking, citations, the reader, keyboard use, axe-core, XSS.

One server (the starter index) and one browser serve the whole module; each test opens its
own browser context, so cookies - and so conversations - never leak between tests. Debian's
/usr/bin/chromium is driven by Playwright; no browser is ever downloaded. Without it these
tests skip, except on CI (CI=true), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from web_server import PROBE_ID, LiveServer, build_probe_index, services_for  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.model]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
QUESTION = "what should housing services do for care leavers?"
SERIOUS = {"serious", "critical"}


def _unavailable(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: the browser tests must run; `make setup-test` installs it)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing: install Debian's chromium package to run the browser tests")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed (pip install -e '.[test]')")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def server(browser, starter_index, embedder):
    from cpguide.settings import Settings
    from cpguide.web.app import create_app

    settings = Settings.resolve(env={}, index_dir=str(starter_index), rate_limit=100_000)
    with LiveServer(create_app(settings, services_for(settings, embedder))) as live:
        yield live


@pytest.fixture
def page(browser, server):
    context = browser.new_context(base_url=server.url, viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.dialogs = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    yield page
    context.close()


def ask(page, question: str = QUESTION) -> None:
    turns = page.locator("article.turn").count()
    page.fill("#message", question)
    page.click("#ask-button")
    page.locator("article.turn").nth(turns).wait_for()


def focused(page) -> dict:
    return page.evaluate("""() => {
        const el = document.activeElement;
        return {tag: el.tagName.toLowerCase(), id: el.id, cls: el.className, text: el.textContent.trim().slice(0, 80),
                name: el.getAttribute("name"), href: el.getAttribute("href")};
    }""")


def tab_to(page, predicate, limit: int = 60) -> dict:
    """Press Tab until the focused element matches, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(page)
        if predicate(now):
            return now
    raise AssertionError("the element was never reached with Tab")


def follow_first_cite(page, selector: str) -> None:
    """Click the first [n] marker matching ``selector``: its source must come into view, quoted."""
    marker = page.locator(selector).first
    target = marker.get_attribute("href")
    marker.click()
    page.wait_for_url(f"**{target}")
    assert page.locator(f"{target} blockquote").is_visible()


def download_word(page, folder):
    """Download the page's Word file as a user would: (the file name offered, the opened document)."""
    import docx

    with page.expect_download() as info:
        page.get_by_role("link", name="Download for Word (DOCX)").click()
    download = info.value
    path = folder / download.suggested_filename
    download.save_as(path)
    return download.suggested_filename, docx.Document(str(path))


def axe_violations(page) -> list[dict]:
    try:
        from axe_playwright_python.base import AXE_SCRIPT
    except ImportError:
        _unavailable("axe-playwright-python (which bundles axe-core) is not installed (pip install -e '.[test]')")
    page.evaluate(AXE_SCRIPT)
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [{"id": v["id"], "impact": v["impact"], "nodes": [n["html"][:120] for n in v["nodes"][:3]]}
            for v in result["violations"] if v["impact"] in SERIOUS]


# -- asking with a mouse --------------------------------------------------------------------------
def test_ask_open_a_citation_and_read_it_in_the_document(page):
    page.goto("/")
    ask(page)
    turn = page.locator("#turn-1")
    assert "housing" in turn.locator(".answer").inner_text().lower()
    page.wait_for_function("() => document.querySelector('#status').textContent.startsWith('Answer ready')")
    marker = turn.locator("a.cite").first
    source_id = marker.get_attribute("data-source")
    marker.click()
    details = page.locator(f"#{source_id}")
    assert details.get_attribute("open") is not None
    quote = details.locator("blockquote").inner_text().strip()
    assert quote and details.locator("summary").evaluate("el => el === document.activeElement")
    assert details.locator("dl.meta").inner_text().count("\n") >= 3

    details.get_by_role("link", name="Open in document").click()
    page.wait_for_url("**/documents/**#passage")
    mark = page.locator("mark#passage")
    assert mark.is_visible() and mark.inner_text().strip().startswith(quote[:40])
    assert page.locator("h1").count() == 1
    box = mark.bounding_box()
    assert 0 <= box["y"] < 900  # scrolled into view


def test_follow_up_shows_how_it_was_understood(page):
    page.goto("/")
    ask(page)
    ask(page, "and what about health?")
    assert "health services" in page.locator("#turn-2 .understood").inner_text()
    page.reload()
    assert page.locator("article.turn").count() == 2  # the thread is kept server-side


def test_copy_answer_with_sources(page):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto("/")
    ask(page)
    page.get_by_role("button", name="Copy answer with sources").click()
    page.wait_for_function("() => document.querySelector('#status').textContent.includes('copied')")
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied.startswith(f"Question: {QUESTION}")
    assert "\nSources:\n[1] " in copied and "“" in copied


def test_new_conversation_and_print_view(page):
    page.goto("/")
    ask(page)
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible() and not page.locator("#ask-form").is_visible()
    page.emulate_media(media="screen")
    page.get_by_role("button", name="Start a new conversation").click()
    page.wait_for_load_state()
    assert page.locator("article.turn").count() == 0


def test_works_without_javascript(browser, server):
    context = browser.new_context(base_url=server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/")
        assert page.locator("[data-copy]").count() == 0 or not page.locator("[data-copy]").first.is_visible()
        page.fill("#message", QUESTION)
        page.click("#ask-button")
        page.wait_for_url("**/#turn-1")
        marker = page.locator("#turn-1 a.cite").first
        source_id = marker.get_attribute("data-source")
        marker.click()  # jumps to the source ...
        page.wait_for_url(f"**#{source_id}")
        page.locator(f"#{source_id} summary").click()  # ... and <details> opens without any script
        assert page.locator(f"#{source_id} blockquote").is_visible()
        page.locator(f"#{source_id}").get_by_role("link", name="Open in document").click()
        page.wait_for_url("**#passage")
        assert page.locator("mark#passage").is_visible()
    finally:
        context.close()


# -- keyboard alone -------------------------------------------------------------------------------
def test_keyboard_only(page):
    page.goto("/")
    first = tab_to(page, lambda f: True)
    assert first["text"] == "Skip to main content"
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "main"

    tab_to(page, lambda f: f["id"] == "message")
    assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.type(QUESTION)
    tab_to(page, lambda f: f["id"] == "ask-button")
    page.keyboard.press("Enter")
    page.locator("#turn-1").wait_for()
    page.wait_for_function("() => document.activeElement.id === 'turn-1-q'")  # focus moves to the answer

    marker = tab_to(page, lambda f: "cite" in (f["cls"] or ""))
    link_style = page.evaluate("() => getComputedStyle(document.activeElement).backgroundColor")
    assert link_style == "rgb(255, 221, 0)"  # the yellow focus highlight
    page.keyboard.press("Enter")
    source = page.locator(marker["href"])
    assert source.get_attribute("open") is not None
    assert focused(page)["tag"] == "summary"
    page.keyboard.press("Space")  # summaries toggle with Space too
    assert source.get_attribute("open") is None
    page.keyboard.press("Space")
    assert source.get_attribute("open") is not None

    tab_to(page, lambda f: f["text"].startswith("Open in document"))
    page.keyboard.press("Enter")
    page.wait_for_url("**#passage")
    assert page.locator("mark#passage").is_visible()


# -- accessibility --------------------------------------------------------------------------------
def test_axe_finds_no_serious_problems(page):
    page.goto("/")
    problems = {"chat": axe_violations(page)}
    ask(page)
    page.locator("#turn-1 a.cite").first.click()
    problems["answer"] = axe_violations(page)
    page.locator("#turn-1 .open-link a").first.click()
    page.wait_for_url("**#passage")
    problems["document"] = axe_violations(page)
    page.goto("/documents")
    problems["documents"] = axe_violations(page)
    page.goto("/no-such-page")
    problems["error"] = axe_violations(page)
    assert problems == {name: [] for name in problems}


def test_api_reference_works_offline_under_the_strict_policy(browser, server):
    """Every request the reference makes goes to this server; anything else is cut off, as offline."""
    context = browser.new_context(base_url=server.url)
    elsewhere: list[str] = []
    context.route(lambda url: not url.startswith(server.url),
                  lambda route: (elsewhere.append(route.request.url), route.abort()))
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page.goto("/docs")
        page.locator(".swagger-ui .info .title").wait_for(timeout=30_000)
        assert "cpguide" in page.locator(".swagger-ui .info .title").inner_text()
        page.locator(".opblock-summary-path", has_text="/api/chat").first.wait_for()
        assert elsewhere == []
        assert not [e for e in errors if "Content Security Policy" in e], errors
    finally:
        context.close()


def test_pages_have_landmarks_and_one_h1(page):
    for path in ("/", "/documents", "/documents/telford-partners"):
        page.goto(path)
        assert page.locator("html").get_attribute("lang") == "en-GB"
        assert page.locator("h1").count() == 1
        for role in ("banner", "navigation", "main", "contentinfo"):
            assert page.get_by_role(role).count() >= 1, (path, role)


# -- hostile text ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def probe_server(browser, tmp_path_factory, embedder):
    from cpguide.settings import Settings
    from cpguide.web.app import create_app

    index_dir = build_probe_index(tmp_path_factory.mktemp("probe-browser"), embedder)
    settings = Settings.resolve(env={}, index_dir=str(index_dir), rate_limit=100_000)
    with LiveServer(create_app(settings, services_for(settings, embedder))) as live:
        yield live


def test_markup_in_documents_and_questions_never_runs(browser, probe_server):
    context = browser.new_context(base_url=probe_server.url)
    try:
        page = context.new_page()
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(f"/documents/{PROBE_ID}")
        assert "<script>alert(1)</script>" in page.locator(".reader").inner_text()
        assert page.locator("h1").inner_text().startswith("<script>")
        page.goto("/documents")
        page.goto("/")
        ask(page, "<script>alert(2)</script> <img src=x onerror=alert(3)> the probe passage about dental checks?")
        assert "<script>alert(2)</script>" in page.locator("#turn-1 h2").inner_text()
        page.reload()
        assert page.locator("img").count() == 0
        assert page.evaluate("() => [...document.scripts].every(s => s.src)")
        assert dialogs == []
    finally:
        context.close()
