"""Checking a local strategy against the principles and the partners' national duties.

Most tests use the starter index (Telford's partner guide and Walsall's page, measured against
the LGA's national packs). A small Welsh index - the Welsh Government's charter toolkit and a
short local pledge that never mentions housing - shows the Welsh principles and the gaps.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from cpguide.assistant.gapcheck import (MAX_GAPS_PER_PARTNER, check_document, duties_for_partner, national_duties)

pytestmark = pytest.mark.model

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
PLEDGE = """Anytown Corporate Parenting Pledge

Our promise to care-experienced young people

We will make sure every care-experienced young person is registered with a GP and a dentist, and we will support them to get the mental health care they need.

We will listen to young people: their views will shape the services they receive, and our youth forum will meet the cabinet twice a year.

We will offer free leisure passes so that young people can enjoy sport, arts and cultural activities.

Our schools will give every care-experienced pupil a named teacher who helps them with their learning.

Local businesses will offer work experience and apprenticeships to care leavers.
"""


@pytest.fixture(scope="module")
def telford(library, embedder):
    return check_document(library, embedder, "telford-partners")


@pytest.fixture(scope="module")
def walsall(library, embedder):
    return check_document(library, embedder, "walsall-service")


@pytest.fixture(scope="module")
def welsh_library(tmp_path_factory, embedder):
    """The Welsh charter toolkit (national) and Anytown's pledge (local, silent on housing)."""
    from cpguide.commands.ingest import post_build_hooks
    from cpguide.index.library import Library
    from cpguide.ingest.pipeline import run_ingest
    from cpguide.ingest.sources import discover
    from cpguide.settings import PACKAGED_MODEL

    folder = tmp_path_factory.mktemp("welsh")
    pledge = folder / "pledge.txt"
    pledge.write_text(PLEDGE, encoding="utf-8")
    sources = discover([CORPUS / "wales-corporate-parenting-charter-toolkit-2024.txt"]) + discover(
        [pledge], {"doc_id": "anytown-pledge", "title": "Anytown Corporate Parenting Pledge",
                   "publisher": "Anytown Council", "year": 2025, "jurisdiction": "wales", "kind": "local strategy"})
    report = run_ingest(sources, index_dir=folder / "index", model=PACKAGED_MODEL,
                        embedder_factory=lambda: embedder, post_build=post_build_hooks())
    assert report.count("failed") == 0
    return Library.open(folder / "index")


@pytest.fixture(scope="module")
def pledge_check(welsh_library, embedder):
    return check_document(welsh_library, embedder, "anytown-pledge")


def _principle_ids(check) -> list[str]:
    return [r.target.id for r in check.rows if r.target.kind == "principle"]


# -- what is checked -----------------------------------------------------------------------------------
def test_an_english_document_is_checked_against_the_seven_principles(telford, walsall):
    expected = [f"england-{n}" for n in range(1, 8)]
    assert _principle_ids(telford) == expected
    assert _principle_ids(walsall) == expected
    assert telford.against == "england"


def test_a_welsh_document_is_checked_against_the_eleven_welsh_principles(pledge_check):
    assert pledge_check.against == "wales"
    assert _principle_ids(pledge_check) == [f"wales-{n}" for n in range(1, 12)]
    partners = [r.target.id for r in pledge_check.rows if r.target.kind == "partner"]
    assert {"housing", "health", "police", "businesses", "third-sector"} <= set(partners)


def test_against_overrides_the_documents_own_place(library, embedder):
    check = check_document(library, embedder, "walsall-service", against="wales")
    assert _principle_ids(check) == [f"wales-{n}" for n in range(1, 12)]
    assert any("checked against Wales" in n for n in check.notices)


# -- statuses ---------------------------------------------------------------------------------------------
def test_a_document_that_never_mentions_housing_lists_housings_national_duties_as_gaps(pledge_check, welsh_library):
    housing = next(r for r in pledge_check.rows if r.target.id == "housing")
    assert housing.status == "not found"
    assert housing.local is None and housing.national is not None
    gaps = [g.duty.text for g in pledge_check.gaps if g.partner == "housing"]
    national = {d.text for d in duties_for_partner(national_duties(welsh_library, "wales", "anytown-pledge"), "housing")}
    assert gaps and set(gaps) <= national
    assert len(gaps) == min(len(national), MAX_GAPS_PER_PARTNER)
    assert all(g.question.endswith("?") for g in pledge_check.gaps)


def test_what_the_pledge_does_promise_is_covered(pledge_check):
    status = {r.target.id: r for r in pledge_check.rows}
    for target in ("wales-7", "businesses", "leisure-and-culture"):
        assert status[target].status == "covered", status[target].reason
        assert status[target].local.text.startswith(("We will", "Local businesses will"))


