"""What every printable paper (a panel brief, a strategy check) shares: its head, its sources
list and its Word document, so that both papers cite the same way and print the same way.
"""

from __future__ import annotations

import html

from cpguide.assistant.currency import authority_label
from cpguide.errors import UsageError
from cpguide.records import Citation

PROVENANCE = "Every quote is taken word for word from the source named in its citation."


_PLACES = {"england": "England", "wales": "Wales", "uk": "UK", "unknown": ""}


def citation_line(c: Citation) -> str:
    """ "[3] Corporate parenting resource pack, Local Government Association, 2019, England, p. —, § Safeguarding" """
    bits = [c.title, c.publisher, str(c.year) if c.year else "n.d.", _PLACES.get(c.jurisdiction, c.jurisdiction) or "—",
            c.page_text or "p. —"]
    if c.section:
        bits.append(f"§ {c.section}")
    return f"[{c.n}] " + ", ".join(b for b in bits if b)


def html_head(title: str, css: str, generated: str, summary: str = "") -> list[str]:
    """The opening of a standalone page: title, style and the line saying where it came from."""
    e = html.escape
    return ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
            f"<title>{e(title)}</title>", f"<style>{css}</style>", "</head>", "<body>",
            f"<h1>{e(title)}</h1>",
            f'<p class="meta">Prepared {e(generated)} from the cpguide library. '
            + (f"{e(summary)} " if summary else "") + f"{PROVENANCE}</p>"]


def html_sources(citations) -> list[str]:
    """The numbered sources, each with its authority and any 'check this is current' notes."""
    e = html.escape
    out = ["<h2>Sources</h2>", '<ol class="citations">']
    for c in citations:
        notes = "".join(f'<div class="note">Note: {e(n)}</div>' for n in c.notes)
        out.append(f'<li class="citation" id="c{c.n}" value="{c.n}">{e(citation_line(c))}'
                   f' <span class="meta">({e(authority_label(c.kind))})</span>{notes}</li>')
    out += ["</ol>", "</body>", "</html>"]
    return out


def new_docx(title: str, generated: str, summary: str = "", notices=()):
    """A Word document opened with the paper's title, provenance and notices."""
    try:
        import docx
    except ImportError:  # pragma: no cover - python-docx is a dependency
        raise UsageError("Writing Word files needs python-docx.", hint="pip install python-docx") from None
    document = docx.Document()
    document.add_heading(title, level=1)
    document.add_paragraph(f"Prepared {generated} from the cpguide library. "
                           + (f"{summary} " if summary else "") + PROVENANCE)
    for n in notices:
        document.add_paragraph(f"Note: {n}")
    return document


def docx_sources(document, citations) -> None:
    document.add_heading("Sources", level=2)
    for c in citations:
        document.add_paragraph(f"{citation_line(c)} ({authority_label(c.kind)})", style="List Paragraph")
        for note in c.notes:
            document.add_paragraph(f"Note: {note}")
