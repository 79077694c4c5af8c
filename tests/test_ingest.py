"""Ingest end to end on small files: incremental runs, bad input, interruptions, model checks.

These use the hashing embedder (instant, deterministic) because they test storage and
bookkeeping, not meaning; the real model is exercised in the search and assistant tests.
"""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

from cpguide.errors import IndexMismatch, IndexMissing
from cpguide.index import store
from cpguide.index.embedder import HashingEmbedder
from cpguide.index.library import Library
from cpguide.index.search import Searcher
from cpguide.ingest.pipeline import run_ingest
from cpguide.ingest.sources import discover, starter_corpus_dir
from tests.pdf_factory import make_pdf

MODEL = "hashing:64"


def ingest(paths, index_dir, embedder=None, **kw):
    embedder = embedder or HashingEmbedder(64)
    return run_ingest(discover([Path(p) for p in paths], kw.pop("overrides", None)), index_dir=index_dir,
                      model=MODEL, embedder_factory=lambda: embedder, **kw)


@pytest.fixture
def corpus(tmp_path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "housing.txt").write_text(
        "Housing services\n\nCare leavers should not be placed in bed and breakfast accommodation.\n\n"
        "Councils should make sure care leavers have a suitable home and support to keep it.\n")
    (folder / "health.md").write_text(
        "# Health\n\nLooked-after children should receive an annual health assessment.\n\n"
        "- register them with a GP and a dentist\n- check dental appointments are kept\n")
    return folder


def test_second_run_embeds_nothing_and_writes_nothing(corpus, tmp_path):
    index = tmp_path / "index"
    first = ingest([corpus], index)
    assert first.count("added") == 2 and first.chunks > 0
    gen = store.current_generation(index)
    counting = HashingEmbedder(64)
    again = ingest([corpus], index, embedder=counting)
    assert again.count("unchanged") == 2
    assert counting.texts_embedded == 0 and not again.wrote_index
    assert store.current_generation(index) == gen


def test_changed_file_replaces_its_chunks_only(corpus, tmp_path):
    index = tmp_path / "index"
    ingest([corpus], index)
    (corpus / "housing.txt").write_text("Housing services\n\nA brand new sentence about tenancy sustainment for care leavers.\n")
    counting = HashingEmbedder(64)
    report = ingest([corpus], index, embedder=counting)
    assert (report.count("updated"), report.count("unchanged")) == (1, 1)
    lib = Library.open(index)
    housing = [c.text for c in lib.chunks if c.doc_id == "housing"]
    assert any("tenancy sustainment" in t for t in housing)
    assert not any("bed and breakfast" in t for t in housing)
    assert counting.texts_embedded == len(housing)  # only the changed document was embedded
    # vectors stayed aligned with their chunks: each chunk is its own nearest neighbour
    searcher = Searcher(lib, HashingEmbedder(64))
    for c in lib.chunks:
        assert searcher.search(c.text, k=1, method="dense", dedupe=False)[0].chunk_id == c.chunk_id


def test_remove_and_docs_listing(corpus, tmp_path):
    index = tmp_path / "index"
    ingest([corpus], index)
    report = run_ingest([], index_dir=index, model=MODEL, embedder_factory=None, remove=["health"])
    assert report.removed == ["health"]
    lib = Library.open(index)
    assert list(lib.docs) == ["housing"]
    assert all(c.doc_id == "housing" for c in lib.chunks)


