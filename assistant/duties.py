"""Who must do what: duty statements found in the guidance at ingest, and a finder for them.

A councillor preparing for a corporate parenting panel, or a housing officer asked "what is
expected of us?", needs the sentences that place an obligation or an expectation on someone,
quoted exactly and attributed to whoever must act. We find them once, when an index
generation is written (``write_duties`` is a post-build hook), so that ``cpguide duties``
and the panel brief read a small table instead of re-reading every document.

Extraction is a set of readable rules rather than a model, so that a wrong attribution can be
explained and fixed:

* a sentence is a duty when it says must / shall / has a duty / is required (``must``),
  should / is expected to / is responsible for / it is important that (``should``),
  may wish to consider / can also use (``may``), or gives an instruction ("Make sure...",
  "Consider how...") or sits in a list introduced by "Examples of what you can do as a
  corporate parent in housing services:" (``good-practice``, or what the lead-in says);
* questions, lead-ins ending in a colon, statistics and case studies are not duties;
* whoever must act comes from the sentence's subject, else from the list's lead-in and the
  section headings ("Housing services"), else from the document's readers or the council;
* the principles served come from the section's own "Corporate parenting principles which
  apply to ..." list where the guidance gives one, else from cue words.

The actor and principle vocabularies are data (``actors.toml``, ``principles.toml``).
"""

from __future__ import annotations

import functools
import json
import re
import sqlite3
import tomllib
from dataclasses import asdict, dataclass
from importlib import resources
from typing import Iterable

from cpguide.errors import UsageError
from cpguide.ingest.sentences import sentence_spans
from cpguide.assistant.actors import Actor, ActorVocabulary, _norm, _phrase_pattern, actor_vocabulary  # noqa: F401
from cpguide.records import JURISDICTIONS, Chunk, Document

STRENGTHS: tuple[str, ...] = ("must", "should", "may", "good-practice")
STRENGTH_LABELS = {"must": "MUST", "should": "SHOULD", "may": "MAY", "good-practice": "GOOD PRACTICE"}


@dataclass(frozen=True)
class Duty:
    """One sentence or list item that places an obligation or expectation on someone.

    ``text`` is verbatim: it equals ``document.text[start:end]``, so it can be quoted and
    checked against the published document.
    """

    duty_id: str
    doc_id: str
    text: str
    start: int
    end: int
    strength: str  # must | should | may | good-practice
    actors: tuple[str, ...]  # actor slugs from actors.toml, the one(s) who must act first
    principles: tuple[str, ...]  # principle ids from principles.toml, the best fit first
    legal_refs: tuple[str, ...]  # e.g. "Children Act 1989 s22G"
    jurisdiction: str
    page: int | None
    section: str  # heading path joined with " > "

    def to_dict(self) -> dict:
        d = asdict(self)
        for key in ("actors", "principles", "legal_refs"):
            d[key] = list(d[key])
        return d


# --- vocabularies --------------------------------------------------------------------------


@dataclass(frozen=True)
class Principle:
    id: str
    jurisdiction: str
    number: int
    label: str
    text: str
    cues: re.Pattern[str]

    @property
    def title(self) -> str:
        place = "England" if self.jurisdiction == "england" else "Wales"
        return f"{place} {self.number}: {self.label}"


@functools.lru_cache(maxsize=1)
def principles() -> tuple[Principle, ...]:
    """England's seven principles (CSWA 2017 s1) and the Welsh charter's eleven, in order."""
    data = tomllib.loads(resources.files("cpguide.assistant").joinpath("principles.toml").read_text(encoding="utf-8"))
    out = []
    for p in data["principle"]:
        cues = "|".join(_phrase_pattern(c) for c in sorted(p["cues"], key=len, reverse=True))
        out.append(Principle(p["id"], p["jurisdiction"], int(p["number"]), p["label"], p["text"],
                             re.compile(rf"(?<![\w-])(?:{cues})", re.I)))
    return tuple(out)


def principle(pid: str) -> Principle | None:
    return next((p for p in principles() if p.id == pid), None)


def principle_title(pid: str) -> str:
    p = principle(pid)
    return p.title if p else "No principle named"


def resolve_principle(name: str) -> str:
    """A principle id from an id ("wales-8"), "wales 8", or a label ("a stable home")."""
    wanted = _norm(name).replace("_", "-")
    wanted_id = re.sub(r"^(england|wales)\s*-?\s*(\d+)$", r"\1-\2", wanted)
    matches = [p.id for p in principles() if p.id == wanted_id or _norm(p.label) == wanted]
    if not matches:
        matches = [p.id for p in principles() if wanted and wanted in _norm(p.label)]
    if len(matches) == 1:
        return matches[0]
    raise UsageError(
        f"Unknown principle {name!r}." if not matches else f"{name!r} matches several principles: {', '.join(matches)}.",
        hint="Use an id: " + ", ".join(f"{p.id} ({p.label})" for p in principles()),
    )


