"""Can the library answer this? Signals that do not depend on one question set, and a small
fitted model that weighs them.

Every question in this field lands close to some passage, so similarity alone answers "what
is the weekly staying put allowance?" with a sentence about staying put. We look instead at:

* **words the library never uses**: the question's salient words (rare in everyday English by
  the ``wordfreq`` lists, so "passport" counts and "council" does not) that appear in no
  passage and are no known abbreviation of the field;
* **the kind of answer asked for** (an amount of money, a rate, a phone number or email, a date
  or time, how often, an age, a count) and whether the sentences we would answer with hold one;
* **how well the best passages cover the question** (meaning, and the share of its rarer
  words they contain);
* **places and years** the library does not cover (Scotland; "this year", "2026").

What the question asks for (the kind of answer, a live figure, who is asking) is read in
``asking``; here it is set against what the library holds.

A logistic model over these, fitted on the dev set with cross-validation
(``python -m cpguide.eval.fit_answerability``), decides; its few numbers live in
``answerability.toml`` so nothing is trained at run time. Each signal also yields the reason a
decline states ("Nothing in the library mentions passports.").
"""

from __future__ import annotations

import functools
import math
import re
import tomllib
from dataclasses import dataclass
from importlib import resources

from cpguide.assistant.asking import (COMMON_ZIPF, answer_pattern, asked_part, asker_spans, asks_for_live,
                                      from_first_ask, kind_asked, question_parts, used_as_verb, word_zipf)
from cpguide.assistant.places import places
from cpguide.assistant.structure import COUNT_WORDS, leans_on_previous
from cpguide.index.lexical import tokenize

_OTHER_PLACES = re.compile(r"\b(scotland|scottish|northern ireland|republic of ireland|ireland|irish|isle of man|"
                           r"jersey|guernsey|france|germany|australia|canada|america|usa|united states|new zealand)\b",
                           re.I)
_WORD = re.compile(r"[A-Za-z][A-Za-z’'-]+")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
KIND_WINDOW = 8  # ranked sentences searched for an answer of the kind asked
KIND_WORDS = 2  # distinct topic words a sentence holding a date must share (fewer when the topic has fewer)
KIND_SHARED = 0.15  # share of the question's topic (idf-weighted) a sentence holding the kind must have
# Words that ask for a kind of answer rather than say what it is about.
_KIND_TOKENS = frozenset(tokenize("age aged old year years date dates day days time times month months week weeks "
                                  "percentage proportion share rate rates number numbers many much often long deadline "
                                  "cost costs pay paid amount phone telephone email contact address"))


@dataclass(frozen=True)
class Signals:
    """What we know about whether the library answers a question, before deciding."""

    relevance: float  # best passage's cosine
    best_sentence: float  # best answer sentence's cosine
    coverage: float  # share of the question's rarer words found in the top passages (idf-weighted)
    unknown: tuple[str, ...]  # salient question words no passage uses, most salient first
    unknown_salience: float  # 7 - zipf frequency of the most salient unknown word (0 when none)
    asked: str  # the kind of answer asked for, or ""
    kind_found: bool  # the answering sentences hold such an answer near the question's words
    unknown_name: str  # a name (proper noun, acronym or titled phrase) the library never uses, or ""
    other_place: str  # a place the library does not cover, or ""
    live: bool  # asks for a current figure or a future date ("how many ... right now?", a year after the library)
    # The unknown words that say what the question is about (not "weigh" of "weigh up"), with the
    # salience of the first: what a decline or a notice names as missing.
    missing_topics: tuple[str, ...] = ()
    missing_salience: float = 0.0

    def features(self) -> list[float]:
        """The model's inputs, in ``FEATURES`` order."""
        return [self.relevance, self.best_sentence, self.coverage, float(len(self.unknown) > 0),
                self.unknown_salience, float(bool(self.unknown_name)), float(bool(self.asked) and not self.kind_found),
                float(bool(self.other_place)), float(self.live)]


FEATURES = ("relevance", "best_sentence", "coverage", "has_unknown", "unknown_salience", "unknown_name",
            "kind_missing", "other_place", "live")
# A name: two or more capitalised words (with the small words of titles between them), or one
# capitalised word inside the sentence, or an acronym.
_NAME = re.compile(r"(?:[A-Z][\w’'-]*(?:\s+(?:of|and|for|the|to|on|I|am|\(Wales\)|\(England\))){0,3}\s+){1,5}[A-Z][\w’'-]*"
                   r"|[A-Z][\w’'-]*")
