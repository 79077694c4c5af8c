"""Per-browser conversations, kept in SQLite beside the index so every server process shares them.

``cpguide serve --workers N`` runs N processes, and a browser's next question may reach any
of them; a restart must not forget the conversation either. So conversations live in
``INDEX_DIR/conversations.sqlite`` (WAL mode: readers never wait for the one writer), next
to ``CURRENT`` and outside the index generations, which ``cpguide ingest`` replaces and
prunes. Rebuilding the index keeps conversations; deleting the file forgets them all.

A browser is known by a random secret in an HttpOnly cookie (its *client key*); every
conversation belongs to exactly one client key, and asking for a conversation with the wrong
key gives the same answer as asking for one that never existed. Only a SHA-256 of the key is
stored, so the file never holds a usable cookie.

Size is bounded three ways: at most ``max_conversations`` in all (the least recently used
go first), at most ``per_client`` for one browser, and at most ``max_turns`` turns in one
thread (the oldest go; follow-up questions only ever look at the last one). A conversation
untouched for ``ttl_seconds`` is forgotten. Times are wall-clock seconds, because they are
compared across processes and restarts.

Where the index folder cannot be written (a read-only mount), conversations are kept in
memory for that process only, with a warning in the log: the chat still works with one worker.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from cpguide.assistant.conversation import Conversation, Turn
from cpguide.web.conversation_codec import UnreadableTurn, encode_answer, turn_from_row

log = logging.getLogger("cpguide.web")

COOKIE_NAME = "cpguide_client"
FILE_NAME = "conversations.sqlite"
SCHEMA_VERSION = 1  # PRAGMA user_version; conversations are short-lived, so another version starts afresh

SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,                -- sha256 of the client key, never the key
    filters TEXT NOT NULL DEFAULT '{}', -- what the chat page's filter form shows
    jurisdiction TEXT,                  -- set by "and in Wales?" and kept for later turns
    touched REAL NOT NULL               -- wall-clock seconds of the last use
);
CREATE INDEX IF NOT EXISTS conversations_owner ON conversations(owner, touched);
CREATE INDEX IF NOT EXISTS conversations_touched ON conversations(touched);
CREATE TABLE IF NOT EXISTS turns (
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,            -- 1-based and never reused, so trimmed threads keep their numbering
    question TEXT NOT NULL,
    resolved TEXT NOT NULL,
    answer TEXT,                        -- records.Answer as JSON (see conversation_codec)
    PRIMARY KEY (conversation_id, number)
);
CREATE TABLE IF NOT EXISTS current (
    owner TEXT PRIMARY KEY,             -- the conversation each browser's chat page shows
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE
);
"""


def new_client_key() -> str:
    """A fresh browser secret: 192 random bits, URL-safe, for the cookie."""
    return secrets.token_urlsafe(24)


def _digest(client_key: str) -> str:
    return hashlib.sha256(client_key.encode()).hexdigest()


@dataclass
class Thread:
    """One conversation plus what the chat page needs to redraw it (filters, trimmed turns).

    A snapshot read from the store; :meth:`ConversationStore.add_turn` writes it back.
    """

    conversation: Conversation
    owner: str  # sha256 of the client key
    filters: dict = field(default_factory=dict)
    dropped_turns: int = 0  # turns removed to respect max_turns, so numbering stays stable

    @property
    def id(self) -> str:
        return self.conversation.id

    @property
    def turns(self) -> list[Turn]:
        return self.conversation.turns


