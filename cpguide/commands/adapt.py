"""``cpguide adapt``: fine-tune the embedding model on the library itself, then re-embed it."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from cpguide.cli import emit_json, index_options, make_settings


def _base_model(settings, library, index_dir: Path, given: str | None) -> str:
    """The model to start from: --model if given, else the one the index's adaptation started from."""
    from cpguide.index.adapt import live_adapted_model

    if given or settings.model != live_adapted_model(index_dir):
        return settings.model
    return library.manifest["adaptation"]["base_model"]["setting"]


@click.command()
@index_options
@click.option("--rounds", type=int, default=None, show_default="6",
              help="Passes over the library; each shows every passage once, with one of its sentences.")
@click.option("--minutes", type=float, default=None, show_default="12",
              help="Stop training after this long, keeping what it has learnt.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for the sentences drawn and the order.")
@click.option("--remove", "undo", is_flag=True, help="Go back to the base model: re-embed the library with it.")
@click.option("--json", "as_json", is_flag=True, help="Print what was done as JSON.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bars.")
def adapt(rounds, minutes, seed, undo, as_json, quiet, **flags):
    """Adapt the embedding model to the library's own language, without labels, and re-embed.

    Each sentence of a passage is taught to find its own passage among others (the inverse
    cloze task, with sentence-transformers' MultipleNegativesRankingLoss); nothing but the
    indexed documents is used. The adapted model is kept inside the index folder (models/),
    exported to ONNX like the packaged model, and from then on search, ask, serve and ingest
    use it for this index; the manifest records what it was trained on and how. Ingest more
    documents and they are embedded with it too; run adapt again to learn from them.

    It needs torch (installed with cpguide). On two CPU cores the starter corpus (about 260
    passages, 6 rounds of 9 steps) took 7 to 8.5 minutes of training and about 15 seconds to
    export and re-embed, with about 2.6 GB of memory; training stops at --minutes (default 12)
    whatever the library's size, so a run stays within 15 minutes. Ctrl-C at any point leaves
    the index as it was.

    What it gives on the shipped question sets is measured in the README: read it before
    relying on it.

    \b
    Examples:
      cpguide adapt
      cpguide adapt --minutes 5 --seed 1
      cpguide adapt --remove              back to the packaged model
    """
    from cpguide.commands.ingest import BarReporter, post_build_hooks
    from cpguide.index import adapt as adapting
    from cpguide.index import store
    from cpguide.index.embedder import load_embedder, model_identity, resolve_model_path
    from cpguide.index.library import Library
    from cpguide.ingest.pipeline import run_ingest

    settings = make_settings(**flags)
    index_dir = settings.index_path
    library = Library.open(index_dir)
    base = _base_model(settings, library, index_dir, flags.get("model"))
    chunking = library.manifest["chunking"]
    reporter = BarReporter(quiet or as_json)

    def reembed(model: str, record: dict | None):
        return run_ingest([], index_dir=index_dir, model=model, backend=settings.backend, rebuild=True,
                          embedder_factory=lambda: load_embedder(model, settings.backend, settings.cache_dir),
                          chunk_words=chunking["target_words"], chunk_max_words=chunking["max_words"],
                          batch_size=settings.batch_size, approx_above=settings.approx_above,
                          reporter=reporter, post_build=post_build_hooks(), adaptation=record)

    if undo:
        if "adaptation" not in library.manifest:
            click.echo("This index uses no adapted model; nothing to do.")
            return
        library.close()
        report = reembed(base, None)
        with store.writer_lock(index_dir):
            adapting.tidy_models(index_dir, keep=None)
        out = {"model": report.model, "chunks": report.chunks, "seconds": round(report.seconds, 1)}
        if as_json:
            emit_json({"removed": True, **out})
        else:
            click.echo(f"Back to {report.model}: {report.chunks} passages re-embedded in {out['seconds']} s.")
        return

    defaults = adapting.AdaptConfig()
    config = adapting.AdaptConfig(rounds=rounds or defaults.rounds, max_minutes=minutes or defaults.max_minutes,
                                  seed=seed)
    base_path = resolve_model_path(base)
    base_identity = {"setting": base, **model_identity(base, settings.backend)}
    passages = adapting.library_passages(library)
    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if reporter.quiet:
            return
        if bar is None:
            bar = click.progressbar(length=total, label="Adapting the model", file=sys.stderr,
                                    show_pos=True, show_eta=True, width=30)
            bar.__enter__()
        bar.update(1)

    try:
        folder, summary = adapting.adapt_into(index_dir, base_path, passages, config,
                                              base_name=base_identity["name"], progress=progress)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    record = adapting.record(folder, index_dir, base_identity, library, config, summary)
    library.close()
    if settings.backend == "onnx":
        reporter.stage("Exporting the adapted model to ONNX")
    report = reembed(str(folder), record)
    with store.writer_lock(index_dir):
        adapting.tidy_models(index_dir, keep=folder)
    out = {"model": report.model, "model_folder": str(folder), "chunks": report.chunks, **summary,
           "reembed_seconds": round(report.seconds, 1)}
    if as_json:
        emit_json(out)
        return
    click.echo(f"Adapted {base_identity['name']} to {len(passages)} passages: {summary['steps']} steps "
               f"in {summary['minutes']:.1f} min (loss {summary['first_loss']:.3f} -> {summary['last_loss']:.3f}).")
    if summary["stopped_by_time_limit"]:
        click.secho(f"Stopped at the {config.max_minutes:g}-minute limit after {summary['steps']} of "
                    f"{summary['steps_planned']} steps; --minutes gives it longer.", fg="yellow", err=True)
    click.echo(f"Re-embedded {report.chunks} passages in {out['reembed_seconds']} s; this index now searches with")
    click.echo(f"  {folder}")
    click.echo("`cpguide adapt --remove` goes back to the base model.")


COMMANDS = (adapt,)