# An organisation's name: capitalised words, with the small words of titles between them, not a
# sentence's first word ("Voices from Care Cymru", "Children in Care Council").
_ORGANISATION = re.compile(r"(?<![.?!:]\s)(?<!^)\b[A-Z][\w’'&-]+(?:\s+(?:of|for|from|in|and|the)?\s*[A-Z][\w’'&-]+)+")
_BODIES = frozenset({"England", "Wales", "Council", "County", "Borough", "City", "Government", "Services", "Service", "Team", "Authority"})
_LEADING = re.compile(r"^(?:(?:the|a|an|of|and|for|am|to|on)\s+)+", re.I)


def unknown_name(question: str, in_library, doc_freq: dict[str, int], vocabulary) -> str:
    """A name in the question that the library never uses: "Pupil Premium Plus", "Tusla", "SCCIF".

    A titled phrase of three or more words counts when the phrase as a whole appears nowhere
    (``in_library(phrase)`` says; each word may appear); a shorter name when one of its words appears in no passage. A question's
    first word, possessives ("Telford's") and the field's known abbreviations never count.
    """
    def known(word: str) -> bool:
        return not tokenize(word) or used_in_library(word, doc_freq) or word in vocabulary.abbreviations \
            or word.rstrip("s") in vocabulary.abbreviations

    located = _located(question)
    asker = asker_spans(question)
    # Every sentence's first word is capitalised whatever it is: "... another town. Do I have to ...?"
    openings = {0} | {m.end() for m in re.finditer(r"[.?!:;]\s+", question)}
    for m in _NAME.finditer(question):
        if any(a <= m.start() < b for a, b in asker):
            continue  # who is asking ("As a SENCO, ...", "we run the Tesco store: ..."), not what they ask about
        # "Telford's Young Persons' Panel" is two names: the owner and the thing owned; but
        # "the Corporate Children's Office" is one, as the library writes it.
        whole = _LEADING.sub("", m.group().strip())
        if re.search(r"[’']s\s", whole) and in_library(whole):
            continue
        for part in re.split(r"[’']s\s+", m.group().strip()):
            words = part.split()
            if m.start() in openings and part is not None and m.group().startswith(part):
                words = words[1:]
            while words and words[-1] == "I":
                words = words[:-1]  # "As a neighbourhood officer in Wrexham I keep ...": the asker, not a name
            name = _LEADING.sub("", " ".join(words)).strip()
            name = re.sub(r"[’']s?$", "", name)
            words = name.split()
            # "Lambeth Wriggle and Roar", "the Welsh Corporate Parenting Charter": where, then what.
            while len(words) > 1 and (words[0] in located or words[0] in ("Welsh", "English")):
                words = words[1:]
            # "the Care Leavers' Charter of the DfE": whose it is, after the name asked about.
            tail = re.search(r"\s+(?:of|from|by)\s+(?:the\s+)?(\S+)$", " ".join(words))
            if tail and tail.group(1) in vocabulary.abbreviations and len(words[:-1]) >= 3:
                words = " ".join(words)[:tail.start()].split()
            name = " ".join(words)
            if not words or any(len(w) < 2 and w != "I" for w in words) or any(w in vocabulary.abbreviations for w in words):
                continue
            if all(w in located or w in _BODIES or w in ("and", "or", "of") for w in words):
                continue  # "a café in Cardiff", "Swansea Council": where the asker is, not what they ask about
            if len(words) >= 3 or (len(words) == 2 and all(known(w) for w in words)):
                # A titled phrase of known words ("I Matter", "Staying Close Plus") is a name
                # only the whole phrase can vouch for; "the Independent Visitor Scheme and the
                # Mentoring service" are two names, each vouched for on its own.
                # ("The Social Services and Well-being (Wales) Act" is one name: no "the" after "and".)
                joined = [p.strip() for p in re.split(r"\s+and\s+the\s+", name) if p.strip()]
                if len(joined) > 1 and all(in_library(p) or all(known(w) for w in p.split()) for p in joined):
                    continue
                # "Quest and LASE" are two schemes the library names, each as written; "Health
                # and Wellbeing Passport" is one name, vouched for only as a whole.
                paired = [p.strip() for p in re.split(r"\s+and\s+", name) if p.strip()]
                if len(paired) > 1 and all(in_library(p) for p in paired):
                    continue
                if not in_library(name):
                    return name
            elif not all(known(w) for w in words) and not (len(words) == 1 and word_zipf(name.lower()) >= COMMON_ZIPF):
                return name
    return ""


