"""A document's shape as an answer needs it: lists and their lead-ins, sentences that lean
on the one before, and case studies.

A sentence such as "...seven principles ..., as follows:" is only half an answer; the items
under it are the other half. A sentence that opens "However," or "These" means little without
the sentence before it. A council's case study ("Stockton-on-Tees Borough Council") tells what
one place achieved, not what anyone should do. All of this is read from the cleaned
document's sections (headings, paragraphs, list items), not guessed from the words alone.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from cpguide.assistant.actors import actor_vocabulary
from cpguide.assistant.asking import asked_part, from_first_ask
from cpguide.assistant.places import places
from cpguide.index.lexical import tokenize
from cpguide.ingest.sentences import sentence_spans

MAX_ITEMS = 12  # a longer list is cut, and the answer says how many more the source holds
# A lead-in that says nothing of its own: the list it opens belongs to the sentence before.
_GOES_ON = re.compile(r"^\s*(?:for (?:example|instance)|e\.g\.|such as|namely|(?:these|this|they|which) "
                      r"(?:include|includes|are|is|can include|may include|might include)|including)\s*[:–—-]\s*$", re.I)
# A paragraph opening by pointing back is quoted with the paragraph before, from the sentence its own
# pointing back starts at: past at most this many sentences that point back ("They ...", "It ...", "This ...").
ANTECEDENT_SENTENCES = 3
SHORT_ITEM_WORDS = 25  # a paragraph this short after a lead-in is one of its items

_LEAD_IN_END = re.compile(r"[:–—-]\s*$")
_FOOTNOTE = re.compile(r"^\d{1,2}\s+[A-Z]")
_EXPLETIVE_IT = re.compile(r"it\s+(?:is|was|can be|could be|may be|might be|would be|will be)\s+(?:\w+\s+){0,2}?"
                           r"(?:vital|important|essential|helpful|useful|crucial|key|necessary|clear|possible|worth|"
                           r"likely|unlikely|good|best|better|easy|hard|difficult|recommended)\s+(?:that|to|for|when|if)\b",
                           re.I)
_LEANS = re.compile(
    r"^(?:however|therefore|thus|hence|also|in addition(?! to)|additionally|furthermore|moreover|similarly|likewise|"
    # "But there is no one-size-fits-all approach ...": answers the sentence before, as does "And", "Yet" or "So".
    r"but|and|yet|so|"
    # "Some other options ... include:", "Another way is ...": besides what was said before;
    # "For example, ...": of what was said before.
    r"(?:some )?other|another|for example|for instance|in particular|in practice|"
    r"this|these|those|that|they|it|its|their|such|both|the latter|the former|as a result|for (?:this|these) reasons?|"
    r"in (?:this|that|these) (?:way|case|role|context)s?)\b[ ,]",
    re.I,
)
_POINTS_BACK_EARLY = re.compile(r"^(?:\S+\s+){0,2}(?:they|these|this|it|its|their|them|those|such)\b", re.I)
# An item's own number: "6. for those children ..." or "A stable home (8)".
ITEM_NUMBER = re.compile(r"^\s*(?:•\s*)?(\d{1,2})[.)]\s|\((\d{1,2})\)\s*$")
# A question the guidance puts to its readers in the first or second person ("How well do we
# support our foster carers?", "Are there youth services in your ward ...?"): a line of enquiry a
# panel can ask. Set as a title, it is still something the document says.
ENQUIRIES_AT_LEAST = 3  # question titles that make a document's lines of enquiry
ENQUIRY = re.compile(r"\b(?:we|our|us|you|your)\b", re.I)


# "What questions ...?", "what sort of things should I be asking about ...?": questions are asked for.
_QUESTIONS_ASKED = re.compile(r"\bquestions\b|\blines?\s+of\s+(?:enquiry|inquiry)\b|"
                               r"\b(?:should|could|might|must|can)\s+(?:i|we|they|councillors|members)\s+(?:be\s+)?ask(?:ing)?\b",
                               re.I)


def asks_for_questions(question: str) -> bool:
    return bool(_QUESTIONS_ASKED.search(question))


_ASKING_WORD = re.compile(r"^(?:what|how|who|why|when|where|which|are|is|do|does|did|can|could|should|have|has|will)\b",
                          re.I)


def is_enquiry(text: str) -> bool:
    """A whole question put in the first or second person: "Are we providing stable environments for
    children in our care?", not a title that quotes one ("8. Ask yourself: How well are we doing?")."""
    text = text.strip()
    return bool(_ASKING_WORD.match(text) and re.search(r"\?[\"'”’)\]]*$", text) and ENQUIRY.search(text))


