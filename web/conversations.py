"""Per-browser conversations, held in memory on the server.

A browser is known by a random secret in an HttpOnly cookie (its *client key*); every
conversation belongs to exactly one client key, and asking for a conversation with the wrong
key gives the same answer as asking for one that never existed. Only a hash of the key is
kept, so the store's memory never holds a usable cookie.

Memory is bounded three ways: at most ``max_conversations`` in all (the least recently used
go first), at most ``per_client`` for one browser, and at most ``max_turns`` turns in one
thread (the oldest go; follow-up questions only ever look at the last one). A conversation
untouched for ``ttl_seconds`` is forgotten.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable

from cpguide.assistant.conversation import Conversation, Turn

COOKIE_NAME = "cpguide_client"


def new_client_key() -> str:
    """A fresh browser secret: 192 random bits, URL-safe, for the cookie."""
    return secrets.token_urlsafe(24)


def _digest(client_key: str) -> str:
    return hashlib.sha256(client_key.encode()).hexdigest()


@dataclass
class Thread:
    """One conversation plus what the chat page needs to redraw it (filters, trimmed turns)."""

    conversation: Conversation
    owner: str  # sha256 of the client key
    filters: dict = field(default_factory=dict)
    dropped_turns: int = 0  # turns removed to respect max_turns, so numbering stays stable
    touched: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def id(self) -> str:
        return self.conversation.id

    @property
    def turns(self) -> list[Turn]:
        return self.conversation.turns


class ConversationStore:
    def __init__(self, *, max_conversations: int = 1000, per_client: int = 10, max_turns: int = 40,
                 ttl_seconds: float = 4 * 3600, clock: Callable[[], float] = time.monotonic):
        self.max_conversations = max_conversations
        self.per_client = per_client
        self.max_turns = max_turns
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self._threads: OrderedDict[str, Thread] = OrderedDict()  # least recently used first
        self._current: dict[str, str] = {}  # owner -> the conversation the chat page shows
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            self._expire()
            return len(self._threads)

    # -- lookups ------------------------------------------------------------------------------
    def get(self, conversation_id: str, client_key: str) -> Thread | None:
        """The client's conversation with this id; None if unknown, expired or someone else's."""
        with self._lock:
            self._expire()
            thread = self._threads.get(conversation_id)
            if thread is None or not hmac.compare_digest(thread.owner, _digest(client_key)):
                return None
            return self._touch(thread)

    def current(self, client_key: str) -> Thread | None:
        """The conversation the client's chat page shows, if it still exists."""
        with self._lock:
            self._expire()
            conversation_id = self._current.get(_digest(client_key))
            thread = self._threads.get(conversation_id) if conversation_id else None
            return self._touch(thread) if thread else None

    def current_or_new(self, client_key: str) -> Thread:
        return self.current(client_key) or self.new(client_key)

    # -- changes ------------------------------------------------------------------------------
    def new(self, client_key: str, filters: dict | None = None) -> Thread:
        """Start a conversation for this client and make it the one its chat page shows."""
        owner = _digest(client_key)
        with self._lock:
            self._expire()
            mine = [cid for cid, t in self._threads.items() if t.owner == owner]
            for cid in mine[: max(0, len(mine) - self.per_client + 1)]:
                self._drop(cid)
            while len(self._threads) >= self.max_conversations:
                self._drop(next(iter(self._threads)))
            thread = Thread(Conversation(id=secrets.token_urlsafe(16)), owner, dict(filters or {}))
            self._threads[thread.id] = self._touch(thread)
            self._current[owner] = thread.id
            return thread

    def add_turn(self, thread: Thread, turn: Turn) -> int:
        """Append a turn, trimming the oldest beyond ``max_turns``; return its 1-based number."""
        turns = thread.conversation.turns
        turns.append(turn)
        excess = len(turns) - self.max_turns
        if excess > 0:
            del turns[:excess]
            thread.dropped_turns += excess
        return thread.dropped_turns + len(turns)

    # -- housekeeping -------------------------------------------------------------------------
    def _touch(self, thread: Thread) -> Thread:
        thread.touched = self._clock()
        self._threads[thread.id] = thread
        self._threads.move_to_end(thread.id)
        return thread

    def _drop(self, conversation_id: str) -> None:
        thread = self._threads.pop(conversation_id, None)
        if thread is not None and self._current.get(thread.owner) == conversation_id:
            del self._current[thread.owner]

    def _expire(self) -> None:
        limit = self._clock() - self.ttl_seconds
        while self._threads:
            oldest = next(iter(self._threads.values()))
            if oldest.touched >= limit:
                break
            self._drop(oldest.id)
