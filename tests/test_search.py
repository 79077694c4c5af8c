"""Search on the real starter corpus with the real model (loaded once per session)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from cpguide.errors import DocumentNotFound, UsageError
from cpguide.index.search import Filters, check_query


def test_housing_question_finds_the_housing_passage(searcher):
    hits = searcher.search("what should housing services do for care leavers?", k=3)
    assert any("Housing services" in h.section or "suitable housing" in h.text for h in hits)
    top = hits[0]
    assert top.rank == 1 and top.title and top.publisher and top.jurisdiction in ("england", "wales")
    assert top.text and top.highlights  # the best-matching sentence is marked for highlighting
    span = top.highlights[0]
    assert "hous" in top.text[span.start:span.end].lower()


def test_everyday_words_reach_the_guidance_vocabulary(searcher):
    hits = searcher.search("do we check kids in care get their teeth done?", k=5)
    assert any("dental" in h.text for h in hits)


def test_childrens_homes_are_what_the_guidance_calls_residential_care(searcher):
    """Sir Martin Narey's review is of "children's residential care"; people say children's homes."""
    top = searcher.search("What did the review of children's homes find?", k=1)[0]
    assert "Narey" in top.text, top.text[:200]


def test_abbreviations_are_understood(searcher):
    hits = searcher.search("what does the IRO report to the panel?", k=3)
    assert any("Independent Reviewing Officer" in h.text or "IRO" in h.text for h in hits)



@pytest.mark.parametrize("query", ["Until what age can a CLA have a PA these days?",
                                   "what should housing services do for care leavers?"])
def test_asking_for_more_passages_adds_them_after_the_same_first_ones(searcher, query):
    """`cpguide search --k 60` lists the same first five passages as `--k 5`: each method used to
    pass more candidates to the fusion for a larger k, which reordered the top."""
    first = [h.chunk_id for h in searcher.search(query, k=5)]
    assert [h.chunk_id for h in searcher.search(query, k=60)][:5] == first


def test_jurisdiction_filter_keeps_to_one_place(searcher):
    hits = searcher.search("what can businesses do for care leavers?", k=5, filters=Filters(jurisdiction=("wales",)))
    assert hits and all(h.jurisdiction == "wales" for h in hits)
    hits = searcher.search("what can businesses do for care leavers?", k=5, filters=Filters(jurisdiction=("england",)))
    assert hits and all(h.jurisdiction == "england" for h in hits)


def test_document_filter_and_unknown_document(searcher):
    hits = searcher.search("corporate parenting", k=5, filters=Filters(doc_id=("walsall-service",)))
    assert hits and {h.doc_id for h in hits} == {"walsall-service"}
    with pytest.raises(DocumentNotFound):
        searcher.search("corporate parenting", filters=Filters(doc_id=("no-such-doc",)))
    with pytest.raises(UsageError):
        Filters.from_dict({"colour": "blue"})
    with pytest.raises(UsageError):
        Filters.from_dict({"jurisdiction": "scotland"})


def test_near_duplicates_fold_into_one_hit(searcher):
    # Telford's strategy reuses the LGA pack's paragraph on bed and breakfast accommodation
    hits = searcher.search("should care leavers be placed in bed and breakfast accommodation?", k=5)
    bb = [h for h in hits if "bed and breakfast" in h.text]
    assert len(bb) == 1
    assert bb[0].also_in and {a["doc_id"] for a in bb[0].also_in} | {bb[0].doc_id} >= {"lga-resource-pack", "telford-partners"}


@pytest.mark.parametrize("query", ["", "   ", "\x00\x07", "x" * 2001])
def test_bad_queries_get_a_clear_message(query):
    with pytest.raises(UsageError):
        check_query(query)


@pytest.mark.parametrize("query", ["the and of to", "Что должны делать жилищные службы?"])
def test_odd_but_valid_queries_still_find_passages(searcher, library, query):
    """Only stop words, or another language: BM25 has nothing to match, dense search still answers."""
    hits = searcher.search(query, k=3)
    assert [h.rank for h in hits] == [1, 2, 3]
    assert all(library.document(h.doc_id).text[h.start:h.end] == h.text for h in hits)


def test_control_characters_in_a_query_are_treated_as_spaces(searcher):
    odd = searcher.search("care\tleavers\x0b housing", k=3)
    assert odd and [h.chunk_id for h in odd] == [h.chunk_id for h in searcher.search("care leavers housing", k=3)]


def test_updated_document_is_reflected_in_search(tmp_path, embedder):
    from cpguide.index.library import Library
    from cpguide.index.search import Searcher
    from cpguide.ingest.pipeline import run_ingest
    from cpguide.ingest.sources import discover
    from cpguide.settings import PACKAGED_MODEL

    doc = tmp_path / "local.txt"
    doc.write_text("Leisure passes\n\nCare leavers get a free leisure pass for the council's swimming pools.\n")
    index = tmp_path / "index"
    run_ingest(discover([doc]), index_dir=index, model=PACKAGED_MODEL, embedder_factory=lambda: embedder)
    doc.write_text("Leisure passes\n\nCare leavers get free bus travel across the county until they are 25.\n")
    run_ingest(discover([doc]), index_dir=index, model=PACKAGED_MODEL, embedder_factory=lambda: embedder)
    hits = Searcher(Library.open(index), embedder).search("free transport for care leavers", k=1)
    assert "bus travel" in hits[0].text and "swimming" not in hits[0].text


@pytest.fixture
def cli(starter_index, monkeypatch):
    from cpguide.cli import _register, cli as group

    _register()
    monkeypatch.setenv("CPGUIDE_INDEX_DIR", str(starter_index))
    return lambda *args: CliRunner().invoke(group, list(args))


def test_cli_search_json_shape(cli):
    result = cli("search", "what should housing services do for care leavers?", "--k", "3", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["query"] == "what should housing services do for care leavers?"
    assert len(data["hits"]) == 3
    for key in ("rank", "score", "doc_id", "title", "jurisdiction", "page", "section", "text", "highlights"):
        assert key in data["hits"][0]


def test_cli_search_queries_file_prints_json_lines(cli, tmp_path):
    queries = tmp_path / "q.txt"
    queries.write_text("care leavers housing\n\nvirtual school head\n   \n")
    result = cli("search", "--queries", str(queries), "--k", "2")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [q["query"] for q in lines] == ["care leavers housing", "virtual school head"]
    assert all(len(q["hits"]) == 2 for q in lines)


def test_cli_empty_query_is_an_error_not_a_traceback(starter_index):
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "cpguide", "search", "   ", "--index-dir", str(starter_index)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "Error: The question is empty." in proc.stderr and "Traceback" not in proc.stderr


def test_a_vocabulary_file_with_a_mistake_is_reported_by_name_and_line(tmp_path):
    """Councils add their own terms by hand: a term listed twice is their file's mistake, said so."""
    from cpguide.datafiles import DataFileError
    from cpguide.index.vocabulary import load_vocabulary

    path = tmp_path / "vocabulary.toml"
    path.write_text('[phrases]\n"kids" = ["children"]\n"kids" = ["young people"]\n', encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        load_vocabulary(path)
    assert str(path) in str(caught.value) and "line 3" in str(caught.value)
    assert "listed twice" in str(caught.value)

