"""Turn a loader's blocks into readable, structured text that keeps the source's words.

Text extracted from PDFs arrives as wrapped lines with page furniture, broken hyphenation,
columns split by blank lines and footnote numbers glued to words. A reader (and the embedding
model) wants paragraphs, headings and list items. Every change here is to *layout*, never to
wording: a quote taken from the cleaned text reads exactly as the published document, so
citations can be checked against the original.

The cleaned document is the blocks joined by blank lines; each block becomes a ``Section``
that knows its offsets, page and heading path, which is what chunking and the reader view use.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field

from cpguide.records import Block, DocMeta, Document, RawDocument, Section

_LIGATURES = str.maketrans({
    "\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
    "\ufb05": "st", "\ufb06": "st", "\u00a0": " ", "\u2007": " ", "\u202f": " ",
    "\u00ad": None, "\u200b": None, "\u200c": None, "\u200d": None, "\ufeff": None,
})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BULLET = re.compile(r"^\s*(?:[•●▪■◦‣∙·▸►✓✔➢➤\uf0b7\uf0a7\uf076]|o(?=\s{2,}|\t))\s*")
_DASH_BULLET = re.compile(r"^\s*[-–—*]\s+(?=\S)")
_FOOTNOTE_LINE = re.compile(r"^\s*([1-9]\d?)\s+(?=[A-Z‘“'\"]|https?:|www\.)")
_NUMBERED_ITEM = re.compile(r"^\s*(?:\(?\d{1,2}[.)]|\(?[a-z][.)]|\(?[ivx]{1,4}[.)])\s+(?=\S)")
_HEADING_NUMBER = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})(?:\.\s+|(?<=\d\.\d)\s+|(?<=\d\.\d\d)\s+)(?=[A-Z])")
_PAGE_FURNITURE = [
    re.compile(r"^\s*\d{1,4}\s*\|\s*P\s?a\s?g\s?e\s*$", re.I),           # 5 | P a g e
    re.compile(r"^\s*P\s?a\s?g\s?e\s*\|?\s*\d{1,4}(\s*(of|/)\s*\d{1,4})?\s*$", re.I),  # Page 5 of 9
    re.compile(r"^\s*Skip to (main )?content\s*$", re.I),  # web-page chrome kept by an extraction
]
# A title does not end on a word that needs another after it ("In 2008 the London Borough of").
NUMBERED_TITLE_WORDS = 16  # "9. Ask looked after children and young people: How well are we doing?"
QUESTION_TITLE_LINES = 6  # "How are we giving" / ... / "feelings? How do we know" / "those are being acted on?"
QUESTION_TITLE_WORDS = 30
QUESTION_TITLE_WIDTH = 0.7  # of the page's median line: a title column is narrow
# A foreword's sign-off ("Councillor David Simmonds" / "Chair, LGA Children and Young People Board")
# is set like a title but names who wrote the text above it: its second line gives the post.
_SIGN_OFF_POST = re.compile(r"^(?:Chair(?:man|woman|person)?|Vice[- ]Chair\w*|(?:Deputy )?Leader|Lead Member|Cabinet Member|"
                            r"Portfolio Holder|(?:Corporate |Strategic )?Director|Chief Executive|Chief \w+ Officer|"
                            r"(?:Deputy )?Minister|(?:Deputy )?Mayor|Executive Member)\b")
_DANGLING = {"of", "the", "and", "to", "for", "in", "a", "an", "on", "with", "by", "or", "at", "from", "as", "that", "our", "their", "your"}
_LONE_PAGE_NUMBER = re.compile(r"^\s*[-–—(]?\s*\d{1,4}\s*[-–—)]?\s*$")
_TERMINAL = ".!?:;)”\"’"
_SOFT_BREAK = "\ue000"  # marks "-" that ended a line, until we know whether it is a real hyphen
# Marks where a paragraph joined across a page (or column) break goes on to the next page, until
# the text is final and the place can be recorded as an offset (``Section.page_breaks``).
_PAGE_MARK = "\ue001"
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
# A footnote mark glued to a word ("children2," or "care.3 "): detached as superscript so
# that the word reads correctly and the mark is still visible.
_GLUED_FOOTNOTE_WORD = re.compile(r"(?<=[a-z]{3})(\d{1,2})(?=[,;:]?(?:\s|$))")
_GLUED_FOOTNOTE_STOP = re.compile(r"(?<=[a-z][.’”'\")])(\d{1,2})(?=[,;]?(?:\s|$))")


def normalise_chars(text: str) -> str:
    """Ligatures, odd spaces and control characters; the letters themselves are untouched."""
    return _CONTROL.sub("", text.translate(_LIGATURES))


def _is_furniture(line: str) -> bool:
    return any(p.match(line) for p in _PAGE_FURNITURE)


def _furniture_key(line: str) -> str:
    return re.sub(r"\d+", "#", line.strip().lower())


def _repeated_edges(pages: list[list[str]]) -> set[str]:
    """Running headers and footers: lines at a page's top or bottom on most pages."""
    if len(pages) < 3:
        return set()
    counts: Counter[str] = Counter()
    for lines in pages:
        content = [ln for ln in lines if ln.strip()]
        edges = {_furniture_key(ln) for ln in content[:2] + content[-2:]}
        counts.update(k for k in edges if k and len(k) < 120)
    need = max(3, int(0.5 * len(pages)))
    return {k for k, n in counts.items() if n >= need}