def test_bad_files_are_reported_by_name_and_the_rest_ingests(tmp_path, realworld_pdfs, corpus):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_text("")
    (bad / "notes.doc").write_bytes(b"\xd0\xcf\x11\xe0 old word file")
    (bad / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer\n%%EOF")
    paths = [corpus, bad / "empty.txt", bad / "notes.doc", bad / "broken.pdf",
             realworld_pdfs / "libreoffice-writer-password.pdf", realworld_pdfs / "pdf-with-jbig2.pdf",
             realworld_pdfs / "crazyones.pdf"]
    report = ingest(paths, tmp_path / "index")
    failed = {Path(o.path).name: o.reason for o in report.failed}
    assert set(failed) == {"empty.txt", "notes.doc", "broken.pdf", "libreoffice-writer-password.pdf",
                           "pdf-with-jbig2.pdf"}
    assert "password" in failed["libreoffice-writer-password.pdf"]
    assert "scanned" in failed["pdf-with-jbig2.pdf"]
    assert "empty" in failed["empty.txt"]
    assert report.count("added") == 3  # housing, health and crazyones
    lib = Library.open(tmp_path / "index")
    crazy = lib.document("crazyones")
    assert "misfits" in crazy.text and "ﬁ" not in crazy.text  # ligatures normalised for search


def test_interrupted_ingest_leaves_the_old_index_working(corpus, tmp_path):
    index = tmp_path / "index"
    ingest([corpus], index)
    before = Library.open(index)
    n_before = len(before.chunks)

    class Interrupting(HashingEmbedder):
        def embed(self, texts, **kw):
            raise KeyboardInterrupt

    (corpus / "more.txt").write_text("Another document about leisure passes for care leavers.\n")
    with pytest.raises(KeyboardInterrupt):
        ingest([corpus], index, embedder=Interrupting(64))
    after = Library.open(index)
    assert len(after.chunks) == n_before and "more" not in after.docs
    # the next run tidies away the abandoned half-built generation and finishes the job
    report = ingest([corpus], index)
    assert report.count("added") == 1
    assert len(list(index.glob("gen-*"))) == 1


def test_two_ingests_at_once_do_not_corrupt(corpus, tmp_path):
    index = tmp_path / "index"
    copies = []
    for i in range(2):
        folder = tmp_path / f"set{i}"
        shutil.copytree(corpus, folder)
        (folder / f"extra{i}.txt").write_text(f"Extra document number {i} about apprenticeships for care leavers.\n")
        copies.append(folder)
    errors = []

    def run(folder):
        try:
            ingest([folder], index)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(f,)) for f in copies]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    lib = Library.open(index)
    assert {"extra0", "extra1", "housing", "health"} <= set(lib.docs)
    assert len(lib.chunks) == lib.vector_index.ntotal == lib.lexical.n_rows


def test_querying_with_another_model_is_a_clear_error(corpus, tmp_path):
    index = tmp_path / "index"
    ingest([corpus], index)
    with pytest.raises(IndexMismatch) as err:
        Searcher(Library.open(index), HashingEmbedder(32))
    assert "re-ingest" in str(err.value).lower() or "ingest" in err.value.hint


def test_missing_index_says_what_to_run(tmp_path):
    with pytest.raises(IndexMissing) as err:
        Library.open(tmp_path / "nowhere")
    assert "cpguide ingest" in err.value.hint


def test_metadata_from_manifest_and_flags(tmp_path, corpus):
    report = ingest([corpus / "housing.txt"], tmp_path / "index",
                    overrides={"title": "Anytown housing protocol", "publisher": "Anytown Council",
                               "year": 2023, "jurisdiction": "wales", "kind": "local strategy"})
    assert report.count("added") == 1
    meta = Library.open(tmp_path / "index").meta("housing")
    assert (meta.title, meta.publisher, meta.year, meta.jurisdiction, meta.kind) == (
        "Anytown housing protocol", "Anytown Council", 2023, "wales", "local strategy")
    starter = discover([])
    assert {s.meta.doc_id for s in starter} == {"telford-partners", "walsall-service", "lga-resource-pack",
                                                "lga-week-2012", "wales-charter-toolkit"}
    wales = next(s for s in starter if s.meta.doc_id == "wales-charter-toolkit")
    assert wales.meta.jurisdiction == "wales" and wales.meta.publisher == "Welsh Government"


