"""Sentence spans for chunking, highlighting and quoting.

Spans (not strings) are returned so that every quote can be traced back to exact offsets in
the cleaned document. The splitter is a rule set tuned for guidance prose: it must not break
on "e.g.", "s.22", "57.3 per cent" or "Dr.", and a bullet or heading is a sentence of its own.
"""

from __future__ import annotations

import re

_ABBREVIATIONS = {
    "e.g", "i.e", "etc", "eg", "ie", "cf", "vs", "mr", "mrs", "ms", "dr", "prof", "st", "no",
    "nos", "s", "ss", "para", "paras", "p", "pp", "vol", "ch", "sec", "approx", "inc", "ltd",
    "co", "dept", "govt", "fig", "ref", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec", "cllr", "rev", "art", "reg", "regs",
}

# A sentence ends at . ! ? (optionally followed by closing quotes/brackets and a footnote
# mark), then whitespace, then something that can start a sentence.
_BOUNDARY = re.compile(
    r"""([.!?…])(["'”’)\]]*)([⁰¹²³⁴⁵⁶⁷⁸⁹]*)(\s+)(?=["'“‘(\[]?[A-Z0-9•])"""
)


def sentence_spans(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """Split ``text`` into sentence spans ``(start, end)``, shifted by ``offset``.

    Line breaks separating blocks (``\\n``) always end a sentence, so headings and list
    items never merge with the prose around them.
    """
    spans: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]+", text):
        start = line.start()
        segment = line.group()
        for m in _BOUNDARY.finditer(segment):
            end_of_sentence = m.start(4)
            before = segment[:m.start(1)]
            word = re.search(r"([A-Za-z.]+)$", before)
            if m.group(1) == "." and word:
                w = word.group(1).lower().rstrip(".")
                if w in _ABBREVIATIONS or (len(w) == 1 and w.isalpha()):
                    continue
            _add(spans, text, start, line.start() + end_of_sentence, offset)
            start = line.start() + m.end()
        _add(spans, text, start, line.end(), offset)
    return spans


def _add(spans: list[tuple[int, int]], text: str, start: int, end: int, offset: int) -> None:
    while start < end and (text[start].isspace() or text[start] == "•"):
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start + offset, end + offset))


def split_sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]
