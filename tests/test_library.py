"""The loaded library reads passages from SQLite by row instead of holding them all.

Whatever callers do with ``library.chunks`` (count, index, slice, iterate) must give what the
old in-memory list gave, and search results and answers (hits, citations, quotes) must be the
same as with every passage held in memory.
"""

from __future__ import annotations

import threading

import pytest

from cpguide.index import store
from cpguide.index.library import Library
from cpguide.index.search import Filters, Searcher


def eager_chunks(library: Library) -> list:
    """The passages as the library used to hold them: every row read up front."""
    conn = store.connect(library.generation / "library.sqlite", readonly=True)
    try:
        return [store.chunk_from_row(r) for r in conn.execute("SELECT * FROM chunks ORDER BY row")]
    finally:
        conn.close()


@pytest.fixture(scope="module")
def eager_library(starter_index):
    """A second library of the same index with the old in-memory list of passages."""
    lib = Library.open(starter_index)
    rows, lib.chunks = lib.chunks, eager_chunks(lib)
    yield lib
    lib.chunks = rows
    lib.close()


def test_chunks_behave_like_the_list_they_replace(library):
    expected = eager_chunks(library)
    chunks = library.chunks
    assert len(chunks) == len(expected) > 100
    assert list(chunks) == expected
    assert chunks[0] == expected[0] and chunks[-1] == expected[-1]
    assert chunks[10:15] == expected[10:15] and chunks[::50] == expected[::50]
    assert [c.doc_id for c in chunks] == list(library.row_doc)
    with pytest.raises(IndexError):
        chunks[len(expected)]
    assert sum(1 for c in chunks if c.doc_id == "walsall-service") == library.docs["walsall-service"].chunks


def test_search_gives_the_same_hits_as_with_every_passage_in_memory(library, eager_library, embedder):
    lazy, eager = Searcher(library, embedder), Searcher(eager_library, embedder)
    questions = ["what should housing services do for care leavers?", "what can businesses do?",
                 "how should councillors challenge officers at the corporate parenting panel?"]
    for q in questions:
        assert lazy.search(q, k=8) == eager.search(q, k=8)
    wales = Filters.from_dict({"jurisdiction": ["wales"]})
    assert lazy.search("what can businesses do?", k=5, filters=wales) == \
        eager.search("what can businesses do?", k=5, filters=wales)


def test_answers_cite_the_same_passages_as_with_every_passage_in_memory(library, eager_library, embedder):
    from cpguide.assistant.answer import Assistant

    lazy, eager = Assistant(Searcher(library, embedder)), Assistant(Searcher(eager_library, embedder))
    for q in ("what should housing services do for care leavers?", "what are the corporate parenting principles?"):
        a, b = lazy.ask(q), eager.ask(q)
        assert a.answer == b.answer
        assert [c.to_dict() for c in a.citations] == [c.to_dict() for c in b.citations]


def test_passages_read_from_many_threads_at_once_are_the_right_ones(starter_index):
    lib = Library.open(starter_index)
    expected = eager_chunks(lib)
    errors: list[str] = []

    def read(offset: int) -> None:
        for i in range(offset, len(expected), 7):
            if lib.chunks[i] != expected[i]:
                errors.append(f"row {i}")

    threads = [threading.Thread(target=read, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lib.close()
    assert errors == []
