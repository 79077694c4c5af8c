"""Can the library answer this? Signals that do not depend on one question set, and a small
fitted model that weighs them.

Every question in this field lands close to some passage, so similarity alone answers "what
is the weekly staying put allowance?" with a sentence about staying put. We look instead at:

* **words the library never uses**: the question's salient words (rare in everyday English by
  the ``wordfreq`` lists, so "passport" counts and "council" does not) that appear in no
  passage and are no known abbreviation of the field;
* **the kind of answer asked for** (an amount, a phone number or email, a date or time, an age,
  a count or current figure) and whether the sentences we would answer with hold one;
* **how well the best passages cover the question** (meaning, and the share of its rarer
  words they contain);
* **places and years** the library does not cover (Scotland; "this year", "2026").

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

from cpguide.assistant.places import places
from cpguide.index.lexical import tokenize

# What kind of answer the question asks for, and what such an answer looks like in a sentence.
_TIMES = r"\b(?:\d+|once|twice|two|three|four|five|six|ten)\s+times\b"
_DURATION = r"\b(?:\d+|a|an|one|two|three|four|five|six|seven|eight|ten|twelve|couple of|few)\s+(?:working\s+)?" \
            r"(?:hours?|days?|weeks?|months?|years?|minutes?)\b"
_SHARE = r"\b(?!(?:19|20)\d\d\b)\d[\d,.]*\s*(?:per ?cent|%)|\bper ?cent\b|\b(?:half|a third|a quarter|one in \w+)\b"
ANSWER_KINDS: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    # "What was the NEET rate ...?" wants a share; "the weekly allowance rates" want money.
    "rate": (
        re.compile(r"\bthe (?!(?:\w+ ){0,2}(?:allowances?|pay|fees?|fostering|boarding|hourly|weekly|daily|monthly|"
                   r"going|payments?|interest|tax)\b)(?:\w+ ){0,3}rates?\b(?! of pay)", re.I),
        re.compile(_SHARE, re.I),
    ),
    "amount": (
        # "How much is the grant?", "how much pocket money", not "how much say do they get?".
        re.compile(r"\b(how much(?= (?:is|are|was|were|does|do|did|will|would|can|could|should|has|have|money|"
                   r"funding|cash|pocket|pay|paid|cost|grant|allowance|budget|\w+ (?:paid|cost|costs|get|earn|receive))\b|"
                   r"\s*[?.!]*$)|what (?:is|are|was|were) the (?:\w+ ){0,3}(?:rates?|amounts?|costs?|fees?|allowances?|"
                   r"grants?|budgets?|salary|wages?|pay|payments?|bursary|sums?|value)(?!\s+(?:for\s*[?.!]*$|used|meant|intended|about|like|of "
                   r"(?!the |each |a |an )))|what (?:\w+ )?(?:fees?|wages?|"
                   r"salary|allowance|rate of pay)\b|how many pounds|(?:monetary|cash|financial) value|"
                   r"value of (?:the|each|a|an) (?:\w+ ){0,2}(?:grant|payment|allowance|budget|bursary|award|fund)|(?:how much|what)\b[^?]{0,40}\bworth\b(?! (?:doing|it\b))|what does it cost|"
                   r"(?:maximum|minimum) (?:\w+ )?(?:amount|payment|sum|grant|allowance)|what budget|"
                   r"how (?:big|large) (?:a |is the )?(?:\w+ ){0,3}(?:budget|grant|allowance|payment|bursary|fund)|"
                   r"(?:hourly|weekly|annual) (?:pay|wage|rate)|going rate|"
                   r"(?:pay|pays|paid|earn|earns|charge|charges|cost|costs)\b.{0,40}\b(?:each|per|a|every) "
                   r"(?:week|month|year|hour|night|visit|placement|child))\b", re.I),
        # Money: a percentage or a number of weeks does not say what a grant or a wage is.
        re.compile(r"£\s?\d|\b\d[\d,.]*\s*(?:pounds|pence|p\b)|\b(?:hundred|thousand|million) pounds\b", re.I),
    ),
    "duration": (
        re.compile(r"\b(how long|how much (?:time|of (?:my|our|their|your|his|her) (?:time|diary|week|day|evenings?))|"
                   r"waiting times?|within how many|how many (?:working )?(?:days|weeks|months|years)|"
                   r"how quickly|how soon)\b", re.I),
        # "How quickly ...?" is answered by "as soon as possible" as well as by "within 10 days".
        re.compile(_DURATION + r"|\bwithin\s+\d|\b(?:as soon as possible|as quickly as possible|immediately|promptly|"
                   r"without delay|straight away|at the earliest|well in advance|in good time)\b", re.I),
    ),
    "contact": (
        # "address" and "call" are contact words as nouns or with someone to ring, not in "how
        # should schools address ..." or "what does the toolkit call ...".
        re.compile(r"\b(phone (?:number|line)|telephone|mobile number|number (?:to|for|do i) (?:call|ring|contact)|"
                   r"(?:call|ring|phone) (?:them|him|her|someone|somebody|anyone|us|you|for help|out of hours|"
                   r"the (?:\w+ )?(?:team|office|line|number|service|helpline|officer|school|council))|"
                   r"(?:can|could) i (?:call|ring|phone)|email|e-mail|"
                   r"contact details?|(?:the|its|your|an|email|e-mail|postal|web|home|office|contact|correct|full) address|"
                   r"address (?:for|of|to write)|who (?:do|should|can) (?:i|we) (?:contact|ring|call|phone|email|speak to)|"
                   r"website for|get in touch|helplines?|hotlines?|named contact|contact (?:for|at|person|number|point)|"
                   r"who is the contact|(?:referral|application|online|sign-up) form|"
                   r"(?:get hold of|get in touch with|reach) (?:them|him|her|someone|somebody|the (?:\w+ ){0,3}"
                   r"(?:workers?|team|officers?|lead|leads|coordinator|manager|organisers?|staff|person|people who))\b|"
                   r"how (?:do|can|could|should) (?:i|we|you|they|an? [\w ]{1,25}) (?:reach|contact|find)\b.{0,40}"
                   r"\b(?:team|office|service|school|officer|panel|board|scheme))\b", re.I),
        re.compile(r"\b0\d{3,4}\s?\d{3}\s?\d{3,4}\b|[\w.+-]+@[\w-]+\.[\w.]+|https?://|www\.", re.I),
    ),
    "date": (
        re.compile(r"\b(what date|which date|what day|what time|deadline|"
                   r"opening (?:hours|times)|the dates? (?:of|for)|"
                   r"closing date|by when|what year|which year|what month|when exactly|"
                   r"when (?:did|was|were) [^?]{0,60}\b(?:start|started|begin|began|launch|launched|publish|published|"
                   r"bring out|brought out|introduce|introduced|set up|run|held|open|opened|happen|happened|take place)|"
                   r"when (?:is|are|was|were|will) [^?]{0,60}\b(?:due|held|taking place|"
                   r"launched|published|happening))\b", re.I),
        re.compile(r"\b(?:(?:19|20)\d\d|january|february|march|april|may|june|july|august|september|october|"
                   r"november|december|monday|tuesday|wednesday|thursday|friday|weekly|monthly|quarterly|annually|"
                   r"termly|every (?:\w+ )?(?:weeks?|months?|years?|term))\b", re.I),
    ),
    # "How often ...?" is answered by "annual", "every six months", "regularly", "twice a year".
    "frequency": (
        re.compile(r"\b(how often|how frequently|how regularly|how many times (?:a|per|each) (?:week|month|year|term))\b",
                   re.I),
        re.compile(r"\b(?:daily|weekly|fortnightly|monthly|quarterly|annual|annually|yearly|termly|regular|regularly|"
                   r"frequent|frequently|once|twice|\w+ times (?:a|per|each)|every (?:\w+ )?(?:days?|weeks?|months?|years?|"
                   r"terms?|quarters?)|each (?:week|month|year|term)|a (?:week|month|year)|at least)\b", re.I),
    ),
    # A bare "when" may ask for a time or a condition: "when do the principles apply?" is
    # answered by "when exercising their functions", "when should work start?" by "well in advance".
    "when": (
        re.compile(r"\bwhen (?:is|are|was|will|does|do|did|should|must|can|could)\b", re.I),
        re.compile(r"\b(?:(?:19|20)\d\d|january|february|march|april|may|june|july|august|september|october|"
                   r"november|december|monday|tuesday|wednesday|thursday|friday|weekly|monthly|quarterly|annually|"
                   r"when|whenever|before|after|once|as soon as|in advance|until|by the time|at the (?:start|end|point|age)|"
                   r"aged?|during|while|within|at least|every)\b", re.I),
    ),
    "age": (
        re.compile(r"\b(what age|how old|until what age|up to what age|age limit|which age)\b", re.I),
        re.compile(r"\b(?:aged?|age of|up to|until|under|over)\s+(?:\d{1,2}|eighteen|twenty-?one|twenty-?five)\b|"
                   r"\b\d{1,2}(?:st|th)? birthday\b|\b\d{1,2}\s*(?:-|to)\s*\d{1,2}\b", re.I),
    ),
    "count": (
        re.compile(r"\b(how many|what (?:is|are|was) the (?:latest|current) (?:\w+ )?(?:number|figures?|rate|statistics?|data)|"
                   r"(?:a|any) (?:cap|limit|upper limit|ceiling) on|(?:the|a) (?:maximum|minimum|set|fixed) number|"
                   r"(?:shouldn['’]t|should not|must not|mustn['’]t|can['’]t|cannot) (?:go over|exceed|go above)|"
                   r"the (?:most|fewest) (?:\w+ ){1,3}(?:should|can|may|could|is|are)|"
                   r"what percentage|what proportion|what share|national average|number of|how (?:much )?more often)\b",
                   re.I),
        re.compile(r"\b(?!(?:19|20)\d\d\b)\d[\d,.]*\b|\b(?:per cent|percent|half|third|quarter|twice|"
                   r"one|two|three|four|five|six|seven|eight|nine|ten|hundred|thousand|million|majority|most)\b|"
                   + _TIMES, re.I),
    ),
}
_OTHER_PLACES = re.compile(r"\b(scotland|scottish|northern ireland|republic of ireland|ireland|irish|isle of man|"
                           r"jersey|guernsey|france|germany|australia|canada|america|usa|united states|new zealand)\b",
                           re.I)
_LIVE = re.compile(r"\b(this year|this month|next year|right now|currently|latest|current|up[- ]to[- ]date|today|"
                   r"at the moment|so far this)\b", re.I)
# A future event ("when will...", "when does the panel next meet?") is not in published guidance.
_FUTURE = re.compile(r"\bwhen (?:will|is .{0,40}\bgoing to)\b|\bnext (?:\w+ ){0,3}(?:meet|meets|meeting|panel|review|"
                     r"event|year|month|week|term|round|session|board)\b|\bwhen\b[^?]{0,60}\bnext\b|\bupcoming\b|"
                     r"\bforthcoming\b", re.I)
_FIGURE_WORDS = re.compile(r"\b(?:figures?|statistics|stats|numbers?|data|rates?|percentage|proportion|total|"
                           r"dates?|deadline|waiting (?:list|times?))\b", re.I)
# "last year" asks for a recent figure when the question wants a count or an amount.
_RECENT = re.compile(r"\b(?:last|this|past) (?:year|month|quarter)\b", re.I)
_YEAR = re.compile(r"\b(?:19|20)(\d\d)\b")
_WORD = re.compile(r"[A-Za-z][A-Za-z’'-]+")
KIND_WINDOW = 8  # ranked sentences searched for an answer of the kind asked
COMMON_ZIPF = 5.0  # words at least this frequent in everyday English are never "salient"


# Where the ask begins after a sentence of context: "Our report goes to panel in March. What
# should it cover?", "I'm a PCSO in Telford: how do I ...?".
_CONTEXT_BREAK = re.compile(r"(?<=[.!?:;])\s+(?=\S)|\s+[-–—]\s+")


def asked_part(question: str) -> str:
    """The question without the context said before it: the last sentence that asks something.
    What kind of answer is wanted, and whether it is a live one, is read there, so "next month"
    or "in March" in the context does not make a question about dates."""
    parts = [p for p in _CONTEXT_BREAK.split(question.strip()) if p.strip()]
    if len(parts) < 2:
        return question
    asking = [p for p in parts if p.rstrip().endswith("?")]
    last = asking[-1] if asking else parts[-1]
    return last if len(last.split()) >= 3 else question


def kind_asked(question: str) -> str:
    """The kind of answer the question asks for ("amount", "contact", "date", ...), or ""."""
    ask = asked_part(question)
    return next((kind for kind, (pattern, _) in ANSWER_KINDS.items() if pattern.search(ask)), "")


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
    live: bool  # asks for current or future figures ("this year", "latest", a year after the library)

    def features(self) -> list[float]:
        """The model's inputs, in ``FEATURES`` order."""
        return [self.relevance, self.best_sentence, self.coverage, float(len(self.unknown) > 0),
                self.unknown_salience, float(bool(self.unknown_name)), float(bool(self.asked) and not self.kind_found),
                float(bool(self.other_place)), float(self.live)]


