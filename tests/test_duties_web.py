"""The duty finder, the panel brief and duty tables in chat, through FastAPI's TestClient.

Runs against the real starter index and model (the fixtures of ``test_web_api``). Pages are
read with BeautifulSoup, the Word file with python-docx, and every quote a page shows is
checked against the document it names.
"""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup

sys.path.insert(0, str(Path(__file__).parent))
from test_web_api import app, client, fresh, probe_client  # noqa: E402,F401  (fixtures)

from cpguide.assistant.duties import STRENGTH_LABELS, find_duties  # noqa: E402
from cpguide.web.security import CONTENT_SECURITY_POLICY  # noqa: E402

pytestmark = pytest.mark.model

DUTY_QUESTION = "what duties do housing services have in Wales?"
BADGES = set(STRENGTH_LABELS.values())


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def passage(href: str) -> tuple[str, int, int]:
    """(doc_id, start, end) from an "Open in document" link."""
    parts = urlsplit(href)
    query = parse_qs(parts.query)
    assert parts.fragment == "passage"
    return parts.path.removeprefix("/documents/"), int(query["start"][0]), int(query["end"][0])


def duty_rows(page: BeautifulSoup) -> list[dict]:
    """Each row of the finder's tables: its badge, its quote and the passage it links to."""
    rows = []
    for table in page.select("table.duty-table"):
        for tr in table.select("tbody tr"):
            badge = tr.select_one(".badge:not(.badge-authority)").get_text(" ", strip=True)
            link = tr.select_one(".open-link a")
            rows.append({"badge": badge.removeprefix("Strength: ").strip(),
                         "quote": tr.select_one("blockquote.duty-quote p").get_text(),
                         "where": passage(link["href"]), "caption": table.caption.get_text(" ", strip=True),
                         "source": tr.select_one("td.duty-source").get_text(" ", strip=True)})
    return rows


def no_inline_code(html: str) -> None:
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert not re.search(r"\son[a-z]+\s*=", html)
    assert not re.search(r"\sstyle\s*=", html)


# -- the duty finder -------------------------------------------------------------------------------
def test_finder_form_works_without_javascript_and_is_labelled(client):
    response = client.get("/duties")
    assert response.status_code == 200
    page = soup(response)
    form = page.select_one("form.duty-form")
    assert form["method"] == "get" and form["action"].startswith("/duties")
    for field in form.select("select, input"):
        assert page.select_one(f'label[for="{field["id"]}"]'), field["id"]
    assert [lg.get_text(strip=True) for lg in form.select("legend")] == ["Choose the duties to show", "Place"]
    actors = [o["value"] for o in page.select("#duty-actor option")]
    assert "housing" in actors and "health" in actors
    assert "Housing services" in page.select_one('#duty-actor option[value="housing"]').get_text()
    assert [o["value"] for o in page.select('input[name="jurisdiction"]')] == ["", "england", "wales"]
    assert page.select("table") == []  # nothing is listed until the form is sent
    assert page.select_one('nav a[href="/duties"]')["aria-current"] == "page"
    no_inline_code(response.text)


def test_welsh_housing_duties_only_and_quoted_verbatim(client, library):
    response = client.get("/duties", params={"actor": "housing", "jurisdiction": "wales", "strength": "",
                                             "principle": ""})
    assert response.status_code == 200
    page = soup(response)
    rows = duty_rows(page)
    expected = find_duties(library, actor="housing", jurisdiction="wales")
    assert len(rows) == len(expected) >= 10
    assert {(r["where"][1], r["where"][2]) for r in rows} == {(d.start, d.end) for d in expected}
    for r in rows:
        doc_id, start, end = r["where"]
        meta = library.meta(doc_id)
        assert meta.jurisdiction == "wales"
        assert library.document(doc_id).text[start:end] == r["quote"]
        assert r["badge"] in BADGES
        assert meta.title in r["source"] and meta.publisher in r["source"] and "National toolkit" in r["source"]
        assert "Date:" in r["source"] and r["caption"].startswith("Wales ")
    assert any(r["quote"].startswith("Make sure that your housing allocation policy is sufficiently flexible")
               for r in rows)
    heading = page.select_one("#results-heading").get_text(" ", strip=True)
    assert heading.startswith(f"{len(rows)} duties for Housing services") and "in Wales" in heading
    for table in page.select("table.duty-table"):
        assert table.caption and [th.get("scope") for th in table.select("thead th")] == ["col"] * 3
    assert page.select_one("#duty-place-wales").has_attr("checked")
    assert page.select_one('#duty-actor option[value="housing"]').has_attr("selected")
    no_inline_code(response.text)