# --- recognising duties ------------------------------------------------------------------------

_SUP = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_MUST = re.compile(
    r"\b(?:must|shall)\b"
    r"|\b(?:has|have)\s+(?:a|the)\s+(?:\w+\s+)?dut(?:y|ies)\b"
    r"|\bdut(?:y|ies)[" + _SUP + r"]*\s+(?:on|to)\s"
    r"|\b(?:imposes|places)\s+a\s+duty\b"
    r"|\b(?:statutory|legal)\s+(?:duty|duties|responsibilit(?:y|ies))[" + _SUP + r"]*\s+(?:to|under|on|for)\b"
    r"|\b(?:is|are)(?:\s+\w+){0,2}\s+required\s+to\b"
    r"|\brequires?\s+(?:\w+\s+){1,5}to\b|\brequire\s+every\b",
    re.I,
)
_SHOULD = re.compile(
    r"\bshould\b(?!\s+have\s+to\b)(?!\s+(?:they|it|this|that|there)\s+be\b)|\bought\s+to\b"
    r"|\b(?:is|are)\s+expected\s+to\b|\bexpectation\s+that\b"
    r"|(?<!who is )(?<!who are )\bresponsible\s+for\b"
    r"|(?<!take )(?<!parental )\bresponsibility[" + _SUP + r"]*\s+(?:for|to|of)\b"
    r"|\b(?:it\s+is|it['’]s)(?:\s+also)?\s+(?:important|vital|essential|crucial|paramount)\s+(?:to|that)\b"
    r"|\bup\s+to\s+(?:us|you)\b",
    re.I,
)
_NEED = re.compile(r"\b(?:need|needs)\s+to\b", re.I)
_MAY = re.compile(
    r"\b(?:may|might|could|can)(?:\s+(?:also|then))?\s+(?:(?:wish|want|like)\s+to\s+)?consider\b"
    r"|\b(?:may|might)(?:\s+also)?\s+(?:wish|want)\s+to\b"
    r"|\bit\s+can\s+be\s+helpful\s+to\b|\bit\s+is\s+worth\s+considering\b|\bmight\s+be\s+able\s+to\s+offer\b",
    re.I,
)
_CAN_ACT = re.compile(r"\b(?:can|could)(?:\s+(?:also|then))?\s+(?:use|offer|make\s+sure|engage)\b", re.I)
_NEGATED = re.compile(r"\b(?:not|no\s+longer|never|n['’]t)\s+(?:\w+\s+){0,2}$", re.I)
_NOT_ACTION = re.compile(r"\b(?:important|vital|essential)\s+to\s+(?:remember|recognise|note)\s+that\b", re.I)
_IMPERSONAL = re.compile(r"\b(?:it\s+is|it['’]s)(?:\s+also)?\s+(?:important|vital|essential|crucial|paramount)\s+to\b", re.I)
_THAT_CLAUSE = re.compile(r"\b(?:important|vital|essential|crucial|paramount|expectation)\s+that\b", re.I)

_VERBS = (
    "make sure|ensure|promote|support|encourage|develop|provide|work|build|maintain|consider|look|find out|"
    "review|check|pass on|have|be|know|expect|strive|continue|use|offer|recognise|demonstrate|positively|"
    "actively|think about|investigate|enable|give|take|keep|help|involve|listen|ask|visit|celebrate|challenge|"
    "respect|treat|talk|invite|monitor|identify|set up|agree|share|seek|assist|raise|engage|create|tell|"
    "explain|attend|hold|launch|organise|introduce|appoint|commission|protect|prepare|recruit|remember|"
    "don['’]t forget|do not forget|try|avoid|record|plan"
)
_IMPERATIVE = re.compile(
    rf"^(?:also\s+|then\s+|so\s+|and\s+)?(?:{_VERBS})\b"
    r"(?!\s+(?:experience|placements?|is|are|was|were|can|could|will|should|must|may|has|"
    r"you|we|they|there|these|those|this|it)\b)",
    re.I,
)
# Nouns that look like instructions: "Support for care leavers", "Use of restraint", "Help with homework".
_NOUN_START = re.compile(r"^(?:support|help|use|offer|review|visit|record|plan|check|work)\s+(?:for|of|with\s+homework)\b", re.I)
_OPENING_CLAUSE = re.compile(
    r"^(?:if|when|where|regardless\s+of|whatever|in|for|whether|once|before|after|during|while|whilst)\b[^,]{0,160},\s*",
    re.I,
)
_GERUND_VERBS = re.compile(r"^(?:offering|providing|ensuring|developing|meeting|setting|organising|running|visiting|"
                           r"carrying|making|working|supporting|promoting|helping|encouraging|building)\b", re.I)