class ConversationStore:
    """Conversations in one SQLite file that any number of processes may open at once.

    Args:
        path: the database file, normally ``INDEX_DIR/conversations.sqlite``; ``None`` keeps
            conversations in this process's memory only.
        clock: wall-clock seconds; tests pass their own.
    """

    def __init__(self, path: Path | None, *, max_conversations: int = 1000, per_client: int = 10,
                 max_turns: int = 40, ttl_seconds: float = 4 * 3600, clock: Callable[[], float] = time.time):
        self.path = path
        self.max_conversations = max_conversations
        self.per_client = per_client
        self.max_turns = max_turns
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()  # one connection per process, used by one thread at a time

    @classmethod
    def beside_index(cls, index_dir: Path, **limits) -> "ConversationStore":
        return cls(Path(index_dir) / FILE_NAME, **limits)

    def __len__(self) -> int:
        with self._reading() as conn:
            return conn.execute("SELECT COUNT(*) FROM conversations WHERE touched >= ?",
                                (self._oldest_alive(),)).fetchone()[0]

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    # -- lookups ------------------------------------------------------------------------------
    def get(self, conversation_id: str, client_key: str) -> Thread | None:
        """The client's conversation with this id; None if unknown, expired or someone else's."""
        with self._writing() as conn:
            return self._load(conn, conversation_id, _digest(client_key))

    def current(self, client_key: str) -> Thread | None:
        """The conversation the client's chat page shows, if it still exists."""
        owner = _digest(client_key)
        with self._writing() as conn:
            row = conn.execute("SELECT conversation_id FROM current WHERE owner = ?", (owner,)).fetchone()
            return self._load(conn, row[0], owner) if row else None

    def current_or_new(self, client_key: str) -> Thread:
        return self.current(client_key) or self.new(client_key)

    # -- changes ------------------------------------------------------------------------------
    def new(self, client_key: str, filters: dict | None = None) -> Thread:
        """Start a conversation for this client and make it the one its chat page shows."""
        owner = _digest(client_key)
        thread = Thread(Conversation(id=secrets.token_urlsafe(16)), owner, dict(filters or {}))
        with self._writing() as conn:
            self._expire(conn)
            mine = [r[0] for r in conn.execute(
                "SELECT id FROM conversations WHERE owner = ? ORDER BY touched DESC", (owner,))]
            self._drop(conn, mine[self.per_client - 1:])
            excess = conn.execute("SELECT COUNT(*) FROM conversations").fetchone()[0] - self.max_conversations + 1
            if excess > 0:
                self._drop(conn, [r[0] for r in conn.execute(
                    "SELECT id FROM conversations ORDER BY touched LIMIT ?", (excess,))])
            conn.execute("INSERT INTO conversations (id, owner, filters, jurisdiction, touched) VALUES (?,?,?,?,?)",
                         (thread.id, owner, json.dumps(thread.filters), None, self._clock()))
            conn.execute("INSERT OR REPLACE INTO current (owner, conversation_id) VALUES (?, ?)", (owner, thread.id))
        return thread

    def add_turn(self, thread: Thread, turn: Turn) -> int:
        """Store a turn (and the thread's filters and place), trimming the oldest beyond ``max_turns``.

        Returns the turn's 1-based number. Numbers come from the database, so two processes
        answering in the same conversation at once each get their own.
        """
        with self._writing() as conn:
            conn.execute(
                "INSERT INTO conversations (id, owner, filters, jurisdiction, touched) VALUES (?,?,?,?,?) "
                "ON CONFLICT(id) DO UPDATE SET filters = excluded.filters, jurisdiction = excluded.jurisdiction, "
                "touched = excluded.touched",
                (thread.id, thread.owner, json.dumps(thread.filters), thread.conversation.jurisdiction, self._clock()))
            number = conn.execute("SELECT COALESCE(MAX(number), 0) + 1 FROM turns WHERE conversation_id = ?",
                                  (thread.id,)).fetchone()[0]
            conn.execute("INSERT INTO turns (conversation_id, number, question, resolved, answer) VALUES (?,?,?,?,?)",
                         (thread.id, number, turn.question, turn.resolved, encode_answer(turn.answer)))
            conn.execute("DELETE FROM turns WHERE conversation_id = ? AND number <= ?",
                         (thread.id, number - self.max_turns))
        turns = thread.conversation.turns
        turns.append(turn)
        del turns[:max(0, len(turns) - self.max_turns)]
        thread.dropped_turns = max(0, number - self.max_turns)
        return number

    # -- the database -------------------------------------------------------------------------
    def _oldest_alive(self) -> float:
        return self._clock() - self.ttl_seconds

    def _load(self, conn: sqlite3.Connection, conversation_id: str, owner: str) -> Thread | None:
        row = conn.execute("SELECT owner, filters, jurisdiction FROM conversations WHERE id = ? AND touched >= ?",
                           (conversation_id, self._oldest_alive())).fetchone()
        if row is None or not hmac.compare_digest(row[0], owner):
            return None
        rows = conn.execute("SELECT number, question, resolved, answer FROM turns WHERE conversation_id = ? "
                            "ORDER BY number", (conversation_id,)).fetchall()
        try:
            turns = [turn_from_row(question, resolved, answer) for _, question, resolved, answer in rows]
        except UnreadableTurn as exc:
            log.info("Conversation %s is treated as gone: %s", conversation_id[:6], exc)
            return None
        conn.execute("UPDATE conversations SET touched = ? WHERE id = ?", (self._clock(), conversation_id))
        conversation = Conversation(id=conversation_id, turns=turns, jurisdiction=row[2])
        return Thread(conversation, owner, json.loads(row[1]), dropped_turns=rows[0][0] - 1 if rows else 0)

    def _drop(self, conn: sqlite3.Connection, ids: list[str]) -> None:
        conn.executemany("DELETE FROM conversations WHERE id = ?", [(i,) for i in ids])

    def _expire(self, conn: sqlite3.Connection) -> None:
        conn.execute("DELETE FROM conversations WHERE touched < ?", (self._oldest_alive(),))

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            yield self._connection()

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """One transaction that takes the write lock up front, so two processes never deadlock
        upgrading a read to a write; SQLite's busy timeout makes the second one wait its turn."""
        with self._lock:
            conn = self._connection()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            self._conn = self._open()
        return self._conn

    def _open(self) -> sqlite3.Connection:
        if self.path is not None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                return _open_shared(self.path)
            except (OSError, sqlite3.Error) as exc:
                log.warning("Conversations are kept in memory for this server process only: %s cannot be "
                            "written (%s). Follow-up questions need the same process, and a restart forgets them.",
                            self.path, exc)
                self.path = None
        return _prepare(sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False), wal=False)


