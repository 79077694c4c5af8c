"""How far to trust a passage: where it sits on the authority ladder, and whether it is current.

Guidance on corporate parenting is re-issued often and the bodies it names are re-organised
(clinical commissioning groups became integrated care boards in July 2022). A councillor who
quotes a 2012 pack, or asks the "CCG" to act, should be told so next to the quote rather
than find out at a meeting. The replaced bodies live in ``obsolete_bodies.toml`` so that they
can be corrected without touching code.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from datetime import date
from importlib import resources

from cpguide.records import KINDS, DocMeta

_LABELS = {
    "legislation": "Legislation",
    "statutory guidance": "Statutory guidance",
    "national toolkit": "National toolkit",
    "non-statutory guidance": "Non-statutory guidance",
    "local strategy": "Local strategy",
    "web page": "Web page",
    "other": "Other",
}


def authority_rank(kind: str) -> int:
    """1 for legislation (strongest) down to 7 for "other"; unknown kinds rank as "other".

    Lower is stronger, so sorting by rank puts what a council is bound by first.
    """
    kind = (kind or "").strip().lower()
    return KINDS.index(kind) + 1 if kind in KINDS else len(KINDS)


def authority_label(kind: str) -> str:
    """What a reader sees for a document's kind, e.g. "National toolkit"."""
    kind = (kind or "").strip().lower()
    return _LABELS.get(kind, kind.capitalize() if kind else "Other")


@dataclass(frozen=True)
class ObsoleteBody:
    name: str
    replaced_by: str
    pattern: re.Pattern[str] | None
    acronyms: re.Pattern[str] | None
    when: str = ""
    year: int | None = None
    verb: str = "replaced by"
    qualifier: str = ""
    where: tuple[str, ...] = ()

    def named_in(self, text: str) -> bool:
        return bool((self.pattern and self.pattern.search(text)) or (self.acronyms and self.acronyms.search(text)))

    def applies_to(self, meta: DocMeta) -> bool:
        if self.where and meta.jurisdiction not in self.where:
            return False
        # A document written after the change names the old body knowingly (history, quotes).
        return self.year is None or meta.year is None or meta.year <= self.year

    @property
    def note(self) -> str:
        change = f"{self.verb} {self.replaced_by}"
        if self.when:
            change += f" in {self.when}"
        if self.qualifier:
            change += f" {self.qualifier}"
        return f"Names {self.name}, {change}: check this is current"


def _body(entry: dict) -> ObsoleteBody:
    patterns = entry.get("patterns", [])
    flags = 0 if entry.get("case_sensitive") else re.I
    pattern = re.compile("|".join(rf"\b(?:{p})\b" for p in patterns), flags) if patterns else None
    acronyms = entry.get("acronyms", [])
    acro = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(a) for a in acronyms) + r")(?![\w-])") if acronyms else None
    return ObsoleteBody(
        name=entry["name"], replaced_by=entry["replaced_by"], pattern=pattern, acronyms=acro,
        when=entry.get("when", ""), year=entry.get("year"), verb=entry.get("verb", "replaced by"),
        qualifier=entry.get("qualifier", ""), where=tuple(entry.get("where", ())),
    )


@functools.lru_cache(maxsize=1)
def obsolete_bodies() -> tuple[ObsoleteBody, ...]:
    """The replaced bodies from ``obsolete_bodies.toml``, compiled once."""
    text = resources.files("cpguide.assistant").joinpath("obsolete_bodies.toml").read_text(encoding="utf-8")
    return tuple(_body(e) for e in tomllib.loads(text).get("body", []))


def stale_note(meta: DocMeta, *, stale_years: int, today: date | None = None) -> str | None:
    """ "Published 2012: check this is current" for a document older than ``stale_years``."""
    if meta.year is None:
        return None
    today = today or date.today()
    if today.year - meta.year > stale_years:
        return f"Published {meta.year}: check this is current"
    return None


def notes_for(meta: DocMeta, text: str, *, stale_years: int, today: date | None = None) -> tuple[str, ...]:
    """Notes a reader needs beside a quote of ``text`` from the document ``meta`` describes.

    The age note comes first, then one note per replaced body the passage names.
    """
    notes: list[str] = []
    stale = stale_note(meta, stale_years=stale_years, today=today)
    if stale:
        notes.append(stale)
    for body in obsolete_bodies():
        if body.applies_to(meta) and body.named_in(text):
            notes.append(body.note)
    return tuple(notes)
