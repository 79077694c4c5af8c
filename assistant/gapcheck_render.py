"""A strategy check as text, printable HTML and Word.

The three formats are made from the same cells (``row_cells``, ``gap_groups``), so a panel
paper in Word holds exactly the rows the web page and the printable page show.
"""

from __future__ import annotations

import html

from cpguide.assistant.printable import citation_line, docx_sources, html_head, html_sources, new_docx
from cpguide.assistant.currency import authority_label
from cpguide.assistant.gapcheck import STATUSES, Evidence, GapCheck, Row

PLACES = {"england": "England", "wales": "Wales"}
STATUS_LABELS = {"covered": "Covered", "mentioned": "Mentioned only", "not found": "Not found"}
HEADERS = ("Principle or partner", "Status", "What the document says", "What the national guidance says",
           "How this was decided")
_STRENGTHS = {"must": "MUST", "should": "SHOULD", "may": "MAY", "good-practice": "GOOD PRACTICE",
              "commitment": "COMMITMENT"}


def title(check: GapCheck) -> str:
    return f"Strategy check: {check.title} against {PLACES.get(check.against, check.against)}"


def target_name(row: Row) -> str:
    t = row.target
    if t.kind == "principle":
        number = t.id.rsplit("-", 1)[-1]
        return f"Principle {number}: {t.label}"
    return f"Partner: {t.label}"


def quote_cell(e: Evidence | None, missing: str) -> str:
    if e is None:
        return missing
    badge = f"{_STRENGTHS.get(e.action, e.action.upper())}: " if e.action else ""
    return f"{badge}“{e.text}” [{e.cite}]"


def row_cells(row: Row) -> tuple[str, str, str, str, str]:
    """The five cells of a row, as every format shows them."""
    return (target_name(row), STATUS_LABELS[row.status],
            quote_cell(row.local, "Nothing in the document."),
            quote_cell(row.national, "No national duty in the library."),
            row.reason)


def gap_groups(check: GapCheck) -> list[tuple[str, list]]:
    """Gaps grouped by partner, in the order of the rows."""
    groups: dict[str, list] = {}
    for g in check.gaps:
        groups.setdefault(g.partner_label, []).append(g)
    return list(groups.items())


def summary(check: GapCheck) -> str:
    counts = check.counts()
    return (f"{len(check.rows)} checked: {counts['covered']} covered, {counts['mentioned']} mentioned only, "
            f"{counts['not found']} not found; {len(check.gaps)} national duties for partners not met.")


_METHOD = ("How to read this: a principle or partner is covered when a passage states something the council or a "
           "partner does or will do (a must, should, may, an instruction or a commitment), uses the principle's or "
           "partner's own words, and is close in meaning to the national guidance. Mentioned only: it is named, but "
           "in passing, in a list, in a description, or where the law is reported. Not found: neither. Similarities "
           "are between 0 and 1.")


def render_text(check: GapCheck) -> str:
    lines = [title(check), f"Prepared {check.generated} from the cpguide library. {summary(check)}", "", _METHOD, ""]
    for n in check.notices:
        lines.append(f"Note: {n}")
    for row in check.rows:
        name, status, local, national, how = row_cells(row)
        lines += [f"{name}: {status.upper()}", f"  Document: {local}", f"  National: {national}", f"  {how}", ""]
    lines += ["National duties the document does not meet, by partner", "-" * 55]
    for label, gaps in gap_groups(check):
        lines.append(label)
        for g in gaps:
            lines.append(f"  - {_STRENGTHS.get(g.duty.strength, g.duty.strength)}: “{g.duty.text}” [{g.cite}]")
            lines.append(f"    Ask: {g.question}")
    if not check.gaps:
        lines.append("  none")
    lines += ["", "Sources", "-------"]
    for c in check.citations:
        lines.append(f"{citation_line(c)} ({authority_label(c.kind)})")
        for note in c.notes:
            lines.append(f"    Note: {note}")
    return "\n".join(lines) + "\n"


_CSS = """
body { font-family: Georgia, 'Times New Roman', serif; max-width: 72rem; margin: 2rem auto; padding: 0 1rem;
       color: #111; line-height: 1.4; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; border-bottom: 1px solid #999; margin-top: 1.6rem; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { border: 1px solid #999; padding: .35rem; vertical-align: top; text-align: left; }
.meta, .how, .note { color: #444; font-size: .85rem; }
.status { font: bold .8rem sans-serif; white-space: nowrap; }
li { margin-bottom: .4rem; }
@media print { body { margin: 0; max-width: none; } a { color: inherit; text-decoration: none; } }
"""


def render_html(check: GapCheck) -> str:
    """A printable, standalone HTML page; every piece of text is escaped."""
    e = html.escape
    out = html_head(title(check), _CSS, check.generated, summary(check)) + [f'<p class="meta">{e(_METHOD)}</p>']
    for n in check.notices:
        out.append(f'<p class="note">Note: {e(n)}</p>')
    out.append('<table class="check-table">')
    out.append("<thead><tr>" + "".join(f'<th scope="col">{e(h)}</th>' for h in HEADERS) + "</tr></thead><tbody>")
    for row in check.rows:
        cells = row_cells(row)
        out.append(f'<tr class="status-{row.status.replace(" ", "-")}"><th scope="row">{e(cells[0])}</th>'
                   f'<td class="status">{e(cells[1])}</td><td>{e(cells[2])}</td><td>{e(cells[3])}</td>'
                   f'<td class="how">{e(cells[4])}</td></tr>')
    out.append("</tbody></table>")
    out.append("<h2>National duties the document does not meet, by partner</h2>")
    for label, gaps in gap_groups(check):
        out.append(f"<h3>{e(label)}</h3>")
        out.append('<ul class="gaps">')
        for g in gaps:
            out.append(f'<li class="gap">{e(_STRENGTHS.get(g.duty.strength, g.duty.strength))}: “{e(g.duty.text)}” '
                       f'<a href="#c{g.cite}">[{g.cite}]</a><div class="question">Ask: {e(g.question)}</div></li>')
        out.append("</ul>")
    if not check.gaps:
        out.append("<p>None.</p>")
    out += html_sources(check.citations)
    return "\n".join(out) + "\n"


def render_docx(check: GapCheck, path) -> None:
    """The same check as a Word document, its table holding the same rows as the HTML's."""
    document = new_docx(title(check), check.generated, summary(check))
    document.add_paragraph(_METHOD)
    for n in check.notices:
        document.add_paragraph(f"Note: {n}")
    table = document.add_table(rows=1, cols=len(HEADERS))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, HEADERS):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in check.rows:
        for cell, text in zip(table.add_row().cells, row_cells(row)):
            cell.text = text
    document.add_heading("National duties the document does not meet, by partner", level=2)
    for label, gaps in gap_groups(check):
        document.add_heading(label, level=3)
        for g in gaps:
            document.add_paragraph(f"{_STRENGTHS.get(g.duty.strength, g.duty.strength)}: “{g.duty.text}” [{g.cite}]",
                                   style="List Bullet")
            document.add_paragraph(f"Ask: {g.question}")
    docx_sources(document, check.citations)
    document.save(str(path))


__all__ = ["HEADERS", "STATUSES", "STATUS_LABELS", "gap_groups", "render_docx", "render_html", "render_text",
           "row_cells", "summary", "target_name", "title"]
