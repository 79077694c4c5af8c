"""The ``cpguide`` command: a group whose subcommands live in ``cpguide.commands``.

Errors from the library arrive as ``CpguideError`` and leave here as one clear message on
stderr and an exit code; results go to stdout, progress and warnings to stderr.
"""

from __future__ import annotations

import json
import logging
import sys

import click

from cpguide import __version__
from cpguide.errors import CpguideError
from cpguide.settings import BACKENDS, SETTINGS, Settings

_SPEC = {s.name: s for s in SETTINGS}


def setting_option(name: str, *flags: str, **kwargs):
    """A click option bound to one declared setting: same help, and its env var named in --help."""
    spec = _SPEC[name]
    flag = flags or (f"--{name.replace('_', '-')}",)
    help_text = kwargs.pop("help", spec.help) + f"  [env: {spec.env}]"
    return click.option(*flag, name, default=None, type=kwargs.pop("type", spec.type), help=help_text,
                        show_default=False, **kwargs)


def index_options(f):
    f = setting_option("backend", type=click.Choice(BACKENDS))(f)
    f = setting_option("model", metavar="PATH")(f)
    f = setting_option("index_dir", metavar="DIR")(f)
    return f


def make_settings(**flags) -> Settings:
    return Settings.resolve(**{k: v for k, v in flags.items() if k in _SPEC})


def emit_json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=None))


def write_paper(paper, fmt: str, output, renderers) -> bool:
    """Print or write a paper (a brief, a check) as text, html, json or docx (docx only to a file).

    ``renderers`` maps text, html and docx to the paper's renderers; json is its ``to_dict``.
    Returns True when a file was written, so the command can say what it wrote.
    """
    if fmt == "docx":
        renderers["docx"](paper, output)
        return True
    body = json.dumps(paper.to_dict(), ensure_ascii=False, indent=2) + "\n" if fmt == "json" else renderers[fmt](paper)
    if output is None:
        click.echo(body, nl=False)
        return False
    output.write_text(body, encoding="utf-8")
    return True


class Group(click.Group):
    def list_commands(self, ctx):
        return list(self.commands)  # in the order a newcomer needs them, not alphabetical


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="cpguide")
@click.option("-v", "--verbose", is_flag=True, help="Show debug logging on stderr.")
def cli(verbose: bool):
    """cpguide: find what corporate parenting guidance says, with cited sources.

    \b
    Start here:
      cpguide ingest                      build the index from the starter corpus
      cpguide search "care leavers housing"
      cpguide ask "what should housing services do for care leavers?"
      cpguide chat                        ask follow-up questions in the terminal
      cpguide serve                       the web chat at http://127.0.0.1:8000
    \b
    Add your own documents (PDF, Word, HTML, text, Markdown):
      cpguide ingest ~/council-docs/ --jurisdiction england --kind "local strategy"

    Every command that reads or writes the index takes --index-dir (or CPGUIDE_INDEX_DIR).
    """
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING,
                        format="%(levelname)s: %(message)s", stream=sys.stderr)
    # pypdf reports every unusual font glyph; a user needs our per-file summary, not those.
    logging.getLogger("pypdf").setLevel(logging.DEBUG if verbose else logging.ERROR)


def _register() -> None:
    from cpguide.commands import adapt, ask, check, duties, evaluate, ingest, quiz, search, serve, setup_model

    for module in (ingest, search, ask, evaluate, serve, quiz, duties, check, setup_model, adapt):
        for command in module.COMMANDS:
            cli.add_command(command)


def main(argv: list[str] | None = None) -> None:
    _register()
    try:
        cli.main(args=argv, prog_name="cpguide", standalone_mode=False)
    except CpguideError as exc:
        click.echo(f"Error: {exc.message}", err=True)
        if exc.hint:
            click.echo(f"  {exc.hint}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except KeyboardInterrupt:
        click.echo("\nInterrupted; the index is unchanged.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except Exception as exc:  # a bug: say so plainly, keep the traceback for -v
        logging.getLogger("cpguide").debug("unexpected error", exc_info=True)
        click.echo(f"Error: unexpected {type(exc).__name__}: {exc}", err=True)
        click.echo("  This is a bug in cpguide. Run again with -v for the details and report them.", err=True)
        sys.exit(70)