# Words every question and lead-in here share, which say nothing about which list is meant.
LIST_FIELD_TOKENS = frozenset(tokenize("corporate parent parents parenting child children young people care leavers "
                                       "looked after council councils example examples include following"))
# A question that asks for a set wants the whole list, not the sentence that best matches it.
_NOT_VERB = r"(?!does\b|is\b|was\b|has\b)"  # "which is", "what does": no set's name
_SET_QUESTION = re.compile(
    r"^\s*(?:what|which)\s+(?:are|were)\b|\b(?:list|name|outline|summari[sz]e)\b|"
    r"\b(?:what|which)\s+(?:sorts?|kinds?|types?)\s+of\b|\bin which (?:parts|areas|ways)\b|"
    # "What aspects of young people's wellbeing does the duty cover?", "What parts of ...?"
    rf"\bwhat\s+{_NOT_VERB}\w+(?-i:[a-hj-rtv-zA-Z])s\s+of\b|"
    # "which principles", "which health services"; not a verb ("which body reviews how ...").
    rf"\bwhich\s+(?:{_NOT_VERB}[a-z]\w+\s+)?{_NOT_VERB}\w+s\b"
    r"(?!\s+(?:the|a|an|our|their|its|it|this|that|these|those|how|what|whether)\b)|"
    # "What barriers does the toolkit ask us to tackle?", "What KPIs should I expect to see?"
    rf"\bwhat\s+(?:[a-z]\w+\s+)?{_NOT_VERB}\w+(?-i:[a-hj-rtv-zA-Z])s\s+(?:do|does|did|can|could|should|must|might|"
    r"are|were|will|would|have|has)\b|"
    r"\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+\w+|"
    r"\b(?:examples|ways|steps|principles|levels|questions|things|areas|priorities|pledges|commitments|aims|goals|"
    r"options|opportunities|benchmarks|conditions|responsibilities)\b",
    re.I,
)
# "What info should I expect the Children in Care team to hold about our LAC?" asks for what it holds,
# all of it; "... about care leavers' accommodation?" for the part on that.
_WHAT_INFO = re.compile(r"\bwhat\s+(?:info|information|data|details)\s+(?:should|would|will|does|do|must|can)\b", re.I)
# "Is ...?", "Strictly speaking, does ...?"; but "Can you list ...?", "Can I get the ...?" and "Are
# there ...?" ask for a set.
_YES_NO = re.compile(
    r"^\s*(?:[\w’' ]{1,30},\s*)?(?:(?:is|are|was|were|do|does|did|should|must|will|would|has|have|may|might|shall)\b"
    r"(?!\s+(?:you|there)\b)|(?:can|could)\b(?!\s+(?:you|there|i|we)\b))", re.I)
# "Do councils have to publish a local offer, and what must it include?" asks more than yes or no.
_AND_WH = re.compile(r"\b(?:and|or)\s+(?:what|which|who|how|where|when|why)\b", re.I)
_ORDINAL_WORDS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
                  "eleventh", "twelfth")
_CARDINAL_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")
_ORDINAL = rf"(?:{'|'.join(_ORDINAL_WORDS)}|last|final)"
_NUMBER = rf"(?:\d{{1,2}}|{'|'.join(_CARDINAL_WORDS)})"
_POSITIONS = {w: n for n, ws in enumerate(zip(_ORDINAL_WORDS, _CARDINAL_WORDS), 1) for w in ws}
COUNT_WORDS = frozenset(_POSITIONS) | {"last", "final"}  # "the eleventh principle" names a place in a list
# "ninth" and "9th" -> 9: the words that name a place in a list, as a conversation points back at one.
_SUFFIX = {1: "st", 2: "nd", 3: "rd"}
ORDINAL_NUMBERS = {w: n for n, w in enumerate(_ORDINAL_WORDS, 1)} | {
    f"{n}{_SUFFIX.get(n, 'th')}": n for n in range(1, len(_ORDINAL_WORDS) + 1)}
# Not "point": "the third point" is a citation of the last answer (see conversation.py).
_PART = r"(item|principle|pledge|step|priority|recommendation|standard|commitment|promise|outcome)"
PART_NOUNS = _PART[1:-1]  # what a numbered part of a document goes by ("the first principle")
# "the eighth principle", "the final item", "the last one"; "principle 8", "step two".
_POSITION = re.compile(rf"\b({_ORDINAL})\s+(?:\w+\s+)?(?:{_PART}|one)\b|\b{_PART}\s+({_NUMBER})\b", re.I)
# "Where does my job sit in Walsall's levels of responsibility?" asks for the one level it falls under.
_WHERE_IN_SET = (r"\bwhere\s+(?:does|do|would|will|should)\b[^?]{0,60}?\b(?:sit|fit|fall|come|belong|put)\b"
                 r"[^?]{0,40}?\bin\b")