_LIST_NUMBER = re.compile(r"^(?:\(?\d{1,2}[.)]|\(?[a-z][.)]|\(?[ivx]{1,4}[.)])\s+")
_QUESTION_END = re.compile(r"\?[\"'”’)\]]*$")
_DUTY_LEAD = re.compile(
    r"what\s+you\s+can\s+do|examples?\s+of\s+aims|aims\s+as\s+a\s+corporate\s+parent|as\s+follows"
    r"|\b(?:should|must|need\s+to|expected\s+to)\s*:?\s*$|could\s+include|might\s+want\s+to\s+consider"
    r"|may\s+wish\s+to\s+consider|\boptions\b|\bsuggestions\b|\bideas\b|what\s+(?:we|you)\s+(?:will|should|must)\s+do"
    r"|\bwe\s+will\b|\bwe\s+promise\b|\bour\s+promise\b|\bcommit",
    re.I,
)
_LEAD_MAY = re.compile(r"\b(?:could|might|may)\b|\boptions\b|\bsuggestions\b|\bideas\b", re.I)
_PRINCIPLES_LEAD = re.compile(r"principles?\s+(?:which|that)\s+appl(?:y|ies)", re.I)
_PRINCIPLE_HEADING = re.compile(r"^principle\s+(\d{1,2})\b", re.I)
_PRINCIPLE_ITEM = re.compile(r"\((\d{1,2})\)\s*\.?$")
_ALL_PRINCIPLES = re.compile(r"^\s*(?:•\s*)?all\s+(?:the\s+)?principles\s*\.?$", re.I)
_CASE_STUDY_HEADING = re.compile(
    r"\b[A-Z][\w’'&-]+(?:\s+[A-Z][\w’'&-]+)*\s+(?:Borough\s+|County\s+|City\s+|Metropolitan\s+|District\s+)?Council\b"
    r"|^London\s+Borough\s+of\b"
)
_PRONOUN = re.compile(r"\b(we|us|our|you|your)\b", re.I)
_GENERIC_DOER = re.compile(r"\b(?:corporate\s+parents?|everyone|every\s+part)\b", re.I)
_FOOTNOTE = re.compile(r"^([1-9]\d?)\s+\S")
_URL_MARK = re.compile(r"https?://|www\.|@")


def _urlish(text: str) -> bool:
    """Only web or e-mail addresses (checked word by word: one regex over the whole line
    backtracks exponentially on long lists of addresses)."""
    words = text.split()
    return bool(words) and all(_URL_MARK.search(w) for w in words)


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return tuple(seen)


_RELATIVE_OR_PAST = re.compile(r"\bwho\b[^,;]{0,40}$|\bhad\s+(?:a|the)\s+(?:\w+\s+)?$", re.I)


def _triggers(sentence: str, pattern: re.Pattern[str]) -> list[re.Match[str]]:
    """Matches of ``pattern`` that state an obligation: not negated ("does not require"), not
    in a relative clause ("an adult who ... has responsibility") and not narrative ("they
    still had a responsibility")."""
    out = []
    for m in pattern.finditer(sentence):
        before = sentence[:m.start()]
        if _NEGATED.search(before):
            continue
        if m.group().lower().startswith(("respons", "dut")) and _RELATIVE_OR_PAST.search(before):
            continue
        out.append(m)
    return out


def _strip_number(text: str) -> str:
    return _LIST_NUMBER.sub("", text, count=1)


def is_imperative(sentence: str) -> bool:
    """ "Make sure...", "Consider how...", "In two-tier areas, consider how...": an instruction."""
    body = _strip_number(sentence.lstrip("• "))
    if _NOUN_START.match(body):
        return False
    if _IMPERATIVE.match(body):
        return True
    opening = _OPENING_CLAUSE.match(body)
    return bool(opening and _IMPERATIVE.match(body[opening.end():]))


@dataclass(frozen=True)
class _LeadIn:
    """The paragraph before a list ("Examples of what you can do ... in housing services:")."""

    is_duty: bool
    strength: str
    actors: tuple[str, ...]
    text: str = ""


def _lead_in(paragraph: str, last_sentence: str, vocab: ActorVocabulary) -> _LeadIn:
    actors = vocab.slugs_in(paragraph, heading=True)
    is_duty = bool(_DUTY_LEAD.search(last_sentence))
    if _triggers(last_sentence, _MUST):
        strength = "must"
    elif _triggers(last_sentence, _SHOULD) or re.search(r"\bshould\s*:\s*$", last_sentence):
        strength = "should"
    elif _LEAD_MAY.search(last_sentence) and "what you can do" not in last_sentence.lower():
        strength = "may"
    else:
        strength = "good-practice"
    if strength in ("must", "should"):
        is_duty = True
    return _LeadIn(is_duty, strength, actors, last_sentence)


# --- legal references ----------------------------------------------------------------------