def _open_shared(path: Path, wait_seconds: float = 30.0) -> sqlite3.Connection:
    """Open the shared file, waiting out another process that is opening it at the same moment.

    Two workers starting on a new file both try to switch it to WAL; SQLite answers the
    second "database is locked" at once, without its busy timeout (waiting could deadlock),
    so the open is retried here rather than leaving that worker with memory-only conversations.
    """
    deadline = time.monotonic() + wait_seconds
    while True:
        conn = sqlite3.connect(path, timeout=wait_seconds, isolation_level=None, check_same_thread=False)
        try:
            return _prepare(conn, wal=True)
        except sqlite3.OperationalError as exc:
            conn.close()
            if not _is_busy(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.005 + secrets.randbelow(20) / 1000)
        except BaseException:
            conn.close()
            raise


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    return any(word in str(exc).lower() for word in ("locked", "busy"))


def _prepare(conn: sqlite3.Connection, *, wal: bool) -> sqlite3.Connection:
    conn.execute("PRAGMA busy_timeout = 30000")
    if wal:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")  # in WAL mode: durable across a crash of the server
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("BEGIN IMMEDIATE")
    if conn.execute("PRAGMA user_version").fetchone()[0] not in (0, SCHEMA_VERSION):
        for table in ("current", "turns", "conversations"):
            conn.execute(f"DROP TABLE IF EXISTS {table}")  # noqa: S608 - fixed names
    for statement in SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    conn.execute("COMMIT")
    return conn
