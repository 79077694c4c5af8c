"""Shared fixtures: an isolated environment, the real model loaded once, small indexes.

The real all-MiniLM-L6-v2 model (on ONNX Runtime, as cpguide runs by default) and an index of
the starter corpus are built once per test session (a few seconds on two cores); tests that
only exercise storage and plumbing use the hashing embedder instead. Only the test of the
torch backend imports torch.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
REALWORLD_PDFS = SHARED / "realworld-pdfs"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path_factory):
    """No test reads the user's real index or a stray CPGUIDE_* variable."""
    for key in list(os.environ):
        if key.startswith("CPGUIDE_"):
            monkeypatch.delenv(key)
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def embedder():
    """The real packaged model on the default (ONNX) backend, loaded once for the whole session.

    `make test` exports it to ONNX first (`cpguide setup-model`); the torch backend is tested
    once, in test_embedder.py.
    """
    from cpguide.index.embedder import load_embedder
    from cpguide.settings import PACKAGED_MODEL, default_cache_dir

    return load_embedder(PACKAGED_MODEL, backend="onnx", cache_dir=default_cache_dir())


@pytest.fixture(scope="session")
def starter_index(tmp_path_factory, embedder) -> Path:
    """An index of the starter corpus built with the real model, shared by read-only tests."""
    from cpguide.app import Services  # noqa: F401  (import check: the app module stays importable)
    from cpguide.commands.ingest import post_build_hooks
    from cpguide.ingest.pipeline import run_ingest
    from cpguide.ingest.sources import discover
    from cpguide.settings import PACKAGED_MODEL

    index_dir = tmp_path_factory.mktemp("starter-index")
    report = run_ingest(discover([]), index_dir=index_dir, model=PACKAGED_MODEL,
                        embedder_factory=lambda: embedder, post_build=post_build_hooks())
    assert report.count("failed") == 0
    return index_dir


@pytest.fixture(scope="session")
def library(starter_index):
    from cpguide.index.library import Library

    return Library.open(starter_index)


@pytest.fixture(scope="session")
def searcher(library, embedder):
    from cpguide.index.search import Searcher

    return Searcher(library, embedder)


@pytest.fixture
def hashing_embedder():
    from cpguide.index.embedder import HashingEmbedder

    return HashingEmbedder(64)


@pytest.fixture
def realworld_pdfs() -> Path:
    if not REALWORLD_PDFS.is_dir():
        pytest.skip("../shared/realworld-pdfs is not beside the repository")
    return REALWORLD_PDFS
