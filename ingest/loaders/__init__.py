"""Turn one input file into a :class:`~cpguide.records.RawDocument`, whatever its format.

Each format has its own module; this one holds what they share: the checks every file
goes through before a parser sees it (missing, empty, too big, unknown type) and the
promise that any per-file problem surfaces as a :class:`~cpguide.errors.LoadError`
the ingest run can report and step over. Parser modules are imported only when a file
of their kind turns up, so importing this package stays cheap.
"""

from __future__ import annotations

import importlib
import logging
import re
from pathlib import Path

from cpguide.errors import LoadError
from cpguide.records import RawDocument

logger = logging.getLogger(__name__)

# suffix -> (module, function). Lower-case suffixes; matching ignores case.
_LOADERS: dict[str, tuple[str, str]] = {
    ".pdf": ("pdf", "load_pdf"),
    ".html": ("html", "load_html"),
    ".htm": ("html", "load_html"),
    ".txt": ("text", "load_text"),
    ".md": ("text", "load_markdown"),
    ".markdown": ("text", "load_markdown"),
    ".docx": ("docx", "load_docx"),
}

SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(_LOADERS)

# Formats people commonly have that we could read once they are saved differently.
_CONVERT_HINTS: dict[str, str] = {
    ".doc": "This is an old Word (.doc) file: open it in Word or LibreOffice and save it as .docx.",
    ".rtf": "Open it in Word or LibreOffice and save it as .docx or export it as PDF.",
    ".odt": "Open it in LibreOffice or Word and save it as .docx or export it as PDF.",
}

_EMPTY_HINTS: dict[str, str] = {
    "html": (
        "If the page builds its content with JavaScript, open it in a browser and save it "
        "as it appears (or print it to PDF), then ingest that copy."
    ),
}

DEFAULT_MAX_BYTES = 100 * 1024 * 1024  # --max-file-mb is in MB of 1024 x 1024 bytes
DEFAULT_MAX_PAGES = 2000


def load(
    path: Path,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pages: int = DEFAULT_MAX_PAGES,
) -> RawDocument:
    """Read ``path`` with the loader for its suffix.

    Args:
        path: the file; its suffix (any case) picks the format, see ``SUPPORTED_SUFFIXES``.
        max_bytes: larger files are refused before parsing (``CPGUIDE_MAX_FILE_MB``).
        max_pages: PDFs with more pages are refused (``CPGUIDE_MAX_PAGES``).

    Every problem with this one file (missing, unreadable, damaged, encrypted, scanned,
    too large ...) raises :class:`LoadError` carrying the path, so a batch can report it
    and carry on; nothing else escapes. Messages do not repeat the file name: it is in
    ``LoadError.path``.
    """
    path = Path(path)
    where = str(path)
    if not path.exists():
        raise LoadError("file not found", hint="Check the path and try again.", path=where)
    if not path.is_file():
        raise LoadError(
            "not a regular file",
            hint="Give the path of a document file (folders are searched by the ingest command).",
            path=where,
        )

    suffix = path.suffix.lower()
    if suffix not in _LOADERS:
        raise _unsupported(path, suffix)

    try:
        size = path.stat().st_size
    except OSError as exc:
        raise _unreadable(where, exc) from None
    if size == 0:
        raise LoadError("empty file (0 bytes)", hint="Check that the file was saved or downloaded completely.",
                        path=where)
    if size > max_bytes:
        raise too_large(size, max_bytes, where)

    module_name, func_name = _LOADERS[suffix]
    try:
        module = importlib.import_module(f"{__name__}.{module_name}")
        loader = getattr(module, func_name)
        doc: RawDocument = loader(path, max_pages=max_pages) if module_name == "pdf" else loader(path)
    except LoadError:
        raise
    except OSError as exc:
        raise _unreadable(where, exc) from None
    except Exception as exc:  # a parser tripping over an odd file must not stop a batch
        logger.debug("unexpected error loading %s", where, exc_info=True)
        raise LoadError(
            f"could not be read ({type(exc).__name__}: {_brief(exc)})",
            hint="Check the file opens in its usual application; if it does, re-save it and ingest "
            "again, and report the problem with the file if it persists.",
            path=where,
        ) from None

    if not any(block.text.strip() for block in doc.blocks):
        raise LoadError(
            "empty: no text found in the file",
            hint=_EMPTY_HINTS.get(doc.format, "Check that the file holds the text you expect."),
            path=where,
        )
    return doc


