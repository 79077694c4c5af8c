"""Teach the embedding model the library's own language, without labels (``cpguide adapt``).

The objective is the inverse cloze task: a sentence taken from a passage must find that
passage (with the sentence cut out, most of the time) among the other passages of its batch,
scored by sentence-transformers' MultipleNegativesRankingLoss (its cached form, which bounds memory). It needs nothing but the
library: every sentence is a question whose answer we know. Each round over the library takes
one sentence from every passage, so a batch never holds the same passage twice (which would
teach the model that a passage is not itself).

Why this and not TSDAE: the inverse cloze objective trains the encoder the way it is used
(a short text finds a long one), costs two encoder passes a batch instead of an encoder and
a decoder, and fits a bounded time on two CPU cores.

The trained model is a plain sentence-transformers folder, written into a temporary folder and
renamed into place only when complete, so Ctrl-C leaves nothing half-written. Its
``config.json`` carries a hash of the weights: the model fingerprint reads configuration and
weight sizes only, and an adapted model has the same sizes as its base.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import random
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Sequence

from cpguide.errors import ModelLoadError, UsageError

log = logging.getLogger(__name__)

OBJECTIVE = "inverse-cloze"
MODELS_FOLDER = "models"  # inside the index folder, beside the generations
WEIGHTS_KEY = "cpguide_adapted_weights"
MIN_SENTENCE_WORDS = 5


@dataclass(frozen=True)
class AdaptConfig:
    """How the model is trained; recorded in the index manifest as it was used."""

    rounds: int = 6  # each round shows every passage once, with one of its sentences
    batch_size: int = 32
    learning_rate: float = 3e-5
    warmup: float = 0.1  # share of steps with a rising learning rate
    remove_sentence: float = 0.9  # how often the query sentence is cut out of its passage
    max_minutes: float = 12.0  # training stops here, keeping what it learnt; with loading, export and re-embedding <= 15 min
    seed: int = 0
    scale: float = 20.0  # MultipleNegativesRankingLoss's similarity scale (its default)
    mini_batch: int = 8  # texts per backward pass (memory), not per batch (learning)
    max_seq_length: int = 256

    def __post_init__(self):
        if self.rounds < 1 or self.batch_size < 2 or self.max_minutes <= 0:
            raise UsageError("--rounds must be at least 1, --batch-size at least 2 and --minutes above 0.")


@dataclass(frozen=True)
class Pair:
    query: str
    passage: str
    group: int  # the passage's row: never two of one group in a batch


def usable_sentences(text: str) -> list[tuple[int, int]]:
    from cpguide.ingest.sentences import sentence_spans

    return [(s, e) for s, e in sentence_spans(text) if len(text[s:e].split()) >= MIN_SENTENCE_WORDS]


def round_pairs(passages: Sequence[tuple[str, str]], rng: random.Random, remove_sentence: float) -> list[Pair]:
    """One (sentence, passage) pair per passage that has a usable sentence, shuffled.

    ``passages`` are (context, text): the context (title > headings) is what the embedder puts
    before a passage, and stays; the sentence is cut from the text.
    """
    pairs = []
    for row, (context, text) in enumerate(passages):
        spans = usable_sentences(text)
        if not spans:
            continue
        s, e = rng.choice(spans)
        body = text
        if len(spans) > 1 and rng.random() < remove_sentence:
            body = (text[:s].rstrip() + " " + text[e:].lstrip()).strip()
        pairs.append(Pair(text[s:e], f"{context}\n{body}", row))
    rng.shuffle(pairs)
    return pairs


def library_passages(library) -> list[tuple[str, str]]:
    """(context, text) for every passage, the context as the embedder sees it."""
    from cpguide.ingest.chunk import embedding_text

    out = []
    for chunk in library.chunks:
        full = embedding_text(chunk, library.meta(chunk.doc_id).title)
        context = full[: len(full) - len(chunk.text)].rstrip("\n")
        out.append((context, chunk.text))
    return out


def weights_hash(folder: Path) -> str:
    h = hashlib.sha256()
    for f in sorted(folder.glob("*.safetensors")) + sorted(folder.glob("*.bin")):
        with open(f, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()[:16]


def train(base_path: Path, passages: Sequence[tuple[str, str]], out_dir: Path, config: AdaptConfig, *,
          progress: Callable[[int, int], None] | None = None) -> dict:
    """Fine-tune the model in ``base_path`` on ``passages`` and save it into ``out_dir``.

    Args:
        base_path: a local sentence-transformers folder (the model the index uses now).
        passages: (context, text) per passage, from :func:`library_passages`.
        out_dir: an empty folder to save the adapted model into.
        config: rounds, batch size, learning rate, time limit, seed.
        progress: called with (steps done, steps planned) after each step.

    Returns what happened (steps, pairs, minutes, whether the time limit stopped it).
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        import torch
        from sentence_transformers import SentenceTransformer
        from sentence_transformers.util import cos_sim
        from transformers.utils import logging as hf_logging
    except ImportError as exc:
        raise ModelLoadError(f"Adapting the model needs torch and sentence-transformers ({exc.name} is missing).",
                             hint="Install cpguide's dependencies (`make setup`, or `pip install -e .`).") from None
    hf_logging.disable_progress_bar()
    t0 = time.monotonic()
    rng = random.Random(config.seed)
    torch.manual_seed(config.seed)
    try:
        model = SentenceTransformer(str(base_path), device="cpu", local_files_only=True)
    except Exception as exc:
        raise ModelLoadError(f"Could not load the embedding model from {base_path}: {exc}",
                             hint="Check that the folder holds a complete sentence-transformers model.") from exc
    model.max_seq_length = min(config.max_seq_length, model.max_seq_length or config.max_seq_length)
    # The cached variant (GradCache) gives the same gradients as MultipleNegativesRankingLoss over
    # the whole batch, but back-propagates through ``mini_batch`` texts at a time: attention over
    # 32 passages of 256 tokens held for the backward pass peaked at 9.6 GB; this at 2.6 GB, in the
    # same time on the starter corpus.
    loss_fn = _losses().CachedMultipleNegativesRankingLoss(model, scale=config.scale, similarity_fct=cos_sim,
                                                            mini_batch_size=config.mini_batch)

    rounds = [round_pairs(passages, rng, config.remove_sentence) for _ in range(config.rounds)]
    batches = [r[i:i + config.batch_size] for r in rounds for i in range(0, len(r), config.batch_size)]
    batches = [b for b in batches if len(b) >= 2]  # a batch of one has no negatives
    if not batches:
        raise UsageError("The library has too few passages with whole sentences to adapt the model to.",
                         hint="Ingest more documents first (at least a few dozen passages).")
    total = len(batches)
    warm = max(1, int(total * config.warmup))
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.learning_rate, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min((step + 1) / warm, max(0.0, (total - step) / max(1, total - warm))))
    deadline = t0 + config.max_minutes * 60
    encode = getattr(model, "preprocess", None) or model.tokenize  # renamed in sentence-transformers 6
    model.train()
    steps, losses, stopped = 0, [], False
    for batch in batches:
        if time.monotonic() > deadline:
            stopped = True
            break
        features = [encode([p.query for p in batch]), encode([p.passage for p in batch])]
        loss = loss_fn(features, None)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        optimizer.zero_grad()
        steps += 1
        losses.append(float(loss.detach()))
        if progress:
            progress(steps, total)
    model.eval()
    model.save(str(out_dir))
    _keep_base_pooling(base_path, out_dir)
    _stamp(out_dir)
    return {"steps": steps, "steps_planned": total, "pairs": sum(len(b) for b in batches[:steps]),
            "minutes": round((time.monotonic() - t0) / 60, 2), "stopped_by_time_limit": stopped,
            "first_loss": round(sum(losses[:5]) / max(1, len(losses[:5])), 4),
            "last_loss": round(sum(losses[-5:]) / max(1, len(losses[-5:])), 4)}


