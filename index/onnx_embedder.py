"""The ONNX backend: the model exported once to int8 ONNX, run with onnxruntime and ``tokenizers``.

At run time this imports neither torch nor sentence-transformers, so a cold ``cpguide ask``
starts in well under a second instead of six. It reproduces what sentence-transformers does
with the same folder: the tokenizer truncates at the model's ``max_seq_length`` (the packaged
``tokenizer.json`` says 128 and pads to 128; sentence-transformers overrides both, and so do
we, or passages lose their ends), pooling follows ``1_Pooling/config.json``, and rows come
out unit length.
"""

from __future__ import annotations

import atexit
import json
import logging
import threading
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from cpguide.errors import ModelLoadError

log = logging.getLogger(__name__)

class _ExitGuard:
    """Let no ``session.run`` be in flight when the interpreter exits.

    A daemon thread (the web server's warm-up, say) still inside onnxruntime when the process
    ends would have its thread pool destroyed under it: C++ calls std::terminate and the
    process aborts (exit status 134) instead of exiting cleanly. At exit we wait for running
    batches to finish and refuse new ones; the thread that asked gets an exception nobody sees.
    """

    def __init__(self):
        self._cond = threading.Condition()
        self._active = 0
        self._closing = False
        atexit.register(self.close)

    def run(self, session, feeds: dict) -> list:
        with self._cond:
            if self._closing:
                raise RuntimeError("the process is exiting")
            self._active += 1
        try:
            return session.run(None, feeds)
        finally:
            with self._cond:
                self._active -= 1
                self._cond.notify_all()

    def close(self, timeout: float = 30.0) -> None:
        with self._cond:
            self._closing = True
            self._cond.wait_for(lambda: self._active == 0, timeout=timeout)


_GUARD = _ExitGuard()

# sentence-transformers' order when several pooling modes are on (their outputs concatenate).
_POOLING_MODES = ("cls_token", "max_tokens", "mean_tokens", "mean_sqrt_len_tokens")
_KNOWN_MODULES = ("Transformer", "Pooling", "Normalize")


def read_pipeline(path: Path) -> dict:
    """Pooling modes, normalisation and maximum length, from the model folder's own files.

    Raises ModelLoadError for modules this backend does not reproduce (e.g. a Dense layer),
    rather than giving vectors that differ from the model's.
    """
    modules = [{"type": "sentence_transformers.models.Transformer", "path": ""},
               {"type": "sentence_transformers.models.Pooling", "path": ""}]  # a bare transformers folder: mean
    if (path / "modules.json").is_file():
        modules = json.loads((path / "modules.json").read_text())
    kinds = [m["type"].rsplit(".", 1)[-1] for m in modules]
    unknown = [k for k in kinds if k not in _KNOWN_MODULES]
    if unknown:
        raise ModelLoadError(
            f"The ONNX backend cannot reproduce the model's {', '.join(unknown)} module(s) ({path}).",
            hint="Use --backend torch (or CPGUIDE_BACKEND=torch) with this model.")
    modes = ["mean_tokens"]
    pooling = next((m for m in modules if m["type"].endswith("Pooling")), None)
    pool_file = path / pooling["path"] / "config.json" if pooling and pooling["path"] else None
    if pool_file and pool_file.is_file():
        conf = json.loads(pool_file.read_text())
        extra = [k for k in ("pooling_mode_weightedmean_tokens", "pooling_mode_lasttoken") if conf.get(k)]
        if extra:
            raise ModelLoadError(f"The ONNX backend does not implement {extra[0]} pooling ({pool_file}).",
                                 hint="Use --backend torch (or CPGUIDE_BACKEND=torch) with this model.")
        modes = [m for m in _POOLING_MODES if conf.get(f"pooling_mode_{m}")]
    config = json.loads((path / "config.json").read_text()) if (path / "config.json").is_file() else {}
    max_len = None
    if (path / "sentence_bert_config.json").is_file():
        max_len = json.loads((path / "sentence_bert_config.json").read_text()).get("max_seq_length")
    max_len = int(max_len or min(512, config.get("max_position_embeddings", 512)))
    hidden = int(config.get("hidden_size") or config.get("dim") or 0)
    return {"modes": modes, "normalize": "Normalize" in kinds, "max_length": max_len,
            "dimension": hidden * len(modes)}


def _pool(hidden: np.ndarray, mask: np.ndarray, modes: list[str]) -> np.ndarray:
    m = mask[..., None].astype(np.float32)
    counts = np.clip(m.sum(axis=1), 1e-9, None)
    parts = []
    for mode in modes:
        if mode == "cls_token":
            parts.append(hidden[:, 0])
        elif mode == "max_tokens":
            parts.append(np.where(m > 0, hidden, -1e9).max(axis=1))
        elif mode == "mean_tokens":
            parts.append((hidden * m).sum(axis=1) / counts)
        else:  # mean_sqrt_len_tokens
            parts.append((hidden * m).sum(axis=1) / np.sqrt(counts))
    return np.concatenate(parts, axis=1)


