"""Word (.docx) documents as structured blocks, in body order with tables in place.

Word knows which paragraphs are headings (their style) and which are list items (their
style or numbering), so that structure is kept rather than guessed later from text.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

from cpguide.errors import LoadError
from cpguide.records import Block, RawDocument

from . import collapse_whitespace, meaningful_title

logger = logging.getLogger(__name__)

_HEADING_STYLE = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)


def load_docx(path: Path) -> RawDocument:
    """Headings, paragraphs, list items and table rows from the document body."""
    document = _open(path)
    blocks = tuple(_body_blocks(document))
    title = _core_title(document)
    if not title:
        title = next((b.text for b in blocks if b.kind == "heading" and b.level == 1), "")
    return RawDocument(path=str(path), format="docx", blocks=blocks, title_hint=title)


def _open(path: Path):
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        return docx.Document(str(path))
    except OSError:
        raise
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as exc:
        reason = "not a Word .docx package" if isinstance(exc, (zipfile.BadZipFile, PackageNotFoundError)) \
            else type(exc).__name__
        raise _damaged(path, reason) from None
    except Exception as exc:  # lxml syntax errors and the like inside the package
        raise _damaged(path, f"{type(exc).__name__}: {' '.join(str(exc).split())[:100]}") from None


def _damaged(path: Path, reason: str) -> LoadError:
    return LoadError(
        f"damaged Word file ({reason})",
        hint="Open it in Word or LibreOffice and save it again as .docx (an old .doc renamed to "
        ".docx must be re-saved too), then ingest again.",
        path=str(path),
    )


def _body_blocks(document) -> Iterator[Block]:
    from docx.oxml.ns import qn

    yield from _container_blocks(document.element.body, document, qn)


def _container_blocks(container, document, qn) -> Iterator[Block]:
    """Walk paragraphs and tables in order, looking inside content controls (w:sdt)."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in container.iterchildren():
        if child.tag == qn("w:p"):
            block = _paragraph_block(Paragraph(child, document))
            if block is not None:
                yield block
        elif child.tag == qn("w:tbl"):
            yield from _table_blocks(Table(child, document), document)
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _container_blocks(content, document, qn)


def _paragraph_block(paragraph) -> Block | None:
    text = collapse_whitespace(paragraph.text)
    if not text:
        return None
    style = _style(paragraph)
    name = (style.name or "") if style is not None else ""
    level = _heading_level(name, style, paragraph)
    if level:
        return Block(text=text, kind="heading", level=level)
    if "list" in name.lower() or _numbered(paragraph):
        return Block(text=text, kind="list_item")
    return Block(text=text, kind="paragraph")


def _style(paragraph):
    try:
        return paragraph.style
    except Exception:  # a style reference the styles part cannot resolve
        logger.debug("unresolvable paragraph style", exc_info=True)
        return None


def _heading_level(name: str, style, paragraph) -> int:
    """Title is 1, "Heading N" is N; custom heading styles show up by their outline level."""
    if name.lower() == "title":
        return 1
    match = _HEADING_STYLE.match(name.strip())
    if match:
        return max(1, min(int(match.group(1)), 6))
    outline = _outline_level(paragraph._p.pPr)
    seen = 0
    while outline is None and style is not None and seen < 10:
        outline = _outline_level(style.element.pPr)
        style = style.base_style
        seen += 1
    # 0-8 are heading levels 1-9; 9 means body text.
    if outline is not None and 0 <= outline <= 8:
        return min(outline + 1, 6)
    return 0


def _outline_level(ppr) -> int | None:
    if ppr is None:
        return None
    from docx.oxml.ns import qn

    element = ppr.find(qn("w:outlineLvl"))
    if element is None:
        return None
    try:
        return int(element.get(qn("w:val")))
    except (TypeError, ValueError):
        return None


def _numbered(paragraph) -> bool:
    ppr = paragraph._p.pPr
    if ppr is None or ppr.numPr is None:
        return False
    num_id = ppr.numPr.numId
    # numId 0 switches numbering off for a paragraph whose style would number it.
    return num_id is None or num_id.val != 0


def _table_blocks(table, document) -> Iterator[Block]:
    """One block per row; a merged cell's text once per row, not once per grid column."""
    from docx.text.paragraph import Paragraph
    from docx.oxml.ns import qn

    for row in table.rows:
        try:
            cells = [cell._tc for cell in row.cells]
        except Exception:  # malformed vertical merges
            cells = list(row._tr.tc_lst)
        texts: list[str] = []
        seen: set[int] = set()
        for tc in cells:
            if id(tc) in seen:
                continue
            seen.add(id(tc))
            text = collapse_whitespace(" ".join(Paragraph(p, document).text for p in tc.iter(qn("w:p"))))
            if text:
                texts.append(text)
        if texts:
            yield Block(text=" | ".join(texts), kind="table")


def _core_title(document) -> str:
    try:
        return meaningful_title(document.core_properties.title)
    except Exception:
        logger.debug("unreadable core properties", exc_info=True)
        return ""
