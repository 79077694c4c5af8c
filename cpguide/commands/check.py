"""``cpguide check``: is a local strategy complete against the national principles and duties?"""

from __future__ import annotations

from pathlib import Path

import click

from cpguide.cli import index_options, make_settings, setting_option, write_paper


@click.command()
@click.argument("doc_id")
@index_options
@click.option("--against", type=click.Choice(("england", "wales")),
              help="The principles to check against; by default the document's own place.")
@click.option("--format", "fmt", type=click.Choice(("text", "json", "html", "docx")), default="text",
              show_default=True, help="text for the terminal, html to print, docx for Word, json for tools.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Write to FILE instead of the terminal (needed for docx).")
@setting_option("stale_years", metavar="N")
def check(doc_id, against, fmt, output, **flags):
    """Check local document DOC_ID against the principles and the partners' national duties.

    For each corporate parenting principle (England's seven, or the Welsh charter's eleven)
    and each partner the national guidance gives duties to (housing, health, police,
    schools, leisure, businesses, ...): COVERED, with the local passage that acts on it;
    MENTIONED ONLY, named in passing; or NOT FOUND. Each row quotes the national passage it
    is measured against and says how the status was decided. It ends with the national duties
    the document does not meet, by partner, and a question a panel could ask about each.
    Every quote is cited. `cpguide docs` lists the document ids.

    \b
    Examples:
      cpguide check telford-partners
      cpguide check anytown-strategy --format docx -o strategy-check.docx
      cpguide check walsall-service --format html -o check.html
      cpguide check anytown-pledge --against wales --format json
    """
    from cpguide.app import Services
    from cpguide.assistant.gapcheck import check_document
    from cpguide.assistant.gapcheck_render import render_docx, render_html, render_text, summary
    from cpguide.errors import UsageError

    if fmt == "docx" and output is None:
        raise UsageError("A Word check has to be written to a file.",
                         hint=f"Add --output, e.g. cpguide check {doc_id} --format docx -o check.docx")
    settings = make_settings(**flags)
    services = Services(settings)
    services.library.meta(doc_id)  # an unknown id is reported before the model loads
    result = check_document(services.library, services.searcher.embedder, doc_id, against=against,
                            stale_years=settings.stale_years)
    if not write_paper(result, fmt, output, {"text": render_text, "html": render_html, "docx": render_docx}):
        return
    click.echo(f"Wrote the check of {doc_id} to {output}: {summary(result)}")


COMMANDS = (check,)
