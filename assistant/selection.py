"""Which sentences answer the question: candidates from the top passages, scored and chosen.

A sentence earns its place by meaning (cosine to the question), by the question's rarer words
it shares, by sitting under a heading that matches, by having the service asked about as its
subject, and by being the guidance's own "should / must" statement when the question asks
what someone should do. A council's case study or a statistic answers a question about
outcomes or examples, not one about duties, so it is held back there. Few sentences that
answer beat five that drift: we keep those close to the best one, at most ``MAX_SENTENCES``.
"""

from __future__ import annotations

import functools
import re
import threading
import tomllib
from collections import OrderedDict
from dataclasses import dataclass, field
from importlib import resources

import numpy as np

from cpguide.assistant.actors import actor_vocabulary
from cpguide.assistant.places import asks_both_nations, places as place_names
from cpguide.assistant.asking import (ANSWER_KINDS, EMAIL_TEXT, PREPOSED_ASK, WEB_TEXT, asked_part, asker_spans,
                                      each_asked, kind_asked, question_parts)
from cpguide.assistant.structure import (LIST_FIELD_TOKENS, DocumentShape, asks_for_member, asks_for_questions,
                                        asks_for_set, is_enquiry, is_footnote, kinds_asked, leans_on_previous,
                                        names_set_inline, numbered_part, part_heading, points_back_early)
from cpguide.index.lexical import tokenize
from cpguide.ingest.sentences import sentence_spans
from cpguide.records import Hit

MAX_SENTENCES = 3
SAYS_SOMETHING_WORDS = 12  # a sentence citing a web page in passing says something when this many other words remain
TITLE_WORDS = 8  # a line shorter than this with no full stop is a title or an item, not an answer on its own
# Kinds of answer whose holder is preferred ("holds_kind_asked") and brought when close to the best.
# Not "when" (any condition, "before", "after", "every", looks like one) nor "date": brought from
# anywhere, "This statutory guidance, issued in July 2014, ..." answered "What dates was Corporate
# Parenting Week 2014 held on?", which the library cannot.
KINDS_PREFERRED = ("contact", "person", "duration", "frequency", "age")
WITHIN_BEST = 0.08  # keep sentences scoring within this of the best one
# "What barriers ...?", or "What might stop ...?" (which asks for barriers in other words): the sentence
# naming them joins when this close to the best.
NOUN_WITHIN = 0.25
SET_LEAD_WITHIN = 0.1  # a question asking for a set takes the best lead-in this close to the best sentence
KIND_WITHIN = 0.25  # the best sentence holding the kind of answer asked for joins when this close to the best
MEMBER_OF_WITHIN = 0.35  # asked whether the asker is one of a set, the sentence naming its members, theirs among them
ONLY_WITHIN = 0.35  # asked whether it is only for some, or for others too, the sentence saying whom it is for
NOT_ALL_WITHIN = 0.35  # asked whether something holds for all, the sentence saying it need not joins when this close
NOT_REQUIRED_WITHIN = 0.35  # asked yes or no, the sentence saying it is not required joins when this close
# A heading of this many words or more that the question asks about anchors its section, when it
# says at least this share of what the question does ("Housing services" is too general).
HEADING_WORDS = 3
HEADING_SHARE = 0.5
NEAR_LAST_ANSWER = 0.05  # a follow-up's sentence close after the last answer's quotes scores this much more
NEAR_CHARS = 1500  # "close": within about half a page after a quote (a third of that before it)
OTHER_NATION_WITHIN = 0.15  # the other nation's best sentence joins when this close to the best
CASE_STUDY_SENTENCES = 2  # sentences after the best one of a case study the question names
QUESTION_RUN = 6  # the guidance's own questions in one paragraph, quoted together when one of them is chosen
INTRODUCTION_SENTENCES = 2  # sentences of its paragraph after where a rare name the question asks about is introduced
ANNOUNCES_WORDS = 10  # a chosen sentence shorter than this brings the sentence after it
GOES_ON_SENTENCES = 2  # how far on from a chosen sentence the one that answers may be
MEMBER_IDF = 1.5  # a word naming one of several asked about: "dental", "housing"; not "services" (1.0)
MEMBER_WITHIN = 0.1  # its sentence scores this close to the best for it
KINDS_SIM_WITHIN = 0.03  # the sentence naming the kinds inline is this close to the closest in meaning, or closer
TELLING_IDF = 2.0  # a question word found in fewer than about one passage in eight tells what is asked
RARE_NAME_PASSAGES = 2  # a name used in this many passages or fewer ("LASE", "Quest"; not "IRO", "Ofsted")
_ACTION_QUESTION = re.compile(
    r"\b(should|must|ought|need to|needs to|have to|has to|expected|responsib\w*|role|duty|duties|"
    r"can (?:we|i|they|you|\w+ (?:services?|staff|partners?|councillors?|businesses|schools?))|"
    r"what (?:can|could|do|does|should|must)\b.*\bdo\b|how (?:can|should|do|could)|help|support|make sure|ensure)\b",
    re.I,
)
_EXAMPLE_QUESTION = re.compile(
    r"\b(example|examples|case stud\w*|outcomes?|results?|achiev\w*|how (?:well|many|much)|"
    r"figures?|statistics?|data|per ?cent|percentage|proportion|rate|did|has any|have any|who has|which councils?)\b",
    re.I,
)
_MODAL = re.compile(
    r"\b(must|shall|should|need to|needs to|has a duty|have a duty|are required|is required|expected to|"
    r"responsible for|make sure|ensure|ensuring|will)\b",
    re.I,
)
_IMPERATIVE = re.compile(
    r"^(?:•\s*)?(?:\d{1,2}[.)]\s*)?(?:make|ensure|consider|work|provide|offer|support|help|promote|give|take|"
    r"encourage|develop|identify|listen|involve|ask|check|challenge|champion|treat|share|use|recognise|"
    r"offering|providing|ensuring|supporting|helping|promoting|giving|developing|working|championing)\b",
    re.I,
)
# A question in the guidance ("And what is the local offer for care leavers?", "How many
# children are we placing out of area?") is a line of enquiry: it answers a question about
# what to ask or find out, and otherwise only echoes the asker.
_DOC_QUESTION = re.compile(r"^(?:•\s*)?(?:\d{1,2}[.)]\s*)?(?:and\s+|but\s+|so\s+|or\s+|if\s[^?,]*,\s*)?"
                           r"(?:what|which|who|whom|whose|when|where|why|how|is|are|was|were|do|does|did|can|could|"
                           r"should|will|would|has|have)\b[^.!]*\?\s*$", re.I)