def test_statuses_agree_with_a_reader_on_the_starter_documents(telford, walsall):
    telford_rows = {r.target.id: r for r in telford.rows}
    walsall_rows = {r.target.id: r for r in walsall.rows}
    housing = telford_rows["housing"]
    assert housing.status == "covered"
    assert housing.local.text.startswith("Care leavers should not be placed in bed and breakfast accommodation")
    # Walsall names housing once, as one example in a list of services.
    assert walsall_rows["housing"].status == "mentioned"
    assert "states nothing the council or a partner does" in walsall_rows["housing"].reason
    assert walsall_rows["police"].status == "not found"
    assert walsall_rows["england-2"].status == "not found"
    # Reporting the Children Act's duty to safeguard is not saying what the council does about safety.
    assert walsall_rows["england-6"].status == "mentioned"
    assert "reports what the law requires" in walsall_rows["england-6"].reason


def test_every_row_says_how_its_status_was_decided(telford, walsall):
    openings = {"covered": "Covered:", "mentioned": "Mentioned only:", "not found": "Not found:"}
    for check in (telford, walsall):
        for row in check.rows:
            assert row.reason.startswith(openings[row.status])
            if row.status == "covered":
                assert re.search(r"similarity \d\.\d\d, needed \d\.\d\d", row.reason)


def test_labelled_agreement_meets_the_target(library, embedder):
    from cpguide.eval.gapcheck_eval import evaluate

    report = evaluate(library, embedder)
    assert report["items"] >= 30
    assert report["covered"]["precision"] >= 0.85
    assert report["covered"]["recall"] >= 0.8


# -- quotes and formats --------------------------------------------------------------------------------------
def test_every_quote_in_the_output_is_verbatim_from_its_document(telford, walsall, pledge_check, library, welsh_library):
    for check, lib in ((telford, library), (walsall, library), (pledge_check, welsh_library)):
        for c in check.citations:
            assert lib.document(c.doc_id).text[c.start:c.end] == c.quote
        for row in check.rows:
            for e in (row.local, row.national):
                if e is not None:
                    assert check.citation(e.cite).quote == e.text
            if row.local:
                assert check.citation(row.local.cite).doc_id == check.doc_id
            if row.national:
                assert check.citation(row.national.cite).doc_id != check.doc_id
        for g in check.gaps:
            assert check.citation(g.cite).quote == g.duty.text
        data = json.loads(json.dumps(check.to_dict()))
        for row in data["rows"]:
            for side in ("local", "national"):
                if row[side]:
                    c = data["citations"][row[side]["cite"] - 1]
                    assert lib.document(c["doc_id"]).text[c["start"]:c["end"]] == row[side]["text"]


class _Table(HTMLParser):
    """The body rows of the first table, as lists of cell texts."""

    def __init__(self):
        super().__init__()
        self.rows, self._cell, self._in_body = [], None, False

    def handle_starttag(self, tag, attrs):
        if tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.rows.append([])
        elif tag in ("td", "th") and self._in_body:
            self._cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(self._cell)
            self._cell = None
        elif tag == "tbody":
            self._in_body = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def test_the_docx_holds_the_same_rows_as_the_html(telford, tmp_path):
    import docx

    from cpguide.assistant.gapcheck_render import HEADERS, render_docx, render_html

    parser = _Table()
    parser.feed(render_html(telford))
    path = tmp_path / "check.docx"
    render_docx(telford, path)
    table = docx.Document(str(path)).tables[0]
    in_word = [[cell.text for cell in row.cells] for row in table.rows]
    assert in_word[0] == list(HEADERS)
    assert in_word[1:] == parser.rows
    assert len(parser.rows) == len(telford.rows)
    paragraphs = [p.text for p in docx.Document(str(path)).paragraphs]
    assert sum(1 for p in paragraphs if p.startswith("Ask: ")) == len(telford.gaps)


def test_text_output_names_every_row_and_gap(walsall):
    from cpguide.assistant.gapcheck_render import render_text, target_name

    text = render_text(walsall)
    for row in walsall.rows:
        assert f"{target_name(row)}: {row.status.upper()}" in text
    assert text.count("    Ask: ") == len(walsall.gaps)


# -- the command ------------------------------------------------------------------------------------------------
def test_cli_check_json_and_clear_errors(starter_index, embedder, monkeypatch, capsys):
    from cpguide.app import Services
    from cpguide.cli import main

    monkeypatch.setattr(Services, "embedder", property(lambda self: embedder))
    with pytest.raises(SystemExit) as exit_info:
        main(["check", "walsall-service", "--index-dir", str(starter_index), "--format", "docx"])
    assert exit_info.value.code == 2
    assert "has to be written to a file" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["check", "no-such-doc", "--index-dir", str(starter_index)])
    assert exit_info.value.code == 2
    assert "No document with id 'no-such-doc'" in capsys.readouterr().err

    main(["check", "walsall-service", "--index-dir", str(starter_index), "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert data["doc_id"] == "walsall-service" and data["against"] == "england"
    assert data["counts"] == {s: sum(1 for r in data["rows"] if r["status"] == s)
                              for s in ("covered", "mentioned", "not found")}