def test_england_filter_holds_no_welsh_passage(client, library):
    rows = duty_rows(soup(client.get("/duties", params={"jurisdiction": "england"})))
    welsh = {d.text for d in find_duties(library, jurisdiction="wales")}
    assert rows
    for r in rows:
        assert library.meta(r["where"][0]).jurisdiction in ("england", "uk")
        assert r["quote"] not in welsh


def test_filters_by_strength_and_principle(client, library):
    rows = duty_rows(soup(client.get("/duties", params={"strength": "must", "jurisdiction": "england"})))
    assert rows and {r["badge"] for r in rows} == {"MUST"}
    page = soup(client.get("/duties", params={"principle": "wales-8", "actor": "housing"}))
    assert [t.caption.get_text(" ", strip=True).split(" (")[0] for t in page.select("table.duty-table")] == [
        "Wales 8: a stable home"]
    assert len(duty_rows(page)) == len(find_duties(library, actor="housing", principle="wales-8"))


@pytest.mark.parametrize("params, words", [
    ({"actor": "nobody"}, ["Unknown actor", "housing", "councillors"]),
    ({"jurisdiction": "scotland"}, ["Unknown place", "england", "wales"]),
    ({"strength": "ought"}, ["Unknown strength", "good-practice"]),
    ({"principle": "wales-99"}, ["Unknown principle", "wales-8"]),
    ({"actor": "x" * 101}, ["actor"]),
])
def test_bad_filters_are_a_clear_4xx(client, params, words):
    api = client.get("/api/duties", params=params)
    assert api.status_code == 422
    body = api.json()
    assert set(body) == {"error", "hint"}
    text = body["error"] + " " + (body["hint"] or "")
    assert all(w in text for w in words), text
    page = client.get("/duties", params=params)
    assert page.status_code == 422 and "text/html" in page.headers["content-type"]
    assert words[0] in page.text


def test_api_duties_json(client, library):
    body = client.get("/api/duties", params={"actor": "NHS", "jurisdiction": "england"}).json()
    assert body["filters"] == {"actor": "health", "jurisdiction": "england"}  # names become their slugs
    assert body["count"] == len(body["duties"]) == len(find_duties(library, actor="health", jurisdiction="england"))
    for d in body["duties"]:
        assert library.document(d["doc_id"]).text[d["start"]:d["end"]] == d["text"]
        assert "health" in d["actors"] and d["jurisdiction"] in ("england", "uk")
        assert d["strength_label"] == STRENGTH_LABELS[d["strength"]]
        assert d["authority"] and d["title"] == library.meta(d["doc_id"]).title
        assert d["url"] == f"/documents/{d['doc_id']}?start={d['start']}&end={d['end']}#passage"
        assert isinstance(d["notes"], list)
    assert any("check this is current" in n for d in body["duties"] for n in d["notes"])
    assert "/api/duties" in client.get("/openapi.json").json()["paths"]


# -- the panel brief -------------------------------------------------------------------------------
def brief_questions(page: BeautifulSoup) -> list[tuple[str, int]]:
    out = []
    for li in page.select("ol.brief-questions li"):
        cite = li.select_one("a.cite")
        out.append((li.select_one(".question-text").get_text(), int(cite["href"].removeprefix("#brief-s"))))
    return out