_ONE_OF_SET = re.compile(rf"\bwhich\s+(?:one\s+)?of\b[^?]*?\b(?:is|was|does|covers|says|means|would|sits?|fits?|"
                         rf"falls?)\b|{_WHERE_IN_SET}|{_POSITION.pattern}", re.I)
# "What can businesses do?" asks for everything a service can do; "a 19-year-old tenant is
# expecting a baby: what should we as her landlord do?" asks about one situation. The same
# words ask for the set only when the question says nothing beyond who and where.
_WHAT_DO_QUESTION = re.compile(
    r"\bwhat\s+(?:can|could|should|must|might|do|does|would|will|(?:are|is|am)\s+(?:we|i|you|they)\s+"
    r"(?:meant|supposed|expected|required)\s+to)\b.{1,60}\b(?:do|ask|asking|consider|provide|offer|"
    r"aim|aiming|include|cover|check|look for|expect|think about|bear in mind|keep in mind)\b|"
    r"\b(?:what|which)\s+(?:\w+\s+){0,2}(?:\w+s)\b(?:\s+(?:do|does|can|could|should|must|are|will|would)\b)|"
    r"\bservices\b",
    re.I,
)
# "Before signing up to the charter, what should we think about?" asks for the things to weigh,
# whatever situation it is set in: the guidance lists them ("think about how you could adopt the
# principles when:").
_WHAT_TO_WEIGH = re.compile(r"\bwhat\s+(?:should|must|might|would|do|does|can|could)\s+(?:\w+\s+){1,3}?"
                            r"(?:think about|think through|consider|bear in mind|keep in mind|weigh up|"
                            r"take into account)\b", re.I)
# Words every question in this field may use without narrowing it.
_GENERIC = frozenset(
    "corporate parent parents parenting child children young people person persons care cared leaver leavers looked "
    "after experienced lac cic cla our their his her its we you they them us me my role job part "
    # where the answer should come from narrows nothing ("according to the Welsh toolkit")
    "according toolkit guidance pack charter document say says said suggest suggests recommend recommends".split()
)
_CONTENT_WORD = re.compile(r"[A-Za-z][A-Za-z’'-]{2,}")
_STOP_WORDS = frozenset(
    "what which who how when where why can could should must might may will would does did doing done the and for "
    "with about into from that this those these there have has had are was were been being any all also just only "
    "really actually do as in of to on at by or a an is it be".split()
)
_INTRODUCES_ASKER = re.compile(r"^\s*(?:as (?:an?|the)\b|i(?:['’]m| am) (?:an?|the|from|with|at|on|in)\b|i work\b|"
                               r"we(?:['’]re| are) (?:an?|the|from|on|in)\b|we run\b|we work\b|"
                               r"(?:i|we) (?:manage|own|lead|chair)\b)", re.I)
# "Principle 1: equality", "Step 2 - agree a plan", "Priority 3. Stable homes".
_NUMBERED_HEADING = re.compile(r"^\s*([A-Za-z]+)\s+(\d{1,2})\s*(?:[:.–—-]|$)")
# "1. Get the community involved" ... "10. Sign up to the Foster Carers Charter": headings numbered
# bare, whose set is named by a title a little before the first ("10 ideas for Corporate Parenting Week").
_BARE_NUMBER = re.compile(r"^\s*(\d{1,2})\.\s+[A-Z]")
TITLE_BEFORE = 3  # sections before a bare-numbered run's first heading that may hold its title
TITLE_MAX_WORDS = 10
# The nouns a set is counted in ("the eleven principles"), singular or plural.
_SET_NOUN = (rf"(?:{PART_NOUNS}|priorit(?:y|ies)|pledges|principles|steps|items|recommendations|standards|"
             r"commitments|promises|outcomes)")
SET_NOUNS = re.compile(rf"\b({_SET_NOUN})\b", re.I)
_COUNTED_SET = re.compile(rf"\b({_NUMBER})\s+(?:[\w’'-]+\s+){{0,3}}?{_SET_NOUN}\b", re.I)
_COUNT_OF_ANY = re.compile(rf"\b({_NUMBER})\s+[a-z]\w*s\b", re.I)  # "seven ideas", "10 ideas"


def singular(word: str) -> str:
    word = word.lower()
    return word[:-3] + "y" if word.endswith("ies") else word[:-1] if word.endswith("s") else word


