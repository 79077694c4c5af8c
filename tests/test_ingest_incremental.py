"""A re-ingest after one file changed redoes only that file's work.

Duty statements and BM25 tokens of unchanged documents are carried from the live generation;
what a user sees (the duty table, keyword scores, search results) must be exactly what a full
rebuild gives. The hashing embedder keeps these fast: they test bookkeeping, not meaning.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cpguide.assistant import duties
from cpguide.commands.ingest import post_build_hooks
from cpguide.index import lexical, store
from cpguide.index.embedder import HashingEmbedder
from cpguide.index.library import Library
from cpguide.ingest.pipeline import run_ingest
from cpguide.ingest.sources import discover

MODEL = "hashing:64"

DOCS = {
    "housing.txt": "Housing services\n\nHousing services must not place care leavers in bed and breakfast "
                   "accommodation.\n\nCouncils should make sure care leavers have a suitable home and support to "
                   "keep it.\n",
    "health.md": "# Health\n\nThe integrated care board should make sure looked-after children receive an annual "
                 "health assessment.\n\nExamples of what you can do as a corporate parent in health services:\n\n"
                 "- register them with a GP and a dentist\n- check dental appointments are kept\n",
    "schools.txt": "Schools\n\nEvery school must appoint a designated teacher for looked-after children.\n\n"
                   "Governors should review the progress of children in care each term.\n",
    "police.txt": "Police\n\nPolice forces should avoid criminalising children in care for minor incidents.\n",
}


def ingest(folder: Path, index: Path, **kw):
    embedder = HashingEmbedder(64)
    return run_ingest(discover([folder]), index_dir=index, model=MODEL, embedder_factory=lambda: embedder,
                      post_build=post_build_hooks(), **kw)


@pytest.fixture
def corpus(tmp_path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, text in DOCS.items():
        (folder / name).write_text(text)
    return folder


@pytest.fixture
def extracted(monkeypatch) -> list[str]:
    """The ids of the documents duty extraction reads, in order."""
    seen: list[str] = []
    real = duties.extract_duties

    def counting(doc):
        seen.append(doc.meta.doc_id)
        return real(doc)

    monkeypatch.setattr(duties, "extract_duties", counting)
    return seen


@pytest.fixture
def tokenised(monkeypatch) -> list[str]:
    """Every text BM25 tokenises while building an index."""
    seen: list[str] = []
    real = lexical.tokenize

    def counting(text):
        seen.append(text)
        return real(text)

    monkeypatch.setattr(lexical, "tokenize", counting)
    return seen


def duty_rows(index: Path) -> list[tuple]:
    lib = Library.open(index)
    try:
        return [tuple(r) for r in lib.query("SELECT * FROM duties ORDER BY duty_id")]
    finally:
        lib.close()


def change_schools(corpus: Path) -> None:
    with open(corpus / "schools.txt", "a") as fh:
        fh.write("\nThe virtual school head must promote the educational achievement of looked-after children.\n")


def test_one_file_change_re_extracts_duties_for_that_file_only(corpus, tmp_path, extracted):
    index = tmp_path / "index"
    ingest(corpus, index)
    assert sorted(extracted) == ["health", "housing", "police", "schools"]
    extracted.clear()
    change_schools(corpus)
    report = ingest(corpus, index)
    assert report.count("updated") == 1 and report.count("unchanged") == 3
    assert extracted == ["schools"]
    rows = duty_rows(index)
    assert any("virtual school head must" in r[2] for r in rows)

    fresh = tmp_path / "fresh"
    ingest(corpus, fresh)
    assert rows == duty_rows(fresh)


def test_removing_a_document_keeps_the_others_duties_without_reading_them(corpus, tmp_path, extracted):
    index = tmp_path / "index"
    ingest(corpus, index)
    extracted.clear()
    embedder = HashingEmbedder(64)
    run_ingest([], index_dir=index, model=MODEL, embedder_factory=lambda: embedder, remove=["police"],
               post_build=post_build_hooks())
    assert extracted == []
    rows = duty_rows(index)
    assert {r[1] for r in rows} == {"health", "housing", "schools"}
    assert not any(r[1] == "police" for r in rows)


def test_duties_are_found_again_when_the_rules_change(corpus, tmp_path, extracted, monkeypatch):
    index = tmp_path / "index"
    ingest(corpus, index)
    extracted.clear()
    monkeypatch.setattr(duties, "rules_fingerprint", lambda: "edited-actors-toml")
    change_schools(corpus)
    ingest(corpus, index)
    assert sorted(extracted) == ["health", "housing", "police", "schools"]


def test_one_file_change_tokenises_only_that_files_passages(corpus, tmp_path, tokenised):
    index = tmp_path / "index"
    ingest(corpus, index)
    tokenised.clear()
    change_schools(corpus)
    ingest(corpus, index)
    assert tokenised and all("Schools" in t for t in tokenised)

    fresh = tmp_path / "fresh"
    ingest(corpus, fresh)
    a, b = Library.open(index), Library.open(fresh)
    try:
        assert [c.chunk_id for c in a.chunks] == [c.chunk_id for c in b.chunks]
        for query in (["school", "teacher"], ["care", "leaver", "hous"], ["gp", "dentist"], ["virtual"]):
            np.testing.assert_allclose(a.lexical.scores(query), b.lexical.scores(query), rtol=1e-6)
        assert a.lexical.doc_freq == b.lexical.doc_freq
    finally:
        a.close()
        b.close()


def test_an_index_without_saved_tokens_or_duty_rules_is_brought_up_to_date(corpus, tmp_path, tokenised, extracted):
    """An index written by an older cpguide has neither; the next ingest redoes the work once."""
    index = tmp_path / "index"
    ingest(corpus, index)
    gen = store.current_generation(index)
    (gen / "lexical" / lexical.TOKENS_FILE).unlink()
    conn = store.connect(gen / "library.sqlite")
    with conn:
        conn.execute("DROP TABLE duties_rules")
    conn.close()
    tokenised.clear()
    extracted.clear()
    change_schools(corpus)
    ingest(corpus, index)
    assert sorted(extracted) == ["health", "housing", "police", "schools"]
    assert len(tokenised) == len(Library.open(index).chunks)

    tokenised.clear()
    extracted.clear()
    (corpus / "police.txt").write_text(DOCS["police.txt"] + "\nOfficers should know who the children in care are.\n")
    ingest(corpus, index)
    assert extracted == ["police"]
    assert tokenised and all("Police" in t for t in tokenised)


def test_fold_gives_the_same_tokens_for_plain_and_accented_text():
    assert lexical.tokenize("Café leavers’ HOUSING¹") == lexical.tokenize("Cafe leavers' housing")
    assert lexical.fold("Plain ASCII Text") == "plain ascii text"


def test_tokenising_in_many_threads_at_once_gives_each_its_own_tokens():
    """Concurrent web requests tokenise at the same time; words must not leak between them."""
    import random
    import threading

    rng = random.Random(7)
    words = ["".join(rng.choice("abcdefghijklmnoprstuvw") for _ in range(rng.randint(6, 12))) + suffix
             for suffix in ("ing", "ation", "ness", "ised", "ement", "fulness") for _ in range(1500)]
    texts = [" ".join(words[i::8]) for i in range(8)]
    lexical._stem.cache_clear()
    expected = {}
    for t in texts:  # each word's stem on its own, with the cache emptied in between
        expected[t] = [lexical._stemmer().stemWord(w) for w in t.split()]
    lexical._stem.cache_clear()
    got: dict[str, list[str]] = {}
    errors: list[BaseException] = []

    def run(text: str) -> None:
        try:
            got[text] = lexical.tokenize(text)
        except BaseException as exc:  # a shared stemmer can fail outright, not only garble
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(t,)) for t in texts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert got == expected