def test_brief_page_renders_cited_questions(client, library):
    response = client.get("/brief", params={"topic": "care leavers' housing"})
    assert response.status_code == 200
    page = soup(response)
    assert page.select_one("#brief-heading").get_text(strip=True) == "Panel brief: care leavers' housing"
    questions = brief_questions(page)
    assert questions and any(q.startswith("How do we know that") for q, _ in questions)
    sources = {int(li["id"].removeprefix("brief-s")): li for li in page.select("ol.brief-sources > li")}
    assert sorted(sources) == list(range(1, len(sources) + 1))
    # Every cited line points at a source on the page, and every source quotes its document exactly.
    for a in page.select("#brief a.cite"):
        assert int(a["href"].removeprefix("#brief-s")) in sources
    for li in sources.values():
        doc_id, start, end = passage(li.select_one(".open-link a")["href"])
        assert library.document(doc_id).text[start:end] == li.select_one("blockquote p").get_text()
        assert li.select_one(".badge-authority")
    own = [(q, n) for q, n in questions if not q.startswith("How do we know")]
    for q, n in own:
        assert sources[n].select_one("blockquote p").get_text() == q
    assert any("bed and breakfast" in td.get_text() for td in page.select("table.brief-duties .duty-text"))
    assert all(badge.get_text(" ", strip=True).removeprefix("Strength: ") in BADGES
               for badge in page.select("table.brief-duties .badge"))
    no_inline_code(response.text)


def test_brief_form_and_suggestions(client):
    page = soup(client.get("/brief"))
    assert page.select_one('label[for="brief-topic"]') and page.select_one("#brief-topic")["maxlength"] == "200"
    assert page.select_one("fieldset legend").get_text(strip=True) == "Place"
    suggestions = [a.get_text() for a in page.select(".brief-suggestions a")]
    assert {"placement stability", "care leavers' housing", "health assessments"} <= set(suggestions)
    assert page.select("#brief") == []


@pytest.mark.parametrize("topic, words", [("x" * 201, "the limit is 200"), ("   ", "Enter a topic"),
                                          ("?!", "no words")])
def test_unusable_topics_are_form_errors(client, topic, words):
    response = client.get("/brief", params={"topic": topic})
    assert response.status_code == 422
    page = soup(response)
    assert words in page.select_one(".error-summary").get_text()
    field = page.select_one("#brief-topic")
    assert field["aria-invalid"] == "true" and "brief-topic-error" in field["aria-describedby"]
    assert client.get("/brief/download", params={"topic": topic, "format": "docx"}).status_code == 422
    api = client.get("/api/brief", params={"topic": topic})
    assert api.status_code == 422 and words in api.json()["error"]


def test_docx_download_has_the_same_questions_as_the_page(client):
    import docx

    params = {"topic": "health assessments"}
    page = soup(client.get("/brief", params=params))
    questions = brief_questions(page)
    anchor = page.select_one(".brief-downloads a[href*='format=docx']")
    assert anchor.get_text(strip=True) == "Download for Word (DOCX)" and anchor.has_attr("download")
    link = anchor["href"]
    response = client.get(link)
    assert response.status_code == 200
    assert response.headers["content-type"] == ("application/vnd.openxmlformats-officedocument."
                                                "wordprocessingml.document")
    assert response.headers["content-disposition"] == 'attachment; filename="panel-brief-health-assessments.docx"'
    document = docx.Document(io.BytesIO(response.content))
    paragraphs = [p.text for p in document.paragraphs]
    start = paragraphs.index("Questions to ask officers")
    end = paragraphs.index("Sources")
    in_word = paragraphs[start + 1:end]
    assert len(in_word) == len(questions)
    for (text, n), line in zip(questions, in_word):
        assert line.startswith(f"{text} [{n}]")
    assert paragraphs[0] == "Panel brief: health assessments"


