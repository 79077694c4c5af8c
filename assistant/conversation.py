"""Follow-up questions, resolved against the conversation so far.

"what about health?" after "what should housing services do for care leavers?" means "what
should health services do for care leavers?"; "and in Wales?" means the same question, for
Wales; "tell me more about the second point" means the passage behind citation [2]. We
rewrite the question into a standalone one before searching, so retrieval (and the answer's
"resolved question") can be checked on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cpguide.records import Answer

# Services and people a question can be "about"; swapping one for another is the commonest
# follow-up ("and what about health?").
TOPIC_TERMS = (
    "housing services", "housing", "health services", "health", "nhs", "mental health", "police",
    "policing", "schools", "school", "education", "colleges", "youth justice", "probation",
    "leisure", "culture", "sport", "libraries", "businesses", "business", "private sector",
    "employers", "third sector", "charities", "voluntary sector", "social services", "social workers",
    "councillors", "councillor", "lead member", "foster carers", "virtual school", "personal advisers",
    "care leavers", "children in care", "looked-after children", "employment", "apprenticeships",
    "dental", "teeth", "money", "finance", "council tax", "placement stability", "missing children",
)
_SERVICES = {"health", "housing", "education", "leisure", "culture", "social", "youth justice", "probation"}
_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
             "fifth": 5, "5th": 5, "sixth": 6, "last": -1}
_FOLLOW_UP_START = re.compile(
    r"^(and|but|also|so|what about|how about|and what about|what else|anything else|same for|"
    r"who checks|who makes sure|who monitors|how do we know|why|how|tell me more|more on|more about|"
    r"explain|expand|what does that|does that|is that|and in|in wales|in england)\b",
    re.I,
)
_ANAPHORA = re.compile(r"\b(that|this|it|they|them|those|these|there|its|their|the same|similar|likewise|"
                       r"equivalent|as well|too)\b", re.I)
_EXCEPT = re.compile(r"^(?:and\s+)?(?:what\s+)?(?:beyond|apart from|other than|besides|except(?: for)?)\s+(.+)$", re.I)
_PLACE = re.compile(r"\b(wales|welsh|england|english)\b", re.I)


@dataclass
class Turn:
    question: str
    resolved: str
    answer: Answer | None = None


@dataclass
class Conversation:
    """One person's thread. Held by the CLI chat loop or, per browser, by the web app."""

    id: str = ""
    turns: list[Turn] = field(default_factory=list)
    jurisdiction: str | None = None  # set by "and in Wales?" and kept for later turns

    @property
    def last(self) -> Turn | None:
        return self.turns[-1] if self.turns else None


def place_in(question: str) -> str | None:
    m = _PLACE.search(question)
    if not m:
        return None
    return "wales" if m.group(1).lower() in ("wales", "welsh") else "england"


def _topic(text: str) -> str | None:
    lowered = text.lower()
    for term in TOPIC_TERMS:
        if re.search(rf"\b{re.escape(term)}\b", lowered):
            return term
    return None


def _strip_lead(question: str) -> str:
    q = re.sub(r"^(and|but|also|so)\s+", "", question.strip(), flags=re.I)
    q = re.sub(r"^(what about|how about|what of|same for|and for)\s+", "", q, flags=re.I)
    return q.strip(" ?.!")


def is_follow_up(question: str, conversation: Conversation | None) -> bool:
    if not conversation or not conversation.turns:
        return False
    words = question.split()
    if _FOLLOW_UP_START.match(question.strip()):
        return True
    return len(words) <= 12 and bool(_ANAPHORA.search(question))


def _cited_passage(conversation: Conversation, question: str) -> str | None:
    """'the second point' / 'source 3' / '[2]' -> that citation's quote in the last answer."""
    last = conversation.last
    if not last or not last.answer or not last.answer.citations:
        return None
    m = re.search(r"\[(\d+)\]|\b(?:source|citation|point|number|no\.?)\s*(\d+)\b", question, re.I)
    n = None
    if m:
        n = int(m.group(1) or m.group(2))
    else:
        m = re.search(r"\b(" + "|".join(_ORDINALS) + r")\b\s*(?:point|one|source|citation|bit|item)?", question, re.I)
        if m and re.search(r"\b(point|one|source|citation|bit|item|more|of those|of these|of them)\b", question, re.I):
            n = _ORDINALS[m.group(1).lower()]
    if n is None:
        return None
    cites = last.answer.citations
    if n == -1:
        n = len(cites)
    if 1 <= n <= len(cites):
        c = cites[n - 1]
        return f"{c.quote} ({c.section})" if c.section else c.quote
    return None


def resolve(question: str, conversation: Conversation | None) -> tuple[str, str | None]:
    """Return (standalone question, jurisdiction implied by the conversation or None)."""
    place = place_in(question)
    if not is_follow_up(question, conversation):
        return question, place
    assert conversation is not None and conversation.last is not None
    previous = conversation.last.resolved
    place = place or conversation.jurisdiction

    cited = _cited_passage(conversation, question)
    if cited:
        return f"{_strip_lead(question)}: {cited}", place

    rest = _strip_lead(question)
    other = _EXCEPT.match(question.strip(" ?.!"))
    if other:  # "and beyond money and kit?" - the same subject, something else about it
        return f"{previous.rstrip('?')}, other than {other.group(1)}?", place
    rest_wo_place = _PLACE.sub("", re.sub(r"\b(in|for)\s+(wales|england)\b", "", rest, flags=re.I)).strip(" ,?")
    if not rest_wo_place:  # "and in Wales?" - the same question, for another place
        base = re.sub(r"\s*\(in (Wales|England)\)$", "", previous)
        return (f"{base} (in {place.title()})" if place else base), place

    new_topic = _topic(rest_wo_place)
    old_topic = _topic(previous)
    if new_topic and old_topic and new_topic != old_topic and len(rest_wo_place.split()) <= 5:
        # "what about health?" -> swap the service in the previous question
        if old_topic.endswith(" services") and new_topic in _SERVICES:
            new_topic = f"{new_topic} services"
        swapped = re.sub(rf"\b{re.escape(old_topic)}\b", new_topic, previous, count=1, flags=re.I)
        return swapped, place

    # "who checks that happens?" - keep the new question, carry the subject of the last two turns
    m = re.match(r"^(.*?)\s*\(about: (.*?)\)$", previous)
    about = f"{m.group(1).rstrip('?')}; {m.group(2).split('; ')[0]}" if m else previous.rstrip("?")
    return f"{rest}? (about: {about})", place