# A document's own list of sources ("Adapted from:", "References"): the titles there are not
# something the document says.
REFERENCES_LEAD = re.compile(r"^(?:adapted\s+from|references|sources|bibliography|further\s+reading)\b", re.I)
# "In 2011 Coventry City Council held ...", "In 2008 the London Borough of Lambeth launched ...": a
# case study may open with its year before the council's name.
_DATED = re.compile(r"(?:(?:In|Since|From|During)\s+(?:(?:early|late|mid|spring|summer|autumn|winter)\s+)?"
                    r"(?:19|20)\d\d,?\s+(?:the\s+)?)?")
CASE_STUDY_HEADING = re.compile(
    r"\b[A-Z][\w’'&-]+(?:\s+[A-Z][\w’'&-]+)*\s+(?:Borough\s+|County\s+|City\s+|Metropolitan\s+|District\s+)?"
    r"Council(?:[’']s)?\b|^London\s+Borough\s+of\b|\bcase stud(?:y|ies)\b|^Trafford Metropolitan Borough$",
    re.I,
)


@dataclass(frozen=True)
class ListBlock:
    """A list in a document: the sentence that introduces it (if any) and its items' spans."""

    lead: tuple[int, int] | None
    items: tuple[tuple[int, int], ...]
    total: int  # items in the document's list; ``items`` holds at most MAX_ITEMS of them
    labels: tuple[str, ...] = ()  # each item's own heading, for a run of numbered headings ("Principle 1: equality")


