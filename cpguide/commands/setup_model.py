"""``cpguide setup-model``: export the embedding model to int8 ONNX once, so no later run needs torch."""

from __future__ import annotations

import time

import click

from cpguide.cli import emit_json, make_settings, setting_option


@click.command("setup-model")
@setting_option("model", metavar="PATH")
@setting_option("cache_dir", metavar="DIR")
@click.option("--force", is_flag=True, help="Export again even when the cache already holds the export.")
@click.option("--json", "as_json", is_flag=True, help="Print where the export is, as JSON.")
def setup_model(force, as_json, **flags):
    """Prepare the embedding model for the default (onnx) backend.

    Exports the model (the packaged all-MiniLM-L6-v2, or your --model folder) to ONNX and
    quantizes it to int8, once, into the cache folder, keyed by the model's fingerprint;
    search, ask, chat, serve and ingest then run it with onnxruntime, without torch. `make
    setup` runs this; otherwise the first command that needs the model does it (about 10 s).
    Nothing is downloaded. A cached export is reused, so running it again is instant.

    \b
    Examples:
      cpguide setup-model
      cpguide setup-model --model ~/models/my-sentence-model
      cpguide setup-model --force --cache-dir /srv/cpguide-cache
    """
    from cpguide.index import onnx_export
    from cpguide.index.embedder import model_fingerprint, onnx_embedder, resolve_model_path

    settings = make_settings(**flags)
    folder = onnx_export.cache_folder(settings.cache_dir, model_fingerprint(resolve_model_path(settings.model)))
    was_cached = onnx_export.is_exported(folder) and not force
    t0 = time.perf_counter()
    embedder = onnx_embedder(settings.model, settings.cache_dir, force=force)
    embedder.embed(["corporate parenting"])  # proves the export runs, not merely that it exists
    onnx_file = embedder.onnx_folder / onnx_export.MODEL_FILE
    out = {"model": embedder.name, "fingerprint": embedder.fingerprint, "onnx": str(onnx_file),
           "megabytes": round(onnx_file.stat().st_size / 1e6, 1), "cached": was_cached,
           "seconds": round(time.perf_counter() - t0, 1)}
    if as_json:
        emit_json(out)
    elif was_cached:
        click.echo(f"The {out['model']} model is ready (int8 ONNX, {out['megabytes']} MB): {onnx_file}")
    else:
        click.echo(f"Exported {out['model']} to int8 ONNX ({out['megabytes']} MB) in {out['seconds']} s: {onnx_file}")


COMMANDS = (setup_model,)
