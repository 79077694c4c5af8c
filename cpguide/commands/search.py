"""``cpguide search``: passages, ranked, with where they are."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import click

from cpguide.cli import emit_json, index_options, make_settings, setting_option
from cpguide.records import JURISDICTIONS, KINDS


def filter_options(f):
    f = click.option("--audience", multiple=True, help="Only documents written for this audience (repeatable).")(f)
    f = click.option("--kind", multiple=True, type=click.Choice(KINDS), help="Only this kind of document (repeatable).")(f)
    f = click.option("--doc", "doc_id", multiple=True, metavar="ID", help="Only this document (repeatable; see `cpguide docs`).")(f)
    f = click.option("--jurisdiction", multiple=True, type=click.Choice(JURISDICTIONS), help="Only guidance for this place (repeatable).")(f)
    return f


def make_filters(jurisdiction=(), doc_id=(), kind=(), audience=()):
    from cpguide.index.search import Filters

    return Filters.from_dict({"jurisdiction": list(jurisdiction), "doc_id": list(doc_id), "kind": list(kind),
                              "audience": list(audience)})


def where(hit) -> str:
    place = {"england": "England", "wales": "Wales", "uk": "UK"}.get(hit.jurisdiction, "")
    bits = [f"{hit.title} ({hit.publisher}{', ' + str(hit.year) if hit.year else ''}{', ' + place if place else ''})"]
    if hit.page:
        bits.append(f"p. {hit.page}" + (f"-{hit.page_end}" if hit.page_end and hit.page_end != hit.page else ""))
    if hit.section:
        bits.append(f"§ {hit.section}")
    return ", ".join(bits)


def print_hits(hits) -> None:
    if not hits:
        click.echo("No passages found. Try other words, or remove filters.")
        return
    for h in hits:
        click.secho(f"{h.rank}. {where(h)}  [score {h.score:.3f}]", bold=True)
        click.echo(f"   id: {h.doc_id}")
        text = h.text
        if h.highlights:
            parts, pos = [], 0
            for span in h.highlights:
                parts.append(text[pos:span.start])
                parts.append(click.style(text[span.start:span.end], fg="yellow"))
                pos = span.end
            parts.append(text[pos:])
            text = "".join(parts)
        for line in text.split("\n\n"):
            click.echo(textwrap.indent(textwrap.fill(line, 96), "   "))
        for a in h.also_in:
            click.echo(f"   also in: {a['title']}" + (f", p. {a['page']}" if a.get("page") else "")
                       + (f", § {a['section']}" if a.get("section") else ""))
        click.echo()


def hits_json(query: str, hits, filters=None) -> dict:
    out = {"query": query, "hits": [h.to_dict() for h in hits]}
    if filters:
        out["filters"] = filters.to_dict()
    return out


@click.command()
@click.argument("query", required=False)
@index_options
@setting_option("top_k", "--k", "-k", metavar="N")
@filter_options
@click.option("--queries", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Run one query per line of this file; print JSON Lines.")
@click.option("--method", type=click.Choice(["hybrid", "dense", "bm25"]), default="hybrid", show_default=True,
              help="Retrieval method (hybrid is best; the others are for comparison).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: {query, hits: [...]}.")
def search(query, queries, method, as_json, jurisdiction, doc_id, kind, audience, **flags):
    """Find the passages that answer QUERY, best first.

    Plain words work: abbreviations (LAC, IRO, VSH, PA, SGO, NEET, ...) and everyday terms
    ("kids in care", "teeth") are matched to the guidance's own vocabulary. Near-duplicate
    passages in several documents are shown once, with "also in".

    \b
    Examples:
      cpguide search "what should housing services do for care leavers?"
      cpguide search "dental checks for LAC" --k 3 --json
      cpguide search "what can businesses do" --jurisdiction wales
      cpguide search --queries questions.txt > results.jsonl
    """
    from cpguide.app import Services

    settings = make_settings(**flags)
    filters = make_filters(jurisdiction, doc_id, kind, audience)
    if not query and not queries:
        raise click.UsageError("Give a QUERY or --queries FILE.")
    if query is not None:
        from cpguide.index.search import check_query

        check_query(query, settings.max_query_chars)  # fail fast, before loading the model
    searcher = Services(settings).searcher
    if queries:
        from cpguide.errors import CpguideError

        for line in Path(queries).read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            try:
                hits = searcher.search(line, k=settings.top_k, filters=filters, method=method,
                                       max_chars=settings.max_query_chars)
                click.echo(json.dumps(hits_json(line.strip(), hits), ensure_ascii=False))
            except CpguideError as exc:
                click.echo(json.dumps({"query": line.strip(), "hits": [], "error": exc.message}, ensure_ascii=False))
        return
    hits = searcher.search(query, k=settings.top_k, filters=filters, method=method, max_chars=settings.max_query_chars)
    if as_json:
        emit_json(hits_json(query, hits, filters))
    else:
        print_hits(hits)


COMMANDS = (search,)