class DocumentShape:
    """Section lookups over one cleaned document, built once per document."""

    def __init__(self, doc):
        self.doc = doc
        self.sections = doc.sections
        self._starts = [s.start for s in self.sections]
        self._runs: dict[str, list[int]] = {}  # numbered-heading runs by noun (see ``headed_run``)
        self._titled: list[tuple[str, ListBlock]] | None = None  # see ``titled_runs``
        self._reference_items: frozenset[int] | None = None  # see ``in_references``

    def index_at(self, offset: int) -> int | None:
        i = bisect.bisect_right(self._starts, offset) - 1
        if i >= 0 and self.sections[i].start <= offset < self.sections[i].end + 2:
            return i
        return None

    def section_at(self, offset: int):
        i = self.index_at(offset)
        return self.sections[i] if i is not None else None

    def _item_span(self, section) -> tuple[int, int]:
        spans = sentence_spans(self.doc.text[section.start:section.end], section.start)
        return (spans[0][0], spans[-1][1]) if spans else (section.start, section.end)

    def _is_short_paragraph(self, j: int) -> bool:
        sec = self.sections[j]
        return sec.kind == "paragraph" and len(self.doc.text[sec.start:sec.end].split()) <= SHORT_ITEM_WORDS

    def _items_from(self, j: int) -> list[int]:
        """The sections from ``j`` that form one list: its list items, or, where a document sets
        its items as lines of their own without bullets ("consider:" then "What if this were my
        child?"), its run of short paragraphs."""
        if j < len(self.sections) and self.sections[j].kind == "list_item":
            out = []
            while j < len(self.sections) and self.sections[j].kind == "list_item":
                out.append(j)
                j += 1
            return out
        # Short lines run on while they stay under the same heading, and stop at the next lead-in.
        out = []
        path = self.sections[j].heading_path if j < len(self.sections) else ()
        while j < len(self.sections) and self._is_short_paragraph(j) and self.sections[j].heading_path == path:
            out.append(j)
            text = self.doc.text[self.sections[j].start:self.sections[j].end]
            j += 1
            if _LEAD_IN_END.search(text):
                out.pop()
                break
        return out

    def is_lead_in(self, start: int, end: int) -> bool:
        """Does this sentence end its paragraph with a colon and have a list right after it?"""
        if not _LEAD_IN_END.search(self.doc.text[start:end]):
            return False
        i = self.index_at(start)
        return i is not None and self.sections[i].end <= end + 2 and bool(self._items_from(i + 1))

    def list_after(self, start: int, end: int) -> ListBlock | None:
        """The list a lead-in sentence introduces ("...as follows:", "include:")."""
        if not self.is_lead_in(start, end):
            return None
        i = self.index_at(start)
        items = [self._item_span(self.sections[j]) for j in self._items_from(i + 1)]
        return ListBlock(lead=(start, end), items=tuple(items[:MAX_ITEMS]), total=len(items))

    def list_from(self, start: int, end: int) -> ListBlock | None:
        """The list a sentence introduces: as a lead-in itself, or through a lead-in after it that
        says nothing of its own ("The council has a duty ... to improve the wellbeing of young
        people in the area." then "This includes:")."""
        block = self.list_after(start, end)
        if block is not None:
            return block
        after = self.sentence_after(end)
        if after is None or not _GOES_ON.match(self.doc.text[after[0]:after[1]]):
            return None  # "Resources include:" starts a list of its own
        return self.list_after(*after)

    def in_references(self, start: int, end: int) -> bool:
        """Is this sentence a list of sources' lead-in ("Adapted from:") or one of its entries?
        Asked of every candidate sentence, so the entries are found once per document."""
        if REFERENCES_LEAD.match(self.doc.text[start:end].strip()):
            return True
        if self._reference_items is None:
            found: set[int] = set()
            for i, sec in enumerate(self.sections):
                if sec.kind == "list_item" and (i == 0 or self.sections[i - 1].kind != "list_item"):
                    block = self.list_around(sec.start)
                    if block is not None and block.lead is not None \
                            and REFERENCES_LEAD.match(self.doc.text[block.lead[0]:block.lead[1]].strip()):
                        j = i
                        while j < len(self.sections) and self.sections[j].kind == "list_item":
                            found.add(j)
                            j += 1
            self._reference_items = frozenset(found)
        return self.index_at(start) in self._reference_items

    def list_around(self, offset: int) -> ListBlock | None:
        """The whole list a list item belongs to, with its lead-in when the section before ends in a colon."""
        i = self.index_at(offset)
        if i is None or self.sections[i].kind != "list_item":
            return None
        first = i
        while first > 0 and self.sections[first - 1].kind == "list_item":
            first -= 1
        last = i
        while last + 1 < len(self.sections) and self.sections[last + 1].kind == "list_item":
            last += 1
        lead = None
        if first > 0:
            before = self.sections[first - 1]
            spans = sentence_spans(self.doc.text[before.start:before.end], before.start)
            if spans and _LEAD_IN_END.search(self.doc.text[spans[-1][0]:spans[-1][1]]):
                lead = spans[-1]
        items = [self._item_span(self.sections[j]) for j in range(first, last + 1)]
        return ListBlock(lead=lead, items=tuple(items[:MAX_ITEMS]), total=len(items))

    def _numbered_run(self, noun: str) -> list[int]:
        """The heading sections numbering ``noun``'s 1, 2, 3 ... in the document's order (the last
        such run when there are several); read once per noun."""
        if noun not in self._runs:
            run: list[int] = []
            for j, other in enumerate(self.sections):
                m = _NUMBERED_HEADING.match(self.doc.text[other.start:other.end]) if other.kind == "heading" else None
                if m and singular(m.group(1)) == noun:
                    if int(m.group(2)) == 1:
                        run = []  # a new run starts ("Step 1" of another process)
                    if int(m.group(2)) == len(run) + 1:
                        run.append(j)
            self._runs[noun] = run
        return self._runs[noun]

    def headed_run(self, offset: int, noun: str) -> ListBlock | None:
        """The run of numbered headings ("Principle 1: equality" ... "Principle 11: lifelong") that
        the text at ``offset`` sits under, when they number ``noun``'s: a set a document lays out
        as headed sections rather than as a list. Each item is the paragraph under its heading."""
        sec = self.section_at(offset)
        if sec is None or not sec.heading_path:
            return None
        own = _NUMBERED_HEADING.match(sec.heading_path[-1])
        if own is None or singular(own.group(1)) != singular(noun):
            return None
        run = self._numbered_run(singular(noun))
        headings = [self.doc.text[self.sections[j].start:self.sections[j].end] for j in run]
        if len(run) < 2 or sec.heading_path[-1] not in headings:
            return None
        items, labels = [], []
        for j, heading in zip(run, headings):
            body = self.sections[j + 1] if j + 1 < len(self.sections) else None
            if body is not None and body.kind in ("paragraph", "list_item") and body.heading_path[-1:] == (heading,):
                items.append(self._item_span(body))
                labels.append(heading.strip())
        if len(items) < 2:
            return None
        return ListBlock(lead=None, items=tuple(items[:MAX_ITEMS]), total=len(items), labels=tuple(labels[:MAX_ITEMS]))

    def titled_runs(self) -> list[tuple[str, ListBlock]]:
        """Runs of headings numbered bare, 1 to N ("1. Get the community involved" ... "10. Sign
        up to the Foster Carers Charter"), each with the short line a little before its first
        heading that names the set ("10 ideas for Corporate Parenting Week"); runs without such
        a title are left out. Each item is the first sentence under its heading, labelled by it."""
        if self._titled is not None:
            return self._titled
        runs: list[list[int]] = []
        for j, sec in enumerate(self.sections):
            m = _BARE_NUMBER.match(self.doc.text[sec.start:sec.end]) if sec.kind == "heading" else None
            if m is None:
                continue
            if int(m.group(1)) == 1:
                runs.append([j])
            elif runs and int(m.group(1)) == len(runs[-1]) + 1:
                runs[-1].append(j)
        def text(k: int) -> str:
            return self.doc.text[self.sections[k].start:self.sections[k].end].strip()

        out = []
        for run in runs:
            title = next((text(k) for k in range(run[0] - 1, max(run[0] - 1 - TITLE_BEFORE, -1), -1)
                          if len(text(k).split()) <= TITLE_MAX_WORDS and not _ends_sentence(text(k))), "")
            if len(run) < 3 or not title:
                continue
            items, labels = [], []
            for j in run:
                heading = text(j)
                body = self.sections[j + 1] if j + 1 < len(self.sections) else None
                spans = sentence_spans(self.doc.text[body.start:body.end], body.start) \
                    if body is not None and body.kind in ("paragraph", "list_item") else []
                items.append(spans[0] if spans else (self.sections[j].start, self.sections[j].end))
                labels.append(heading if spans else "")
            out.append((title, ListBlock(lead=None, items=tuple(items[:MAX_ITEMS]), total=len(items),
                                         labels=tuple(labels[:MAX_ITEMS]))))
        self._titled = out
        return out

    def enquiries(self) -> ListBlock | None:
        """The questions the document puts to its readers as titles ("Do our partner agencies
        understand their role in supporting us as corporate parents?" ... "How well do we support
        our foster carers?"), in its order: its lines of enquiry, when it has at least
        ``ENQUIRIES_AT_LEAST``. Each item is the title itself."""
        titles = tuple((s.start, s.end) for s in self.sections
                       if s.kind == "heading" and is_enquiry(self.doc.text[s.start:s.end]))
        if len(titles) < ENQUIRIES_AT_LEAST:
            return None
        return ListBlock(lead=None, items=titles[:MAX_ITEMS], total=len(titles))

    def sentence_before(self, start: int) -> tuple[int, int] | None:
        """The sentence before ``start`` in the same paragraph, or None at a paragraph's start."""
        sec = self.section_at(start)
        if sec is None or sec.kind == "heading":
            return None
        spans = [sp for sp in sentence_spans(self.doc.text[sec.start:sec.end], sec.start) if sp[1] <= start]
        return spans[-1] if spans else None

    def antecedent(self, start: int, end: int) -> tuple[int, int] | None:
        """What the sentence at ``start``:``end`` leans on: the sentence before it in its
        paragraph, or, opening a paragraph ("Likewise, care leavers need to be integral to ..."),
        the paragraph before under the same heading from where its own pointing back starts.
        None after a heading, a list or a title, and for a paragraph opening "It is vital that
        ...", whose "it" points forward."""
        before = self.sentence_before(start)
        if before is not None:
            return before
        i = self.index_at(start)
        if i is None or self.sections[i].kind != "paragraph" or _EXPLETIVE_IT.match(self.doc.text[start:end].strip()):
            return None
        j = i - 1
        while j >= 0 and is_footnote(self.doc.text[self.sections[j].start:self.sections[j].end]):
            j -= 1
        prev = self.sections[j] if j >= 0 else None
        if prev is None or prev.kind != "paragraph" or prev.heading_path != self.sections[i].heading_path:
            return None
        spans = sentence_spans(self.doc.text[prev.start:prev.end], prev.start)
        if not spans or not _ends_sentence(self.doc.text[spans[-1][0]:spans[-1][1]]) \
                or _LEAD_IN_END.search(self.doc.text[spans[-1][0]:spans[-1][1]]):
            return None  # a title line, or a lead-in whose items these are
        # "Likewise, ..." after "Children should be involved ... They should be provided ... This
        # includes ...": the paragraph before from the sentence its own pointing back starts at.
        k = len(spans) - 1
        while k > 0 and len(spans) - k <= ANTECEDENT_SENTENCES and leans_on_previous(self.doc.text[spans[k][0]:spans[k][1]]):
            k -= 1
        return spans[k][0], spans[-1][1]

    def sentence_after(self, end: int) -> tuple[int, int] | None:
        """The sentence after ``end``: the next in its paragraph, or the first of the next
        paragraph under the same heading; None after a heading or the section's last paragraph."""
        i = self.index_at(max(end - 1, 0))
        if i is None or self.sections[i].kind == "heading":
            return None
        sec = self.sections[i]
        spans = [sp for sp in sentence_spans(self.doc.text[sec.start:sec.end], sec.start) if sp[0] >= end]
        if spans:
            return spans[0]
        # A footnote printed at the page's foot ("5 Children Act 1989, Section 22G") may sit
        # between a sentence and the paragraph that goes on from it: read past it.
        j = i + 1
        while j < len(self.sections) and is_footnote(self.doc.text[self.sections[j].start:self.sections[j].end]):
            j += 1
        nxt = self.sections[j] if j < len(self.sections) else None
        if nxt is None or nxt.kind != "paragraph" or nxt.heading_path != sec.heading_path:
            return None
        spans = sentence_spans(self.doc.text[nxt.start:nxt.end], nxt.start)
        return spans[0] if spans else None

    def under_heading(self, offset: int, heading: re.Pattern[str]) -> bool:
        """Is this offset in a section whose own heading matches ``heading``?"""
        sec = self.section_at(offset)
        return sec is not None and bool(sec.heading_path) and bool(heading.search(sec.heading_path[-1]))

    def is_case_study(self, offset: int) -> bool:
        """Is this offset in a council's case study (a section headed by a council's name)?"""
        sec = self.section_at(offset)
        return bool(sec) and any(CASE_STUDY_HEADING.search(h) for h in sec.heading_path)

    def opens_with_council(self, offset: int) -> bool:
        """Does the paragraph holding this offset open with a council's name ("Bolton
        Metropolitan Borough Council’s Looked After Supported Employment (LASE) Scheme provides
        ...")? A case study set in the text under a topic's heading, not under its own."""
        sec = self.section_at(offset)
        if sec is None or sec.kind != "paragraph":
            return False
        text = self.doc.text[sec.start:sec.end]
        return bool(CASE_STUDY_HEADING.match(text[_DATED.match(text).end():]))