_ASKS_WHAT_TO_ASK = re.compile(r"\b(?:questions?|ask|asking|asked|enquir\w*|inquir\w*|find(?:ing)? out|dig\w*|"
                               r"probe|probing|challeng\w*|scrutin\w*|check(?:ing)?|look(?:ing)? (?:at|for|into)|"
                               r"consider\w*|think(?:ing)? about|ask myself|be aware of)\b", re.I)
# "What questions should councillors ask about care leavers?", "What should I ask about their
# health?": the guidance's own questions ("What are we doing to look after the health and wellbeing
# of children in our care?") are the answer, ahead of what it says around them.
_ASKS_FOR_QUESTIONS = re.compile(r"\b(?:questions?|ask|asking|enquir\w*|inquir\w*)\b", re.I)
ASKED_QUESTION_BONUS = 0.1
_DEFINES = re.compile(r"(?:^|[,:.]\s*)(?:but\s+|so\s+|and\s+)?(?:what(?:['’]s| is| are)(?: an?| the)?|what counts as(?: an?)?|"
                      # "What kinds of businesses count as the private sector?" asks what the term covers.
                      r"(?:what|which) (?:kinds?|sorts?|types?) of [\w-]+ (?:count|counts|are counted|are classed) as"
                      r"(?: an?| the)?|"
                      r"what is meant by(?: an?)?|what does the term|define|what do (?:we|you) mean by(?: an?)?|"
                      r"how does (?:the )?[\w\s’']{0,30}?define(?: an?| the)?)\s+"
                      r"['‘\"“]?([\w\s’'-]{3,40}?)['’\"”]?(?:\s+mean)?\s*\??\s*$", re.I)
_POINTS_BACK = re.compile(r"\b(?:it|its|this|that|them|they|their|these|those)\b(?!\s+(?:is|are)\s+(?:true|possible))",
                          re.I)
# A web domain written bare, as reference lists do: "(publishing.service.gov.uk) DfE, February 2018".
_DOMAIN = r"\b[\w-]+(?:\.[\w-]+)*\.(?:gov|org|co|ac|nhs|police|sch|net)\.uk\b|\b[\w-]+\.(?:com|org|net)\b"
_CONTACT_LINE = re.compile("|".join((EMAIL_TEXT, r"\bmailto:", WEB_TEXT, _DOMAIN)), re.I)
_NAME = re.compile(r"\b(?:[A-Z][a-z]+|[A-Z]{2,})\b")  # "Quest", "LASE"
_LOWER_WORD = re.compile(r"\b[a-z][a-z’'-]+\b")
_CAPITALISED = re.compile(r"(?<!^)(?<![.?!]\s)\b[A-Z][a-z][\w-]+")
# "What barriers ...", "which kinds of housing ...": the noun the question asks for.
_ASKED_NOUN = re.compile(r"\b(?:what|which)\s+(?:(?:kinds?|sorts?|types?)\s+of\s+)?([a-z]+)", re.I)
# A yes-or-no question opens with one of these.
_AUX = r"do|does|did|is|are|must|should|will|would|can|could|has|have"
# "Does my organisation have to sign up to every principle?", "Does that mean they'll work
# directly with each of those families?": asked whether something holds for all, and the
# guidance's answer that it need not.
_ASKS_IF_ALL = re.compile(rf"^(?:{_AUX})\b.*\b(?:all|every|each)\b", re.I)
# "..., will they be doing one-to-one work with those children and their families?": asked yes or
# no, and the guidance's answer that it is not required ("This extended role does not require
# virtual school heads to provide direct intervention ..."). Not "don't have to", which says
# nothing of what is asked ("... step in to help young people – even where they don't have to").
_ASKS_YES_NO = re.compile(rf"^(?:[^?,]{{1,80}},\s*)?(?:{_AUX})\b", re.I)


def _negated(verbs: str) -> str:
    """One of ``verbs`` negated: "does not require", "doesn't mean"."""
    return rf"\b(?:does|do|is|are|will|would|need) not (?:{verbs})\b|\b(?:doesn|don|isn|aren)[’']t (?:{verbs})\b"


_NOT_REQUIRED = re.compile(_negated("require|mean|apply"), re.I)
_NOT_ALL = re.compile(r"\bnot (?:all|every|each|always|necessarily)\b|" + _negated("require|need|have to|mean|apply"), re.I)
# "Isn't corporate parenting just a council thing?", "Do they bind the police and the NHS too?":
# asked whether something is limited to some, or reaches others too, and the guidance's answer that
# says who it is limited to, or that it is not ("apply only to local authorities", "is not
# restricted to local authorities").
_ASKS_IF_ONLY = re.compile(rf"^(?:[\w’' ]{{1,30}},\s*)?(?:{_AUX}|isn[’']t|aren[’']t|doesn[’']t|don[’']t)\b.*"
                           r"\b(?:only|just|solely|exclusively|too|also|as well)\b", re.I)
_ONLY = re.compile(r"\b(?:only|solely|exclusively)\b|\bnot (?:restricted|limited|confined) to\b", re.I)
# "I manage a YOT. Are we one of the agencies Telford expects to help ...?": asked whether the asker
# belongs to a set, and the sentence that names the set's members, the asker's kind among them
# ("'Relevant partners' include ... youth offending teams, ...").
_ASKS_IF_MEMBER = re.compile(r"^(?:[\w’' ]{1,30},\s*)?(?:do|does|is|are|am|would|will|could)\b.*"
                             r"\b(?:one of|count as|counted as|among|part of)\b", re.I)
