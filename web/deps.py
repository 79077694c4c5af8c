"""What routes receive: the loaded services, the conversation store, the browser's key.

Routes ask for these through the ``Annotated`` aliases at the bottom instead of reaching into
``app.state``, so a route's signature says what it touches and tests can build an app with
any ``Services`` they like.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

from cpguide.app import Services
from cpguide.assistant.answer import Assistant
from cpguide.errors import CpguideError, IndexMissing
from cpguide.index.library import Library
from cpguide.index.search import Searcher
from cpguide.settings import Settings
from cpguide.web.conversations import COOKIE_NAME, ConversationStore, new_client_key

_CLIENT_KEY = re.compile(r"[A-Za-z0-9_-]{32}")


def answer_slots() -> int:
    """How many chat answers are computed at once; later requests wait their turn, in order.

    An answer is mostly Python (which holds the interpreter lock) plus one embedding in
    onnxruntime (which lets go of it), so two at a time keep both cores busy: one thread
    embeds while another scores sentences. Letting all twenty threads of a busy server in at
    once only makes them take turns at the interpreter lock in no particular order, which
    adds to the slowest answers' wait and to none of the throughput.
    """
    return max(2, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 2))


class Runtime:
    """The loaded model and index, or the reason they could not be loaded.

    A server started before ``cpguide ingest`` keeps running and shows how to build the
    index; once an index appears (or a new ingest publishes a newer generation) the next
    request loads it, without a restart.
    """

    def __init__(self, services: Services):
        self.services = services
        self.error: CpguideError | None = None
        # Briefs and strategy checks, each of which embeds hundreds of sentences, go one at a time.
        self.answer_lock = threading.Lock()
        self.answer_slots = threading.BoundedSemaphore(answer_slots())
        self._lock = threading.Lock()

    def load(self) -> None:
        try:
            assistant = self.services.assistant  # loads the index, the model and the searcher, once
            self.error = None
        except CpguideError as exc:
            self.error = exc
            return
        # Embed the library's sentences in the background: the first answers are then as quick
        # as later ones (about 15 ms instead of 100 ms) without delaying start-up.
        threading.Thread(target=_warm_up, args=(assistant,), name="cpguide-warm-up", daemon=True).start()

    def ready(self) -> Services:
        if isinstance(self.error, IndexMissing) or self._stale():
            with self._lock:
                if isinstance(self.error, IndexMissing) or self._stale():
                    self.services.reload()
                    self.load()
        if self.error is not None:
            raise self.error
        return self.services

    def _stale(self) -> bool:
        """True when ``cpguide ingest`` has published a newer index than the one loaded."""
        from cpguide.index import store

        library = self.services.__dict__.get("library")
        if library is None:
            return False
        live = store.current_generation(Path(self.services.settings.index_dir))
        return live is not None and live != library.generation


@dataclass(frozen=True)
class ClientKey:
    """The browser's secret from its cookie, or a new one that the response must set."""

    value: str
    is_new: bool

    def remember(self, request: Request, response: Response) -> Response:
        if self.is_new:
            response.set_cookie(COOKIE_NAME, self.value, httponly=True, samesite="lax", path="/",
                                secure=request.url.scheme == "https")
        return response


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


def get_services(runtime: Annotated[Runtime, Depends(get_runtime)]) -> Services:
    return runtime.ready()


def get_library(services: Annotated[Services, Depends(get_services)]) -> Library:
    return services.library


def get_searcher(services: Annotated[Services, Depends(get_services)]) -> Searcher:
    return services.searcher


def get_assistant(services: Annotated[Services, Depends(get_services)]) -> Assistant:
    return services.assistant


def get_conversations(request: Request) -> ConversationStore:
    return request.app.state.conversations


def get_templates(request: Request) -> Jinja2Templates:
    return request.app.state.templates


def get_client_key(request: Request) -> ClientKey:
    value = request.cookies.get(COOKIE_NAME, "")
    if _CLIENT_KEY.fullmatch(value):
        return ClientKey(value, is_new=False)
    return ClientKey(new_client_key(), is_new=True)


SettingsDep = Annotated[Settings, Depends(get_settings)]
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
ServicesDep = Annotated[Services, Depends(get_services)]
LibraryDep = Annotated[Library, Depends(get_library)]
SearcherDep = Annotated[Searcher, Depends(get_searcher)]
AssistantDep = Annotated[Assistant, Depends(get_assistant)]
ConversationsDep = Annotated[ConversationStore, Depends(get_conversations)]
TemplatesDep = Annotated[Jinja2Templates, Depends(get_templates)]
ClientKeyDep = Annotated[ClientKey, Depends(get_client_key)]


def _warm_up(assistant) -> None:
    """The background warm-up; a server stopped before it ends stops it too (the embedder
    refuses new work once the process is exiting), which is not an error worth printing."""
    try:
        assistant.warm_up()
    except RuntimeError as exc:
        if "exiting" not in str(exc):
            raise