def asks_for_set(question: str) -> bool:
    """Does the question ask for a set ("what are the seven ...", "what can businesses do")?

    A question answered yes or no ("Is a police force bound by the Act's seven duties?", "Do we
    have to meet in person, or are there other ways?") or asking for one member of a set
    ("Which of the seven principles is about stability?", "What's principle eight?") names the
    set without asking for it."""
    ask = asked_part(question)
    if (_YES_NO.match(ask) and not _AND_WH.search(ask)) or _ONE_OF_SET.search(ask):
        return False
    # A set is asked for in the question, not in the situation told before it ("... on our housing list").
    first_ask = from_first_ask(question)
    if _SET_QUESTION.search(first_ask) or _WHAT_TO_WEIGH.search(first_ask):
        return True
    info = _WHAT_INFO.search(ask)
    if info:
        about = re.search(r"\babout\b(.*)$", ask[info.end():], re.I)
        return len(_narrowing_words(about.group(1) if about else "")) <= 1
    # "We're a small youth charity in Powys thinking about signing the charter. What would we be
    # expected to do ...?": who is asking does not narrow what they ask; a situation said before
    # the ask ("A 19-year-old tenant is expecting a baby: ...") does.
    judged = ask if ask != question and _INTRODUCES_ASKER.match(question) else question
    return bool(_WHAT_DO_QUESTION.search(question)) and len(_narrowing_words(judged)) <= 1