_STATISTIC = re.compile(r"\b\d[\d,.]*\s*(?:per ?cent|%)|\bper cent\b|\b\d{2,}[\d,]*\s+(?:children|young people|care leavers)\b",
                        re.I)


FEATURES = ("similarity", "shared_words", "heading_words", "passage_rank", "passage_dense", "passage_bm25",
            "names_partner_asked", "names_other_partner", "states_duty", "case_study_for_duty", "leans_without_antecedent",
            "introduces_set", "length", "holds_kind_asked", "under_part_asked")
# Weights before fitting: meaning first, shared words, the passage's place, the partner asked
# about, duties over narrative. ``sentence_ranker.toml`` replaces them when present.
HAND_WEIGHTS = (0.6, 0.25, 0.08, 0.1, 0.0, 0.0, 0.08, -0.06, 0.05, -0.12, -0.1, 0.2, 0.0, 0.1, 0.4)


@functools.lru_cache(maxsize=1)
def ranker_weights() -> tuple[np.ndarray, float]:
    """(weights, bias) of the sentence scorer: fitted on the dev set if shipped, else by hand."""
    path = resources.files("cpguide.assistant").joinpath("sentence_ranker.toml")
    if path.is_file():
        model = tomllib.loads(path.read_text(encoding="utf-8"))["model"]
        if tuple(model["features"]) == FEATURES:
            return np.array(model["weights"], dtype=float), float(model["bias"])
    return np.array(HAND_WEIGHTS, dtype=float), 0.0


@dataclass
class Candidate:
    """One sentence of a retrieved passage, with where it sits and how well it answers."""

    hit: Hit
    start: int  # offsets in the cleaned document
    end: int
    text: str
    score: float = 0.0
    similarity: float = 0.0
    anchored: bool = False  # sits under the numbered part the question names, or a heading it asks about
    under_part: bool = False  # sits under the numbered part the question names ("principle 8")
    holds_kind: bool = False  # holds the kind of answer asked for ("34 recommendations", an email)
    introduces_set: bool = False  # a lead-in to a list, when the question asks for a set
    direct: bool = False  # brought for what the question asks ("isn't it just ...?": the sentence saying whom it is for)


@dataclass
class Selection:
    sentences: list[Candidate]
    unanswered: tuple[str, ...]  # parts of the question no sentence answers
    ranked: list[Candidate] = field(default_factory=list)  # every scored candidate, best first