_TITLE_WORD = r"(?:[A-Z][A-Za-z’'-]*|\((?:England|Wales)\))"
_ACT = rf"({_TITLE_WORD}(?:\s+(?:{_TITLE_WORD}|and|of|for))*?\s+(?:Act|Regulations|Measure))\s*\(?(\d{{4}})\)?"
_SECTION_BEFORE = re.compile(rf"\b(?:[Ss]ection|s\.?)?\s*(\d{{1,3}}[A-Z]{{0,2}}(?:\(\w{{1,4}}\))*)\s+of\s+(?:the\s+)?{_ACT}")
_SECTION_AFTER = re.compile(rf"{_ACT}\s*,?\s*(?:[Ss]ection|s\.)\s*(\d{{1,3}}[A-Z]{{0,2}}(?:\(\w{{1,4}}\))*)")
_ACT_ONLY = re.compile(_ACT)
_GUIDANCE_REFS = (
    (re.compile(r"Working\s+Together\s+to\s+Safeguard\s+Children(?:\s*\(?(\d{4})\)?)?"), "Working Together to Safeguard Children"),
    (re.compile(r"\bUN(?:ited\s+Nations)?\s+Convention\s+on\s+the\s+Rights\s+of\s+the\s+Child\b|\bUNCRC\b"), "UNCRC"),
)
_LEADING_NOISE = re.compile(r"^(?:Under|The|This|In|And|Current|Guidance|Statutory)\s+")


def _act_name(name: str) -> str:
    name = re.sub(r"\s+", " ", name).strip()
    while _LEADING_NOISE.match(name) and len(name.split()) > 2:
        name = _LEADING_NOISE.sub("", name, count=1)
    return name


def legal_refs(text: str) -> tuple[str, ...]:
    """Acts, sections and statutory guidance a sentence cites: "Children Act 1989 s22G"."""
    refs: list[str] = []
    covered: list[tuple[int, int]] = []
    for pattern, act_group, year_group, section_group in ((_SECTION_BEFORE, 2, 3, 1), (_SECTION_AFTER, 1, 2, 3)):
        for m in pattern.finditer(text):
            refs.append(f"{_act_name(m.group(act_group))} {m.group(year_group)} s{m.group(section_group)}")
            covered.append(m.span())
    for m in _ACT_ONLY.finditer(text):
        if any(a <= m.start() < b for a, b in covered):
            continue
        refs.append(f"{_act_name(m.group(1))} {m.group(2)}")
    for pattern, name in _GUIDANCE_REFS:
        m = pattern.search(text)
        if m:
            year = m.group(1) if m.groups() and m.group(1) else ""
            refs.append(f"{name} {year}".strip())
    return _unique(refs)


# --- extraction --------------------------------------------------------------------------------


class _Context:
    """What one document says about itself: readers, footnotes, principle lists."""

    def __init__(self, doc: Document, vocab: ActorVocabulary):
        self.doc = doc
        self.vocab = vocab
        meta = doc.meta
        audience = vocab.slugs_in(" ; ".join(meta.audience), heading=True) if meta.audience else ()
        self.addressee = audience or ("council",)  # who "you" and instructions speak to
        self.doer = ("council",)  # who acts when nobody is named
        self.footnotes: dict[str, str] = {}  # footnote number -> its text ("5 Children Act 1989, Section 22G")
        for s in doc.sections:
            if s.kind == "paragraph":
                text = doc.text[s.start:s.end]
                m = _FOOTNOTE.match(text)
                if m and len(text) < 300 and not _triggers(text, _MUST) and not _triggers(text, _SHOULD):
                    self.footnotes.setdefault(m.group(1), text)
        self.footnote_texts = set(self.footnotes.values())
        jurisdiction = meta.jurisdiction if meta.jurisdiction in ("england", "wales") else None
        self.principle_pool = tuple(p for p in principles() if jurisdiction is None or p.jurisdiction == jurisdiction)
        self.section_principles: dict[tuple[str, ...], list[str]] = {}

    def principle_id(self, number: int) -> str | None:
        for p in self.principle_pool:
            if p.number == number:
                return p.id
        return None

    def heading_actors(self, path: tuple[str, ...]) -> tuple[str, ...]:
        for heading in reversed(path):
            if _CASE_STUDY_HEADING.search(heading):
                continue
            found = self.vocab.slugs_in(heading, heading=True)
            if found:
                return found
        return ()

    def listed_principles(self, path: tuple[str, ...]) -> list[str] | None:
        for n in range(len(path), -1, -1):
            if path[:n] in self.section_principles:
                return self.section_principles[path[:n]]
        return None

    def principles_for(self, sentence: str, path: tuple[str, ...], lead_text: str = "") -> tuple[str, ...]:
        """Principles the sentence serves, best first.

        Under a "principles which apply to housing services" list, all the listed principles,
        led by those the sentence's words (then the heading's and lead-in's words) point to;
        elsewhere, up to three principles the sentence's own words point to.
        """
        for heading in reversed(path):
            m = _PRINCIPLE_HEADING.match(heading)
            if m and self.principle_id(int(m.group(1))):
                return (self.principle_id(int(m.group(1))),)
        listed = self.listed_principles(path)
        pool = [p for p in self.principle_pool if listed is None or p.id in listed]
        context = " ".join(path[-1:]) + " " + lead_text
        scored = []
        for i, p in enumerate(pool):
            own = len(p.cues.findall(sentence))
            scored.append((2 * own + (1 if p.cues.search(context) else 0), own, i, p.id))
        scored.sort(key=lambda x: (-x[0], x[2]))
        if listed is not None:
            return _unique([pid for score, _, _, pid in scored if score > 0] + [p.id for p in pool])
        return tuple(pid for _, own, _, pid in scored if own > 0)[:3]

    def refs_for(self, sentence: str) -> tuple[str, ...]:
        refs = list(legal_refs(sentence))
        for mark in re.findall(f"[{_SUP}]+", sentence):
            number = mark.translate(str.maketrans(_SUP, "0123456789"))
            note = self.footnotes.get(number)
            if note:
                refs.extend(legal_refs(note[len(number):]))
        return _unique(refs)