# "What kinds of housing ...?", "What sorts of businesses count ...?", "What range of options ...?":
# the kinds may be named inside one sentence rather than set out as a list.
_KINDS_OF = re.compile(r"\b(?:what|which)\s+(?:\w+\s+)?(?:sorts?|kinds?|types?|range|forms?|variety)\s+of\s+"
                       r"(?:(?:the|our|their)\s+)?([a-z][\w-]+(?:\s+[a-z][\w-]+)?)", re.I)
# "... a range of accommodation options including supported accommodation, supported lodgings,
# training flats ... and ...": a set named inline, after its introducing word.
_INLINE_SET = re.compile(r"\b(?:including|include|includes|included|such as|like)\b[^.;:?!]*?,[^.;:?!]*?\b(?:and|or)\b",
                         re.I)


def kinds_asked(question: str) -> str:
    """What the question asks the kinds of ("housing" of "What kinds of housing should Welsh
    housing services have for care leavers?"); "" when it asks no such thing."""
    m = _KINDS_OF.search(asked_part(question))
    return m.group(1) if m else ""


def names_set_inline(sentence: str, kinds: str, vocabulary, term: frozenset[str] = frozenset()) -> bool:
    """Does the sentence name a set of three or more of the ``kinds`` asked for inline ("a range
    of accommodation options including supported accommodation, supported lodgings, training
    flats, ..." for housing; "can include national and small businesses, the banking sector and
    the hospitality industry" for businesses)? The word asked about, or one the vocabulary gives
    for it, is in the set itself: "This includes supporting the relational network to co-parent
    ..." after "our Family First strategy" names no kinds of families.

    ``term``: the words of a term the question asks what counts as ("What kinds of organisations
    count as the private sector?"); a set named inline after it ("Examples of the private sector can
    include ...") is what it covers, whatever the kinds are called."""
    m = _INLINE_SET.search(sentence)
    if not kinds or m is None:
        return False
    if term and term <= set(tokenize(sentence[:m.start()])):
        return True
    named = set(tokenize(sentence[m.start():]))
    return bool((set(tokenize(vocabulary.expand(kinds))) - LIST_FIELD_TOKENS) & named)