@dataclass
class _Unit:
    kind: str  # heading | paragraph | list_item | table
    lines: list[str]
    page: int | None
    page_label: str | None
    page_end: int | None = None
    level: int = 0
    footnote: bool = False
    breaks: list[tuple[int, str | None]] = field(default_factory=list)  # one per _PAGE_MARK, in order

    @property
    def text(self) -> str:
        return _join_lines(self.lines)


def _join_lines(lines: list[str]) -> str:
    out = ""
    for raw in lines:
        line = re.sub(r"\s+", " ", raw).strip()
        if not line:
            continue
        if not out:
            out = line
        elif out.endswith("-") and len(out) > 1 and out[-2].isalpha() and line.lstrip(_PAGE_MARK)[:1].islower():
            out = out + _SOFT_BREAK + line  # hyphenated at a line end: decided later, see _dehyphenate
        else:
            out = out + " " + line
    return out


def _split_raw(block: Block, edges: set[str], from_pdf: bool) -> list[_Unit]:
    """Split one page of raw text into paragraph and list-item units.

    In text extracted from PDFs a line indented by exactly one space marks where a page or
    column began, so it starts a new unit; so does a bullet, a numbered item, and a footnote
    line ("3  Ofsted (2013) ...") after a blank line.
    """
    lines = block.text.split("\n")
    content_idx = [i for i, ln in enumerate(lines) if ln.strip()]
    edge_idx = set(content_idx[:2] + content_idx[-2:])

    def dropped(i: int, line: str, edges: set[str]) -> bool:
        if _is_furniture(line) or (i in edge_idx and _furniture_key(line) in edges):
            return True
        return from_pdf and i in edge_idx and bool(_LONE_PAGE_NUMBER.match(line))

    # A repeated line is a running header only on a page that has other text: a poster whose
    # every page holds the same one line keeps it.
    if edges and all(dropped(i, lines[i], edges) for i in content_idx):
        edges = set()
    units: list[_Unit] = []
    current: _Unit | None = None

    def flush() -> None:
        nonlocal current
        if current and any(ln.strip() for ln in current.lines):
            units.append(current)
        current = None

    for i, line in enumerate(lines):
        if dropped(i, line, edges):
            continue
        if not line.strip():
            flush()
            continue
        bullet = _BULLET.match(line)
        if not bullet and (current is None or current.kind == "list_item"):
            bullet = _DASH_BULLET.match(line)
        if bullet:
            flush()
            current = _Unit("list_item", [line[bullet.end():]], block.page, block.page_label)
            continue
        if _NUMBERED_ITEM.match(line) and not (_HEADING_NUMBER.match(line.strip()) and _looks_like_heading(line.strip())):
            flush()
            current = _Unit("list_item", [line.strip()], block.page, block.page_label)
            continue
        footnote = _FOOTNOTE_LINE.match(line)
        if footnote and (current is None or current.footnote) and int(footnote.group(1)) < 60:
            flush()
            current = _Unit("paragraph", [line.strip()], block.page, block.page_label, footnote=True)
            continue
        if re.match(r"^ \S", line) and not from_pdf:
            flush()
        if current is None:
            current = _Unit("paragraph", [], block.page, block.page_label)
        current.lines.append(line)
    flush()
    return units