def _clause_actors(zone: str, ctx: _Context, *, from_end: bool) -> tuple[str, ...]:
    """Actors of the subject nearest the trigger.

    Clauses are cut at commas and dashes; a clause naming actors takes along the clauses
    before it that also name actors, so "the local authority, clinical commissioning group
    and the police have a shared responsibility" keeps all three. "you" and "we" stand for the
    document's readers and the council.
    """
    part = re.split(r"[;:–—()]", zone)
    part = [p for p in part if p.strip()]
    if not part:
        return ()
    clauses = [c for c in re.split(r",", part[-1] if from_end else part[0])]
    order = list(range(len(clauses)))
    for i in (reversed(order) if from_end else order):
        named = ctx.vocab.find(clauses[i])
        pronoun = _PRONOUN.search(clauses[i])
        if pronoun and (not named or pronoun.start() > named[-1][0]):
            return ctx.doer if pronoun.group(1).lower() in ("we", "us", "our") else ctx.addressee
        if named:
            slugs = [slug for _, slug in named]
            j = i - 1
            while from_end and j >= 0 and ctx.vocab.find(clauses[j]):
                slugs = [slug for _, slug in ctx.vocab.find(clauses[j])] + slugs
                j -= 1
            return _unique(slugs)
        if _GENERIC_DOER.search(clauses[i]) and from_end:
            return ()
    if from_end and len(part) > 1:
        return _clause_actors(";".join(part[:-1]), ctx, from_end=True)
    return ()


def _is_doer_subject(zone: str, ctx: _Context) -> bool:
    """ "councils need to" and "we need to" place a duty; "care leavers need to" does not."""
    last = re.split(r"[,;:–—()]", zone)[-1]
    return bool(ctx.vocab.slugs_in(last) or _PRONOUN.search(last) or _GENERIC_DOER.search(last))


# A quoted span: the opening mark after a space or bracket, the closing one before a space,
# punctuation or the end, so the apostrophes of "LGA's" and "children's" are not taken for quotes.
_QUOTED = re.compile(r"(?:^|(?<=[\s(\[]))(‘[^’]{1,80}’|“[^”]{1,80}”|'[^']{1,80}'|\"[^\"]{1,80}\")(?=[\s,.;:!?)\]]|$)")
_MODAL = re.compile(r"\b(?:must|shall|should|ought|required|duty|duties)\b", re.I)


def _is_quoted_name(inner: str) -> bool:
    """ "‘Must knows’", "“You Must Be Heard”": a name or title that happens to hold a modal.

    A quoted provision ("‘must have regard to’") starts in lower case, and a quoted sentence or
    question has words in lower case around its modal; a name starts with a capital and either
    opens with the modal or capitalises its words, and is short.
    """
    words = re.findall(r"[^\W\d_][\w’'-]*", inner)
    if not words or len(words) > 8 or not words[0][0].isupper() or inner.rstrip()[-1:] in ".?!":
        return False
    if _MODAL.fullmatch(words[0]):
        return True
    long_words = [w for w in words if len(w) > 3]
    return bool(long_words) and all(w[0].isupper() for w in long_words)


def _blank_quoted_names(sentence: str) -> str:
    """The sentence with quoted names blanked, so "The LGA’s ‘Must knows’ are ..." places no duty."""
    def blank(m: re.Match[str]) -> str:
        quoted = m.group(1)
        if _MODAL.search(quoted) and _is_quoted_name(quoted[1:-1]):
            return " " * len(quoted)
        return quoted

    return _QUOTED.sub(blank, sentence)


