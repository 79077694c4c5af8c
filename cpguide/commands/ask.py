"""``cpguide ask`` and ``cpguide chat``: cited answers in the terminal."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import click

from cpguide.assistant.citations import source_heads
from cpguide.cli import emit_json, index_options, make_settings, setting_option
from cpguide.commands.search import filter_options, make_filters


def llm_options(f):
    for name in ("llm_timeout", "llm_api_key", "llm_model", "llm_url"):
        f = setting_option(name)(f)
    return f


def citation_line(c) -> str:
    place = {"england": "England", "wales": "Wales", "uk": "UK"}.get(c.jurisdiction, c.jurisdiction)
    where = [f"{c.title} ({c.publisher}, {c.year or 'n.d.'}, {place})"]
    if c.page_text:
        where.append(c.page_text)  # "p. 5", "pp. 3-4", "p. 46 (PDF page 49)"
    if c.section:
        where.append(f"§ {c.section}")
    return ", ".join(where)


def print_answer(answer, *, show_quotes: bool = True) -> None:
    if answer.resolved_question and answer.resolved_question != answer.question:
        click.secho(f"(Understood as: {answer.resolved_question})", dim=True)
    for notice in answer.notices:
        click.secho(f"Note: {notice}", fg="yellow", err=True)
    click.echo(answer.answer)
    if answer.citations:
        click.echo("\nSources:")
        for c, head in zip(answer.citations, source_heads(answer.citations, citation_line)):
            click.secho(head, bold=True)
            if show_quotes:
                click.echo(textwrap.indent(textwrap.fill(f"“{c.quote}”", 92), "    "))
            for note in c.notes:
                click.secho(f"    ! {note}", fg="yellow")
    if answer.abstained and answer.related:
        click.echo("\nMay be related:")
        for h in answer.related:
            click.echo(f"  - {h.title}" + (f", p. {h.page}" if h.page else "") + (f", § {h.section}" if h.section else ""))
            click.echo(textwrap.indent(textwrap.fill(h.text[:300] + ("…" if len(h.text) > 300 else ""), 90), "      "))


@click.command()
@click.argument("question", required=False)
@index_options
@filter_options
@llm_options
@click.option("--questions", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Answer one question per line of this file (JSON Lines with --json).")
@click.option("--json", "as_json", is_flag=True,
              help='Print JSON: {"answer", "citations": [...], "abstained"}.')
def ask(question, questions, as_json, jurisdiction, doc_id, kind, audience, **flags):
    """Answer QUESTION from the library, citing document, page and section.

    Every sentence of the answer is the library's own wording with a [n] marker; the sources
    list gives each quote exactly. If the library does not cover the question, it says so
    and lists passages that may be related.

    With CPGUIDE_LLM_URL set (an OpenAI-compatible endpoint such as Ollama or llama.cpp),
    a language model writes the answer from the same passages; every citation it makes is
    checked, and on any failure the answer falls back to the library's sentences.

    \b
    Examples:
      cpguide ask "what should housing services do for care leavers?"
      cpguide ask "what can businesses do?" --jurisdiction wales --json
      cpguide ask --questions panel-questions.txt --json > answers.jsonl
    """
    from cpguide.app import Services
    from cpguide.errors import CpguideError

    settings = make_settings(**flags)
    filters = make_filters(jurisdiction, doc_id, kind, audience)
    if not question and not questions:
        raise click.UsageError("Give a QUESTION or --questions FILE.")
    if question is not None:
        from cpguide.index.search import check_query

        check_query(question, settings.max_query_chars)  # fail fast, before loading the model
    assistant = Services(settings).assistant
    if questions:
        for line in Path(questions).read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            try:
                out = assistant.ask(line, filters=filters).to_dict()
            except CpguideError as exc:
                out = {"question": line.strip(), "answer": "", "citations": [], "abstained": True, "error": exc.message}
            if as_json:
                click.echo(json.dumps(out, ensure_ascii=False))
            else:
                click.secho(f"\nQ: {line.strip()}", bold=True)
                click.echo(out["answer"] or out.get("error", ""))
        return
    answer = assistant.ask(question, filters=filters)
    if as_json:
        emit_json(answer.to_dict())
    else:
        print_answer(answer)


CHAT_HELP = """Commands: /sources (list the last answer's sources in full), /new (start over),
/wales, /england, /all (set the place), /help, /quit. Anything else is a question."""


@click.command()
@index_options
@filter_options
@llm_options
def chat(jurisdiction, doc_id, kind, audience, **flags):
    """Talk to the library: ask, then ask follow-ups ("and what about health?").

    Follow-up questions are understood in the light of the conversation: "and in Wales?",
    "who checks that happens?", "tell me more about the second point".

    \b
    Examples:
      cpguide chat
      cpguide chat --jurisdiction wales

    \b
    In the chat:
      /sources   show the last answer's sources with their quotes
      /new       start a new conversation
      /wales /england /all   limit answers to one place, or not
      /quit      leave (Ctrl-D works too)
    """
    from cpguide.app import Services
    from cpguide.assistant.conversation import Conversation, Turn
    from cpguide.errors import CpguideError
    from cpguide.index.search import Filters

    settings = make_settings(**flags)
    filters = make_filters(jurisdiction, doc_id, kind, audience)
    click.echo("Loading the library...", err=True)
    assistant = Services(settings).assistant
    conversation = Conversation()
    click.echo(f"Ask a question about corporate parenting. {CHAT_HELP}\n")
    while True:
        try:
            line = click.prompt("You", prompt_suffix="> ", default="", show_default=False)
        except (EOFError, click.exceptions.Abort):
            click.echo()
            return
        line = line.strip()
        if not line:
            continue
        command = line.lower()
        if command in ("/quit", "/exit", "/q"):
            return
        if command == "/help":
            click.echo(CHAT_HELP)
            continue
        if command == "/new":
            conversation = Conversation()
            click.echo("Started a new conversation.")
            continue
        if command in ("/wales", "/england", "/all"):
            place = command[1:]
            filters = Filters(jurisdiction=() if place == "all" else (place,), doc_id=filters.doc_id,
                              kind=filters.kind, audience=filters.audience)
            click.echo(f"Answers now come from {'all places' if place == 'all' else place.title()}.")
            continue
        if command == "/sources":
            last = conversation.last
            if not last or not last.answer or not last.answer.citations:
                click.echo("No sources yet.")
            else:
                for c, head in zip(last.answer.citations, source_heads(last.answer.citations, citation_line)):
                    click.secho(head, bold=True)
                    click.echo(textwrap.indent(textwrap.fill(f"“{c.quote}”", 92), "    "))
            continue
        try:
            answer = assistant.ask(line, conversation, filters)
        except CpguideError as exc:
            click.secho(f"{exc.message}", fg="red")
            continue
        conversation.turns.append(Turn(line, answer.resolved_question, answer))
        click.echo()
        print_answer(answer, show_quotes=False)
        click.echo()


COMMANDS = (ask, chat)
