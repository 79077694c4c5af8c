"""PDF pages as raw text blocks, one per page, with the page labels readers see.

Guidance documents number their pages in print ("page 12" may be the 14th sheet), so each
block keeps both the physical page and, where the PDF defines one that differs, the label.
Text comes from pypdf's default extraction: its layout mode interleaves the lines of
two-column pages, which the default keeps in column order.

pypdf reports fonts it cannot fully decode through the ``pypdf`` loggers, sometimes
hundreds of times for one file; the command line decides whether to show them.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from cpguide.errors import LoadError
from cpguide.records import Block, RawDocument

from . import meaningful_title

logger = logging.getLogger(__name__)

_REEXPORT_HINT = "Download the file again, or re-export it from the program that made it, then ingest again."
_PASSWORD_HINT = (
    "Remove the password (open it with the password and print or save it as a new PDF), "
    "then ingest the new copy."
)

# C0 controls other than tab and newline. In PDFs they are almost always maths or symbol
# glyphs without a Unicode mapping (pypdf gives NUL for a minus sign, for example).
_CONTROL_RUN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]+")


def load_pdf(path: Path, *, max_pages: int = 2000) -> RawDocument:
    """One ``raw`` block per page that has text; per-page trouble becomes a warning."""
    where = str(path)
    reader = _open(path)
    _unlock(reader, where)

    try:
        page_count = len(reader.pages)
    except Exception as exc:
        raise _damaged(where, exc) from None
    if page_count > max_pages:
        raise LoadError(
            f"too many pages ({page_count}; the limit is {max_pages})",
            hint="The limit is set by CPGUIDE_MAX_PAGES / --max-pages; raise it to ingest this file.",
            path=where,
        )
    if page_count == 0:
        raise LoadError("the PDF has no pages", hint=_REEXPORT_HINT, path=where)

    labels = _page_labels(reader, page_count)
    blocks: list[Block] = []
    warnings: list[str] = []
    empty_pages: list[int] = []
    failed_pages: list[int] = []
    for index in range(page_count):
        number = index + 1
        try:
            text = reader.pages[index].extract_text()
        except Exception as exc:
            failed_pages.append(number)
            warnings.append(f"page {number}: text could not be extracted ({_brief(exc)})")
            continue
        text = clean_controls(text or "")
        if not text.strip():
            empty_pages.append(number)
            continue
        label = labels[index] if labels else None
        blocks.append(
            Block(text=text, kind="raw", page=number, page_label=label if label != str(number) else None)
        )

    if not blocks:
        if failed_pages and not empty_pages:
            raise LoadError(
                "damaged or incomplete PDF (text could not be extracted from any page)",
                hint=_REEXPORT_HINT,
                path=where,
            )
        raise LoadError(
            "no extractable text: it looks scanned or image-only",
            hint="Run OCR (for example ocrmypdf) and ingest the OCR'd copy.",
            path=where,
        )
    if empty_pages:
        noun = "page" if len(empty_pages) == 1 else "pages"
        warnings.append(
            f"{noun} {page_ranges(empty_pages)}: no extractable text (blank, scanned or image-only), skipped"
        )

    return RawDocument(
        path=where,
        format="pdf",
        blocks=tuple(blocks),
        title_hint=_title(reader),
        page_count=page_count,
        warnings=tuple(warnings),
    )


def clean_controls(text: str) -> str:
    """Drop control characters without gluing words together or doubling spaces.

    A run between two visible characters becomes one space (it usually stood for a symbol);
    a run next to whitespace or at either end simply goes. CRLF becomes a newline; a lone CR
    is a symbol like the rest (pypdf gives it for a gamma, for example).
    """
    text = text.replace("\r\n", "\n")

    def replace(match: re.Match[str]) -> str:
        before = match.string[match.start() - 1] if match.start() > 0 else " "
        after = match.string[match.end()] if match.end() < len(match.string) else " "
        return "" if before.isspace() or after.isspace() else " "

    return _CONTROL_RUN.sub(replace, text)


def _open(path: Path):
    from pypdf import PdfReader

    with path.open("rb") as handle:
        head = handle.read(1024)
    if b"%PDF-" not in head:
        raise LoadError(
            "not a PDF (the file does not start with a PDF header)",
            hint="It may be a web page or an error message saved under a .pdf name; "
            "download it again from the original link.",
            path=str(path),
        )
    try:
        return PdfReader(str(path))
    except OSError:
        raise
    except Exception as exc:  # pypdf raises many kinds on broken files
        raise _damaged(str(path), exc) from None


def _unlock(reader, where: str) -> None:
    """Open PDFs that only restrict printing or editing; refuse those that need a password."""
    try:
        if not reader.is_encrypted:
            return
    except Exception as exc:
        raise _damaged(where, exc) from None
    from pypdf.errors import DependencyError

    try:
        unlocked = reader.decrypt("")
    except DependencyError:
        raise LoadError(
            "encrypted with AES, which needs the 'cryptography' package to read",
            hint="Install it (pip install cryptography) or save an unencrypted copy of the PDF, then ingest again.",
            path=where,
        ) from None
    except Exception as exc:
        raise _damaged(where, exc) from None
    if not unlocked:
        raise LoadError(
            "password-protected: cannot read it without the password", hint=_PASSWORD_HINT, path=where
        )


def _page_labels(reader, page_count: int) -> list[str] | None:
    """Labels only when the PDF declares them: pypdf otherwise invents "1", "2", ..."""
    try:
        if "/PageLabels" not in reader.trailer["/Root"]:
            return None
        labels = list(reader.page_labels)
    except Exception:
        logger.debug("unreadable page labels", exc_info=True)
        return None
    if len(labels) != page_count:
        return None
    return [clean_controls(label).strip() or None for label in labels]


def _title(reader) -> str:
    try:
        metadata = reader.metadata
        raw = metadata.title if metadata else None
    except Exception:
        logger.debug("unreadable metadata", exc_info=True)
        return ""
    return meaningful_title(raw)


def _damaged(where: str, exc: BaseException) -> LoadError:
    return LoadError(f"damaged or incomplete PDF ({_brief(exc)})", hint=_REEXPORT_HINT, path=where)


def _brief(exc: BaseException, limit: int = 120) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def page_ranges(numbers: list[int]) -> str:
    """[1, 2, 3, 7] -> "1-3, 7": scanned inserts often span many pages."""
    parts: list[str] = []
    start = prev = numbers[0]
    for n in numbers[1:] + [None]:  # type: ignore[list-item]
        if n is not None and n == prev + 1:
            prev = n
            continue
        parts.append(str(start) if start == prev else f"{start}-{prev}")
        if n is not None:
            start = prev = n
    return ", ".join(parts)