class SentenceSelector:
    """Scores the sentences of retrieved passages against a question; keeps a few."""

    def __init__(self, library, embedder, vocabulary, *, floor: float):
        self.library = library
        self.embedder = embedder
        self.vocabulary = vocabulary
        self.floor = floor  # a sentence less similar than this is never an answer
        self._shapes: dict[str, DocumentShape] = {}

    def shape(self, doc_id: str) -> DocumentShape:
        if doc_id not in self._shapes:
            self._shapes[doc_id] = DocumentShape(self.library.document(doc_id))
        return self._shapes[doc_id]

    # -- candidates ----------------------------------------------------------------------------
    def candidate_spans(self, doc_id: str, text: str, start: int) -> list[tuple[int, int, str]]:
        """Sentences of a passage that could stand in an answer: not headings, URLs or footnotes."""
        doc = self.library.document(doc_id)
        shape = self.shape(doc_id)
        out = []
        for s, e in sentence_spans(text, start):
            sentence = doc.text[s:e]
            if len(sentence.split()) < 5:
                continue
            own = shape.section_at(s)
            # A title is no answer, nor the rest of a numbered one ("9. Ask looked after children ...:
            # How well are we doing?"), but a line of enquiry set as a title ("What are we doing to
            # look after the health and wellbeing of children in our care?") is what a councillor
            # asking what to ask wants first.
            if own is not None and own.kind == "heading" and not is_enquiry(doc.text[own.start:own.end]):
                continue
            if is_footnote(sentence) or shape.in_references(s, e):
                continue  # "Adapted from:" and its titles say nothing the document says
            if len(_LOWER_WORD.findall(sentence)) < 2:
                continue  # a title line ("Welsh Local Government Association (WLGA)")
            if len(sentence.split()) < TITLE_WORDS and not re.search(r"[.?!:;)\]”’\"']\s*$", sentence):
                continue  # a short line without a full stop ("10 ideas for Corporate Parenting Week",
                # "Age and length of time in care"): a title or a list's item, quoted through its list
            if sentence.rstrip().endswith(":") and not shape.is_lead_in(s, e) and shape.sentence_after(e) is None:
                continue  # "... a rights based approach by:" with nothing after it in the document
            out.append((s, e, sentence))
        return out

    def candidates(self, hits: list[Hit]) -> list[Candidate]:
        return [Candidate(hit, s, e, text) for hit in hits for s, e, text in self.candidate_spans(hit.doc_id, hit.text, hit.start)]

    def list_text(self, doc_id: str, start: int, end: int) -> str:
        """The whole list a lead-in sentence introduces, lead-in and items as written; "" if none."""
        block = self.shape(doc_id).list_from(start, end)
        if block is None or not block.items:
            return ""
        return self.library.document(doc_id).text[block.lead[0]:block.items[-1][1]]

    @staticmethod
    def _heading_asked(qtok: set[str], sec, defined: frozenset[str] = frozenset(), asked_with: str = "") -> bool:
        """Does the question ask what the section's own heading asks or names ("Why should a
        council get involved in Corporate Parenting Week?" under "Why should my council get
        involved?")? Every word of a heading of ``HEADING_WORDS`` or more is in the question, and
        the heading says at least ``HEADING_SHARE`` of what the question does. A term the question
        asks the meaning of ("what counts as private fostering?") is ``defined``: a heading that is
        that term, whatever its length, is asked about (a glossary's entries), and so is a heading
        that is itself a question, asked with the same question word (``asked_with``: "why"), of
        whatever length. ``sec`` is the sentence's own section."""
        if sec is None or not sec.heading_path:
            return False
        heading = sec.heading_path[-1].strip()
        htok = set(tokenize(heading))
        if defined and htok == defined:
            return True  # "What counts as private fostering?" under the glossary's "Private fostering"
        if heading.endswith("?") and asked_with and heading.split()[0].lower() == asked_with \
                and htok - LIST_FIELD_TOKENS:  # "What is corporate parenting?" asks what every question here does
            return htok <= qtok  # a heading that asks the question, with the same question word
        return len(htok) >= HEADING_WORDS and htok <= qtok and len(htok) >= HEADING_SHARE * len(qtok)

    def _with_before(self, doc_id: str, start: int, end: int, text: str) -> str:
        """A sentence that leans on the one before ("These young people ..."), with it; "" for one
        that stands alone or opens its paragraph."""
        if not leans_on_previous(text):
            return ""
        before = self.shape(doc_id).sentence_before(start)
        return self.library.document(doc_id).text[before[0]:end] if before is not None else ""

    # -- scoring -------------------------------------------------------------------------------
    def features(self, question: str, qvec: np.ndarray, candidates: list[Candidate]) -> np.ndarray:
        """One row per candidate, in ``FEATURES`` order; also sets each candidate's similarity, and
        whether it sits under the numbered part the question names (``anchored``)."""
        vecs = self.embed_sentences(tuple(c.text for c in candidates))
        sims = vecs @ qvec
        # Then a sentence introducing a list answers it whole, or holds the one member asked for.
        wants_set = asks_for_set(question) or asks_for_member(question)
        wants_questions = asks_for_questions(question)
        kinds = kinds_asked(question)
        top_sim = float(sims.max()) if len(candidates) else 0.0
        # A list means what its items say: "think about how you could adopt the principles
        # when:" answers "in which parts of our work ...?" only through its items.
        wholes = [self.list_text(c.hit.doc_id, c.start, c.end) if wants_set else "" for c in candidates]
        for i, whole in enumerate(wholes):
            if whole:
                sims[i] = max(sims[i], float(self.embed_sentences((whole,))[0] @ qvec))
        # "These young people review all semi-independent accommodation ..." means what it means
        # after "... the work of 'Young Inspectors'.": a sentence that leans on the one before is
        # read with it, for its meaning and for the words it shares with the question.
        read_with: list[str] = []
        for i, c in enumerate(candidates):
            both = self._with_before(c.hit.doc_id, c.start, c.end, c.text)
            read_with.append(both or c.text)
            if both:
                sims[i] = max(sims[i], float(self.embed_sentences((both,))[0] @ qvec))
        expanded = self.vocabulary.expand(question)
        qtok = set(tokenize(expanded))
        asked_tokens = set(tokenize(question))
        # "What is / what counts as / what is meant by X?": X may be a heading of its own.
        asked_with = (asked_part(question).split() or [""])[0].lower()  # "why" of "Why should my council ...?"
        m = _DEFINES.search(asked_part(question))
        defined = frozenset(tokenize(m.group(1))) if m else frozenset()
        own_words = qtok - LIST_FIELD_TOKENS
        idf = {t: self.library.lexical.idf(t) for t in qtok}
        total = sum(idf.values()) or 1.0
        actors = actor_vocabulary()
        wanted = set(actors.slugs_in(expanded, heading=True))
        action = bool(_ACTION_QUESTION.search(question)) and not _EXAMPLE_QUESTION.search(question)
        # "What email address ...?" is answered by the sentence that holds one.
        asked = kind_asked(question)
        kind = ANSWER_KINDS[asked][1] if asked in KINDS_PREFERRED else _counted(question) if asked == "count" else None
        # A question that names a place ("What do Stockton's youth inspectors do?") asks about its case study.
        named_places = {w.lower() for w in _CAPITALISED.findall(question)}
        # "What is principle eight?" is answered under the heading "Principle 8: a stable home".
        part = numbered_part(question)
        opens_part = part_heading(part) if part is not None else None
        best_bm25 = max((c.hit.scores.get("bm25", 0.0) for c in candidates), default=0.0) or 1.0
        rows = []
        for c, sim, read, whole in zip(candidates, sims, read_with, wholes):
            c.similarity = float(sim)
            shape = self.shape(c.hit.doc_id)
            stoks = set(tokenize(read))
            # The sentence's own headings: a passage of a glossary runs over several ("Private
            # arrangement", then "Private fostering" and its definition).
            own = shape.section_at(c.start)
            c.under_part = opens_part is not None and shape.under_heading(c.start, opens_part)
            c.holds_kind = kind is not None and bool(kind.search(c.text))
            # A lead-in, or a sentence whose list follows a "For example:" or "This includes:" that
            # says nothing of its own ("In social services, the role of corporate parents can include ...").
            block = shape.list_from(c.start, c.end) if wants_set else None
            # "What questions should I ask about ...?" asks for a set of questions: a list of
            # anything else ("three issues that foster carers would choose to change") is not it.
            # A list that says none of the question's own words ("What small gestures can show a looked
            # after kid we're proud of them?" and the 2012 pack's options for hearing from children in
            # care) is not the set asked for, however close its meaning.
            if whole and not own_words & set(tokenize(whole)):
                block = None
            c.introduces_set = block is not None and (not wants_questions or any(
                self.library.document(c.hit.doc_id).text[s:e].rstrip().endswith("?") for s, e in block.items))
            # "What kinds of housing ...?" is answered by "Provide a range of accommodation options
            # including supported accommodation, supported lodgings, training flats, ...": a set named inline.
            # It must be about as close in meaning as the closest sentence: "What kinds of support can
            # businesses offer?" is not answered by "Examples of the private sector can include national
            # and small businesses, ...".
            c.introduces_set = c.introduces_set or (sim >= top_sim - KINDS_SIM_WITHIN
                                                    and names_set_inline(c.text, kinds, self.vocabulary, defined))
            c.anchored = c.under_part or self._heading_asked(asked_tokens, own, defined, asked_with) \
                or (c.introduces_set and _names_what_is_asked(c.text, asked_tokens, wanted))
            heading = self._heading(c)
            named = set(actors.slugs_in(c.text)) | set(actors.slugs_in(heading, heading=True)) if wanted else set()
            rows.append([
                float(sim),
                sum(idf[t] for t in qtok & stoks) / total,
                sum(idf[t] for t in qtok & set(tokenize(heading))) / total,
                1.0 / c.hit.rank,
                c.hit.scores.get("dense", 0.0),
                c.hit.scores.get("bm25", 0.0) / best_bm25,
                float(bool(named & wanted)),
                float(bool(wanted) and bool(named) and not named & wanted),
                float(action and bool(_MODAL.search(c.text) or _IMPERATIVE.match(c.text))),
                float(action and (shape.is_case_study(c.start) or bool(_STATISTIC.search(c.text)))
                      and not any(p in heading.lower() for p in named_places)),
                float(leans_on_previous(c.text) and shape.sentence_before(c.start) is None),
                float(c.introduces_set),
                min(len(c.text.split()), 60) / 60.0,
                float(c.holds_kind),
                float(c.anchored),
            ])
        return np.array(rows, dtype=float).reshape(len(candidates), len(FEATURES))

    def score(self, question: str, qvec: np.ndarray, candidates: list[Candidate]) -> None:
        x = self.features(question, qvec, candidates)
        weights, bias = ranker_weights()
        for c, row in zip(candidates, x @ weights + bias):
            c.score = float(row)

    def ranked(self, question: str, qvec: np.ndarray, hits: list[Hit],
               near: tuple[tuple[str, int, int], ...] = ()) -> list[Candidate]:
        """Every candidate sentence of ``hits``, scored, best first.

        ``near``: (doc_id, start, end) of the quotes of the answer a follow-up follows. A
        sentence in one of them, just after one or a few lines before scores a little higher:
        "and when that isn't possible?" or "what did Ofsted make of it?" is usually answered
        where the passage goes on, and "who does that?" often by the passage itself (leaving
        the quotes out cost dev dialogue turns 0.706 -> 0.690).

        A sentence giving an email address or a web address ("please contact: name@council.gov.uk")
        answers only a question that asks how to get in touch.
        """
        candidates = self.candidates(hits)
        if kind_asked(question) != "contact":
            candidates = [c for c in candidates if not _is_contact_line(c.text)]
        if not _ASKS_WHAT_TO_ASK.search(question):
            candidates = [c for c in candidates if not _DOC_QUESTION.match(c.text)]
        if candidates:
            self.score(question, qvec, candidates)
            asks_questions = bool(_ASKS_FOR_QUESTIONS.search(question))
            for c in candidates:
                if _near(c, near):
                    c.score += NEAR_LAST_ANSWER
                if asks_questions and _DOC_QUESTION.match(c.text):
                    c.score += ASKED_QUESTION_BONUS
            candidates.sort(key=lambda c: -c.score)
        return candidates

    def choose(self, question: str, candidates: list[Candidate],
               near: tuple[tuple[str, int, int], ...] = ()) -> Selection:
        """The answer's sentences from ranked candidates, best first, near-duplicates cited once;
        and the parts of a question in several parts that no sentence answers.

        Besides those close to the best, each part of a question in several parts ("what is a
        pathway plan, and when should work on it start?") brings its own best sentence, and
        when England's and Wales's guidance both answer, the other nation's best sentence
        comes too if it is nearly as good, so the answer can say what each asks.

        ``near``: the quotes of the answer a follow-up follows. A follow-up whose every chosen
        sentence that answer already gave ("What came of it in the end?" after the Hampshire
        case study's first sentence) also gets the best sentence near them that it did not give:
        the reader has those, and the passage usually goes on to answer.
        """
        if not candidates:
            return Selection([], ())
        # "What's the first principle in the Welsh charter?": what sits under "Principle 1: ..." is
        # the answer, however well sentences about the charter's principles in general score.
        under = [c for c in candidates if c.under_part]
        top = under[0].score if under else candidates[0].score
        floor = max(top - WITHIN_BEST, 0.0)
        chosen: list[Candidate] = []
        seen: list[set[str]] = []

        def take(c: Candidate) -> None:
            words = set(_norm(c.text).split())
            if c in chosen or any(len(words & w) / max(1, min(len(words), len(w))) >= 0.8 for w in seen):
                return  # the same sentence from a near-duplicate passage: cite it once
            chosen.append(c)
            seen.append(words)

        for c in under or candidates:
            if len(chosen) >= MAX_SENTENCES:
                break
            if c.score >= floor and (c.similarity >= self.floor or c.anchored):
                take(c)
        # "What barriers to sport ... does the Welsh toolkit ask leisure providers to tackle?": the
        # sentence naming what is asked for ("Consider the practical barriers such as cost, ...")
        # joins, though three closer ones were taken (it scores .08 below the best, give or take
        # what the machine's int8 arithmetic rounds). "What might stop LAC using our sports centre
        # ...?" asks for what the guidance calls barriers (the vocabulary's "what might stop"),
        # though it never says the word: that sentence joins from as far down (.18 below).
        written = self.asked_noun(question)
        implied = self.asked_noun(question, implied=True) - written
        for nouns in (written, implied):
            named = nouns - set().union(*(tokenize(c.text) for c in chosen)) if chosen else set()
            if named:
                found = next((c for c in under or candidates if c.score >= max(top - NOUN_WITHIN, 0.0)
                              and c.similarity >= self.floor and named & set(tokenize(c.text))), None)
                if found is not None:
                    take(found)
        # "What's a former relevant child?" under the glossary's "Former relevant child": a short
        # section the question asks about by its heading is quoted whole (the definition, then
        # what it says of it), not only its best-scoring sentence.
        headed = next((c for c in chosen if c.anchored and not c.under_part), None)
        if headed is not None:
            section = self.shape(headed.hit.doc_id).section_at(headed.start)
            same = [c for c in candidates if c.anchored and c.hit.doc_id == headed.hit.doc_id
                    and self.shape(c.hit.doc_id).section_at(c.start) is section]
            if len(same) <= MAX_SENTENCES:
                for c in sorted(same, key=lambda c: c.start):
                    take(c)

        # "What is Bolton's Looked After Supported Employment (LASE) Scheme?": the case study the
        # question names is told over a few sentences; the one that scores best is where it starts.
        named = {p.name.lower() for p in place_names().find(question)}
        top_c = chosen[0] if chosen and named else None
        if top_c is not None:
            shape = self.shape(top_c.hit.doc_id)
            section = shape.section_at(top_c.start)
            heading = " ".join(section.heading_path).lower() if section is not None else ""
            if (shape.is_case_study(top_c.start) or shape.opens_with_council(top_c.start)) \
                    and any(n in heading or n in top_c.text.lower() for n in named):
                for nxt in self._going_on(top_c, candidates, CASE_STUDY_SENTENCES):
                    take(nxt)

        # "What are Bolton's LASE and Quest schemes?": a name the library uses in one place or two
        # is introduced where it first appears; each such name the question asks about is quoted there,
        # though a sentence chosen already names it ("In one small children's home using the Pillars
        # of Parenting model, ..." does not say what the model is).
        for name in self._rare_names(question):
            intro = self._introduction(name, candidates)
            if intro is not None:
                take(intro)
                for nxt in self._going_on(intro, candidates, INTRODUCTION_SENTENCES, same_paragraph=True):
                    take(nxt)
        ask = asked_part(question)

        def bring(wanted, within: float) -> None:
            """The best candidate of a kind none chosen is, when within ``within`` of the best."""
            if chosen and not any(wanted(c) for c in chosen):
                best = next((c for c in candidates if wanted(c)), None)
                if best is not None and best.score >= candidates[0].score - within and best.similarity >= self.floor:
                    take(best)
                    best.direct = True

        # "How many recommendations ...?": the sentence that gives the number answers, though
        # the one about the review scores higher.
        bring(lambda c: c.holds_kind, KIND_WITHIN)
        # "Do organisations have to sign up to every principle?" is answered by "It may be that not
        # all the principles are relevant for your organisation ...", though the sentences about
        # signing up score higher.
        if _ASKS_IF_ALL.search(ask):
            bring(lambda c: bool(_NOT_ALL.search(c.text)), NOT_ALL_WITHIN)
        elif _ASKS_YES_NO.search(ask):
            bring(lambda c: bool(_NOT_REQUIRED.search(c.text)), NOT_REQUIRED_WITHIN)
        if _ASKS_IF_ONLY.search(ask):
            bring(lambda c: bool(_ONLY.search(c.text)), ONLY_WITHIN)
        asker = " ".join(question[a:b] for a, b in asker_spans(question)) if _ASKS_IF_MEMBER.search(ask) else ""
        if asker:
            bring(lambda c: names_set_inline(c.text, asker, self.vocabulary), MEMBER_OF_WITHIN)
        # "What key priorities should performance reports cover?" is answered by a list: the best
        # lead-in near the top brings it, though a sentence about one report scores higher.
        if not asks_for_member(question):
            bring(lambda c: c.introduces_set, SET_LEAD_WITHIN)
        parts = question_parts(question)
        unanswered: list[str] = []
        for i, part in enumerate(parts if len(parts) > 1 else ()):
            # "..., and what should councillors ask about it?": "it" is the first part's subject; so
            # is what "..., and for how long?" asks about.
            said = f"{part} ({parts[0]})" if i and (_POINTS_BACK.search(part) or PREPOSED_ASK.match(part)) else part
            best, original = self._rescored(part, said, candidates)[0]
            if best.similarity >= self.floor:
                take(original)
            else:
                unanswered.append(part)
        # "What can a GP surgery, a dental practice and an optician each do ...?": for each, the best
        # sentence naming it that is not quoted yet ("As a dentist you can offer dental care ..."),
        # though "... registered with ... GP services, dentists and opticians" scores higher for all three.
        for member, said in each_asked(question):
            # Named by a word of its own ("dental", "housing"), in the sentence or its heading; not "services".
            named = {t for t in tokenize(member) if self.library.lexical.idf(t) >= MEMBER_IDF}
            scored = self._rescored(said, said, candidates)
            top = scored[0][0].score
            best = next((original for c, original in scored if original not in chosen
                         and c.similarity >= self.floor and c.score >= top - MEMBER_WITHIN
                         and named & (set(tokenize(c.text)) | set(tokenize(self._heading(c))))), None)
            if best is not None:
                take(best)
        # "There will be things happening nationally too." says what its next sentence tells: a
        # chosen sentence this short, that introduces no list, brings the one after it.
        for c in list(chosen):
            after = self.shape(c.hit.doc_id).sentence_after(c.end) \
                if len(c.text.split()) < ANNOUNCES_WORDS and not c.text.rstrip().endswith(":") else None
            if after is not None:
                for d in candidates:
                    if d.hit.doc_id == c.hit.doc_id and d.start == after[0]:
                        take(d)
                        break
        places = {c.hit.jurisdiction for c in chosen}
        # "..., in England and in Wales?": each nation's best sentence, however far below the best.
        within = 1.0 if asks_both_nations(question) else OTHER_NATION_WITHIN
        for c in candidates:
            if c.hit.jurisdiction in ("england", "wales") and c.hit.jurisdiction not in places:
                if c.score >= candidates[0].score - within and c.similarity >= self.floor:
                    take(c)
                    places.add(c.hit.jurisdiction)
        self._goes_on(question, chosen, candidates, take)
        # "Financial support can be an issue for any carer, but in particular there may be concerns
        # around carers with young people in staying put arrangements." raises what its next sentence
        # says ("While they still receive fees and allowances, these are lower ..."): the sentence
        # after a chosen one that points back to it in its first words comes too, in its paragraph.
        for c in list(chosen):
            for nxt in self._going_on(c, candidates, 1, same_paragraph=True,
                                      keep=lambda d: points_back_early(d.text) and d.similarity >= self.floor):
                take(nxt)
        # "As a ward member, what should I be asking ...?": the guidance asks its questions in a row
        # ("Are there youth services in your ward ...? Is there a children's home ...? ..."); one of
        # them chosen brings the others of its paragraph, as an item brings its list.
        if _ASKS_FOR_QUESTIONS.search(question):
            for c in [c for c in chosen if _DOC_QUESTION.match(c.text) and c.text.rstrip().endswith("?")]:
                for d in self._question_run(c, candidates):
                    take(d)
        if near and chosen and all(_quoted(c, near) for c in chosen):
            new = next((c for c in candidates if _near(c, near) and not _quoted(c, near)
                        and c.similarity >= self.floor), None)
            if new is not None:
                take(new)
        return Selection(chosen, tuple(unanswered), candidates)

    def _going_on(self, c: Candidate, candidates: list[Candidate], n: int, same_paragraph: bool = False,
                  backwards: bool = False, keep=lambda d: True) -> list[Candidate]:
        """Up to ``n`` candidates that follow ``c`` one after another in its document (that come
        before it, nearest first, if ``backwards``; within its paragraph if ``same_paragraph``),
        stopping at the first sentence that is no candidate or that ``keep`` refuses."""
        shape = self.shape(c.hit.doc_id)
        para = shape.section_at(c.start)
        out, edge = [], c
        for _ in range(n):
            span = shape.sentence_before(edge.start) if backwards else shape.sentence_after(edge.end)
            if span is None or (same_paragraph and (para is None or not para.start <= span[0] < para.end)):
                break
            nxt = next((d for d in candidates if d.hit.doc_id == c.hit.doc_id and d.start == span[0]), None)
            if nxt is None or not keep(nxt):
                break
            out.append(nxt)
            edge = nxt
        return out

    def _question_run(self, c: Candidate, candidates: list[Candidate]) -> list[Candidate]:
        """The questions printed in a row in ``c``'s paragraph around it, ``c`` among them, in order
        (at most ``QUESTION_RUN``)."""
        def is_question(d: Candidate) -> bool:
            return d.text.rstrip().endswith("?")

        before = self._going_on(c, candidates, QUESTION_RUN - 1, same_paragraph=True, backwards=True,
                                keep=is_question)
        after = self._going_on(c, candidates, QUESTION_RUN - 1 - len(before), same_paragraph=True, keep=is_question)
        return before[::-1] + [c] + after

    def _goes_on(self, question: str, chosen: list[Candidate], candidates: list[Candidate], take) -> None:
        """A chosen sentence often sets the scene and the next one answers: "Looked-after children
        should receive an annual health assessment ..." then "Pass on feedback about assessments to
        the clinical commissioning group ..." for "where should feedback about health assessments
        go?"; "Sir Martin Narey was commissioned ..." then, in the next paragraph under the same
        heading, "The final report was published in July 2016 ...". The next sentence comes too when
        it holds a telling word of the question (a rare one, not the field's own) that no chosen
        sentence has, and so does the one after it, with the sentence between, so the quote reads
        on ("... They act as a scrutiny tool ... The panel receive regular updates on ..." for
        "what does the East Sussex panel receive updates on?"); in one paragraph, they are quoted
        as one passage."""
        rare = self._telling_words(question)
        for best in list(chosen):
            telling = rare - set().union(*(tokenize(c.text) for c in chosen))
            if not telling:
                return  # every telling word is already quoted
            shape = self.shape(best.hit.doc_id)
            last, between = best.end, []
            while len(between) < GOES_ON_SENTENCES:
                after = shape.sentence_after(last)
                if after is None:
                    break  # the section ends there: what follows is another point
                nxt = next((c for c in candidates if c.hit.doc_id == best.hit.doc_id and c.start == after[0]), None)
                if nxt is None:
                    break
                last = nxt.end
                if nxt in chosen:
                    continue  # "This panel meets ..." after "East Sussex runs both ...": already given
                between.append(nxt)
                if nxt.similarity >= self.floor and telling & set(tokenize(nxt.text)):
                    for c in between:
                        take(c)
                    break

    def _rescored(self, asked: str, said: str, candidates: list[Candidate]) -> list[tuple[Candidate, Candidate]]:
        """Every candidate scored afresh for one part of the question (``said`` is its meaning, ``asked``
        its words), best first, each beside the candidate it copies."""
        pvec = self.embedder.embed([self.vocabulary.expand(said)])[0]
        scored = [Candidate(c.hit, c.start, c.end, c.text) for c in candidates]
        self.score(asked, pvec, scored)
        return sorted(zip(scored, candidates), key=lambda pair: -pair[0].score)

    def _heading(self, c: Candidate) -> str:
        """The sentence's own heading path ("Health services > ..."), or its passage's section."""
        own = self.shape(c.hit.doc_id).section_at(c.start)
        return " > ".join(own.heading_path) if own is not None and own.heading_path else c.hit.section

    def _telling_words(self, question: str) -> set[str]:
        """The question's words rare in the library and not the field's own: they tell what is asked."""
        return {t for t in tokenize(question)
                if t not in LIST_FIELD_TOKENS and self.library.lexical.idf(t) >= TELLING_IDF}

    def asked_noun(self, question: str, implied: bool = False) -> set[str]:
        """The telling word a "what X" or "which kinds of X" question asks for ("barriers"), if any;
        ``implied``: the words the vocabulary gives for how the question opens instead ("what might
        stop" -> "barriers")."""
        ask = asked_part(question)
        m = _ASKED_NOUN.search(ask)
        if not m:
            return set()
        if not implied:
            return self._telling_words(m.group(1))
        return self._telling_words(" ".join(self.vocabulary.opening(ask[m.start():])))

    def _rare_names(self, question: str) -> list[str]:
        """Names in the question (capitalised or in capitals, not its first word, not a place)
        that the library uses in at most two passages."""
        placed = {p.name for p in place_names().find(question)}
        out = []
        for m in _NAME.finditer(question):
            name = m.group(0)
            if m.start() == 0 or any(name in p for p in placed):
                continue
            toks = tokenize(name)
            if len(toks) == 1 and 0 < self.library.lexical.doc_freq.get(toks[0], 0) <= RARE_NAME_PASSAGES:
                out.append(name)
        return out

    def _introduction(self, name: str, candidates: list[Candidate]) -> Candidate | None:
        """The candidate sentence holding the first mention of ``name`` in its document."""
        pattern = re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])")
        for doc_id in dict.fromkeys(c.hit.doc_id for c in candidates):
            m = pattern.search(self.library.document(doc_id).text)
            found = m and next((c for c in candidates if c.hit.doc_id == doc_id and c.start <= m.start() < c.end), None)
            if found:
                return found
        return None

    # -- sentence vectors ----------------------------------------------------------------------
    def embed_sentences(self, texts: tuple[str, ...]) -> np.ndarray:
        key = self.embedder.fingerprint
        missing = list(dict.fromkeys(t for t in texts if _SENTENCE_VECTORS.get((key, t)) is None))
        if missing:
            # One at a time: int8 activations are quantized per batch, so a sentence embedded
            # beside others gets a slightly different vector each time (cosine 0.975-1.0), and
            # answers would depend on what the process had embedded before. Alone, a sentence
            # always gets the same vector, the way a question does; it costs about twice the time.
            for t, v in zip(missing, self.embedder.embed(missing, batch_size=1)):
                _SENTENCE_VECTORS[(key, t)] = v
        return np.stack([_SENTENCE_VECTORS.get((key, t)) for t in texts]) if texts else np.zeros((0, 1))

    def warm_up(self, max_chunks: int = 5000, batch: int = 256) -> int:
        """Embed every candidate sentence of a small library once (and every whole list a lead-in
        introduces), so that a long-running server answers from its cache (about 3 s for the
        starter library on two cores). Returns how many texts were embedded; a library larger
        than ``max_chunks`` is left to fill as used."""
        if len(self.library.chunks) > max_chunks:
            return 0
        key = self.embedder.fingerprint
        spans = [(c.doc_id, s, e, text) for c in self.library.chunks for s, e, text in self.candidate_spans(c.doc_id, c.text, c.start)]
        texts = [text for *_, text in spans] + [self.list_text(d, s, e) for d, s, e, _ in spans] \
            + [self._with_before(d, s, e, text) for d, s, e, text in spans]
        texts = list(dict.fromkeys(t for t in texts if t))
        missing = [t for t in texts if _SENTENCE_VECTORS.get((key, t)) is None]
        for i in range(0, len(missing), batch):
            self.embed_sentences(tuple(missing[i:i + batch]))
        return len(missing)


