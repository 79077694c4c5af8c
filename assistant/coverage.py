"""Does the library cover this question at all? Checks that run before and after retrieval.

Similarity alone cannot tell "what does the guidance say about staying put?" (covered) from
"what is the weekly staying put allowance?" (not covered: no figure anywhere): every question
in this field lands close to some passage. So besides the similarity threshold we abstain when

* the question is about a place the library does not cover (Scotland, Northern Ireland);
* it names something the library never mentions: an acronym ("SCCIF", "DBS") or a word in a
  proper name ("the Care Leaver Covenant") that appears in no passage and is not a known
  abbreviation of the field;
* it asks for a figure (how much, how many, a rate, a maximum) and the sentences we would
  answer with contain no number.

Each rule returns the reason, which the answer states, so the user learns *why*.
"""

from __future__ import annotations

import re

from cpguide.index.lexical import tokenize

_OTHER_PLACES = re.compile(r"\b(scotland|scottish|northern ireland|republic of ireland|isle of man|jersey|guernsey)\b", re.I)
_QUANTITY = re.compile(
    r"\b(how (much|many|long)|what (is|are) the (\w+ ){0,3}(rates?|amounts?|numbers?|figures?|cost|percentage|"
    r"proportion|allowances?|grants?|bursary|bursaries|fees?|salary|wages?)|(maximum|minimum) (\w+ )?"
    r"(time|amount|number|age|rate|wait|period|payment|sum)|waiting times?)\b",
    re.I,
)
# Figures, not years: "2017" answers "when", not "how many".
_NUMBER = re.compile(
    r"\b(?!(?:19|20)\d\d\b)\d[\d,.]*|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
    r"hundred|thousand|million|twice|half|third|quarter|per cent|percent)\b",
    re.I,
)
_TITLE_RUN = re.compile(r"(?:\b[A-Z][\w’'-]*\b(?:\s+(?:and|of|for|the)\s+|\s+)){1,}\b[A-Z][\w’'-]*\b")


def _unknown(word: str, doc_freq: dict[str, int], abbreviations) -> bool:
    clean = re.sub(r"[’']s$", "", word)
    if clean in abbreviations or clean.rstrip("s") in abbreviations:
        return False
    toks = tokenize(clean)
    return bool(toks) and all(doc_freq.get(t, 0) == 0 for t in toks)


def out_of_scope(question: str, doc_freq: dict[str, int], abbreviations) -> str | None:
    """A reason to abstain before searching, or None."""
    m = _OTHER_PLACES.search(question)
    if m:
        return f"The library covers England and Wales; it has nothing on {m.group(1).title()}."
    for word in re.findall(r"\b[A-Z]{3,}[a-z]?s?\b", question):
        if _unknown(word, doc_freq, abbreviations):
            return f"No document in the library mentions {word}."
    for run in _TITLE_RUN.finditer(question[1:]):
        words = [w for w in re.findall(r"[A-Za-z][\w’'-]*", run.group()) if w[0].isupper()]
        if len(words) < 2:
            continue
        missing = [w for w in words if _unknown(w, doc_freq, abbreviations)]
        if missing:
            return f"No document in the library mentions the {run.group().strip()}."
    return None


def asks_for_figure(question: str) -> bool:
    return bool(_QUANTITY.search(question))


def has_figure(text: str) -> bool:
    return bool(_NUMBER.search(text))