FEATURES = ("relevance", "best_sentence", "coverage", "has_unknown", "unknown_salience", "unknown_name",
            "kind_missing", "other_place", "live")
# A name: two or more capitalised words (with the small words of titles between them), or one
# capitalised word inside the sentence, or an acronym.
_NAME = re.compile(r"(?:[A-Z][\w’'-]*(?:\s+(?:of|and|for|the|I|am|\(Wales\)|\(England\))){0,3}\s+){1,5}[A-Z][\w’'-]*"
                   r"|[A-Z][\w’'-]*")
_BODIES = frozenset({"England", "Wales", "Council", "County", "Borough", "City", "Government", "Services", "Service", "Team", "Authority"})
_LEADING = re.compile(r"^(?:(?:the|a|an|of|and|for|am)\s+)+", re.I)


# Who is asking: "As a SENCO, ...", "I'm a PCSO - ...", "We run the Tesco store in Cardiff: ...",
# "our NHS Trust". A name there says where the asker works; the question is what they ask.
_ASKER = re.compile(
    r"(?:^|(?<=[.!?;:]\s))(?:as (?:an?|the)|i(?:['’]m| am) (?:an?|the|from|with|at)|i work (?:at|for|in|with)|"
    r"we(?:['’]re| are) (?:an?|the|from)|we run (?:an?|the)?|we work (?:at|for|in|with)|"
    r"(?:i|we) (?:manage|own|lead|chair) (?:an?|the)?)\s*[^,:;?!–—]+|\bour\s+(?:[A-Z][\w’'&-]*\s*)+",
    re.I,
)


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
    asker = [m.span() for m in _ASKER.finditer(question)]
    for m in _NAME.finditer(question):
        if any(a <= m.start() < b for a, b in asker):
            continue  # who is asking ("As a SENCO, ...", "we run the Tesco store: ..."), not what they ask about
        # "Telford's Young Persons' Panel" is two names: the owner and the thing owned.
        for part in re.split(r"[’']s\s+", m.group().strip()):
            words = part.split()
            if m.start() == 0 and part is not None and m.group().startswith(part):
                words = words[1:]  # a question's first word is capitalised whatever it is
            name = _LEADING.sub("", " ".join(words)).strip()
            name = re.sub(r"[’']s?$", "", name)
            words = name.split()
            if not words or any(len(w) < 2 and w != "I" for w in words) or any(w in vocabulary.abbreviations for w in words):
                continue
            if all(w in located or w in _BODIES for w in words):
                continue  # "a café in Cardiff", "Swansea Council": where the asker is, not what they ask about
            if len(words) >= 3 or (len(words) == 2 and all(known(w) for w in words)):
                # A titled phrase of known words ("I Matter", "Staying Close Plus") is a name
                # only the whole phrase can vouch for.
                if not in_library(name):
                    return name
            elif not all(known(w) for w in words) and not (len(words) == 1 and word_zipf(name.lower()) >= COMMON_ZIPF):
                return name
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


