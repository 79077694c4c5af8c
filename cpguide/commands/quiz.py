"""``cpguide quiz``: a quiz for induction sessions, made from the question bank, with cited answers."""

from __future__ import annotations

import secrets
from pathlib import Path

import click

from cpguide.cli import index_options, make_settings


@click.command()
@index_options
@click.option("--topic", metavar="SLUG", help="Only questions on this topic (see eval/taxonomy.toml), e.g. housing.")
@click.option("--audience", metavar="SLUG",
              help="Only questions asked by this audience: councillor, partner, officer, trainer, young-person.")
@click.option("--doc", "doc_id", metavar="ID", help="Only questions answered from this document (see `cpguide docs`).")
@click.option("--n", "-n", "n", type=int, default=10, show_default=True, metavar="N", help="How many questions.")
@click.option("--seed", type=click.IntRange(min=0), default=None, metavar="S",
              help="Make the same quiz again with the same seed (default: a new random seed, shown on stderr).")
@click.option("--kinds", default="mc,tf,source", show_default=True, metavar="LIST",
              help="Kinds of question, comma-separated: mc (multiple choice), tf (true or false), "
                   "source (which document says this?).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "gift", "csv", "html"]), default="text",
              show_default=True, help="text for the terminal, gift for Moodle, csv for spreadsheets and forms, "
                                      "html for a printable sheet, json for programs.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True, path_type=Path), metavar="FILE",
              help="Write the quiz to FILE instead of stdout.")
@click.option("--bank", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="FILE",
              help="Also use the questions in this JSON Lines file (repeatable; see eval/README.md).")
@click.option("--bank-only", is_flag=True, help="Use only the --bank files, not the shipped question bank.")
def quiz(topic, audience, doc_id, n, seed, kinds, fmt, output, bank, bank_only, **flags):
    """Make a quiz with the right answers and the passages they come from.

    Questions come from the shipped question bank (and any --bank files): multiple choice
    whose wrong options are other questions' answers, true-or-false statements, and "which
    document says this?" for a verbatim quote. Every answer cites its source: title,
    publisher, year, place, page and the passage word for word. The same --seed gives the
    same quiz again. Lines of a --bank file that fail the checks of `cpguide eval check`
    are reported on stderr by line number and left out; the rest are used.

    \b
    Examples:
      cpguide quiz --topic housing --n 10 --seed 7
      cpguide quiz --topic leaving-care --format gift --output leaving-care.gift.txt
      cpguide quiz --audience councillor --kinds mc,tf --format html -o councillors.html
      cpguide quiz --bank my-questions.jsonl --format csv -o quiz.csv
    """
    from cpguide.errors import UsageError
    from cpguide.eval.quiz import build_quiz, library_documents, load_bank, parse_kinds
    from cpguide.eval.quiz_export import export
    from cpguide.index.library import Library

    chosen_kinds = parse_kinds(kinds)
    if bank_only and not bank:
        raise UsageError("--bank-only needs at least one --bank FILE.",
                         hint="Name your question file with --bank FILE, or leave out --bank-only.")
    settings = make_settings(**flags)
    library = Library.open(settings.index_dir)
    docs = library_documents(library)
    items, problems = load_bank(list(bank), docs.text, include_shipped=not bank_only)
    for p in problems:
        click.secho(f"Warning: {p} (line skipped)", fg="yellow", err=True)
    if problems:
        click.echo(f"  {len(problems)} problem line(s) left out; `cpguide eval check FILE` lists them too.", err=True)

    random_seed = seed is None
    if random_seed:
        seed = secrets.randbelow(100_000)
    made = build_quiz(items, docs.meta, docs.text, documents_sections=docs.sections, topic=topic,
                      audience=audience, doc_id=doc_id, n=n, seed=seed, kinds=chosen_kinds)
    if random_seed:
        click.echo(f"Seed {seed}: use --seed {seed} to make this quiz again.", err=True)
    for note in made.notes:
        click.secho(f"Note: {note}", fg="yellow", err=True)

    content = export(made, fmt)
    if output:
        # a byte-order mark lets spreadsheet programs read the CSV's curly quotes as UTF-8
        output.write_text(content, encoding="utf-8-sig" if fmt == "csv" else "utf-8", newline="")
        click.echo(f"Wrote {len(made.questions)} question(s) to {output} ({fmt}).", err=True)
    else:
        click.echo(content, nl=not content.endswith("\n"))


COMMANDS = (quiz,)