def _losses():
    try:  # sentence-transformers 6 moved the losses; 5 has them here only
        from sentence_transformers.sentence_transformer import losses
    except ImportError:
        from sentence_transformers import losses
    return losses


def _pooling_config(folder: Path) -> Path | None:
    modules = json.loads((folder / "modules.json").read_text()) if (folder / "modules.json").is_file() else []
    pooling = next((m for m in modules if m["type"].endswith("Pooling")), None)
    return folder / pooling["path"] / "config.json" if pooling and pooling["path"] else None


def _keep_base_pooling(base: Path, folder: Path) -> None:
    """Keep the base model's pooling file: training does not change pooling, and
    sentence-transformers 6 writes it in a newer form ({"pooling_mode": "mean"}) that the ONNX
    backend and older sentence-transformers do not read."""
    src, dst = _pooling_config(base), _pooling_config(folder)
    if src is not None and dst is not None and src.is_file():
        shutil.copyfile(src, dst)


def _stamp(folder: Path) -> str:
    """Record the weights' hash in config.json, so the model's fingerprint differs from its base's."""
    digest = weights_hash(folder)
    config_file = folder / "config.json"
    config = json.loads(config_file.read_text())
    config[WEIGHTS_KEY] = digest
    config_file.write_text(json.dumps(config, indent=2))
    return digest


