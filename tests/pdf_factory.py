"""Write small, valid, text-only PDFs for tests, without a PDF library.

Each page gets one content stream drawing lines in Helvetica (a standard font every reader
has), so the text layer is exactly what the test wrote. Optional: a running footer, page
labels (/PageLabels) and a document title (/Info /Title).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

Line = str | tuple[str, float]  # text, or (text, font size)

PAGE_WIDTH = 595  # A4 in points
PAGE_HEIGHT = 842


def make_pdf(
    path: Path,
    pages: Sequence[Sequence[Line]],
    *,
    footer: str | None = None,
    page_labels: Sequence[tuple[int, str, int]] | None = None,
    title: str | None = None,
) -> Path:
    """Write ``pages`` (each a list of lines, top to bottom) to ``path``.

    ``footer`` may hold ``{page}`` and ``{pages}``. ``page_labels`` is a list of
    ``(first page index, style, first number)`` with style one of D, r, R, a, A, as in
    the PDF specification. An empty page has a content stream that draws nothing, as a
    scanned page without a text layer would.
    """
    objects: list[bytes] = []  # object n is objects[n - 1]

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled in once the page tree exists
    pages_id = add(b"")
    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")

    kids: list[int] = []
    for number, lines in enumerate(pages, start=1):
        drawn = list(lines)
        if footer is not None and lines:
            drawn_footer = footer.format(page=number, pages=len(pages))
        else:
            drawn_footer = None
        stream = _content(drawn, drawn_footer)
        content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        kids.append(add(
            b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %d %d] "
            b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>"
            % (pages_id, PAGE_WIDTH, PAGE_HEIGHT, font, content)
        ))

    objects[pages_id - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids), len(kids)
    )
    labels = b""
    if page_labels:
        nums = b" ".join(
            b"%d << /S /%s /St %d >>" % (index, style.encode("ascii"), start)
            for index, style, start in page_labels
        )
        labels = b" /PageLabels << /Nums [%s] >>" % nums
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R%s >>" % (pages_id, labels)
    info = add(b"<< /Title (%s) /Producer (pdf_factory) >>" % _escape(title)) if title is not None else None

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets: list[int] = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n" % (len(objects) + 1)
    out += b"0000000000 65535 f \n"
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    trailer = b"<< /Size %d /Root %d 0 R" % (len(objects) + 1, catalog)
    if info is not None:
        trailer += b" /Info %d 0 R" % info
    out += b"trailer\n" + trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref_at

    path = Path(path)
    path.write_bytes(bytes(out))
    return path


def _content(lines: Sequence[Line], footer: str | None) -> bytes:
    parts: list[bytes] = []
    y = PAGE_HEIGHT - 72
    for line in lines:
        text, size = (line, 11.0) if isinstance(line, str) else line
        y -= size * 1.5
        parts.append(b"BT /F1 %.1f Tf 72 %d Td (%s) Tj ET" % (size, round(y), _escape(text)))
    if footer is not None:
        parts.append(b"BT /F1 9.0 Tf 72 40 Td (%s) Tj ET" % _escape(footer))
    return b"\n".join(parts)


def _escape(text: str) -> bytes:
    data = text.encode("cp1252")
    return data.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


_TOPICS = ("housing", "health", "education", "work", "money", "family time", "friends", "sport", "music",
           "travel", "advice", "records", "safety", "leisure", "training", "birthdays", "pets")


def flowing_pages(pages: int, sentences: int = 14) -> list[list[str]]:
    """One paragraph flowing over ``pages`` pages, as text without headings does: each page ends
    mid-sentence and the next goes on in lower case. Every sentence is distinct, so a test can
    tell which page a quote came from."""
    out = []
    for p in range(1, pages + 1):
        lines = [f"We keep promise {p}{i:02d} on {_TOPICS[(3 * p + i) % len(_TOPICS)]} to care leavers."
                 for i in range(sentences)]
        if p > 1:
            lines[0] = "so " + lines[0][0].lower() + lines[0][1:]
        if p < pages:
            lines[-1] = lines[-1].rstrip(".") + " and"
        out.append(lines)
    return out
