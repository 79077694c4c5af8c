"""Turn a local sentence-transformers folder into an int8 ONNX model, once, into a cache.

This is the only place that needs torch and transformers for the ONNX backend, and it runs
once per model (``cpguide setup-model``, which ``make setup`` runs, or on first use). The
result lives in ``<cache_dir>/onnx/<fingerprint>-<variant>/``, keyed by the model's
fingerprint, so another model or a changed one gets its own export and a stale one is never
picked up. Nothing is downloaded.

Why this recipe (measured on the packaged all-MiniLM-L6-v2 on two CPU cores):
- ``torch.onnx.export`` of the transformers ``AutoModel`` with eager attention, dynamic batch
  and sequence axes, opset 17: the fp32 graph gives torch's vectors to about 2e-6.
  (sentence-transformers' own ``backend="onnx"`` needs optimum, which does not install beside
  transformers 5.)
- ``quantize_dynamic`` with signed int8 weights, per channel: about twice torch's ingest
  throughput and a quarter of its memory, cosine about 0.99 to torch; unsigned weights are
  slower on CPUs with VNNI, where onnxruntime picks the int8 kernel itself.
"""

from __future__ import annotations

import inspect
import json
import logging
import os
import shutil
import tempfile
import warnings
from pathlib import Path

from cpguide.errors import ModelLoadError

log = logging.getLogger(__name__)

# Bump when the recipe changes in a way that changes vectors: the fingerprint carries it, so
# indexes built with the old export are re-embedded rather than silently mixed.
VARIANT = "onnx-int8"
OPSET = 17
MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"


def cache_folder(cache_dir: str | Path, fingerprint: str) -> Path:
    """Where the export of the model with this fingerprint lives."""
    return Path(cache_dir).expanduser() / "onnx" / f"{fingerprint}-{VARIANT}"


def is_exported(folder: Path) -> bool:
    return (folder / MODEL_FILE).is_file() and (folder / "export.json").is_file()


def export(model_path: Path, folder: Path) -> Path:
    """Export and quantize the model in ``model_path`` into ``folder``; return the .onnx file.

    Written into a temporary folder beside the target and moved into place with one
    ``os.replace``, so an interrupted export leaves nothing a later run would trust.
    """
    try:
        import torch
        from onnxruntime.quantization import QuantType, quantize_dynamic
        from transformers import AutoModel, AutoTokenizer
    except ImportError as exc:
        raise ModelLoadError(
            f"Exporting the embedding model to ONNX needs torch, transformers and onnx ({exc.name} is missing).",
            hint="Install cpguide's dependencies (`make setup`, or `pip install -e .`) and run "
            "`cpguide setup-model`; or use --backend torch.",
        ) from None
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".export-", dir=folder.parent))
    try:
        tmp.chmod(0o755)  # mkdtemp makes it private; the export is not a secret
        try:
            base = AutoModel.from_pretrained(str(model_path), attn_implementation="eager",
                                             local_files_only=True).eval()
        except Exception as exc:  # transformers raises many kinds for a bad folder
            raise ModelLoadError(f"Could not load the embedding model from {model_path}: {exc}",
                                 hint="Check that the folder holds a complete sentence-transformers model.") from exc
        takes_types = "token_type_ids" in inspect.signature(base.forward).parameters

        class Encoder(torch.nn.Module):
            """Named inputs in, last hidden state out: pooling happens in numpy at run time."""

            def __init__(self, model):
                super().__init__()
                self.model = model

            def forward(self, input_ids, attention_mask, token_type_ids=None):
                kw = {"token_type_ids": token_type_ids} if token_type_ids is not None else {}
                return self.model(input_ids=input_ids, attention_mask=attention_mask, return_dict=True,
                                  **kw).last_hidden_state

        names = ["input_ids", "attention_mask"] + (["token_type_ids"] if takes_types else [])
        ids = torch.tensor([[101, 2023, 2003, 1037, 3231, 102], [101, 2023, 102, 0, 0, 0]])
        example = (ids, (ids > 0).long()) + ((torch.zeros_like(ids),) if takes_types else ())
        fp32 = tmp / "model.fp32.onnx"
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer notes on shape arithmetic the dynamic axes cover
            torch.onnx.export(
                Encoder(base), example, str(fp32), input_names=names, output_names=["last_hidden_state"],
                dynamic_axes={n: {0: "batch", 1: "sequence"} for n in names + ["last_hidden_state"]},
                opset_version=OPSET, dynamo=False, do_constant_folding=True,
            )
        root = logging.getLogger()
        was_disabled, root.disabled = root.disabled, True  # quantize_dynamic's advice on pre-processing
        try:
            quantize_dynamic(str(fp32), str(tmp / MODEL_FILE), weight_type=QuantType.QInt8, per_channel=True)
        finally:
            root.disabled = was_disabled
        fp32.unlink()
        if not (model_path / TOKENIZER_FILE).is_file():
            # A folder with only vocab.txt: let transformers build the fast tokenizer once.
            AutoTokenizer.from_pretrained(str(model_path), local_files_only=True).backend_tokenizer.save(
                str(tmp / TOKENIZER_FILE))
        (tmp / "export.json").write_text(json.dumps({
            "source": str(model_path), "variant": VARIANT, "opset": OPSET, "inputs": names,
            "torch": torch.__version__,
        }, indent=2))
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    log.info("exported %s to %s", model_path, folder)
    return folder / MODEL_FILE