# A scheme, procedure or charge asked about by what it offers or how it is done ("How can a care
# leaver in Wales apply for the basic income pilot?", "How does the higher education bursary ...
# work?", "How should a council carry out an age assessment ...?", "Are care leavers exempt from
# council tax?"): named in lower case, so only the whole phrase can vouch for it.
_SCHEME = (r"((?:[A-Za-z][\w’'-]*\s+){1,4}?(?:scheme|pilot|programme|grant|bursary|fund|allowance|pledge|award|"
           r"initiative|assessment|procedure|process|exemption|tribunal|premium|payment|loan|discount|tax|charge|complaint)s?)")
_ASKS_ABOUT_SCHEME = re.compile(
    rf"\b(?:apply for|applying for|eligible for|eligibility for|qualify for|sign up (?:to|for)|claim|"
    rf"rights?(?:\s+[\w’']+){{0,4}}?\s+to|entitled to|entitlement to|"
    rf"carry out|conduct|run|appeal to|make|making|lodge|raise)\s+(?:the|a|an|any|their|its)\s+{_SCHEME}\b"
    rf"|\bexempt from (?:paying )?(?:(?:the|a|an|any|their|its)\s+)?{_SCHEME}\b"
    rf"|\bhow (?:does|do) (?:the|a|an)\s+{_SCHEME}\b[^?]{{0,60}}\bwork\b", re.I)
_NATIONS = frozenset({"Welsh", "English", "Scottish", "British", "UK", "national", "Government", "government"})


def unknown_scheme(question: str, in_library) -> str:
    """A scheme the question asks about that the library never names: no tail of its name of two
    words or more ("basic income pilot", "income pilot") appears in any passage."""
    # What is asked, not who is asking: "I run a charity mentoring scheme. How much time ...?"
    asked = from_first_ask(question)
    asker = asker_spans(asked)
    for m in _ASKS_ABOUT_SCHEME.finditer(asked):
        if any(a <= m.start() < b for a, b in asker):
            continue
        name = next(g for g in m.groups() if g)
        words = name.split()
        while len(words) > 2 and (words[0] in _NATIONS or re.search(r"[’']s$", words[0])):
            words = words[1:]  # "the Welsh Government's basic income pilot": whose it is, then the scheme
        if len(words) >= 2 and not any(in_library(" ".join(words[i:])) for i in range(len(words) - 1)):
            return " ".join(words)
    return ""


def _located(question: str) -> set[str]:
    """Words of the places the question is set in ("in Swansea"); a possessive place
    ("Bristol's strategy") is what is asked about, so it is not among them."""
    return {w for p in places().find(question) if not p.possessive for w in p.name.split()}


def used_in_library(word: str, doc_freq: dict[str, int]) -> bool:
    """Does any passage use this word, or its plural or singular? The stemmer leaves an
    acronym's plural alone ("GCSEs"), so "GCSE" would otherwise look unknown."""
    forms = {word, word + "s", word + "es"} | ({word[:-1]} if word.endswith("s") and len(word) > 3 else set())
    return any(doc_freq.get(t, 0) for form in forms for t in tokenize(form))


_INFLECTION = re.compile(r"(?:ing|ed|es|s)$")


def used_as_written(word: str, in_library) -> bool:
    """Does a passage use the word itself, not only a word it shares a stem with? The stemmer
    files "exclusion" with "exclusive" (which the 2012 pack uses), so "How should a school handle
    a permanent exclusion?" would seem to ask about something the library covers. Inflections
    count ("recruiting" is in "recruitment", "fostering" in "foster"), derivations do not."""
    base = word.lower()
    if len(base) > 6:
        base = _INFLECTION.sub("", base)
    return in_library(base)


def unknown_words(question: str, doc_freq: dict[str, int], vocabulary, in_library=None) -> list[tuple[float, str]]:
    """(salience, word) for the question's words that no passage uses, most salient first."""
    out = []
    located = _located(question)
    for word in dict.fromkeys(_WORD.findall(question)):
        clean = re.sub(r"[’']s$", "", word)
        if clean in located or clean.lower() in COUNT_WORDS:  # "eleventh" is a place in a list, not a topic
            continue
        if clean in vocabulary.abbreviations or clean.rstrip("s") in vocabulary.abbreviations:
            continue
        if not tokenize(clean):
            continue
        zipf = word_zipf(clean.lower())
        if zipf >= COMMON_ZIPF:
            continue
        if used_in_library(clean, doc_freq) and (in_library is None or used_as_written(clean, in_library)):
            continue
        if any(doc_freq.get(t, 0) for t in tokenize(" ".join(vocabulary.expansions(clean)))):
            continue  # everyday words the field's vocabulary maps to the library's own
        out.append((round(7.0 - zipf, 2), clean))
    return sorted(out, reverse=True)


