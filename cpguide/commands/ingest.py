"""``cpguide ingest``, ``docs`` and ``remove``: what is in the library."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from cpguide.cli import emit_json, index_options, make_settings, setting_option
from cpguide.records import JURISDICTIONS, KINDS


class BarReporter:
    """Progress bars on stderr: files first, then embedding batches."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self._bar = None

    def _open(self, total: int, label: str):
        if self.quiet:
            return
        self._close()
        self._bar = click.progressbar(length=total, label=label, file=sys.stderr,
                                      show_pos=True, width=30)
        self._bar.__enter__()

    def _close(self):
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None

    def files_start(self, total: int) -> None:
        self._open(total, "Reading files   ")

    def file_done(self, outcome) -> None:
        if self._bar:
            self._bar.update(1)
        if outcome.status == "failed" and not self.quiet:
            self._close_line()
            click.secho(f"  skipped {outcome.path}: {outcome.reason}", fg="yellow", err=True)
            if outcome.hint:
                click.echo(f"    {outcome.hint}", err=True)

    def _close_line(self):
        if self._bar:
            click.echo("", err=True)

    def embed_start(self, total: int) -> None:
        self._open(total, "Embedding chunks")

    def embed_advance(self, n: int) -> None:
        if self._bar:
            self._bar.update(n)

    def embed_done(self) -> None:
        self._close()

    def stage(self, message: str) -> None:
        self._close()
        if not self.quiet:
            click.echo(f"{message}...", err=True)


# Beyond this many, new documents are counted rather than listed (``cpguide docs`` lists them).
_LIST_ADDED = 20
_LIST_NOT_READ = 10


def _print_summary(report) -> None:
    c = report.count
    click.echo(
        f"Documents: {c('added')} added, {c('updated')} updated, {c('unchanged')} unchanged, "
        f"{c('failed')} failed" + (f", {len(report.removed)} removed" if report.removed else "")
    )
    changed = [o for o in report.outcomes if o.status in ("added", "updated")]
    for o in changed[:_LIST_ADDED]:
        click.echo(f"  {o.status} {o.doc_id}: {o.title} ({Path(o.path).name})")
    if len(changed) > _LIST_ADDED:
        click.echo(f"  ... and {len(changed) - _LIST_ADDED} more (`cpguide docs` lists them all)")
    if report.wrote_index or report.documents:
        click.echo(f"Library:   {report.documents} documents, {report.chunks} chunks"
                   + (f" ({report.vector_index} vector index)" if report.vector_index else ""))
        rate = f", {report.chunks_per_second:.0f} chunks/s" if report.chunks_embedded else ""
        click.echo(f"Time:      {report.seconds:.1f}s, {report.chunks_embedded} chunks embedded{rate}")
        click.echo(f"Index:     {report.index_dir}")
    else:
        click.echo(f"No index was written: nothing could be read into {report.index_dir}.")
    for o in report.outcomes:
        for w in o.warnings:
            click.secho(f"Warning: {Path(o.path).name}: {w}", fg="yellow", err=True)
    _print_not_read(report.not_read)
    if report.failed:
        click.secho(f"{len(report.failed)} file(s) could not be ingested:", fg="red", err=True)
        for o in report.failed:
            click.echo(f"  {o.path}: {o.reason}", err=True)


def _print_not_read(not_read: list[dict]) -> None:
    """Files of other types found in folders: once, grouped by type, with what to do."""
    if not not_read:
        return
    types: dict[str, int] = {}
    for f in not_read:
        types[f["type"]] = types.get(f["type"], 0) + 1
    counts = ", ".join(f"{t} {n}" for t, n in sorted(types.items()))
    noun = "file" if len(not_read) == 1 else "files"
    click.secho(f"Not read: {len(not_read)} {noun} of types cpguide does not read ({counts}):", fg="yellow", err=True)
    for f in not_read[:_LIST_NOT_READ]:
        click.echo(f"  {f['path']}", err=True)
    if len(not_read) > _LIST_NOT_READ:
        click.echo(f"  ... and {len(not_read) - _LIST_NOT_READ} more", err=True)
    for hint in dict.fromkeys(f["hint"] for f in not_read if f["hint"]):
        click.echo(f"  {hint}", err=True)


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@index_options
@click.option("--title", help="Title for a single document (default: from the file).")
@click.option("--doc-id", help="Id for a single document, used by --doc and `cpguide remove` "
              "(default: from the file name).")
