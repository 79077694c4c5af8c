"""The web app through FastAPI's TestClient, against the real starter index and model.

Covers the JSON API, the no-JavaScript chat form, conversation isolation, filters, bad
requests, escaping of hostile document text, security headers, the body limit, the rate
limit and ``cpguide serve`` itself.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cpguide.settings import Settings
from cpguide.web.app import create_app
from cpguide.web.conversations import COOKIE_NAME
from cpguide.web.security import CONTENT_SECURITY_POLICY, RateLimiter

sys.path.insert(0, str(Path(__file__).parent))
from web_server import PROBE_ID, build_probe_index, free_port, services_for  # noqa: E402

pytestmark = pytest.mark.model

QUESTION = "what should housing services do for care leavers?"


def settings_for(index_dir, **changes) -> Settings:
    return Settings.resolve(env={}, index_dir=str(index_dir), **changes)


@pytest.fixture(scope="module")
def app(starter_index, embedder):
    settings = settings_for(starter_index, rate_limit=100_000)
    return create_app(settings, services_for(settings, embedder))


@pytest.fixture(scope="module")
def client(app):
    with TestClient(app) as c:
        yield c


@pytest.fixture
def fresh(app, client):
    """Another browser: its own cookie jar, the same running app."""
    return TestClient(app)


@pytest.fixture(scope="module")
def probe_client(tmp_path_factory, embedder):
    index_dir = build_probe_index(tmp_path_factory.mktemp("probe"), embedder)
    settings = settings_for(index_dir, rate_limit=100_000)
    with TestClient(create_app(settings, services_for(settings, embedder))) as c:
        yield c


# -- health, headers, static files ----------------------------------------------------------------
def test_health_reports_the_loaded_library(client, library):
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["documents"] == len(library.docs) and body["chunks"] == len(library.chunks)
    assert body["model"] == "all-MiniLM-L6-v2"


@pytest.mark.parametrize("path", ["/", "/documents", "/documents/telford-partners", "/healthz", "/api/documents",
                                  "/static/style.css", "/no-such-page", "/api/no-such-thing"])
def test_security_headers_are_on_every_response(client, path):
    headers = client.get(path).headers
    assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self';" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize("path", ["/static/../app.py", "/static/%2e%2e/app.py", "/static/..%2fdeps.py",
                                  "/static/%2e%2e/%2e%2e/pyproject.toml", "/static//etc/passwd"])
def test_static_files_cannot_escape_their_folder(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "def " not in response.text and "root:" not in response.text


def test_static_files_are_served(client):
    response = client.get("/static/chat.js")
    assert response.status_code == 200 and "javascript" in response.headers["content-type"]


@pytest.mark.parametrize("path", ["/", "/documents", "/documents/lga-resource-pack", "/no-such-page"])
def test_pages_have_no_inline_script_or_style(client, path):
    html = client.get(path).text
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert not re.search(r"\son[a-z]+\s*=", html)
    assert not re.search(r"\sstyle\s*=", html)
    assert '<html lang="en-GB">' in html


def test_openapi_and_docs(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/chat", "/api/search", "/api/documents", "/api/documents/{doc_id}", "/healthz"} <= set(paths)
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/static/api-docs.js" in docs.text
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", docs.text) == []
    assert docs.headers["content-security-policy"] == CONTENT_SECURITY_POLICY


def test_docs_assets_are_served_by_the_app_itself(client):
    """The reference works offline: every script and stylesheet it loads comes from this server."""
    docs = client.get("/docs").text
    assets = re.findall(r'<(?:script[^>]*\bsrc|link[^>]*\bhref)="([^"]+)"', docs)
    assert not [a for a in assets if not a.startswith(("/", "data:"))], "the reference loads something from elsewhere"
    assets = [a for a in assets if a.startswith("/")]
    kinds = {}
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200, asset
        kinds[asset] = response.headers["content-type"]
    assert any("swagger-ui-bundle.js" in a and "javascript" in k for a, k in kinds.items())
    assert any("swagger-ui.css" in a and "text/css" in k for a, k in kinds.items())


# -- search ---------------------------------------------------------------------------------------
def test_api_search_returns_ranked_hits(client):
    body = client.post("/api/search", json={"query": "dental checks for children in care", "k": 3}).json()
    assert body["query"] == "dental checks for children in care"
    assert 1 <= len(body["hits"]) <= 3
    first = body["hits"][0]
    assert {"doc_id", "title", "publisher", "jurisdiction", "page", "section", "text", "start", "end"} <= set(first)
    assert [h["rank"] for h in body["hits"]] == list(range(1, len(body["hits"]) + 1))


@pytest.mark.parametrize("filters, field, allowed", [
    ({"jurisdiction": "wales"}, "jurisdiction", {"wales"}),
    ({"doc_id": ["telford-partners"]}, "doc_id", {"telford-partners"}),
    ({"kind": "local strategy"}, "kind", {"local strategy"}),
])
def test_api_search_filters(client, filters, field, allowed):
    body = client.post("/api/search", json={"query": "what can partners do", "k": 5, "filters": filters}).json()
    assert body["hits"] and {h[field] for h in body["hits"]} <= allowed


# -- chat: API ------------------------------------------------------------------------------------
def test_api_chat_answers_with_verbatim_citations_and_follows_up(fresh):
    first = fresh.post("/api/chat", json={"message": QUESTION})
    assert first.status_code == 200
    body = first.json()
    assert not body["abstained"] and body["citations"] and body["conversation_id"] and body["turn"] == 1
    assert re.search(r"\[1\]", body["answer"])
    cookie = first.headers["set-cookie"]
    assert COOKIE_NAME in cookie and "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    for c in body["citations"]:
        text = fresh.get(f"/api/documents/{c['doc_id']}").json()["text"]
        assert text[c["start"]:c["end"]] == c["quote"]

    follow = fresh.post("/api/chat", json={"message": "and what about health?",
                                           "conversation_id": body["conversation_id"]}).json()
    assert follow["conversation_id"] == body["conversation_id"] and follow["turn"] == 2
    assert "health" in follow["resolved_question"] and "care leavers" in follow["resolved_question"]


def test_api_chat_filters_limit_the_sources(fresh):
    body = fresh.post("/api/chat", json={"message": "what can businesses do for care leavers?",
                                         "filters": {"jurisdiction": "wales"}}).json()
    assert body["citations"] and {c["jurisdiction"] for c in body["citations"]} == {"wales"}


def test_api_chat_abstains_with_related_passages(fresh):
    body = fresh.post("/api/chat", json={"message": "what is the boiling point of tungsten in kelvin?"}).json()
    assert body["abstained"] and body["citations"] == []
    assert "does not seem to answer" in body["answer"]


def test_conversations_are_isolated_between_browsers(app, client):
    alice, bob = TestClient(app), TestClient(app)
    secret = "what should housing services do for care leavers in Telford?"
    mine = alice.post("/api/chat", json={"message": secret}).json()
    assert secret in alice.get("/").text

    stolen = bob.post("/api/chat", json={"message": "and what about health?",
                                         "conversation_id": mine["conversation_id"]})
    assert stolen.status_code == 404 and "conversation" in stolen.json()["error"]
    assert secret not in bob.get("/").text
    assert bob.get("/chat/turns/1").status_code == 404

    bob_answer = bob.post("/api/chat", json={"message": "and in Wales?"}).json()
    assert bob_answer["conversation_id"] != mine["conversation_id"]
    assert bob_answer["resolved_question"] == "and in Wales?"  # nothing of Alice's thread leaked in
    assert alice.post("/api/chat", json={"message": "and in Wales?", "conversation_id": mine["conversation_id"]}
                      ).json()["resolved_question"] == f"{secret} (in Wales)"


def test_forged_cookie_values_are_replaced(fresh):
    fresh.cookies.set(COOKIE_NAME, "<script>")
    response = fresh.get("/")
    assert COOKIE_NAME in response.headers.get("set-cookie", "")
    assert "<script>" not in response.headers["set-cookie"]


# -- chat: the no-JavaScript form -----------------------------------------------------------------
def test_form_post_redirects_and_the_page_shows_the_answer(fresh):
    response = fresh.post("/chat", data={"message": QUESTION, "jurisdiction": "", "doc_id": "", "audience": ""},
                          follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/#turn-1"
    page = fresh.get("/").text
    assert QUESTION in page and 'id="turn-1"' in page
    assert re.search(r'<a class="cite" href="#t1-s1" data-source="t1-s1">', page)
    assert re.search(r'<details class="source" id="t1-s1">', page)
    assert re.search(r'href="/documents/[a-z0-9-]+\?start=\d+&amp;end=\d+#passage"', page)
    assert "Copy answer with sources" in page

    fresh.post("/chat", data={"message": "and in Wales?", "jurisdiction": "wales"})
    page = fresh.get("/").text
    assert 'id="turn-2"' in page and f"Understood as: {QUESTION}" in page
    assert re.search(r'<option value="wales" selected>', page)


def test_the_page_names_a_source_once_for_a_run_of_quotes_from_it(fresh):
    """A list's items all come from one section of the Welsh toolkit: the first source names it,
    the others say "Same source as [1]", and each still opens on its own quote and details."""
    fresh.post("/chat", data={"message": "What can private businesses offer as corporate parents under the Welsh toolkit?"})
    page = fresh.get("/").text
    heads = re.findall(r'<details class="source" id="t1-s(\d+)">\s*<summary>(.*?)</summary>', page, re.S)
    assert len(heads) >= 3, page
    assert "Corporate parenting charter toolkit" in heads[0][1]
    assert all("Same source as [1]" in head and "toolkit" not in head for _, head in heads[1:]), heads
    assert page.count("Offering care-experienced children and young people work experience placements") >= 1


def test_new_conversation_starts_an_empty_thread(fresh):
    fresh.post("/chat", data={"message": QUESTION})
    assert 'id="turn-1"' in fresh.get("/").text
    response = fresh.post("/chat/new", follow_redirects=False)
    assert response.status_code == 303
    assert 'id="turn-1"' not in fresh.get("/").text


def test_turn_fragment_renders_one_answer(fresh):
    turn = fresh.post("/api/chat", json={"message": QUESTION}).json()["turn"]
    fragment = fresh.get(f"/chat/turns/{turn}")
    assert fragment.status_code == 200 and fragment.text.lstrip().startswith('<article class="turn"')


def test_a_lists_items_are_shown_nested_under_its_lead_in(fresh):
    from bs4 import BeautifulSoup

    turn = fresh.post("/api/chat", json={"message": "what are the seven corporate parenting principles?"}).json()["turn"]
    page = BeautifulSoup(fresh.get(f"/chat/turns/{turn}").text, "html.parser")
    lead = next(li for li in page.select(".answer > ul > li") if "as follows:" in li.get_text())
    items = [li.get_text(" ", strip=True) for li in lead.select("ul > li")]
    assert [i.split(".")[0] for i in items] == [str(n) for n in range(1, 8)], items


def test_form_errors_are_shown_as_a_page(fresh):
    response = fresh.post("/chat", data={"message": "   "})
    assert response.status_code == 422 and "text/html" in response.headers["content-type"]
    assert "The question is empty." in response.text and "<h1>" in response.text


# -- bad requests ---------------------------------------------------------------------------------
BAD_REQUESTS = [
    ("/api/chat", {"json": {"message": ""}}, 422, "empty"),
    ("/api/chat", {"json": {"message": "   \n "}}, 422, "empty"),
    ("/api/chat", {"json": {"message": "x" * 2001}}, 422, "limit is 2000"),
    ("/api/chat", {"json": {"message": "?!"}}, 422, "no words"),
    ("/api/chat", {"json": {}}, 422, "message"),
    ("/api/chat", {"json": {"message": 42}}, 422, "message"),
    ("/api/chat", {"json": {"message": ["a"]}}, 422, "message"),
    ("/api/chat", {"json": {"message": "hi", "surprise": 1}}, 422, "surprise"),
    ("/api/chat", {"json": {"message": "care leavers", "filters": {"colour": "red"}}}, 422, "Unknown filter"),
    ("/api/chat", {"json": {"message": "care leavers", "filters": {"jurisdiction": "mars"}}}, 422, "mars"),
    ("/api/chat", {"json": {"message": "care leavers", "filters": "wales"}}, 422, "filters"),
    ("/api/chat", {"json": {"message": "care leavers", "filters": {"doc_id": "nope"}}}, 404, "nope"),
    ("/api/chat", {"json": {"message": "care leavers", "conversation_id": "made-up"}}, 404, "conversation"),
    ("/api/chat", {"content": "{not json", "headers": {"content-type": "application/json"}}, 422, "not valid JSON"),
    ("/api/chat", {"content": "[1, 2]", "headers": {"content-type": "application/json"}}, 422, "JSON object"),
    ("/api/chat", {}, 422, "no body"),
    ("/api/chat", {"content": '{"message": "care leavers"}', "headers": {"content-type": "text/plain"}}, 415,
     "content type must be application/json"),
    ("/api/search", {"data": {"query": "care leavers"}}, 415, "content type must be application/json"),
    ("/api/search", {"json": {"query": "care", "k": 0}}, 422, "k"),
    ("/api/search", {"json": {"query": "care", "k": "5"}}, 422, "k"),
    ("/api/search", {"json": {"query": "care", "k": 500}}, 422, "k"),
    ("/api/search", {"json": {"query": ""}}, 422, "empty"),
    ("/api/search", {"json": {"query": "care", "filters": {"kind": "novel"}}}, 422, "novel"),
]


@pytest.mark.parametrize("path, kwargs, status, words", BAD_REQUESTS)
def test_bad_requests_get_a_clear_json_error(client, path, kwargs, status, words):
    response = client.post(path, **kwargs)
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error", "hint"} and words.lower() in body["error"].lower()
    assert "Traceback" not in response.text


@pytest.mark.parametrize("method, path, status", [
    ("get", "/api/documents/no-such-doc", 404),
    ("get", "/api/nothing-here", 404),
    ("get", "/api/chat", 405),
    ("delete", "/api/search", 405),
])
def test_unknown_api_paths_and_methods_are_json(client, method, path, status):
    response = getattr(client, method)(path)
    assert response.status_code == status and set(response.json()) == {"error", "hint"}


@pytest.mark.parametrize("path", ["/", "/healthz", "/documents", "/documents/telford-partners", "/docs", "/quiz",
                                  "/duties", "/brief", "/api/documents", "/api/documents/telford-partners",
                                  "/openapi.json", "/static/style.css"])
def test_head_is_answered_wherever_get_is(client, path):
    """Uptime monitors use HEAD: the same status and headers as GET, and no body."""
    get, head = client.get(path), client.head(path)
    assert get.status_code == 200 and head.status_code == 200, head.text
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.headers["content-security-policy"] == get.headers["content-security-policy"]


def test_head_where_get_is_not_answered_is_still_refused(client):
    assert client.head("/api/chat").status_code == 405
    assert client.head("/no-such-page").status_code == 404


@pytest.mark.parametrize("path, status, words", [
    ("/documents/no-such-doc", 404, "No document with id"),
    ("/no-such-page", 404, "Page not found"),
    ("/documents/telford-partners?start=-5&end=10", 422, "start"),
    ("/documents/telford-partners?start=abc&end=10", 422, "start"),
    ("/chat/turns/999", 404, "no question 999"),
])
def test_page_errors_are_html(client, path, status, words):
    response = client.get(path)
    assert response.status_code == status and "text/html" in response.headers["content-type"]
    assert words in response.text and "<h1>" in response.text


# -- documents ------------------------------------------------------------------------------------
def test_documents_list_and_detail(client, library):
    documents = client.get("/api/documents").json()["documents"]
    assert {d["doc_id"] for d in documents} == set(library.docs)
    assert all("source_path" not in d for d in documents)
    detail = client.get("/api/documents/telford-partners").json()
    assert detail["title"] == "The role of Partners as Corporate Parents"
    assert detail["text"] == library.document("telford-partners").text
    assert detail["sections"][0]["heading_path"] and "source_path" not in detail

    page = client.get("/documents").text
    for info in library.docs.values():
        assert f'href="/documents/{info.meta.doc_id}"' in page
    assert "<th scope=\"col\">Publisher</th>" in page


def test_reader_highlights_the_cited_passage(client, library):
    doc = library.document("telford-partners")
    paragraph = next(s for s in doc.sections if s.kind == "paragraph" and s.end - s.start > 200)
    start, end = paragraph.start + 10, paragraph.start + 120
    html = client.get(f"/documents/telford-partners?start={start}&end={end}").text
    marked = re.search(r'<mark id="passage">(.*?)</mark>', html, re.S).group(1)
    assert marked == _escaped(doc.text[start:end])
    assert html.count("<h1>") == 1 and "<h2>" in html
    assert "Go to the passage" in html


def test_reader_marks_a_passage_across_sections(client, library):
    doc = library.document("telford-partners")
    a, b = doc.sections[2], doc.sections[3]
    html = client.get(f"/documents/telford-partners?start={a.start}&end={b.end}").text
    assert html.count('id="passage"') == 1 and html.count("<mark") == 2


def test_reader_says_when_the_passage_is_not_there(client):
    html = client.get("/documents/telford-partners?start=10&end=99999999").text
    assert "not in this version of the document" in html and "<mark" not in html


def _escaped(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


# -- escaping hostile text ------------------------------------------------------------------------
def _assert_inert(html: str) -> None:
    assert "<script>alert" not in html
    assert "<img src=x" not in html and "<b>bold</b>" not in html
    assert 'href="javascript:' not in html


def test_document_markup_is_escaped_in_pages(probe_client):
    reader = probe_client.get(f"/documents/{PROBE_ID}").text
    _assert_inert(reader)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in reader
    assert "&lt;img src=x onerror=alert(1)&gt;" in reader
    assert "&lt;b&gt;bold&lt;/b&gt;" in reader
    assert "javascript:alert(&#39;url&#39;)" in reader  # shown as text, not as a link
    listing = probe_client.get("/documents").text
    _assert_inert(listing)
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt; Probe guidance" in listing


def test_document_markup_stays_data_in_json(probe_client):
    response = probe_client.post("/api/search", json={"query": "probe passage dental checks"})
    assert response.headers["content-type"].startswith("application/json")
    hits = response.json()["hits"]
    assert hits and any("<script>alert(1)</script>" in h["text"] for h in hits)
    assert hits[0]["publisher"] == "<img src=x onerror=alert('publisher')>"


def test_user_and_document_markup_is_escaped_in_the_chat(probe_client):
    probe_client.post("/chat", data={"message": "<script>alert(2)</script> what about the probe passage on dental checks?"})
    probe_client.post("/chat", data={"message": "<img src=x onerror=alert(3)> image markup as plain text?"})
    page = probe_client.get("/").text
    _assert_inert(page)
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(3)&gt;" in page
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in page  # the cited or related title


# -- limits ---------------------------------------------------------------------------------------
def test_oversized_bodies_are_refused(client):
    big = json.dumps({"message": "care leavers " * 6000})
    response = client.post("/api/chat", content=big, headers={"content-type": "application/json"})
    assert response.status_code == 413 and "KiB" in response.json()["error"]
    assert response.headers["x-frame-options"] == "DENY"

    def chunks():  # no Content-Length: the limit is counted while reading
        for _ in range(40):
            yield b"x" * 4096

    response = client.post("/api/search", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413
    page = client.post("/chat", data={"message": "x" * 70_000})
    assert page.status_code == 413 and "text/html" in page.headers["content-type"]


def test_rate_limit_applies_to_the_api_and_posts(starter_index, embedder):
    settings = settings_for(starter_index, rate_limit=3)
    with TestClient(create_app(settings, services_for(settings, embedder))) as limited:
        assert [limited.get("/api/documents").status_code for _ in range(3)] == [200, 200, 200]
        refused = limited.get("/api/documents")
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
        assert "3 a minute" in refused.json()["error"]
        assert limited.post("/chat", data={"message": "hello"}).status_code == 429
        assert limited.get("/").status_code == 200  # reading pages is not limited
        assert limited.get("/healthz").status_code == 200


def test_rate_limiter_refills_over_time():
    now = [0.0]
    limiter = RateLimiter(60, clock=lambda: now[0])
    assert all(limiter.wait_seconds("a") == 0 for _ in range(60))
    assert limiter.wait_seconds("a") == 1 and limiter.wait_seconds("b") == 0
    now[0] += 2.0
    assert limiter.wait_seconds("a") == 0


def test_follow_ups_reach_any_worker_and_survive_a_restart(starter_index, embedder):
    """Two apps on one index are two server workers; a third, started later, is the restarted server."""
    settings = settings_for(starter_index, rate_limit=100_000)
    services = services_for(settings, embedder)
    with TestClient(create_app(settings, services)) as one, TestClient(create_app(settings, services)) as two:
        first = one.post("/api/chat", json={"message": QUESTION}).json()
        two.cookies = one.cookies  # the same browser; the load balancer sent it to the other worker
        follow = two.post("/api/chat", json={"message": "and what about health?",
                                             "conversation_id": first["conversation_id"]})
        assert follow.status_code == 200, follow.text
        assert follow.json()["turn"] == 2 and "care leavers" in follow.json()["resolved_question"]
        cookies = one.cookies
    with TestClient(create_app(settings, services)) as restarted:
        restarted.cookies = cookies
        again = restarted.post("/api/chat", json={"message": "and in Wales?",
                                                  "conversation_id": first["conversation_id"]})
        assert again.status_code == 200, again.text
        assert again.json()["turn"] == 3 and "in Wales" in again.json()["resolved_question"]
        page = restarted.get("/").text
        assert QUESTION in page and "and what about health?" in page


# -- when there is no index yet, and `cpguide serve` ---------------------------------------------
def test_without_an_index_pages_explain_and_the_api_is_503(tmp_path, embedder):
    settings = settings_for(tmp_path / "index")
    services = services_for(settings, embedder)
    with TestClient(create_app(settings, services)) as c:
        page = c.get("/")
        assert page.status_code == 503 and "cpguide ingest" in page.text and "<h1>" in page.text
        api = c.post("/api/search", json={"query": "care leavers"})
        assert api.status_code == 503 and "cpguide ingest" in api.json()["hint"]
        assert c.get("/healthz").status_code == 503

        from cpguide.ingest.pipeline import run_ingest
        from cpguide.ingest.sources import discover

        source = tmp_path / "note.txt"
        source.write_text("Corporate parents should help care leavers find a home.\n", encoding="utf-8")
        run_ingest(discover([source]), index_dir=settings.index_path, model=settings.model,
                   embedder_factory=lambda: embedder)
        assert c.get("/healthz").json()["documents"] == 1  # picked up without a restart


def _serve(args: list[str], env: dict) -> tuple[subprocess.Popen, str, list[str]]:
    port = free_port()
    command = [sys.executable, "-c", "from cpguide.cli import main; main()"]
    proc = subprocess.Popen([*command, "serve", "--port", str(port), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True).start()
    return proc, f"http://127.0.0.1:{port}/", lines


def _status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        assert "cpguide ingest" in json.loads(exc.read())["hint"]
        return exc.code
    except OSError:
        return None


@pytest.mark.parametrize("workers", ["1", "2"])
def test_serve_command_starts_and_prints_the_address(tmp_path, workers):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CPGUIDE_")}
    proc, url, lines = _serve(["--index-dir", str(tmp_path / "none"), "--workers", workers], env)
    try:
        deadline = time.monotonic() + 90
        while _status(url + "healthz") is None or not any("serving the web chat" in line for line in lines):
            assert proc.poll() is None, "".join(lines)
            assert time.monotonic() < deadline, "the server did not start: " + "".join(lines)
            time.sleep(0.3)
        assert _status(url + "healthz") == 503  # up, and saying the index is missing
        assert any(f"serving the web chat at {url}" in line for line in lines)
    finally:
        proc.terminate()
        proc.wait(timeout=20)


# -- rendering pieces -----------------------------------------------------------------------------
def test_reader_blocks_place_pages_headings_and_lists():
    from cpguide.records import DocMeta, Document, Section
    from cpguide.web.routes.documents import reader_blocks

    text = "Title\n\nIntro on page one.\n\n• First point\n\nDeep heading\n\nOn page two."
    spans = [("Title", "heading", 1, 1), ("Intro on page one.", "paragraph", 0, 1), ("• First point", "list_item", 0, 1),
             ("Deep heading", "heading", 4, 2), ("On page two.", "paragraph", 0, 2)]
    sections = tuple(Section(text.index(t), text.index(t) + len(t), kind, (), page=page, level=level)
                     for t, kind, level, page in spans)
    doc = Document(DocMeta("d", "Title"), text, sections, "hash")
    start = text.index("point")
    blocks = reader_blocks(doc, (start, text.index("page two")))
    assert [(b.kind, b.label or b.level) for b in blocks] == [
        ("page", "1"), ("heading", 2), ("paragraph", 0), ("list", 0), ("page", "2"), ("heading", 3), ("paragraph", 0)]
    assert blocks[3].items[0][0].text == "First "  # the bullet character is left to the list
    marked = [p for b in blocks for item in b.items for p in item if p.marked]
    assert [p.text for p in marked] == ["point", "Deep heading", "On "] and [p.anchor for p in marked] == [True, False, False]


def test_messages_show_commands_as_code_and_stay_escaped():
    from cpguide.web.app import code_spans

    assert str(code_spans("Run `cpguide ingest` <now>")) == "Run <code>cpguide ingest</code> &lt;now&gt;"
    assert str(code_spans("`<script>`")) == "<code>&lt;script&gt;</code>"