def _trigger_text(sentence: str) -> str:
    """The sentence with "it is important to remember that" and quoted names ("‘Must knows’")
    blanked: a reminder is not a duty, nor is a modal inside a title."""
    return _blank_quoted_names(_NOT_ACTION.sub(lambda m: " " * len(m.group()), sentence))


@dataclass(frozen=True)
class _Trigger:
    strength: str
    start: int
    words: str


def _classify(sentence: str, ctx: _Context) -> _Trigger | None:
    """The strongest obligation the sentence's own words express, or None."""
    probe = _trigger_text(sentence)
    for strength, pattern in (("must", _MUST), ("should", _SHOULD)):
        found = _triggers(probe, pattern)
        if found:
            return _Trigger(strength, found[0].start(), found[0].group())
    for m in _triggers(probe, _NEED):
        if _is_doer_subject(probe[:m.start()], ctx):
            return _Trigger("should", m.start(), m.group())
    found = _triggers(probe, _MAY)
    if found:
        return _Trigger("may", found[0].start(), found[0].group())
    for m in _triggers(probe, _CAN_ACT):
        if _is_doer_subject(probe[:m.start()], ctx):
            return _Trigger("may", m.start(), m.group())
    return None


def _actors(sentence: str, ctx: _Context, path: tuple[str, ...], lead: _LeadIn | None, trigger: _Trigger | None,
            *, addressed: bool, in_list: bool) -> tuple[str, ...]:
    """Who must act: the sentence's subject, else the list's lead-in and headings, else defaults."""
    if path and _PRINCIPLE_HEADING.match(path[-1]):
        return ctx.addressee  # a charter principle binds whoever signs up, whatever its words name
    context = (lead.actors if lead and lead.actors else ()) or ctx.heading_actors(path)
    if in_list and context:
        return context
    if not addressed and trigger is not None:
        that = _THAT_CLAUSE.search(sentence)
        if that and that.start() <= trigger.start + 40:
            named = _clause_actors(sentence[that.end():], ctx, from_end=False)
        else:
            named = _clause_actors(sentence[:trigger.start], ctx, from_end=True)
            if not named and re.search(r"\bup\s+to\s+(?:us|you)\b", trigger.words, re.I):
                named = ctx.doer if re.search(r"\bus\b", trigger.words, re.I) else ctx.addressee
        if named:
            return named
    if context:
        return context
    if addressed:
        return ctx.addressee
    # Nobody named as acting ("Reports should be published"): the council, with whoever the
    # sentence involves.
    return _unique(ctx.doer + ctx.vocab.slugs_in(sentence))


def extract_duties(doc: Document) -> list[Duty]:
    """Every duty statement in ``doc``, in document order, with offsets into ``doc.text``."""
    vocab = actor_vocabulary()
    ctx = _Context(doc, vocab)
    text = doc.text
    duties: list[Duty] = []
    lead: _LeadIn | None = None
    collecting: tuple[str, ...] | None = None  # heading path whose principle list we are reading

    for sec in doc.sections:
        body = text[sec.start:sec.end]
        path = tuple(sec.heading_path)
        if sec.kind == "heading":
            lead, collecting = None, None
            continue
        if sec.kind == "list_item" and collecting is not None:
            m = _PRINCIPLE_ITEM.search(body)
            if m and ctx.principle_id(int(m.group(1))):
                ctx.section_principles[collecting].append(ctx.principle_id(int(m.group(1))))
                continue
            if _ALL_PRINCIPLES.match(body):
                ctx.section_principles[collecting].extend(p.id for p in ctx.principle_pool)
                continue
        if sec.kind != "list_item":
            collecting = None
            if body in ctx.footnote_texts:
                continue
        spans = sentence_spans(body, sec.start)
        if not spans:
            continue
        in_list = sec.kind == "list_item" and lead is not None and lead.is_duty
        for i, (start, end) in enumerate(spans):
            rest = text[start:end]
            start += len(rest) - len(_strip_number(rest))
            if start >= end:
                continue
            duty = _duty_for(text[start:end], start, end, ctx, path, lead if sec.kind == "list_item" else None,
                             first_in_item=in_list and i == 0, sec=sec)
            if duty is not None:
                duties.append(duty)
        if sec.kind != "list_item":
            last = text[spans[-1][0]:spans[-1][1]]
            if last.rstrip().endswith(":"):
                if _PRINCIPLES_LEAD.search(last):
                    collecting = path
                    ctx.section_principles[path] = []
                    lead = _LeadIn(False, "good-practice", ())
                else:
                    lead = _lead_in(body, last, vocab)
            else:
                lead = None
    return duties