def asks_for_member(question: str) -> bool:
    """Does the question ask for one member of a set ("Which of the seven principles is about
    stability?", "What does the final item say?", "What's principle eight?")? Its answer is found
    through the list, and is the one item."""
    return bool(_ONE_OF_SET.search(asked_part(question)))


def member_position(question: str) -> int | None:
    """The place in its list of the member asked for: 8 for "principle eight", -1 for "the final
    item"; None when the question picks it by what it says."""
    m = _POSITION.search(asked_part(question))
    if m is None:
        return None
    word = (m.group(1) or m.group(4)).lower()
    if word in ("last", "final"):
        return -1
    position = int(word) if word.isdigit() else _POSITIONS[word]
    return position or None  # "principle 0" names no member


def counted_set(question: str) -> str | None:
    """The set the question counts, as it says it: "eleven principles" of "What are the eleven
    principles of the charter?"; None when it gives no count."""
    m = _COUNTED_SET.search(asked_part(question))
    return m.group() if m else None


def set_size(question: str) -> int | None:
    """How many members the question says its set has: 11 for "the eleven principles"."""
    return _count_of(_COUNTED_SET.search(asked_part(question)))


def asked_count(question: str) -> int | None:
    """How many members the question says its set has, whatever it calls them: 7 for "the
    seven ideas"; None when it gives no count."""
    return _count_of(_COUNT_OF_ANY.search(asked_part(question)))


def _count_of(m: re.Match[str] | None) -> int | None:
    if m is None:
        return None
    word = m.group(1).lower()
    return int(word) if word.isdigit() else _POSITIONS.get(word)


def numbered_part(question: str) -> tuple[str, int] | None:
    """The numbered part of a document the question names: ("principle", 8) for "principle
    eight" or "the eighth principle", ("step", 2) for "step 2"; None for none (or "the last")."""
    position = member_position(question)
    if position is None or position < 1:
        return None
    m = _POSITION.search(asked_part(question))
    noun = m.group(2) or m.group(3)
    return (noun.lower(), position) if noun else None  # "the second one" names no part


def part_heading(part: tuple[str, int]) -> re.Pattern[str]:
    """A heading (or a line) that opens the numbered part: "Principle 8: a stable home"."""
    noun, n = part
    return re.compile(rf"^\s*{noun}s?\s*{n}(?![\d.,]\d)\b", re.I | re.M)


def _narrowing_words(question: str) -> list[str]:
    """The words of a question beyond who it asks about, where, and the field's own words:
    "what can the police do as corporate parents in Wales?" has none, "...her landlord do
    now she is expecting a baby?" has "expecting" and "baby"."""
    spans = [(s, e) for s, e, _ in actor_vocabulary().mentions(question, heading=True)]
    spans += [(p.start, p.end) for p in places().find(question)]
    text = "".join(" " if any(s <= i < e for s, e in spans) else ch for i, ch in enumerate(question))
    return [w for w in _CONTENT_WORD.findall(text) if w.lower() not in _STOP_WORDS
            and not all(part in _GENERIC for part in w.lower().split("-"))  # "care-experienced"
            and w.lower() not in ("wales", "welsh", "england", "english")]


def _ends_sentence(text: str) -> bool:
    return text.rstrip()[-1:] in ".!?:;"


def is_footnote(text: str) -> bool:
    """A footnote line: its number, then its text ("5 Children Act 1989, Section 22G")."""
    return bool(_FOOTNOTE.match(text))


def leans_on_previous(sentence: str) -> bool:
    """Does the sentence open by pointing back ("However,", "These", "They")?"""
    return bool(_LEANS.match(sentence.strip()))


def points_back_early(sentence: str) -> bool:
    """Does the sentence point back within its first three words ("While they still receive ...",
    "Their work has included ...")? Looser than ``leans_on_previous``: the sentence before says
    what it is about, though it may be read alone."""
    return bool(_POINTS_BACK_EARLY.match(sentence.strip()))