def closest(hits) -> float:
    """The best cosine of the passages found to the question."""
    return max((h.scores.get("dense", 0.0) for h in hits), default=0.0)


def assess(question: str, hits, chosen, library, vocabulary, latest_year: int | None,
           in_library=None, ranked=(), about: str = "") -> Signals:
    """Signals for ``question`` given its retrieved ``hits`` and scored answer sentences ``chosen``.

    ``about``: a follow-up's question as the conversation rewrote it. "How much time does it take?"
    after a question about mentoring says nothing of its own that an answer of its kind would share
    ("Mentors usually meet the young person for around two hours per week"): the conversation does."""
    qtok = set(tokenize(vocabulary.expand(question)))
    idf = {t: library.lexical.idf(t) for t in qtok}
    total = sum(idf.values()) or 1.0
    top_tokens = set(tokenize(" ".join(h.text for h in hits[:5])))
    coverage = sum(idf[t] for t in qtok & top_tokens) / total
    unknown = unknown_words(question, library.lexical.doc_freq, vocabulary, in_library)
    # Each part of a question in parts asks for its own kind: "Who is the coordinator of Bolton's
    # schemes, and how do I get hold of them?" wants a name and contact details; so does each
    # question asked in turn ("When's the next Corporate Parenting Week? Is there one this year?").
    asked_in_turn = [s for s in re.split(r"(?<=\?)\s+", question.strip()) if s.rstrip().endswith("?")]
    parts = question_parts(question) + (asked_in_turn if len(asked_in_turn) > 1 else [])
    kinds = list(dict.fromkeys(k for k in [kind_asked(question)] + [kind_asked(p) for p in parts] if k))
    asked, kind_found = (kinds[0] if kinds else ""), False
    about_idf = idf | {t: library.lexical.idf(t) for t in set(tokenize(vocabulary.expand(about))) - qtok}
    for kind in kinds:
        kind_found = _holds_kind(kind, question, qtok, about_idf, chosen, ranked, vocabulary, about)
        if not kind_found:
            asked = kind  # the decline names the kind no passage gives
            break
    place = _OTHER_PLACES.search(question)
    live = asks_for_live(question, asked, latest_year)
    topics = [(salience, w) for salience, w in unknown if not used_as_verb(question, w)]
    return Signals(
        relevance=closest(hits),
        best_sentence=max((c.similarity for c in chosen), default=0.0),
        coverage=coverage,
        unknown=tuple(w for _, w in unknown),
        unknown_salience=unknown[0][0] if unknown else 0.0,
        unknown_name=(unknown_name(question, in_library, library.lexical.doc_freq, vocabulary)
                      or unknown_scheme(question, in_library)) if in_library else "",
        asked=asked,
        kind_found=kind_found,
        other_place=place.group(1) if place else "",
        live=live,
        missing_topics=tuple(w for _, w in topics),
        missing_salience=topics[0][0] if topics else 0.0,
    )


