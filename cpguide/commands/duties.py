"""``cpguide duties`` (who must do what) and ``cpguide brief`` (a panel brief on a topic)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import click

from cpguide.cli import emit_json, index_options, make_settings, setting_option, write_paper
from cpguide.records import JURISDICTIONS

_PLACES = {"england": "England", "wales": "Wales", "uk": "UK"}
_STRENGTH_CHOICES = ("must", "should", "may", "good-practice")


def _open_library(settings):
    from cpguide.index.library import Library

    return Library.open(settings.index_dir)


def _where(meta, section: str) -> str:
    place = _PLACES.get(meta.jurisdiction, "")
    bits = [meta.publisher, str(meta.year) if meta.year else "", place]
    head = f"{meta.title} ({', '.join(b for b in bits if b)})"
    return head + (f", § {section}" if section else "")


def _list_actors() -> None:
    from cpguide.assistant.duties import actor_vocabulary

    vocab = actor_vocabulary()
    click.echo("Actors (use the name on the left with --actor):\n")
    for a in vocab.actors:
        examples = ", ".join((a.terms + a.acronyms)[:6])
        click.echo(f"  {a.slug:<22} {a.label}")
        if examples:
            click.echo(f"  {'':<22} e.g. {examples}")
    click.echo("\nYou can also type a service's own name, e.g. --actor NHS, --actor 'foster carers', --actor IRO.")


def _list_principles() -> None:
    from cpguide.assistant.duties import principles

    click.echo("Principles (use the id on the left with --principle):\n")
    for p in principles():
        click.echo(f"  {p.id:<11} {p.title}")


def _print_duties(library, duties, *, stale_years: int, header: str, principle: str | None = None) -> None:
    from cpguide.assistant.currency import authority_label, notes_for
    from cpguide.assistant.duties import STRENGTH_LABELS, actor_vocabulary, group_by_principle, principle_title

    vocab = actor_vocabulary()
    docs = {d.doc_id for d in duties}
    click.secho(f"{header}: {len(duties)} found in {len(docs)} document{'s' if len(docs) != 1 else ''}.", bold=True)
    # Asked for one principle: every duty serving it sits under it, whichever it serves best.
    groups = [(principle, list(duties))] if principle else group_by_principle(duties)
    for pid, group in groups:
        click.echo()
        click.secho(principle_title(pid) if pid else "Other duties (no principle named)", bold=True, underline=True)
        for d in group:
            meta = library.meta(d.doc_id)
            badge = STRENGTH_LABELS.get(d.strength, d.strength.upper())
            colour = {"must": "red", "should": "yellow", "may": "cyan"}.get(d.strength, "green")
            quote = textwrap.fill(f"“{d.text}”", 92, initial_indent="  ", subsequent_indent="   ")
            click.echo(click.style(f"  [{badge}]", fg=colour, bold=True))
            click.echo(quote)
            click.echo(f"     {_where(meta, d.section)}")
            who = ", ".join(vocab.label(a) for a in d.actors)
            click.echo(f"     Authority: {authority_label(meta.kind)}. Who: {who}.")
            if d.legal_refs:
                click.echo(f"     Law: {'; '.join(d.legal_refs)}")
            for note in notes_for(meta, d.text, stale_years=stale_years):
                click.secho(f"     Note: {note}", fg="magenta")


@click.command()
@index_options
@click.option("--actor", metavar="NAME", help="Who must act, e.g. housing, health, police, councillors, "
              "businesses (see --list-actors).")
@click.option("--jurisdiction", type=click.Choice(JURISDICTIONS), help="Only guidance for this place.")
@click.option("--strength", type=click.Choice(_STRENGTH_CHOICES), help="Only duties this strong.")
@click.option("--principle", metavar="ID", help="Only duties serving this principle, e.g. wales-8 or england-6 "
              "(see --list-principles).")
@click.option("--doc", "doc_id", metavar="ID", help="Only this document (see `cpguide docs`).")
@click.option("--topic", metavar="WORDS", help="Only duties whose words include these, e.g. 'health assessment'.")
@click.option("--list-actors", is_flag=True, help="Show the actors you can ask about, and stop.")
@click.option("--list-principles", is_flag=True, help="Show the corporate parenting principles, and stop.")
@setting_option("stale_years", metavar="N")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: {filters, duties: [...]}.")
def duties(actor, jurisdiction, strength, principle, doc_id, topic, list_actors, list_principles, as_json, **flags):
    """Who must do what: duty statements quoted from the guidance, grouped by principle.

    Each duty is a sentence or list item that says someone must, should or may do something
    for children in care or care leavers, quoted word for word, with its strength (MUST,
    SHOULD, MAY or GOOD PRACTICE), who must act, the document's standing (legislation,
    statutory guidance, toolkit, ...) and a note when the source may be out of date.

    \b
    Examples:
      cpguide duties --actor housing --jurisdiction wales
      cpguide duties --actor councillors --strength must
      cpguide duties --principle wales-8
      cpguide duties --actor NHS --topic "health assessment" --json
      cpguide duties --list-actors
    """
    from cpguide.assistant.duties import actor_vocabulary, find_duties, principle_title, resolve_principle
    from cpguide.errors import CpguideError

    if list_actors:
        _list_actors()
        return
    if list_principles:
        _list_principles()
        return
    vocab = actor_vocabulary()
    slug = vocab.resolve(actor) if actor else None  # unknown actor: a UsageError listing the valid ones
    pid = resolve_principle(principle) if principle else None
    settings = make_settings(**flags)
    library = _open_library(settings)
    if not library.table_exists("duties"):
        raise CpguideError("This index holds no duty statements: it was built before they were extracted.",
                           hint="Run `cpguide ingest --rebuild` to add them (your documents are kept).")
    found = find_duties(library, actor=slug, jurisdiction=jurisdiction, strength=strength, principle=pid,
                        doc_id=doc_id, topic_query=topic)
    if as_json:
        from cpguide.assistant.currency import authority_label, notes_for

        out = []
        for d in found:
            meta = library.meta(d.doc_id)
            out.append({**d.to_dict(), "title": meta.title, "publisher": meta.publisher, "year": meta.year,
                        "kind": meta.kind, "authority": authority_label(meta.kind),
                        "notes": list(notes_for(meta, d.text, stale_years=settings.stale_years))})
        filters = {k: v for k, v in dict(actor=slug, jurisdiction=jurisdiction, strength=strength, principle=pid,
                                           doc_id=doc_id, topic=topic).items() if v}
        emit_json({"filters": filters, "duties": out})
        return
    if not found:
        click.echo("No duties match those filters. Try fewer filters, or see `cpguide duties --list-actors`.")
        return
    parts = []
    if slug:
        parts.append(f"for {vocab.label(slug).split(' (')[0].lower()}")
    if jurisdiction:
        parts.append(f"in {_PLACES.get(jurisdiction, jurisdiction)}")
    if strength:
        parts.append(f"({strength})")
    if pid:
        parts.append(f"serving {principle_title(pid)}")
    header = " ".join(["Duties"] + parts)
    _print_duties(library, found, stale_years=settings.stale_years, header=header, principle=pid)


@click.command()
@click.argument("topic")
@index_options
@click.option("--jurisdiction", type=click.Choice(("england", "wales", "uk")), help="Only guidance for this place.")
@click.option("--format", "fmt", type=click.Choice(("text", "html", "docx", "json")), default="text",
              show_default=True, help="text for the terminal, html to print, docx for Word, json for tools.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Write to FILE instead of the terminal (needed for docx).")
@setting_option("stale_years", metavar="N")
def brief(topic, jurisdiction, fmt, output, **flags):
    """A panel brief on TOPIC: duties, key facts and questions to ask officers, all cited.

    The brief quotes what the guidance says must, should or may happen on the topic, the
    figures it gives (with the date of the document they come from), the library's own
    "key lines of enquiry", and "How do we know that ...?" questions made from the duties
    (marked as generated). Every line carries a numbered citation to its source.

    \b
    Examples:
      cpguide brief "placement stability"
      cpguide brief "care leavers' housing" --jurisdiction wales --format html -o housing.html
      cpguide brief "health assessments" --format docx -o health-brief.docx
    """
    from cpguide.app import Services
    from cpguide.assistant.brief import build_brief, render_docx, render_html, render_text
    from cpguide.errors import UsageError

    if fmt == "docx" and output is None:
        raise UsageError("A Word brief has to be written to a file.",
                         hint=f"Add --output, e.g. cpguide brief {topic!r} --format docx -o brief.docx")
    settings = make_settings(**flags)
    services = Services(settings)
    result = build_brief(services.searcher, services.library, topic, jurisdiction=jurisdiction,
                         settings_stale_years=settings.stale_years)
    if not write_paper(result, fmt, output, {"text": render_text, "html": render_html, "docx": render_docx}):
        return
    click.echo(f"Wrote the brief to {output}: {len(result.duties)} duties, {len(result.key_facts)} key facts, "
               f"{len(result.questions)} questions, {len(result.citations)} sources.")


COMMANDS = (duties, brief)