def test_pdf_title_and_pages_travel_into_chunks(tmp_path):
    pdf = make_pdf(tmp_path / "strategy.pdf",
                   [["Our pledge", "We will support care leavers into work."],
                    ["Housing", "Care leavers get priority for social housing in our area."]],
                   title="Anytown Corporate Parenting Strategy")
    ingest([pdf], tmp_path / "index")
    lib = Library.open(tmp_path / "index")
    assert lib.meta("strategy").title == "Anytown Corporate Parenting Strategy"
    housing = [c for c in lib.chunks if "social housing" in c.text]
    assert housing and housing[0].page_end == 2
    assert lib.docs["strategy"].pages == 2


def test_cli_ingest_json_and_exit_status(tmp_path, corpus, monkeypatch):
    from click.testing import CliRunner

    from cpguide.cli import _register, cli

    _register()
    (corpus / "empty.txt").write_text("   \n")
    monkeypatch.setenv("CPGUIDE_MODEL", MODEL)
    result = CliRunner().invoke(cli, ["ingest", str(corpus), "--index-dir", str(tmp_path / "i"), "--json"])
    assert result.exit_code == 1  # one file failed
    data = json.loads(result.stdout)
    assert data["summary"] == {"added": 2, "updated": 0, "unchanged": 0, "failed": 1}
    failed = [o for o in data["outcomes"] if o["status"] == "failed"]
    assert len(failed) == 1 and failed[0]["path"].endswith("empty.txt") and failed[0]["reason"]
    docs = CliRunner().invoke(cli, ["docs", "--index-dir", str(tmp_path / "i"), "--json"])
    assert docs.exit_code == 0
    listed = {d["doc_id"]: d for d in json.loads(docs.stdout)["documents"]}
    assert set(listed) == {"housing", "health"} and all(d["chunks"] > 0 for d in listed.values())


def test_starter_corpus_ships_in_the_package():
    names = {p.name for p in starter_corpus_dir().iterdir()}
    assert "manifest.toml" in names and len([n for n in names if n.endswith(".txt")]) == 5


def test_large_libraries_switch_to_the_approximate_index(corpus, tmp_path):
    index = tmp_path / "index"
    report = ingest([corpus], index, approx_above=1)  # pretend "large" means more than one chunk
    assert report.vector_index == "hnsw"
    lib = Library.open(index)
    assert lib.manifest["vector_index"] == "hnsw"
    searcher = Searcher(lib, HashingEmbedder(64))
    for c in lib.chunks:
        assert searcher.search(c.text, k=1, method="dense", dedupe=False)[0].chunk_id == c.chunk_id


def test_a_passages_vector_depends_on_its_text_only(tmp_path, embedder):
    """Adding a document later gives its passages the vectors a whole rebuild gives them, so a
    library built in steps answers as the same library built at once."""
    from cpguide.index.library import Library
    from cpguide.ingest.pipeline import run_ingest
    from cpguide.ingest.sources import discover
    from cpguide.settings import PACKAGED_MODEL

    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    (first / "housing.txt").write_text("Housing\n\nCare leavers should not be placed in bed and breakfast "
                                       "accommodation.\n\nCouncils should help care leavers keep a home.\n")
    (second / "schools.txt").write_text("Schools\n\nEvery school must appoint a designated teacher for "
                                        "looked-after children.\n")

    def build(index, *steps):
        for folders in steps:
            run_ingest(discover(folders), index_dir=index, model=PACKAGED_MODEL, embedder_factory=lambda: embedder)
        lib = Library.open(index)
        try:
            return {c.text: lib.vector_index.reconstruct(row) for row, c in enumerate(lib.chunks)}
        finally:
            lib.close()

    at_once = build(tmp_path / "once", [first, second])
    in_steps = build(tmp_path / "steps", [first], [first, second])
    assert at_once.keys() == in_steps.keys()
    for text, vector in at_once.items():
        assert np.allclose(vector, in_steps[text], atol=1e-6), text
