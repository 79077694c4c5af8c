"""Who is who: the partners and services of corporate parenting, and the topics people ask about.

One vocabulary, read by every module that needs it: duty extraction attributes a duty to an
actor, the answer prefers sentences whose subject is the service asked about, and the
conversation recognises "and what about health?" as a change of service. It is data
(``actors.toml``), so a council that adds "Anytown Homes" under housing is understood
everywhere without touching code.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Iterable

from cpguide.datafiles import read_toml
from cpguide.errors import UsageError


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


@dataclass(frozen=True)
class Actor:
    slug: str
    label: str
    terms: tuple[str, ...]
    headings: tuple[str, ...]
    acronyms: tuple[str, ...]


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("’", "'").replace("‘", "'")).strip().lower()


def _phrase_pattern(term: str) -> str:
    parts = [re.escape(w).replace("'", "['’]") for w in term.split()]
    return r"\s+".join(parts)


_SUFFIX = r"(?:['’]s|s['’]|es|s)?"
# Titles of Acts and Regulations name no actor, whatever words they contain.
_ACT_TITLE = re.compile(r"\b(?:[A-Z][A-Za-z’'-]*\s+)(?:(?:[A-Z][A-Za-z’'-]*|and|of|for|\((?:England|Wales)\))\s+)*"
                        r"(?:Act|Regulations|Measure)\b(?:\s*\(?\d{4}\)?)?")


@dataclass(frozen=True)
class ActorVocabulary:
    """Finds actors in text; the longest phrase wins, so an IRO is not also an "officer"."""

    actors: tuple[Actor, ...]
    _terms: re.Pattern[str]
    _heading_terms: re.Pattern[str]
    _acronyms: re.Pattern[str] | None
    _ignore: re.Pattern[str] | None
    _ignore_headings: re.Pattern[str] | None
    _lookup: dict[str, str]
    _acronym_lookup: dict[str, str]

    @property
    def slugs(self) -> tuple[str, ...]:
        return tuple(a.slug for a in self.actors)

    def label(self, slug: str) -> str:
        return next((a.label for a in self.actors if a.slug == slug), slug)

    def _slug_for(self, matched: str) -> str | None:
        key = _norm(matched)
        for candidate in (key, re.sub(r"'s$|s'$", "", key), re.sub(r"s$", "", key), re.sub(r"es$", "", key)):
            if candidate in self._lookup:
                return self._lookup[candidate]
        return None

    def find(self, text: str, *, heading: bool = False) -> list[tuple[int, str]]:
        """(position, slug) for every actor named in ``text``, in order of appearance."""
        return [(start, slug) for start, _, slug in self.mentions(text, heading=heading)]

    def mentions(self, text: str, *, heading: bool = False) -> list[tuple[int, int, str]]:
        """(start, end, slug) for every name in ``text``: the words to swap in "what about health?"."""
        text = _ACT_TITLE.sub(lambda m: " " * len(m.group()), text)  # "Children and Social Work Act 2017"
        if self._ignore:
            text = self._ignore.sub(lambda m: " " * len(m.group()), text)
        if heading and self._ignore_headings:
            text = self._ignore_headings.sub(lambda m: " " * len(m.group()), text)
        found: list[tuple[int, int, str]] = []
        if self._acronyms:
            for m in self._acronyms.finditer(text):
                word = m.group()
                slug = self._acronym_lookup.get(word) or self._acronym_lookup.get(word[:-1])
                if slug:
                    found.append((m.start(), m.end(), slug))
        taken = [(a, b) for a, b, _ in found]
        pattern = self._heading_terms if heading else self._terms
        for m in pattern.finditer(text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            slug = self._slug_for(m.group())
            if slug:
                found.append((m.start(), m.end(), slug))
        return sorted(found)

    def slugs_in(self, text: str, *, heading: bool = False) -> tuple[str, ...]:
        return _unique(slug for _, slug in self.find(text, heading=heading))

    def resolve(self, name: str) -> str:
        """An actor slug from what a person types: "housing", "NHS", "foster carers", "IRO"."""
        wanted = _norm(name).replace("_", "-")
        if wanted in self.slugs:
            return wanted
        for a in self.actors:
            if wanted == _norm(a.label) or wanted.replace("-", " ") == a.slug.replace("-", " "):
                return a.slug
        slugs = self.slugs_in(name, heading=True)
        if len(slugs) == 1:
            return slugs[0]
        raise UsageError(
            f"Unknown actor {name!r}.",
            hint="Use one of: " + ", ".join(self.slugs) + " (`cpguide duties --list-actors` shows what each covers).",
        )


def _compile_terms(terms: dict[str, str]) -> re.Pattern[str]:
    ordered = sorted(terms, key=len, reverse=True)
    body = "|".join(_phrase_pattern(t) for t in ordered)
    return re.compile(rf"(?<![\w-])(?:{body}){_SUFFIX}(?![\w-])", re.I)


@functools.lru_cache(maxsize=1)
def _data() -> dict:
    return read_toml("cpguide.assistant", "actors.toml")


@functools.lru_cache(maxsize=1)
def actor_vocabulary() -> ActorVocabulary:
    """Who acts: the ``[actors]`` of ``actors.toml``, compiled once per process."""
    return _compile(_data()["actors"], _data().get("ignore", {}))


@functools.lru_cache(maxsize=1)
def topic_vocabulary() -> ActorVocabulary:
    """What people ask about besides who acts (care leavers, money, placement stability):
    the ``[topics]`` of ``actors.toml``, matched the same way."""
    return _compile(_data().get("topics", {}), _data().get("ignore", {}))


def subjects_in(text: str) -> list[tuple[int, int, str]]:
    """Every actor or topic named in ``text`` as (start, end, slug); the longer name wins
    where two overlap ("mental health" is a topic, not the health service)."""
    found = actor_vocabulary().mentions(text, heading=True) + topic_vocabulary().mentions(text, heading=True)
    found.sort(key=lambda m: (m[0], -(m[1] - m[0])))
    kept: list[tuple[int, int, str]] = []
    for m in sorted(found, key=lambda m: -(m[1] - m[0])):
        if not any(a < m[1] and m[0] < b for a, b, _ in kept):
            kept.append(m)
    return sorted(kept)


def _compile(entries: dict, ignore: dict) -> ActorVocabulary:
    actors = tuple(
        Actor(slug, spec["label"], tuple(spec.get("terms", ())), tuple(spec.get("headings", ())),
              tuple(spec.get("acronyms", ())))
        for slug, spec in entries.items()
    )
    lookup: dict[str, str] = {}
    heading_lookup: dict[str, str] = {}
    acronym_lookup: dict[str, str] = {}
    for a in actors:
        for t in a.terms:
            lookup.setdefault(_norm(t), a.slug)
        for t in a.terms + a.headings:
            heading_lookup.setdefault(_norm(t), a.slug)
        for t in a.acronyms:
            acronym_lookup.setdefault(t, a.slug)
    phrases = sorted(ignore.get("phrases", ()), key=len, reverse=True)
    heads = sorted(ignore.get("headings", ()), key=len, reverse=True)
    acronyms = sorted(acronym_lookup, key=len, reverse=True)
    return ActorVocabulary(
        actors=actors,
        _terms=_compile_terms(lookup),
        _heading_terms=_compile_terms(heading_lookup),
        _acronyms=re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, acronyms)) + r")s?(?![\w-])") if acronyms else None,
        _ignore=re.compile(r"(?<![\w-])(?:" + "|".join(_phrase_pattern(p) for p in phrases) + r")(?![\w-])", re.I) if phrases else None,
        _ignore_headings=re.compile("|".join(_phrase_pattern(p) for p in heads), re.I) if heads else None,
        _lookup={**heading_lookup, **lookup},
        _acronym_lookup=acronym_lookup,
    )
