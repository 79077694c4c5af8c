"""Plain text and Markdown files.

Plain text is handed on untouched (one ``raw`` block, or one per form-feed page, as
pdftotext writes them): cleaning decides what its line breaks mean. Markdown already says
what is a heading or a list item, so it becomes structured blocks here, without the markup.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from cpguide.errors import LoadError
from cpguide.records import Block, RawDocument

from . import collapse_whitespace

_GARBAGE_SHARE = 0.05
_BAD_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ufffd]")


def load_text(path: Path) -> RawDocument:
    """Form feeds mark pages; without them the whole file is one block with no page."""
    text = read_text(path)
    if "\f" not in text:
        return RawDocument(path=str(path), format="text", blocks=(Block(text=text, kind="raw"),))
    pages = text.split("\f")
    if len(pages) > 1 and not pages[-1].strip():
        pages.pop()  # "page one\fpage two\f": the final form feed ends a page, it does not start one
    blocks = tuple(
        Block(text=page, kind="raw", page=number)
        for number, page in enumerate(pages, start=1)
        if page.strip()
    )
    return RawDocument(path=str(path), format="text", blocks=blocks, page_count=len(pages))


def load_markdown(path: Path) -> RawDocument:
    """Headings, list items, paragraphs and table rows, with links and emphasis unwrapped."""
    text = read_text(path)
    front_title, body = _front_matter(text)
    blocks = tuple(parse_markdown(body))
    first_heading = next((b.text for b in blocks if b.kind == "heading"), "")
    return RawDocument(
        path=str(path), format="markdown", blocks=blocks, title_hint=front_title or first_heading
    )


def read_text(path: Path) -> str:
    """Decode UTF-8 (with or without BOM), UTF-16 with a BOM, or else Windows-1252.

    Windows-1252 decodes almost any bytes, so the result is checked for the marks of a
    binary file or a wrong guess before anything downstream sees it.
    """
    data = path.read_bytes()
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="replace")
    elif b"\x00" in data:
        raise _not_text(path)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    if text and len(_BAD_CHARS.findall(text)) > _GARBAGE_SHARE * len(text):
        raise _not_text(path)
    return text


def _not_text(path: Path) -> LoadError:
    return LoadError(
        "does not look like text (binary or unknown encoding)",
        hint="If it is a document, open it in its own program and save it as UTF-8 text (or as PDF/DOCX).",
        path=str(path),
    )


# --- Markdown ---------------------------------------------------------------------------

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_ITEM = re.compile(r"^([ \t]*)(?:[-*+]|\d{1,9}[.)])(?:[ \t]+(.*))?$")
_QUOTE = re.compile(r"^ {0,3}> ?")
_TABLE_RULE = re.compile(r"^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
_LINK_DEF = re.compile(r"^ {0,3}\[[^\]]+\]:\s*\S+")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def parse_markdown(text: str) -> list[Block]:
    """A line-by-line reading of the Markdown that guidance authors actually write.

    Not a full CommonMark parser: it needs only the block boundaries and their kinds, and
    must never fail on odd input (anything unrecognised is paragraph text).
    """
    lines = _HTML_COMMENT.sub("", text).splitlines()
    blocks: list[Block] = []
    para: list[str] = []
    item: list[str] | None = None

    def flush() -> None:
        nonlocal item
        if para:
            joined = inline(" ".join(line.strip() for line in para))
            if joined:
                blocks.append(Block(text=joined, kind="paragraph"))
            para.clear()
        if item is not None:
            joined = inline(" ".join(line.strip() for line in item))
            if joined:
                blocks.append(Block(text=joined, kind="list_item"))
            item = None

    i = 0
    while i < len(lines):
        line = _QUOTE.sub("", lines[i])
        fence = _FENCE.match(line)
        if fence:
            flush()
            marker = fence.group(1)
            code: list[str] = []
            i += 1
            while i < len(lines) and not lines[i].lstrip().startswith(marker):
                code.append(lines[i])
                i += 1
            if "\n".join(code).strip():
                blocks.append(Block(text="\n".join(code), kind="paragraph"))
            i += 1
            continue
        if not line.strip():
            flush()
            i += 1
            continue
        atx = _ATX.match(line)
        if atx:
            flush()
            heading = inline(atx.group(2) or "")
            if heading:
                blocks.append(Block(text=heading, kind="heading", level=len(atx.group(1))))
            i += 1
            continue
        setext = _SETEXT.match(line)
        if setext and para and item is None:
            heading = inline(" ".join(p.strip() for p in para))
            para.clear()
            if heading:
                blocks.append(Block(text=heading, kind="heading", level=1 if setext.group(1)[0] == "=" else 2))
            i += 1
            continue
        if _RULE.match(line) or _LINK_DEF.match(line):
            flush()
            i += 1
            continue
        if "|" in line and i + 1 < len(lines) and _TABLE_RULE.match(lines[i + 1]) and "-" in lines[i + 1]:
            flush()
            rows = [line]
            i += 2
            while i < len(lines) and "|" in lines[i] and lines[i].strip():
                rows.append(lines[i])
                i += 1
            for row in rows:
                cells = [inline(c) for c in row.strip().strip("|").split("|")]
                cells = [c for c in cells if c]
                if cells:
                    blocks.append(Block(text=" | ".join(cells), kind="table"))
            continue
        bullet = _ITEM.match(line)
        if bullet and (bullet.group(2) or "").strip():
            flush()
            item = [bullet.group(2)]
            i += 1
            continue
        if item is not None:
            item.append(line)  # continuation of the list item, indented or not
        else:
            para.append(line)
        i += 1
    flush()
    return blocks


_ESCAPABLE = re.compile(r"\\([!-/:-@\[-`{-~])")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\[[^\]]*\])")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EM_STAR = re.compile(r"\*(?=\S)(.+?)(?<=\S)\*")
_EM_UNDERSCORE = re.compile(r"(?<![\w])_(?=\S)(.+?)(?<=\S)_(?![\w])")
_CODE = re.compile(r"(`+)(.+?)\1")
_HTML_TAG = re.compile(r"</?[A-Za-z][^>]*>")


def inline(text: str) -> str:
    """Markdown inline markup to the words a reader sees."""
    escaped: list[str] = []

    def protect(match: re.Match[str]) -> str:
        escaped.append(match.group(1))
        return f"\ue000{len(escaped) - 1}\ue001"

    text = _ESCAPABLE.sub(protect, text)
    codes: list[str] = []

    def keep_code(match: re.Match[str]) -> str:
        codes.append(match.group(2).strip())
        return f"\ue002{len(codes) - 1}\ue003"

    text = _CODE.sub(keep_code, text)
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _HTML_TAG.sub("", text)
    for _ in range(3):  # nested emphasis, e.g. ***both***
        text = _STRONG.sub(r"\2", text)
        text = _EM_STAR.sub(r"\1", text)
        text = _EM_UNDERSCORE.sub(r"\1", text)
    text = re.sub("\ue002(\\d+)\ue003", lambda m: codes[int(m.group(1))], text)
    text = re.sub("\ue000(\\d+)\ue001", lambda m: escaped[int(m.group(1))], text)
    return collapse_whitespace(text.replace("\\\n", " "))


def _front_matter(text: str) -> tuple[str, str]:
    """YAML front matter ("---" ... "---") is metadata, not content; keep only its title."""
    match = re.match(r"\A(?:\ufeff)?---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", text, re.DOTALL)
    if not match:
        return "", text
    title = ""
    for line in match.group(1).splitlines():
        found = re.match(r"^title:\s*(.+?)\s*$", line)
        if found:
            title = found.group(1).strip("\"'")
            break
    return title, text[match.end():]