# Words any lead-in may use to open its list, which name nothing asked for (with the field's own).
_LEAD_IN_TOKENS = LIST_FIELD_TOKENS | frozenset(tokenize("includes including follows are is these those such as key "
                                                         "main particular some other service services sector"))


def _names_what_is_asked(lead_in: str, asked: set[str], asked_slugs: set[str]) -> bool:
    """"Particular areas of focus include:" answers "what areas of focus does the paper list for
    the strategy?": every word the lead-in names its list by is in the question, as a heading's
    would be. The service a list is for is not what it is a list of ("Examples of what you can do
    as a corporate parent in social services:" does not answer "who can the role include?"), and a
    list for a service the question does not name answers it by no words of its own ("Corporate
    parenting principles which apply to private sector services:" to "which parts of our work
    should we apply its principles in?")."""
    mentions = actor_vocabulary().mentions(lead_in, heading=True)
    if mentions and not {slug for *_, slug in mentions} & asked_slugs:
        return False
    for start, end, _ in sorted(mentions, reverse=True):
        lead_in = lead_in[:start] + " " + lead_in[end:]
    own = set(tokenize(lead_in)) - _LEAD_IN_TOKENS
    return len(own) >= 2 and own <= asked


def _counted(question: str) -> re.Pattern[str] | None:
    """"How many recommendations did the review make?" is answered by "34 recommendations": a
    number before the thing counted, not any number."""
    m = re.search(r"\bhow many (?:more |of (?:the|our|their|these|those) )?([a-z][\w-]{2,})", question, re.I)
    if m is None:
        return None
    stem = m.group(1).lower()
    stem = stem[:-3] if stem.endswith("ies") else stem[:-1] if stem.endswith("s") else stem
    return re.compile(rf"\b(?:\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                      rf"hundreds?|thousands?)\s+(?:[\w’'-]+\s+){{0,2}}{re.escape(stem)}", re.I)


def _is_contact_line(text: str) -> bool:
    """A line that gives an address rather than guidance ("For more information, please contact:
    aftercare@trafford.gov.uk", "(publishing.service.gov.uk) DfE, February 2018"). A sentence that
    only cites a web page in passing ("... the National Children's Bureau's Putting Corporate
    Parenting into Practice toolkit (http://www.ncb.org.uk/...) which is aimed at supporting
    councils to review ...") still says something."""
    if not _CONTACT_LINE.search(text):
        return False
    if re.search(_DOMAIN, text) and not re.search(WEB_TEXT, text, re.I):
        return True  # a bare domain: a reference list's entry
    rest = re.sub(r"\(\s*(?:https?://|www\.)[^)]*\)", " ", text)  # a web page cited in brackets
    return bool(_CONTACT_LINE.search(rest)) or len(_LOWER_WORD.findall(rest)) < SAYS_SOMETHING_WORDS


def _near(c: Candidate, quotes: tuple[tuple[str, int, int], ...]) -> bool:
    """Does the sentence lie in one of ``quotes`` (doc_id, start, end), just after one or a few lines before?"""
    return any(d == c.hit.doc_id and s - NEAR_CHARS // 3 <= c.start <= e + NEAR_CHARS for d, s, e in quotes)


def _quoted(c: Candidate, quotes: tuple[tuple[str, int, int], ...]) -> bool:
    """Is the sentence one of ``quotes`` already given?"""
    return any(d == c.hit.doc_id and s <= c.start < e for d, s, e in quotes)


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


# Sentence vectors are pure functions of (model, text): a process-wide cache makes repeated and
# follow-up questions over the same passages cheap.
class _BoundedCache(OrderedDict):
    """Oldest entries leave first; safe to share between a warm-up thread and requests."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit
        self._lock = threading.Lock()

    def __setitem__(self, key, value):
        with self._lock:
            super().__setitem__(key, value)
            if len(self) > self.limit:
                self.popitem(last=False)

    def get(self, key, default=None):
        with self._lock:
            return super().get(key, default)


_SENTENCE_VECTORS = _BoundedCache(50_000)
