"""The web app's conversation store: shared by server processes, kept across restarts, bounded.

No model here: conversations are stored records, so these tests build answers by hand.
The same behaviour through the running app (two workers, a restart) is in test_web_api.py.
"""

from __future__ import annotations

import sqlite3
import threading

import pytest

from cpguide.assistant.conversation import Turn
from cpguide.records import Answer, Citation, Hit, Span
from cpguide.web.conversation_codec import decode_answer, encode_answer
from cpguide.web.conversations import ConversationStore, new_client_key


def an_answer(question: str = "what should housing do?") -> Answer:
    citation = Citation(n=1, doc_id="lga-resource-pack", title="Corporate parenting resource pack",
                        publisher="Local Government Association", year=2019, jurisdiction="england",
                        kind="national toolkit", page=12, section="Housing", quote="Care leavers should not be placed.",
                        start=10, end=44, chunk_id="lga-resource-pack#3", notes=("check this is current",))
    hit = Hit(rank=1, score=0.5, chunk_id="telford-partners#1", doc_id="telford-partners", title="Partners",
              publisher="Telford & Wrekin Council", year=2024, jurisdiction="england", kind="local strategy",
              page=None, page_end=None, section="Housing", text="Housing services help.", start=0, end=22,
              highlights=(Span(0, 7),), also_in=({"doc_id": "x", "title": "X"},), scores={"bm25": 1.5})
    return Answer(question=question, answer="Care leavers should not be placed. [1]", citations=(citation,),
                  abstained=False, related=(hit,), notices=("a notice",), resolved_question=question + " (in Wales)",
                  mode="extractive", duties=({"n": 1, "strength": "must", "actors": ["housing"]},))


@pytest.fixture
def path(tmp_path):
    return tmp_path / "index" / "conversations.sqlite"


def test_an_answer_survives_the_round_trip_whole():
    answer = an_answer()
    assert decode_answer(encode_answer(answer)) == answer
    assert decode_answer(encode_answer(None)) is None


def test_two_stores_on_one_file_share_conversations(path):
    """Two server processes (here two store objects) see each other's conversations and turns."""
    first, second = ConversationStore(path), ConversationStore(path)
    key = new_client_key()
    thread = first.new(key, filters={"jurisdiction": "wales"})
    assert first.add_turn(thread, Turn("what should housing do?", "what should housing do?", an_answer())) == 1

    seen = second.get(thread.id, key)
    assert seen is not None and seen.filters == {"jurisdiction": "wales"}
    assert [t.answer for t in seen.turns] == [an_answer()]
    assert second.add_turn(seen, Turn("and health?", "what should health do?", an_answer("and health?"))) == 2
    assert [t.question for t in first.current(key).turns] == ["what should housing do?", "and health?"]
    assert first.get(thread.id, new_client_key()) is None  # someone else's key: as if it did not exist


def test_conversations_survive_closing_and_reopening(path):
    store = ConversationStore(path)
    key = new_client_key()
    thread = store.new(key)
    store.add_turn(thread, Turn("q", "q", an_answer()))
    thread.conversation.jurisdiction = "wales"
    store.add_turn(thread, Turn("and in Wales?", "q (in Wales)", an_answer()))
    store.close()

    again = ConversationStore(path).current(key)
    assert again is not None and again.id == thread.id
    assert [t.resolved for t in again.turns] == ["q", "q (in Wales)"]
    assert again.conversation.jurisdiction == "wales"


def test_the_store_keeps_only_a_hash_of_the_client_key(path):
    store = ConversationStore(path)
    key = new_client_key()
    store.add_turn(store.new(key), Turn("q", "q", an_answer()))
    store.close()
    raw = b"".join(p.read_bytes() for p in path.parent.glob("conversations.sqlite*"))
    assert key.encode() not in raw


def test_the_store_is_in_wal_mode(path):
    store = ConversationStore(path)
    store.new(new_client_key())
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_conversation_store_bounds_and_expiry(path):
    now = [1000.0]
    store = ConversationStore(path, max_conversations=3, per_client=2, max_turns=2, ttl_seconds=100,
                              clock=lambda: now[0])
    a, b = new_client_key(), new_client_key()
    first = store.new(a)
    second = store.new(a)
    third = store.new(a)  # a's oldest goes: two per client
    assert store.get(first.id, a) is None and store.get(second.id, a).id == second.id
    assert store.current(a).id == third.id and store.get(third.id, b) is None

    assert [store.add_turn(third, Turn(q, q)) for q in "xyz"] == [1, 2, 3]
    assert [t.question for t in third.turns] == ["y", "z"] and third.dropped_turns == 1
    reloaded = store.get(third.id, a)
    assert [t.question for t in reloaded.turns] == ["y", "z"] and reloaded.dropped_turns == 1
    now[0] += 1
    store.new(b)
    now[0] += 1
    store.new(b)  # the store is full: the least recently used conversation goes
    assert len(store) == 3 and store.get(second.id, a) is None
    now[0] += 101
    assert store.current(a) is None and len(store) == 0


def test_many_clients_at_once_on_two_stores(path):
    """20 clients, each a question and two follow-ups, alternating between two 'workers'."""
    workers = [ConversationStore(path), ConversationStore(path)]
    problems: list[str] = []

    def client(i: int) -> None:
        key = new_client_key()
        try:
            thread = workers[i % 2].new(key)
            for n in range(1, 4):
                store = workers[(i + n) % 2]
                thread = store.get(thread.id, key)
                if thread is None or store.add_turn(thread, Turn(f"q{n}", f"q{n}", an_answer())) != n:
                    problems.append(f"client {i}, turn {n}")
                    return
        except Exception as exc:  # noqa: BLE001 - every failure is counted, none may happen
            problems.append(f"client {i}: {exc!r}")

    threads = [threading.Thread(target=client, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert problems == []
    assert len(ConversationStore(path)) == 20


def test_a_turn_stored_by_another_version_is_treated_as_gone(path):
    store = ConversationStore(path)
    key = new_client_key()
    thread = store.new(key)
    store.add_turn(thread, Turn("q", "q", an_answer()))
    store.close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE turns SET answer = ?", ('{"question": "q", "unexpected": 1}',))
    assert ConversationStore(path).get(thread.id, key) is None


def test_an_unwritable_index_folder_falls_back_to_memory(tmp_path, caplog):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    store = ConversationStore(blocker / "conversations.sqlite")
    key = new_client_key()
    thread = store.new(key)
    assert store.get(thread.id, key).id == thread.id
    assert "kept in memory" in caplog.text


def test_two_workers_starting_together_on_a_new_file_both_share_it(tmp_path):
    """Two server processes opening a new conversations file at the same moment: both keep to the
    file (each sees the other's conversation), neither is left with memory-only conversations."""
    for trial in range(60):
        path = tmp_path / f"trial{trial}" / "conversations.sqlite"
        workers = [ConversationStore(path), ConversationStore(path)]
        keys = [new_client_key(), new_client_key()]
        started = threading.Barrier(2)
        threads: dict[int, object] = {}

        def start(i: int) -> None:
            started.wait()
            threads[i] = workers[i].new(keys[i])

        runners = [threading.Thread(target=start, args=(i,)) for i in range(2)]
        for t in runners:
            t.start()
        for t in runners:
            t.join(timeout=60)
        assert workers[1].get(threads[0].id, keys[0]) is not None, f"trial {trial}"
        assert workers[0].get(threads[1].id, keys[1]) is not None, f"trial {trial}"
        for w in workers:
            w.close()
