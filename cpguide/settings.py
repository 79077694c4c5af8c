"""One settings object, resolved once from defaults, ``CPGUIDE_*`` variables and flags.

Each setting is declared exactly once in ``SETTINGS`` with its type, default and help; the
CLI options, the README table and the web app all read from here, so a chunk size or a top-k
never lives in two places. Library functions take plain arguments, not this object.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cpguide.errors import UsageError

PACKAGED_MODEL = "packaged:all-MiniLM-L6-v2"
BACKENDS = ("onnx", "torch")


def _default_index_dir() -> str:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return str(Path(base) / "cpguide" / "index")


def default_cache_dir() -> str:
    """Where derived files that can be remade (the model exported to ONNX) are kept."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return str(Path(base) / "cpguide")


@dataclass(frozen=True)
class Spec:
    name: str
    type: type
    default: Any
    help: str
    positive: bool = False  # counts and limits: zero or less would silently do nothing

    @property
    def env(self) -> str:
        return "CPGUIDE_" + self.name.upper()


SETTINGS: tuple[Spec, ...] = (
    Spec("index_dir", str, None, "Folder holding the index (default: ~/.local/share/cpguide/index)."),
    Spec("model", str, PACKAGED_MODEL,
         "Embedding model: a local sentence-transformers folder, or the packaged all-MiniLM-L6-v2."),
    Spec("backend", str, "onnx",
         "Embedding runtime: onnx (int8 ONNX Runtime, fast, no torch at run time) or torch (sentence-transformers)."),
    Spec("cache_dir", str, None,
         "Folder for the model exported to ONNX, made once per model (default: ~/.cache/cpguide)."),
    Spec("batch_size", int, 1,
         "Passages per embedding batch at ingest. 1 embeds each alone, so its vector depends on its text only "
         "(the int8 model scales a batch as a whole); larger batches are 10-25 % faster.", positive=True),
    Spec("chunk_words", int, 120, "Target words per chunk (chunks follow sentences and sections).", positive=True),
    Spec("chunk_max_words", int, 200, "Hard ceiling on words per chunk.", positive=True),
    Spec("approx_above", int, 50000,
         "Use an approximate (HNSW) vector index when the library holds more chunks than this."),
    Spec("max_file_mb", int, 100, "Skip input files larger than this many megabytes.", positive=True),
    Spec("max_pages", int, 2000, "Skip PDFs with more pages than this.", positive=True),
    Spec("top_k", int, 5, "Results returned by search."),
    Spec("max_query_chars", int, 2000, "Longest query or chat message accepted."),
    Spec("abstain_threshold", float, 0.33,
         "Similarity (0-1) an answer sentence needs (three quarters of this); without the shipped decline "
         "model, also the best passage's similarity below which ask declines."),
    Spec("stale_years", int, 5, "Passages from documents older than this carry a 'check this is current' note."),
    Spec("llm_url", str, "", "OpenAI-compatible chat endpoint, e.g. http://127.0.0.1:11434/v1 (empty: offline answers)."),
    Spec("llm_model", str, "", "Model name to ask the chat endpoint for."),
    Spec("llm_api_key", str, "", "API key for the chat endpoint, if it needs one."),
    Spec("llm_timeout", float, 30.0, "Seconds to wait for the language model before falling back."),
    Spec("host", str, "127.0.0.1", "Address the web server listens on."),
    Spec("port", int, 8000, "Port the web server listens on."),
    Spec("rate_limit", int, 60, "Requests per minute allowed from one client on the web API."),
)


_SPECS = {s.name: s for s in SETTINGS}


def _coerce(spec: Spec, value: Any) -> Any:
    if value is None or isinstance(value, spec.type):
        return value
    try:
        return spec.type(value)
    except (TypeError, ValueError):
        raise UsageError(
            f"{spec.env} / --{spec.name.replace('_', '-')} must be a {spec.type.__name__}, got {value!r}."
        ) from None


@dataclass(frozen=True)
class Settings:
    index_dir: str = ""
    model: str = PACKAGED_MODEL
    backend: str = "onnx"
    cache_dir: str = ""
    batch_size: int = 1
    chunk_words: int = 120
    chunk_max_words: int = 200
    approx_above: int = 50000
    max_file_mb: int = 100
    max_pages: int = 2000
    top_k: int = 5
    max_query_chars: int = 2000
    abstain_threshold: float = 0.33
    stale_years: int = 5
    llm_url: str = ""
    llm_model: str = ""
    llm_api_key: str = ""
    llm_timeout: float = 30.0
    host: str = "127.0.0.1"
    port: int = 8000
    rate_limit: int = 60

    @classmethod
    def resolve(cls, env: dict[str, str] | None = None, **overrides: Any) -> "Settings":
        """Defaults, then ``CPGUIDE_*`` variables, then explicit overrides (flags) win.

        ``None`` overrides are ignored, so CLI options that were not given fall through.
        """
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for spec in SETTINGS:
            value = spec.default
            if spec.env in env and env[spec.env] != "":
                value = env[spec.env]
            if overrides.get(spec.name) is not None:
                value = overrides[spec.name]
            values[spec.name] = _coerce(spec, value)
            if spec.positive and values[spec.name] is not None and values[spec.name] <= 0:
                raise UsageError(
                    f"{spec.env} / --{spec.name.replace('_', '-')} must be a positive whole number, "
                    f"got {values[spec.name]!r}.",
                    hint=f"The default is {spec.default}.",
                )
        if not values["index_dir"]:
            values["index_dir"] = _default_index_dir()
        values["index_dir"] = str(Path(values["index_dir"]).expanduser())
        values["cache_dir"] = str(Path(values["cache_dir"] or default_cache_dir()).expanduser())
        if values["model"] == PACKAGED_MODEL and overrides.get("model") is None:
            # An index adapted by `cpguide adapt` keeps using its adapted model unless told otherwise.
            from cpguide.index.adapt import live_adapted_model

            values["model"] = live_adapted_model(Path(values["index_dir"])) or PACKAGED_MODEL
        if values["backend"] not in BACKENDS:
            raise UsageError(f"{_SPECS['backend'].env} / --backend must be one of {', '.join(BACKENDS)}, "
                             f"got {values['backend']!r}.")
        unknown = set(overrides) - {s.name for s in SETTINGS}
        if unknown:
            raise UsageError(f"Unknown setting(s): {', '.join(sorted(unknown))}.")
        return cls(**values)

    def replace(self, **changes: Any) -> "Settings":
        return dataclasses.replace(self, **changes)

    @property
    def index_path(self) -> Path:
        return Path(self.index_dir)