def _duty_for(sentence: str, start: int, end: int, ctx: _Context, path: tuple[str, ...], lead: _LeadIn | None,
              *, first_in_item: bool, sec) -> Duty | None:
    words = sentence.split()
    if len(words) < 3 or _urlish(sentence):
        return None
    in_list = lead is not None and lead.is_duty
    # Lower-case fragments ("be safe and happy" after "to see them:") finish a sentence; only
    # a list that gives instructions makes them instructions.
    imperative = is_imperative(sentence) and (sentence[:1].isupper() or in_list)
    if _QUESTION_END.search(sentence) and not imperative:
        return None
    trigger = _classify(sentence, ctx)
    strength = trigger.strength if trigger else None
    if sentence.rstrip().endswith(":") and not (strength in ("must", "should") and len(words) >= 10):
        return None  # a lead-in: its list items carry the duties
    principle_statement = bool(path) and bool(_PRINCIPLE_HEADING.match(path[-1]))
    if imperative:
        strength = lead.strength if in_list else "good-practice"
    elif first_in_item and strength in (None, "may"):
        strength = lead.strength
    elif strength is None and in_list and _GERUND_VERBS.match(sentence):
        strength = lead.strength
    elif strength is None and principle_statement:
        strength = "good-practice"
    if strength is None:
        return None
    addressed = imperative or bool(_IMPERSONAL.search(_trigger_text(sentence))) or principle_statement
    actors = _actors(sentence, ctx, path, lead, trigger, addressed=addressed, in_list=in_list)
    meta = ctx.doc.meta
    return Duty(
        duty_id=f"{meta.doc_id}:{start}", doc_id=meta.doc_id, text=sentence, start=start, end=end,
        strength=strength, actors=actors, principles=ctx.principles_for(sentence, path, lead.text if lead else ""),
        legal_refs=ctx.refs_for(sentence), jurisdiction=meta.jurisdiction, page=sec.page_at(start)[0],
        section=" > ".join(path),
    )


# --- storage -------------------------------------------------------------------------------------

_SCHEMA = """
CREATE TABLE duties (
    duty_id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL,
    text TEXT NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    strength TEXT NOT NULL,
    actors TEXT NOT NULL,
    principles TEXT NOT NULL,
    legal_refs TEXT NOT NULL,
    jurisdiction TEXT NOT NULL,
    page INTEGER,
    section TEXT NOT NULL
);
CREATE INDEX duties_doc ON duties (doc_id, start);
CREATE TABLE duties_rules (fingerprint TEXT NOT NULL)
"""


_COLUMNS = 'duty_id, doc_id, text, start, "end", strength, actors, principles, legal_refs, jurisdiction, page, section'


@functools.lru_cache(maxsize=1)
def rules_fingerprint() -> str:
    """The rules and vocabularies duties are found with. Duties stored by an ingest that used
    others (an edited actors.toml, a newer cpguide) are found again instead of copied."""
    import hashlib
    from pathlib import Path

    from cpguide import records
    from cpguide.assistant import actors
    from cpguide.ingest import sentences

    h = hashlib.sha256()
    for path in (Path(__file__), Path(actors.__file__), Path(sentences.__file__), Path(records.__file__)):
        h.update(path.read_bytes())
    for name in ("actors.toml", "principles.toml"):
        h.update(resources.files("cpguide.assistant").joinpath(name).read_bytes())
    return h.hexdigest()[:16]