@click.option("--publisher", help="Publisher of the documents, e.g. 'Anytown Council'.")
@click.option("--year", type=int, help="Year of publication.")
@click.option("--jurisdiction", type=click.Choice(JURISDICTIONS), help="Where the documents apply.")
@click.option("--kind", type=click.Choice(KINDS), help="Kind of document, on the authority ladder.")
@click.option("--audience", help="Comma-separated audiences, e.g. 'councillors,partner agencies'.")
@click.option("--source-url", help="Where the document was published.")
@click.option("--rebuild", is_flag=True, help="Re-read and re-embed everything, even unchanged files.")
@setting_option("batch_size")
@setting_option("max_file_mb", metavar="MB")
@setting_option("max_pages", metavar="N")
@setting_option("chunk_words", metavar="N")
@click.option("--json", "as_json", is_flag=True, help="Print the run's report as JSON.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bars.")
def ingest(paths, as_json, quiet, rebuild, title, doc_id, publisher, year, jurisdiction, kind, audience,
           source_url, **flags):
    """Add documents to the library (default: the starter corpus).

    PATHS are files or folders (searched recursively) of PDF, Word (.docx), HTML, text and
    Markdown. A folder may hold a manifest.toml giving each file's title, publisher, year,
    jurisdiction and kind (see corpus/manifest.toml); flags override it.

    Re-running is cheap: unchanged files are skipped, a changed file replaces its old
    passages. Files that cannot be read (damaged, password-protected, scanned without
    text, empty, too large) are reported and skipped; the exit status is 1 if any failed.

    \b
    Examples:
      cpguide ingest
      cpguide ingest strategy.pdf --doc-id anytown-strategy \\
          --title "Anytown Corporate Parenting Strategy" --publisher "Anytown Council" \\
          --year 2024 --jurisdiction england --kind "local strategy"
      cpguide ingest ~/guidance/ --json
    """
    from cpguide.app import Services
    from cpguide.ingest.pipeline import run_ingest
    from cpguide.ingest.sources import scan

    settings = make_settings(**flags)
    overrides = dict(title=title, doc_id=doc_id, publisher=publisher, year=year, jurisdiction=jurisdiction,
                     kind=kind, audience=audience, source_url=source_url)
    found = scan(list(paths), overrides)
    services = Services(settings)
    report = run_ingest(
        found.sources, index_dir=settings.index_path, model=settings.model, backend=settings.backend,
        embedder_factory=lambda: services.embedder,
        chunk_words=settings.chunk_words, chunk_max_words=settings.chunk_max_words,
        batch_size=settings.batch_size, max_bytes=settings.max_file_mb * 1024 * 1024,
        max_pages=settings.max_pages, approx_above=settings.approx_above, rebuild=rebuild,
        reporter=BarReporter(quiet or as_json), post_build=post_build_hooks(), not_read=found.not_read,
    )
    if as_json:
        emit_json(report.to_dict())
    else:
        _print_summary(report)
    if report.failed:
        raise SystemExit(1)


def post_build_hooks():
    """Tables derived from documents at ingest: the duty statements."""
    from cpguide.assistant.duties import write_duties

    return (write_duties,)


@click.command()
@index_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON (one object per document).")
def docs(as_json, **flags):
    """List the documents in the library.

    Shows each document's id (use it with --doc filters and `cpguide remove`), title,
    jurisdiction, kind, pages, passages and when it was ingested.

    \b
    Examples:
      cpguide docs
      cpguide docs --json
    """
    from cpguide.index.library import Library

    settings = make_settings(**flags)
    lib = Library.open(settings.index_dir)
    infos = list(lib.docs.values())
    if as_json:
        emit_json({"index_dir": settings.index_dir, "documents": [i.to_dict() for i in infos]})
        return
    if not infos:
        click.echo("The library is empty. Add documents with `cpguide ingest PATH...`.")
        return
    click.echo(f"{'ID':<24} {'JURISDICTION':<12} {'YEAR':<5} {'PAGES':>5} {'CHUNKS':>6}  {'INGESTED':<19}  TITLE")
    for i in infos:
        m = i.meta
        click.echo(f"{m.doc_id:<24} {m.jurisdiction:<12} {m.year or '':<5} {i.pages or '-':>5} {i.chunks:>6}  "
                   f"{i.ingested_at:<19}  {m.title[:70]}")
    click.echo(f"\n{len(infos)} documents, {sum(i.chunks for i in infos)} chunks in {settings.index_dir}")


@click.command()
@click.argument("doc_ids", nargs=-1, required=True)
@index_options
@click.option("--json", "as_json", is_flag=True, help="Print the run's report as JSON.")
def remove(doc_ids, as_json, **flags):
    """Remove documents from the library by id (see `cpguide docs`).

    \b
    Example:
      cpguide remove walsall-service
    """
    from cpguide.ingest.pipeline import run_ingest

    settings = make_settings(**flags)
    report = run_ingest([], index_dir=settings.index_path, model=settings.model, embedder_factory=None,
                        remove=doc_ids, approx_above=settings.approx_above, post_build=post_build_hooks())
    if as_json:
        emit_json(report.to_dict())
    else:
        click.echo(f"Removed {', '.join(report.removed)}. The library now holds {report.documents} documents, "
                   f"{report.chunks} chunks.")


COMMANDS = (ingest, docs, remove)
