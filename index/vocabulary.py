"""The field's vocabulary, applied to queries.

Practitioners write "LAC", "CiC" or "kids in care"; the guidance says "looked-after children".
The words live in ``vocabulary.toml`` (data, not code) so that a council can add its own
local terms without touching the search.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

from cpguide.datafiles import read_toml


@dataclass(frozen=True)
class Vocabulary:
    abbreviations: dict[str, tuple[str, ...]]  # matched case-sensitively as whole words
    phrases: dict[str, tuple[str, ...]]  # matched case-insensitively as whole words/phrases
    both_ways: frozenset[str] = frozenset()  # abbreviations the guidance itself writes: the full form brings them too
    # Answering one question expands it several times (search, sentence scoring, answerability),
    # each a regular expression per entry: remember the last few thousand queries' expansions.
    _memo: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def expansions(self, query: str) -> list[str]:
        """Terms the guidance uses for what the query says, in the order found."""
        found = self._memo.get(query)
        if found is None:
            if len(self._memo) >= 4096:
                self._memo.clear()
            found = self._memo[query] = tuple(self._expansions(query))
        return list(found)

    def _expansions(self, query: str) -> list[str]:
        found: list[str] = []
        for abbr, terms in self.abbreviations.items():
            if re.search(rf"(?<![\w-]){re.escape(abbr)}s?(?![\w-])", query):
                found.extend(terms)
        lowered = query.lower().replace("’", "'")
        # "the independent reviewing officer" is "the IRO" in much guidance ("IROs are responsible ...").
        for abbr in self.both_ways:
            terms = self.abbreviations.get(abbr, ())
            full = re.escape(terms[0].lower()) if terms else ""
            if full and abbr not in query and re.search(rf"(?<![\w-]){full}s?(?![\w-])", lowered):
                found.append(abbr)
        for phrase, terms in self.phrases.items():
            if re.search(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", lowered):
                found.extend(terms)
        seen: set[str] = set()
        return [t for t in found if not (t.lower() in seen or seen.add(t.lower())) and t.lower() not in lowered]

    def opening(self, text: str) -> list[str]:
        """Terms of the phrases ``text`` opens with: "what might stop LAC ..." -> ["barriers"]."""
        lowered = text.lower().replace("’", "'")
        return [t for phrase, terms in self.phrases.items()
                if lowered.startswith(phrase) and not re.match(r"[\w-]", lowered[len(phrase):]) for t in terms]

    def expand(self, query: str) -> str:
        extra = self.expansions(query)
        return f"{query} ({'; '.join(extra)})" if extra else query


def load_vocabulary(path: Path | None = None) -> Vocabulary:
    data = read_toml("cpguide.index", "vocabulary.toml", path)
    return Vocabulary(
        abbreviations={k: tuple(v) for k, v in data.get("abbreviations", {}).items()},
        phrases={k.lower(): tuple(v) for k, v in data.get("phrases", {}).items()},
        both_ways=frozenset(data.get("both_ways", {}).get("abbreviations", ())),
    )


@functools.lru_cache(maxsize=1)
def default_vocabulary() -> Vocabulary:
    return load_vocabulary()
