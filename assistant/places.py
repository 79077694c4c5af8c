"""Where a question is set: the places of England and Wales, as data (``places.toml``).

"I manage a bank branch in Swansea: how do I fit in as a corporate parent?" is a Welsh
question, and Swansea is somewhere, not a scheme the library has never heard of. Both the
conversation (which nation's guidance answers) and the decline check (which names the library
lacks) read this one list.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from cpguide.datafiles import read_toml


@dataclass(frozen=True)
class PlaceName:
    name: str
    nation: str  # "england" or "wales"
    start: int
    end: int
    possessive: bool  # "Bristol's strategy" asks about the place's own document


class Places:
    def __init__(self, by_nation: dict[str, list[str]], not_first: list[str]):
        self.nation = {name: nation for nation, names in by_nation.items() for name in names}
        self.not_first = frozenset(not_first)
        names = sorted(self.nation, key=len, reverse=True)  # "Neath Port Talbot" before "Neath"
        self._pattern = re.compile(r"(?<![\w-])(" + "|".join(re.escape(n) for n in names) + r")(?![\w-])")

    def find(self, text: str) -> list[PlaceName]:
        out = []
        for m in self._pattern.finditer(text):
            name = m.group(1)
            if name in self.not_first and not text[:m.start()].strip():
                continue
            possessive = bool(re.match(r"[’']s?\b", text[m.end():]))
            out.append(PlaceName(name, self.nation[name], m.start(), m.end(), possessive))
        return out

    def nation_of(self, text: str) -> str | None:
        """The nation the question is set in, when every place it names is in one nation."""
        nations = {p.nation for p in self.find(text)}
        return nations.pop() if len(nations) == 1 else None


# "..., in England and in Wales?", "on either side of the border" ask about both nations; "the
# Welsh equivalent of England's principles" names both but asks about one.
BOTH_NATIONS = re.compile(r"\b(?:england|english)(?:\s+(?:councils?|services|guidance|law))?\s+(?:and|or)\s+(?:in\s+)?(?:wales|welsh)\b"
                   r"|\b(?:wales|welsh)(?:\s+(?:councils?|services|guidance|law))?\s+(?:and|or)\s+(?:in\s+)?(?:england|english)\b"
                   r"|\b(?:either|both|each) sides? of the border\b|\b(?:both|each) (?:nation|nations|country|countries)\b", re.I)


def asks_both_nations(question: str) -> bool:
    """Does the question ask what each nation's guidance says, so that neither alone answers it?"""
    return bool(BOTH_NATIONS.search(question))


@functools.lru_cache(maxsize=1)
def places() -> Places:
    data = read_toml("cpguide.assistant", "places.toml")
    return Places({"wales": data["wales"], "england": data["england"]}, data.get("not_first", []))