# Attention holds batch x heads x length^2 floats per layer: 64 passages of 256 tokens need about
# 200 MB a tensor, and onnxruntime's arena keeps its high-water mark for the life of the process.
# Capping batch x length^2 (here at 64 x 128^2) bounds that at ~50 MB while leaving short texts in
# full batches; past 128 tokens each text is a large enough matrix product that smaller batches cost little.
MAX_BATCH_ATTENTION = 64 * 128 * 128


def _batches(order: list[int], lengths: list[int], batch_size: int) -> list[list[int]]:
    """Split ``order`` (sorted by token count, ascending) into batches of at most ``batch_size``,
    also cut where the batch's attention size would pass ``MAX_BATCH_ATTENTION``. Deterministic."""
    out, current = [], []
    for i, n in zip(order, lengths):
        if current and (len(current) >= batch_size or (len(current) + 1) * n * n > MAX_BATCH_ATTENTION):
            out.append(current)
            current = []
        current.append(i)
    if current:
        out.append(current)
    return out


class OnnxEmbedder:
    """A sentence-transformers folder run through its cached int8 ONNX export on the CPU.

    Args:
        path: the model folder (for the tokenizer and pooling configuration).
        onnx_folder: the export made by :func:`cpguide.index.onnx_export.export`.
        name, fingerprint: as recorded in the index manifest.
    """

    backend = "onnx"
    quantization = "int8"

    def __init__(self, path: Path, onnx_folder: Path, *, name: str, fingerprint: str):
        from cpguide.index.onnx_export import MODEL_FILE, TOKENIZER_FILE

        self.path, self.onnx_folder, self.name, self.fingerprint = path, onnx_folder, name, fingerprint
        pipeline = read_pipeline(path)
        self.modes, self.max_length = pipeline["modes"], pipeline["max_length"]
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise ModelLoadError(f"The ONNX backend needs {exc.name}, which is not installed.",
                                 hint="Run `make setup` (or `pip install -e .`), or use --backend torch.") from None
        tok_file = path / TOKENIZER_FILE
        if not tok_file.is_file():
            tok_file = onnx_folder / TOKENIZER_FILE
        try:
            self._tokenizer = Tokenizer.from_file(str(tok_file))
            options = ort.SessionOptions()
            options.log_severity_level = 3  # warnings about unused initialisers are noise to a user
            # Idle pool threads sleep instead of spinning: spinning bought no speed here (one question,
            # or a batch) and cost about 40 % more CPU, which a server answering several questions
            # at once needs for the other requests.
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            # Explicit provider: onnxruntime warns (and may pick differently) when none is named.
            self._session = ort.InferenceSession(str(onnx_folder / MODEL_FILE), options,
                                                 providers=["CPUExecutionProvider"])
        except Exception as exc:
            raise ModelLoadError(
                f"Could not load the ONNX export of {path} from {onnx_folder}: {exc}",
                hint=f"Delete {onnx_folder} and run `cpguide setup-model` to export it again.",
            ) from exc
        # Truncate as sentence-transformers does; pad ourselves, to the longest in each batch.
        pad = (self._tokenizer.padding or {}).get("pad_id")
        self._pad_id = pad if pad is not None else (self._tokenizer.token_to_id("[PAD]") or 0)
        self._tokenizer.enable_truncation(max_length=self.max_length)
        self._tokenizer.no_padding()
        self._inputs = [i.name for i in self._session.get_inputs()]
        self.dimension = pipeline["dimension"] or int(self._embed_batch(["x"]).shape[1])

    def embed(self, texts: Sequence[str], *, batch_size: int = 64,
              progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Unit vectors for ``texts``, in order.

        Batches are formed from the texts sorted by token count: less padding, and, because
        int8 activations are quantized per batch, the same texts always give the same vectors.
        One text's vector still depends on the texts batched with it; with ``batch_size=1``
        every text gets the vector it gets alone (what the sentence cache relies on).
        """
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out
        encodings = self._tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: (len(encodings[i].ids), i))
        for idx in _batches(order, [len(encodings[i].ids) for i in order], batch_size):
            out[idx] = self._run([encodings[i] for i in idx])
            if progress:
                progress(len(idx))
        return out

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        return self._run(self._tokenizer.encode_batch(texts))

    def _run(self, encodings) -> np.ndarray:
        width = max(len(e.ids) for e in encodings)
        ids = np.full((len(encodings), width), self._pad_id, dtype=np.int64)
        mask = np.zeros((len(encodings), width), dtype=np.int64)
        types = np.zeros((len(encodings), width), dtype=np.int64)
        for row, e in enumerate(encodings):
            n = len(e.ids)
            ids[row, :n], mask[row, :n], types[row, :n] = e.ids, e.attention_mask, e.type_ids
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        hidden = _GUARD.run(self._session, {k: feeds[k] for k in self._inputs})[0]
        vecs = _pool(hidden, mask, self.modes)
        # Always unit length, whatever the model's Normalize module says: the vector index
        # uses inner product as cosine, as the torch backend's normalize_embeddings=True does.
        norms = np.linalg.norm(vecs, axis=1, keepdims=True)
        return (vecs / np.clip(norms, 1e-12, None)).astype(np.float32)