@functools.lru_cache(maxsize=50_000)
def word_zipf(word: str) -> float:
    """How common a word is in everyday English (wordfreq's Zipf scale: 7 for "the", 3 for rare words)."""
    try:
        from wordfreq import zipf_frequency
    except ImportError:  # without the list every unknown word counts as salient
        return 0.0
    return zipf_frequency(word, "en")


def unknown_words(question: str, doc_freq: dict[str, int], vocabulary) -> list[tuple[float, str]]:
    """(salience, word) for the question's words that no passage uses, most salient first."""
    out = []
    located = _located(question)
    for word in dict.fromkeys(_WORD.findall(question)):
        clean = re.sub(r"[’']s$", "", word)
        if clean in located:
            continue
        if clean in vocabulary.abbreviations or clean.rstrip("s") in vocabulary.abbreviations:
            continue
        if not tokenize(clean) or used_in_library(clean, doc_freq):
            continue
        if any(doc_freq.get(t, 0) for t in tokenize(" ".join(vocabulary.expansions(clean)))):
            continue  # everyday words the field's vocabulary maps to the library's own
        zipf = word_zipf(clean.lower())
        if zipf >= COMMON_ZIPF:
            continue
        out.append((round(7.0 - zipf, 2), clean))
    return sorted(out, reverse=True)