def test_printable_html_is_escaped_and_allows_only_its_own_stylesheet(client):
    params = {"topic": "placement stability", "jurisdiction": "england", "format": "html"}
    response = client.get("/brief/download", params=params)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert response.headers["content-disposition"] == (
        'attachment; filename="panel-brief-placement-stability-england.html"')
    policy = response.headers["content-security-policy"]
    assert re.fullmatch(r"default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; img-src 'none'; .*", policy)
    assert "script-src" not in policy and "<script" not in response.text
    questions = brief_questions(soup(client.get("/brief", params=params)))
    sheet = soup(response)
    printed = [li.get_text() for li in sheet.select("ol.questions li")]
    assert [p.split(" [")[0] for p in printed] == [q for q, _ in questions]
    inline = client.get("/brief/download", params={**params, "view": "1"})
    assert inline.headers["content-disposition"] == "inline"
    assert client.get("/brief/download", params={**params, "format": "pdf"}).status_code == 422


def test_brief_api(client, library):
    body = client.get("/api/brief", params={"topic": "placement stability", "jurisdiction": "wales"}).json()
    assert body["topic"] == "placement stability" and body["jurisdiction"] == "wales"
    for c in body["citations"]:
        assert library.document(c["doc_id"]).text[c["start"]:c["end"]] == c["quote"]
    assert client.get("/api/brief", params={"topic": "x", "jurisdiction": "mars"}).status_code == 422


def test_hostile_text_is_escaped_in_the_brief_and_the_finder(probe_client):
    response = probe_client.get("/brief", params={"topic": "<script>alert(1)</script> dental checks"})
    assert response.status_code == 200
    assert "<script>alert" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; dental checks" in response.text
    assert "<img src=x" not in response.text
    sheet = probe_client.get("/brief/download", params={"topic": "<b>dental</b> checks", "format": "html"})
    assert "<b>dental" not in sheet.text and "&lt;b&gt;dental" in sheet.text
    finder = probe_client.get("/duties", params={"actor": "health"})
    assert finder.status_code == 200  # the probe index has no duty table: a notice, not an error
    assert "cpguide ingest --rebuild" in soup(finder).select_one(".notice").get_text()


# -- duty tables in chat answers ---------------------------------------------------------------------
def test_chat_answer_about_a_services_duties_is_a_table(fresh, library):
    answer = fresh.post("/api/chat", json={"message": DUTY_QUESTION}).json()
    assert answer["mode"] == "duties" and answer["duties"]
    for response in (fresh.get("/"), fresh.get(f"/chat/turns/{answer['turn']}")):
        assert response.status_code == 200
        page = soup(response)
        table = page.select_one(f"#turn-{answer['turn']} table.duty-answer")
        assert table is not None and "in Wales" in table.caption.get_text()
        assert [th.get_text(strip=True) for th in table.select("thead th")] == [
            "Principle", "Strength", "What the guidance says", "Where"]
        rows = table.select("tbody tr")
        assert len(rows) == len(answer["duties"])
        for tr, row in zip(rows, answer["duties"]):
            cells = tr.select("td")
            assert cells[0].get_text(strip=True) == row["principle_title"]
            assert cells[1].get_text(" ", strip=True).removeprefix("Strength: ") == STRENGTH_LABELS[row["strength"]]
            citation = answer["citations"][row["n"] - 1]
            assert cells[2].select_one(".duty-text").get_text() == citation["quote"]
            assert library.document(citation["doc_id"]).text[citation["start"]:citation["end"]] == citation["quote"]
            marker = cells[2].select_one("a.cite")
            target = marker["href"].lstrip("#")
            assert page.select_one(f"details#{target}") is not None and marker["data-source"] == target
            assert cells[3].get_text(strip=True).startswith("Wales")
        no_inline_code(response.text)


def test_other_answers_keep_their_paragraphs(fresh):
    fresh.post("/chat", data={"message": "what should housing services do for care leavers?"})
    page = soup(fresh.get("/"))
    assert page.select("table.duty-answer") == [] and page.select("#turn-1 .answer p, #turn-1 .answer li")


@pytest.mark.parametrize("path", ["/duties?actor=housing", "/brief?topic=placement+stability"])
def test_new_pages_carry_the_strict_policy(client, path):
    assert client.get(path).headers["content-security-policy"] == CONTENT_SECURITY_POLICY