def _ends_sentence(text: str) -> bool:
    text = text.rstrip()
    return bool(text) and (text[-1] in _TERMINAL or text[-1] in "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _looks_like_heading(text: str, max_words: int = 12) -> bool:
    words = text.split()
    if not words or len(words) > max_words or len(text) > 100:
        return False
    if text.rstrip()[-1] in ".,;:" or not re.search(r"[A-Za-z]{2}", text):
        return False
    if text[:1] in "“‘\"'(" or re.search(r"@|https?:|www\.", text):
        return False
    if words[-1].lower() in _DANGLING:
        return False
    if _HEADING_NUMBER.match(text):
        return True
    return text[:1].isupper()


def _title_case(text: str) -> bool:
    words = [w for w in re.findall(r"[A-Za-z’']+", text) if len(w) > 3]
    return bool(words) and sum(w[0].isupper() for w in words) / len(words) >= 0.6


def _split_leading_heading(unit: _Unit, width: float, nested: bool = False) -> list[_Unit]:
    """A short title line (or two) at the top of a paragraph, as PDFs of toolkits often have.

    ``nested``: the paragraph followed a title already; a second title under it takes two lines
    ("Independent Review of" / "Residential Care"), since one capitalised line there is as often
    the paragraph's first ("The Government published a new Care" / "Leaver Strategy ...")."""
    lines = [ln.strip() for ln in unit.lines if ln.strip()]
    if len(lines) < 2:
        return [unit]
    for n in (2,) if nested else (2, 1):  # a two-line title first, so "Children and Social Work" keeps its "Act 2017"
        if len(lines) <= n:
            continue
        head = lines[:n]
        rest = lines[n:]
        # the second line continues the title: lower-case ("parent?"), a number, or a short
        # title-cased tail ("Children and Social Work" / "Act 2017")
        # A lower-case second line is a title's short tail ("parent?"); a longer one is a sentence
        # wrapped at the column's edge ("East Sussex County Council runs" / "both a Children
        # Services' Scrutiny" / "Committee and ...").
        if n == 2 and not ((head[1][:1].islower() and (len(head[1].split()) <= 3 or head[1].rstrip().endswith("?")))
                           or head[1][:1].isdigit()
                           or (len(head[1].split()) <= 3 and _title_case(" ".join(head)))):
            continue
        title = " ".join(head)
        # A numbered title ("1. Get the community involved", "8. Ask yourself: How well are we
        # doing?") is a title however it is cased; a numbered item wrapped at the column's edge
        # has a comma in it, or a colon that runs on lower-case ("1. Strategic: for example").
        numbered = bool(_HEADING_NUMBER.match(title)) and not re.search(r"[,;]|:(?!\s*[A-Z])", title)
        if n == 1 and head[0].rstrip()[-1:] == "?" and not numbered:
            continue
        if any(h.rstrip()[-1:] in ".,;:" for h in head[:-1]):
            continue
        limit = (1.1 if numbered else 0.95 if _title_case(title) else 0.7) * width
        if not _looks_like_heading(title.rstrip("?"), NUMBERED_TITLE_WORDS if numbered else 12) or len(head[-1]) > limit:
            continue
        # "‘Staying put’ is an arrangement ..." opens a paragraph too.
        if not rest[0].lstrip("“‘\"'(")[:1].isupper():
            continue
        # The rest may open with a title of its own ("Sources of information" / "Children in
        # Care Council and other" / "feedback mechanisms" / "There should be ...").
        return [_Unit("heading", head, unit.page, unit.page_label),
                *_split_leading_heading(_Unit("paragraph", rest, unit.page, unit.page_label), width, nested=True)]
    return _question_title(unit, lines, width)


def _question_title(unit: _Unit, lines: list[str], width: float) -> list[_Unit]:
    """A question set as a narrow title over its paragraph, in three to six short lines ("Are we
    providing stable" / "environments for children" / "in our care?" / "Stability for children and
    young people ..."), as the LGA pack sets its key lines of enquiry. Each question is a section of
    its own, so what sits under it is cited there and read with it, not under the one title before.

    Only a question counts: its last line ends in "?", no earlier line ends a sentence or clause
    but with "?" (one title may ask two questions), every line of it is short, and the paragraph
    then runs on at full width from a capital. A wrapped question in the text has long lines."""
    for n in range(3, min(QUESTION_TITLE_LINES, len(lines) - 1) + 1):
        head, rest = lines[:n], lines[n:]
        if not head[-1].rstrip().endswith("?"):
            continue
        if any(h.rstrip()[-1:] in ".,;:" for h in head[:-1]) or not head[0][:1].isupper():
            return [unit]
        if max(len(h) for h in head) > QUESTION_TITLE_WIDTH * width or len(" ".join(head).split()) > QUESTION_TITLE_WORDS:
            return [unit]
        if not rest[0][:1].isupper() or len(rest[0]) <= max(len(h) for h in head):
            return [unit]
        return [_Unit("heading", head, unit.page, unit.page_label), _Unit("paragraph", rest, unit.page, unit.page_label)]
    return [unit]


def _merge_continuations(units: list[_Unit]) -> list[_Unit]:
    """Rejoin a paragraph that a column or page break cut in two ("overview" / "and scrutiny")."""
    merged: list[_Unit] = []
    for unit in units:
        # Footnotes printed at a page's foot sit between the halves of a broken paragraph; so may
        # a title set beside the text ("... support (including" / "Updates to legislation and
        # practice" / "financial) to the foster parent ..."): the paragraph is joined again and
        # the title follows it.
        prev = next((u for u in reversed(merged) if not u.footnote), None)
        if prev is not None and prev.kind == "heading" and unit.kind == "paragraph" and unit.text[:1].islower() \
                and not re.match(r"https?:|www\.", unit.text):
            titles = list(itertools.takewhile(lambda u: u.kind == "heading" or u.footnote, reversed(merged)))
            before = merged[-len(titles) - 1] if len(titles) < len(merged) else None
            if before is not None and before.kind in ("paragraph", "list_item") and not _ends_sentence(before.text):
                prev = before
        if (
            prev is not None
            and unit.kind == "paragraph"
            and not unit.footnote
            and prev.kind in ("paragraph", "list_item")
            and unit.text[:1].islower()
            and not _ends_sentence(prev.text)
        ):
            if unit.page is not None and unit.page != (prev.page_end or prev.page):
                prev.page_end = unit.page
                first = next(i for i, ln in enumerate(unit.lines) if ln.strip())
                unit.lines[first] = _PAGE_MARK + unit.lines[first].lstrip()
                prev.breaks.append((unit.page, unit.page_label))
            prev.lines.extend(unit.lines)
            prev.breaks.extend(unit.breaks)
            if unit.page_end is not None:
                prev.page_end = unit.page_end
            continue
        merged.append(unit)
    return merged


def _dehyphenate(text: str, vocabulary: set[str]) -> str:
    """``signifi-cant`` -> ``significant`` only when the document itself spells it so.

    Compounds such as ``looked-after`` keep their hyphen: we only drop one when the joined
    word occurs elsewhere in the document and the hyphenated form does not.
    """
    def fix(m: re.Match[str]) -> str:
        left, right = m.group(1), m.group(2)  # ``right`` may start with a page mark: keep it
        joined = (left + right.lstrip(_PAGE_MARK)).lower()
        hyphenated = f"{left}-{right.lstrip(_PAGE_MARK)}".lower()
        if joined in vocabulary and hyphenated not in vocabulary:
            return left + right
        return f"{left}-{right}"

    return re.sub(rf"\b([A-Za-z]+)-{_SOFT_BREAK}({_PAGE_MARK}?[a-z]+)\b", fix, text).replace(_SOFT_BREAK, "")


def _detach_footnotes(text: str) -> str:
    text = _GLUED_FOOTNOTE_STOP.sub(lambda m: m.group(1).translate(_SUPERSCRIPT), text)
    return _GLUED_FOOTNOTE_WORD.sub(lambda m: m.group(1).translate(_SUPERSCRIPT), text)


def _heading_level(text: str, has_numbered: bool) -> int:
    m = _HEADING_NUMBER.match(text)
    if m:
        return m.group(1).count(".") + 1
    return 2 if has_numbered else 1


def _structured_units(raw: RawDocument) -> list[_Unit]:
    pdf = raw.format == "pdf"
    raw_blocks = [b for b in raw.blocks if b.kind == "raw"]
    pages = [normalise_chars(b.text).split("\n") for b in raw_blocks] if pdf else []
    edges = _repeated_edges(pages)
    units: list[_Unit] = []
    for block in raw.blocks:
        block = Block(normalise_chars(block.text), block.kind, block.level, block.page, block.page_label)
        if block.kind == "raw":
            page_units = _split_raw(block, edges, pdf)
            lengths = [len(ln.strip()) for u in page_units for ln in u.lines if ln.strip()]
            width = statistics.median(lengths) if lengths else 80.0
            for u in page_units:
                if u.kind == "paragraph" and not u.footnote:
                    lines = [ln.strip() for ln in u.lines if ln.strip()]
                    if len(lines) == 2 and _SIGN_OFF_POST.match(lines[1]):
                        units.append(u)  # a sign-off, kept with the text it closes
                        continue
                    if len(u.lines) == 1 or (len(u.lines) == 2 and len(u.text) < 80):
                        if _looks_like_heading(u.text.rstrip("?")) and not _ends_sentence(u.text.rstrip("?")):
                            u.kind = "heading"
                            units.append(u)
                            continue
                    units.extend(_split_leading_heading(u, width))
                else:
                    units.append(u)
        else:
            text = block.text.strip()
            if text:
                units.append(_Unit(block.kind, [text], block.page, block.page_label, level=block.level))
    return _merge_continuations(units)


def clean(raw: RawDocument, meta: DocMeta) -> Document:
    """Clean a loaded document into text with sections, pages and heading paths."""
    units = _structured_units(raw)
    texts = [u.text for u in units]
    # Words as the document spells them away from line ends decide how broken ones are joined.
    vocabulary = set(re.findall(r"[a-z]+(?:-[a-z]+)?",
                                re.sub(rf"\w+-{_SOFT_BREAK}{_PAGE_MARK}?\w+", " ", " ".join(texts)).lower()))
    has_numbered = any(u.kind == "heading" and _HEADING_NUMBER.match(u.text) for u in units)

    parts: list[str] = []
    sections: list[Section] = []
    stack: list[tuple[int, str]] = []
    offset = 0
    for unit, text in zip(units, texts):
        text = _detach_footnotes(_dehyphenate(text, vocabulary))
        if not text:
            continue
        level = unit.level
        if unit.kind == "heading":
            level = level or _heading_level(text, has_numbered)
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, text))
        numbered = _NUMBERED_ITEM.match(text)
        shown = f"• {text}" if unit.kind == "list_item" and not numbered else text
        if parts:
            offset += 2
        shown, marks = _take_marks(shown)
        breaks = tuple((offset + at, page, label) for at, (page, label) in zip(marks, unit.breaks))
        sections.append(Section(
            start=offset, end=offset + len(shown), kind=unit.kind,  # type: ignore[arg-type]
            heading_path=tuple(t for _, t in stack), page=unit.page,
            page_label=unit.page_label, level=level, page_end=unit.page_end, page_breaks=breaks,
        ))
        parts.append(shown)
        offset += len(shown)
    text = "\n\n".join(parts)
    return Document(
        meta=meta,
        text=text,
        sections=tuple(sections),
        content_hash="",
        source_path=raw.path,
        format=raw.format,
        page_count=raw.page_count,
        warnings=raw.warnings,
    )


def _take_marks(text: str) -> tuple[str, list[int]]:
    """``text`` without its page marks, and where each stood in the result."""
    at: list[int] = []
    out: list[str] = []
    for piece in text.split(_PAGE_MARK)[:-1]:
        out.append(piece)
        at.append(sum(map(len, out)))
    out.append(text.split(_PAGE_MARK)[-1])
    return "".join(out), at


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