def assess(question: str, hits, chosen, library, vocabulary, latest_year: int | None,
           in_library=None, ranked=()) -> Signals:
    """Signals for ``question`` given its retrieved ``hits`` and scored answer sentences ``chosen``."""
    qtok = set(tokenize(vocabulary.expand(question)))
    idf = {t: library.lexical.idf(t) for t in qtok}
    total = sum(idf.values()) or 1.0
    top_tokens = set(tokenize(" ".join(h.text for h in hits[:5])))
    coverage = sum(idf[t] for t in qtok & top_tokens) / total
    unknown = unknown_words(question, library.lexical.doc_freq, vocabulary)
    ask = asked_part(question)
    asked = kind_asked(question)
    kind_found = False
    if asked:
        _, looks = ANSWER_KINDS[asked]
        # An answer of the right kind counts only in a sentence that shares the question's words.
        # The answer may sit a little below the sentences chosen: look through the best few.
        # Contact details belong to someone: Gloucestershire's email does not answer "who is the
        # contact at Walsall?", so the places the question names must be in the passage.
        # So do figures: "what percentage of Walsall's care leavers ...?" wants Walsall's figure.
        named = {p.name.lower() for p in places().find(question) if asked == "contact" or p.possessive}
        for c in list(chosen) + [c for c in ranked[:KIND_WINDOW] if c.similarity >= 0.3]:
            shared = sum(idf.get(t, 0.0) for t in qtok & set(tokenize(c.text))) / total
            if looks.search(c.text) and shared >= 0.2 and all(n in c.hit.text.lower() for n in named):
                kind_found = True
                break
    place = _OTHER_PLACES.search(question)
    years = [2000 + int(y) if int(y) < 50 else 1900 + int(y) for y in _YEAR.findall(question)]
    # "How many ... right now?" wants a live figure; "what is the current guidance on ...?" wants
    # the guidance, which is what the library holds.
    wants_figure = bool(asked) or bool(_FIGURE_WORDS.search(ask))
    # So with a future date: "when does the panel next meet?" asks for one; "... on the agenda
    # next month. What should I be digging into?" only says when the asker needs the answer.
    live = bool((_LIVE.search(ask) or _FUTURE.search(ask)) and wants_figure) \
        or bool(asked in ("count", "amount") and _RECENT.search(ask)) \
        or bool(latest_year and any(y > latest_year for y in years))
    return Signals(
        relevance=max((h.scores.get("dense", 0.0) for h in hits), default=0.0),
        best_sentence=max((c.similarity for c in chosen), default=0.0),
        coverage=coverage,
        unknown=tuple(w for _, w in unknown),
        unknown_salience=unknown[0][0] if unknown else 0.0,
        unknown_name=unknown_name(question, in_library, library.lexical.doc_freq, vocabulary) if in_library else "",
        asked=asked,
        kind_found=kind_found,
        other_place=place.group(1) if place else "",
        live=live,
    )


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


def reason(signals: Signals) -> str:
    """What the decline says is missing, from the strongest signal."""
    if signals.other_place:
        return f"The library covers England and Wales; it has nothing on {signals.other_place.title()}."
    if signals.unknown_name:
        return f"Nothing in the library mentions {signals.unknown_name}."
    if signals.asked and not signals.kind_found:
        what = {"rate": "a rate or share", "amount": "an amount of money", "duration": "a length of time", "contact": "contact details",
                "date": "a date or time", "when": "a date or time", "frequency": "how often something happens",
                "age": "an age", "count": "a figure"}[signals.asked]
        return f"The question asks for {what}, and no passage that answers it gives one."
    if signals.unknown:
        words = list(signals.unknown[:2])
        return "Nothing in the library mentions " + " or ".join(words) + "."
    if signals.live:
        return "The library holds published guidance, not current figures or dates."
    return ""