def write_duties(conn: sqlite3.Connection, documents: list[Document], chunks: list[Chunk],
                 previous=None) -> None:
    """Post-build hook: write the ``duties`` table for every document of a new generation.

    ``previous`` (``ingest.pipeline.Previous``) is the live generation the new one is built
    from: the duties of documents it holds unchanged are copied from it rather than found
    again, so re-ingesting after one file of many changed reads only that file. Copying is
    skipped when the stored duties were found with other rules (see ``rules_fingerprint``).
    """
    conn.execute("DROP TABLE IF EXISTS duties")
    conn.execute("DROP TABLE IF EXISTS duties_rules")
    for statement in _SCHEMA.split(";"):  # not executescript: that would commit the caller's transaction
        if statement.strip():
            conn.execute(statement)
    conn.execute("INSERT INTO duties_rules VALUES (?)", (rules_fingerprint(),))
    stored = _stored_duties(previous, {d.meta.doc_id for d in documents})
    for doc in documents:
        rows = stored.get(doc.meta.doc_id)
        if rows is None:
            rows = [(d.duty_id, d.doc_id, d.text, d.start, d.end, d.strength, json.dumps(list(d.actors)),
                     json.dumps(list(d.principles)), json.dumps(list(d.legal_refs)), d.jurisdiction, d.page,
                     d.section) for d in extract_duties(doc)]
        conn.executemany("INSERT INTO duties VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows)


def _stored_duties(previous, wanted: set[str]) -> dict[str, list[tuple]]:
    """Rows of the previous generation's duty table for its unchanged documents, by doc id."""
    if previous is None:
        return {}
    reuse = set(previous.unchanged) & wanted
    if not reuse:
        return {}
    try:
        found = previous.conn.execute("SELECT fingerprint FROM duties_rules").fetchone()
    except sqlite3.OperationalError:  # written by an older cpguide: no record of its rules
        return {}
    if found is None or found[0] != rules_fingerprint():
        return {}
    out: dict[str, list[tuple]] = {doc_id: [] for doc_id in reuse}
    for row in previous.conn.execute(f"SELECT {_COLUMNS} FROM duties ORDER BY doc_id, start"):
        if row[1] in out:
            out[row[1]].append(tuple(row))
    return out


def _duty_from_row(row) -> Duty:
    return Duty(
        duty_id=row["duty_id"], doc_id=row["doc_id"], text=row["text"], start=row["start"], end=row["end"],
        strength=row["strength"], actors=tuple(json.loads(row["actors"])),
        principles=tuple(json.loads(row["principles"])), legal_refs=tuple(json.loads(row["legal_refs"])),
        jurisdiction=row["jurisdiction"], page=row["page"], section=row["section"],
    )


# --- finding ---------------------------------------------------------------------------------------

_GENERIC_TOPIC_WORDS = {"care", "children", "child", "young", "people", "person", "corporate", "parent", "parents",
                        "looked", "after", "council", "councils", "duty", "duties"}


def _topic_tokens(topic: str) -> set[str]:
    from cpguide.index.lexical import tokenize

    words = [w for w in re.findall(r"[\w’'-]+", topic.lower()) if w.strip("’'") not in _GENERIC_TOPIC_WORDS]
    return set(tokenize(" ".join(words)))


def matches_topic(duty: Duty, topic: str) -> bool:
    """True when the duty's words include every distinctive word of ``topic`` (stemmed)."""
    from cpguide.index.lexical import tokenize

    wanted = _topic_tokens(topic)
    if not wanted:
        return False
    return wanted <= set(tokenize(duty.text))


def _principle_order() -> dict[str, int]:
    return {p.id: i for i, p in enumerate(principles())}


def _sort_key(library_kinds: dict[str, str]):
    from cpguide.assistant.currency import authority_rank

    order = _principle_order()

    def key(d: Duty):
        first = d.principles[0] if d.principles else ""
        return (order.get(first, len(order)), STRENGTHS.index(d.strength) if d.strength in STRENGTHS else 9,
                authority_rank(library_kinds.get(d.doc_id, "other")), d.doc_id, d.start)

    return key


def find_duties(library, *, actor: str | None = None, jurisdiction: str | None = None, strength: str | None = None,
                principle: str | None = None, doc_id: str | None = None, topic_query: str | None = None) -> list[Duty]:
    """Duties in the library matching every filter given, ordered by principle then strength.

    An index written before duties were extracted has no table: the answer is then empty,
    not an error (``cpguide ingest --rebuild`` adds the table).
    """
    slug = actor_vocabulary().resolve(actor) if actor else None
    if jurisdiction:
        jurisdiction = jurisdiction.strip().lower()
        if jurisdiction not in JURISDICTIONS:
            raise UsageError(f"Unknown jurisdiction {jurisdiction!r}.", hint=f"Use one of: {', '.join(JURISDICTIONS)}.")
    if strength:
        strength = strength.strip().lower().replace(" ", "-")
        if strength not in STRENGTHS:
            raise UsageError(f"Unknown strength {strength!r}.", hint=f"Use one of: {', '.join(STRENGTHS)}.")
    pid = resolve_principle(principle) if principle else None
    if doc_id:
        library.doc_info(doc_id)  # a clear "no document with id" error
    if not library.table_exists("duties"):
        return []
    sql, params = "SELECT * FROM duties", ()
    if doc_id:
        sql, params = sql + " WHERE doc_id = ?", (doc_id,)
    duties = [_duty_from_row(r) for r in library.query(sql + " ORDER BY doc_id, start", params)]
    out = []
    for d in duties:
        if slug and slug not in d.actors:
            continue
        if jurisdiction and d.jurisdiction != jurisdiction and not (
                d.jurisdiction == "uk" and jurisdiction in ("england", "wales")):
            continue
        if strength and d.strength != strength:
            continue
        if pid and pid not in d.principles:
            continue
        if topic_query and not matches_topic(d, topic_query):
            continue
        out.append(d)
    kinds = {doc: info.meta.kind for doc, info in library.docs.items()}
    return sorted(out, key=_sort_key(kinds))


def group_by_principle(duties: Iterable[Duty]) -> list[tuple[str, list[Duty]]]:
    """Duties grouped under the principle each serves best (its first), in the principles' order.

    A duty appears once, under its first principle; duties that name no principle come last
    under the empty id "".
    """
    order = _principle_order()
    groups: dict[str, list[Duty]] = {}
    for d in duties:
        groups.setdefault(d.principles[0] if d.principles else "", []).append(d)
    return sorted(groups.items(), key=lambda kv: order.get(kv[0], len(order)))