def _holds_kind(asked: str, question: str, qtok: set[str], idf: dict[str, float], chosen, ranked, vocabulary,
                about: str = "") -> bool:
    """Do the answering sentences hold an answer of the kind asked, near the question's words?"""
    looks = answer_pattern(asked, question)
    # An answer of the right kind counts only in a sentence that shares the question's words.
    # The answer may sit a little below the sentences chosen: look through the best few.
    # Contact details belong to someone: Gloucestershire's email does not answer "who is the
    # contact at Walsall?", so the places the question names must be in the passage.
    # So do figures: "what percentage of Walsall's care leavers ...?" and "how many foster carers
    # does Telford & Wrekin have?" want Walsall's and Telford's, not a national one; and dates: "What
    # date did Trafford sign up to the Foster Carers Charter?" is not answered by the pack's own "March".
    named = {p.name.lower() for p in places().find(question)
             if asked in ("contact", "person", "count", "rate", "date", "when") or p.possessive}
    if asked in ("contact", "person"):
        # So do organisations named: the toolkit's own email does not reach Voices from Care Cymru.
        named |= {part.lower() for m in _ORGANISATION.finditer(asked_part(question))
                  for part in re.split(r"[’']s\s+", m.group())  # "Bolton's LASE": Bolton, and LASE
                  if not set(part.split()) <= _BODIES | {"Welsh", "English", "Wales", "England"}}
    # "When does Corporate Parenting Week 2013 run?" is not answered by the 2012 week's dates.
    years = set(_YEAR.findall(question)) if asked in ("date", "when") else set()
    # Shared words are what the question is about: "age" in "until what age?" is what it asks
    # for, and "up to the age of 25" about mentoring shares nothing with council tax.
    if asked not in ("contact", "person"):
        # Who is asking is not what the question is about ("I'm a health visitor: how often ...?").
        told = question
        for a, b in reversed(asker_spans(question)):
            told = told[:a] + " " + told[b:]
        topic = {t for t in tokenize(vocabulary.expand(told)) if t in idf} - _KIND_TOKENS
    else:
        topic = qtok
    topic_total = sum(idf[t] for t in topic) or 1.0
    # A follow-up's sentence may share what the conversation is about instead of what it asks now.
    context = {t for t in tokenize(vocabulary.expand(about)) if t in idf} - _KIND_TOKENS if about else set()
    context_total = sum(idf[t] for t in context) or 1.0
    for c in list(chosen) + [c for c in ranked[:KIND_WINDOW] if c.similarity >= 0.3]:
        # "These young people, aged 16-25, ..." is about what the sentence before names: its passage.
        # (Not for a bare "when", which any condition answers.)
        words = set(tokenize(c.hit.text if leans_on_previous(c.text) and asked != "when" else c.text))
        # "How old are they?" after a question about Gloucestershire's Ambassadors names nothing of
        # its own: the sentences found through the conversation are about what it asks.
        shared = sum(idf.get(t, 0.0) for t in topic & words) / topic_total if topic else 1.0
        if context:
            shared = max(shared, sum(idf[t] for t in context & words) / context_total)
        # "Corporate Parenting Week" is the 2012 pack's own title; "Stockton-on-Tees Borough Council"
        # heads the case study whose "Virtually all care leavers - 93 per cent" is Stockton's figure.
        where = f"{c.hit.title} {c.hit.section} {c.hit.text}".lower()
        # A date must share two words of what the question dates: one rare word in common is chance
        # ("In September 2021, ... strategic responsibility ..." does not date the Strategic Group).
        # Other kinds keep one: asked of amounts and counts too, it declined answerable questions.
        if asked in ("date", "when") and len(topic & words) < min(KIND_WORDS, len(topic) - 1):
            continue
        if looks.search(c.text) and shared >= KIND_SHARED and all(n in where for n in named) \
                and all(y in c.text for y in years):
            return True
    return False


@dataclass(frozen=True)
class Judge:
    """A logistic model: P(answerable) from the signals; answer when it reaches ``threshold``."""

    weights: tuple[float, ...]
    bias: float
    means: tuple[float, ...]
    scales: tuple[float, ...]
    threshold: float

    def probability(self, signals: Signals) -> float:
        z = self.bias + sum(w * (x - m) / s for w, x, m, s in
                            zip(self.weights, signals.features(), self.means, self.scales))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def answers(self, signals: Signals) -> bool:
        return self.probability(signals) >= self.threshold


@functools.lru_cache(maxsize=1)
def default_judge() -> Judge | None:
    """The shipped model, or None when it has not been fitted (then only the similarity threshold applies)."""
    path = resources.files("cpguide.assistant").joinpath("answerability.toml")
    if not path.is_file():
        return None
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    model = data["model"]
    if tuple(model["features"]) != FEATURES:
        return None  # fitted for other signals: refit rather than misread
    return Judge(tuple(model["weights"]), model["bias"], tuple(model["means"]), tuple(model["scales"]),
                 model["threshold"])


def mentioned(name: str) -> str:
    """A name as a sentence mentions it: "Passport to Success", "the basic income pilot"."""
    return f"the {name}" if name[:1].islower() and len(name.split()) > 1 else name


def reason(signals: Signals) -> str:
    """What the decline says is missing, from the strongest signal."""
    if signals.other_place:
        return f"The library covers England and Wales; it has nothing on {signals.other_place.title()}."
    if signals.unknown_name:
        return f"Nothing in the library mentions {mentioned(signals.unknown_name)}."
    if signals.live:  # "How many children are looked after in Telford right now?": no figure would be current
        return "The library holds published guidance, not current figures or dates."
    if signals.asked and not signals.kind_found:
        what = {"rate": "a rate or share", "amount": "an amount of money", "duration": "a length of time", "contact": "contact details",
                "person": "the name of the person in that post",
                "date": "a date or time", "when": "a date or time", "frequency": "how often something happens",
                "age": "an age", "count": "a figure"}[signals.asked]
        return f"The question asks for {what}, and no passage that answers it gives one."
    if signals.missing_topics:
        words = list(signals.missing_topics[:2])
        return "Nothing in the library mentions " + " or ".join(words) + "."
    return ""
