"""What the CLI and the web app share: settings plus the loaded library, model and searcher.

Loading is lazy and happens once: ``cpguide docs`` never loads the model, ``cpguide search``
loads it once however many queries it answers, and the web server keeps one ``Services`` for
its lifetime.
"""

from __future__ import annotations

import functools
import threading

from cpguide.settings import Settings


class Services:
    def __init__(self, settings: Settings):
        self.settings = settings
        self._lock = threading.Lock()

    @functools.cached_property
    def embedder(self):
        from cpguide.index.embedder import load_embedder

        s = self.settings
        return load_embedder(s.model, backend=s.backend, cache_dir=s.cache_dir)

    @functools.cached_property
    def library(self):
        from cpguide.index.library import Library

        return Library.open(self.settings.index_dir)

    @functools.cached_property
    def searcher(self):
        from cpguide.index.search import Searcher

        self.library.check_embedder(self.embedder)
        return Searcher(self.library, self.embedder)

    @functools.cached_property
    def assistant(self):
        from cpguide.assistant.answer import Assistant

        s = self.settings
        return Assistant(self.searcher, abstain_threshold=s.abstain_threshold, stale_years=s.stale_years,
                         max_query_chars=s.max_query_chars, llm=self.llm)

    @property
    def llm(self):
        """The configured language model client, or None for offline (extractive) answers."""
        s = self.settings
        if not s.llm_url:
            return None
        from cpguide.assistant.llm import LLMClient

        return LLMClient(url=s.llm_url, model=s.llm_model, api_key=s.llm_api_key, timeout=s.llm_timeout)

    def reload(self) -> None:
        """Forget the loaded index (after an ingest), keeping the model."""
        with self._lock:
            old = self.__dict__.get("library")
            for name in ("library", "searcher", "assistant"):
                self.__dict__.pop(name, None)
            if old is not None:
                old.close()