def meaningful_title(raw: str | None) -> str:
    """Tidy a title a file declares about itself, or return "" when it says nothing useful.

    Tools fill title fields with the source file name ("Microsoft Word - plan_v3.docx")
    or placeholders ("Untitled"); neither helps a reader recognise the document.
    """
    if not raw:
        return ""
    title = " ".join(str(raw).replace("\x00", "").split())
    title = re.sub(r"^Microsoft\s+(Word|PowerPoint|Excel)\s*-\s*", "", title, flags=re.IGNORECASE)
    if _FILE_NAME.fullmatch(title):
        title = re.split(r"[\\/]", title)[-1]
        title = _FILE_NAME.sub(r"\1", title)
        if " " not in title:
            title = title.replace("_", " ")
        title = title.strip(" -_.")
    if title.lower() in _PLACEHOLDER_TITLES or not re.search(r"[^\W\d_]", title):
        return ""
    return title


_FILE_NAME = re.compile(
    r"(.+)\.(?:docx?|dotx?|pdf|rtf|odt|txt|md|html?|pptx?|xlsx?|indd|pages|tex|qxp)$", re.IGNORECASE
)
_PLACEHOLDER_TITLES = frozenset(
    {"untitled", "untitled document", "title", "document", "new document", "no title", "slide 1",
     "powerpoint presentation", "word document", "pdf", "none", "null"}
)


def collapse_whitespace(text: str) -> str:
    """One space between words: structured formats split lines for layout, not meaning."""
    return " ".join(text.split())


def _unsupported(path: Path, suffix: str) -> LoadError:
    supported = ", ".join(SUPPORTED_SUFFIXES)
    shown = suffix or "(no suffix)"
    hint = _CONVERT_HINTS.get(suffix, f"Supported types: {supported}. Convert the file to one of these.")
    if suffix in _CONVERT_HINTS:
        hint = f"{hint} Supported types: {supported}."
    return LoadError(f"unsupported file type {shown}", hint=hint, path=str(path))


def _unreadable(where: str, exc: OSError) -> LoadError:
    reason = exc.strerror or type(exc).__name__
    return LoadError(
        f"cannot be read ({reason})",
        hint="Check the file exists and that you have permission to read it.",
        path=where,
    )


def too_large(size: int, max_bytes: int, where: str) -> LoadError:
    """The one message for a file over ``--max-file-mb``, wherever the size is checked.

    Both numbers are in the limit's own unit (1 MB = 1024 x 1024 bytes, as ``max_file_mb`` is
    applied); a file just over the limit gets a decimal, so it never reads "100 MB; the limit
    is 100 MB".
    """
    shown, limit = _megabytes(size), _megabytes(max_bytes)
    for digits in (1, 2, 3):
        if shown != limit:
            break
        shown = f"{size / MB:.{digits}f} MB"
        limit = f"{max_bytes / MB:.{digits}f} MB" if f"{size / MB:.{digits}f}" == f"{max_bytes / MB:.{digits}f}" \
            else _megabytes(max_bytes)
    return LoadError(
        f"file is too large ({shown}; the limit is {limit})",
        hint="The limit is set by CPGUIDE_MAX_FILE_MB / --max-file-mb; raise it to ingest this file.",
        path=where,
    )


def conversion_hint(suffix: str) -> str | None:
    """What to do with a format people commonly have that could be read once re-saved."""
    return _CONVERT_HINTS.get(suffix.lower())


MB = 1024 * 1024


def _megabytes(n: int) -> str:
    mb = n / MB
    return f"{mb:.0f} MB" if mb >= 10 or mb == int(mb) else f"{mb:.1f} MB"


def _brief(exc: BaseException, limit: int = 160) -> str:
    text = " ".join(str(exc).split()) or "no details"
    return text if len(text) <= limit else text[: limit - 1] + "…"