def adapt_into(index_dir: Path, base_path: Path, passages: Sequence[tuple[str, str]], config: AdaptConfig, *,
               base_name: str, progress: Callable[[int, int], None] | None = None) -> tuple[Path, dict]:
    """Train into a temporary folder inside ``index_dir/models`` and rename it into place when done.

    Returns the finished model folder and the training summary. Interrupted, it leaves nothing.
    """
    models = index_dir / MODELS_FOLDER
    models.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".adapting-", dir=models))
    try:
        tmp.chmod(0o755)
        summary = train(base_path, passages, tmp, config, progress=progress)
        digest = json.loads((tmp / "config.json").read_text())[WEIGHTS_KEY]
        final = models / f"{base_name}-adapted-{digest[:10]}"
        if final.exists():
            shutil.rmtree(final)
        os.replace(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final, summary


def record(model_folder: Path, index_dir: Path, base: dict, library, config: AdaptConfig, summary: dict) -> dict:
    """What the manifest keeps about an adaptation: the model, what it learnt from and how."""
    return {
        "objective": OBJECTIVE,
        "model_folder": str(model_folder.relative_to(index_dir)),
        "base_model": base,
        "trained_on": {"documents": len(library.docs), "passages": len(library.chunks),
                       "corpus_hash": library.manifest.get("corpus_hash", "")},
        "config": asdict(config),
        "training": summary,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }


def tidy_models(index_dir: Path, keep: Path | None) -> None:
    """Remove adapted models the live index no longer uses (and abandoned temporary folders)."""
    models = index_dir / MODELS_FOLDER
    if not models.is_dir():
        return
    for folder in models.iterdir():
        if folder.is_dir() and (keep is None or folder.resolve() != keep.resolve()):
            shutil.rmtree(folder, ignore_errors=True)


def live_adapted_model(index_dir: Path) -> str | None:
    """The adapted model folder the live index was embedded with, or None.

    Read when settings are resolved, so that search, ask, serve and a later ingest all use the
    model the index was built with unless --model / CPGUIDE_MODEL names another.
    """
    try:
        name = (index_dir / "CURRENT").read_text().strip()
        manifest = json.loads((index_dir / name / "manifest.json").read_text())
        folder = index_dir / manifest["adaptation"]["model_folder"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return str(folder) if (folder / "config.json").is_file() else None
