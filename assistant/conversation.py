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

from cpguide.assistant.actors import actor_vocabulary, subjects_in
from cpguide.assistant.asking import COMMON_ZIPF, question_parts, word_zipf
from cpguide.assistant.places import BOTH_NATIONS, asks_both_nations, places
from cpguide.assistant.sources import DOC_NOUNS
from cpguide.assistant.structure import ITEM_NUMBER, ORDINAL_NUMBERS, PART_NOUNS, SET_NOUNS, singular
from cpguide.records import Answer

_ORDINALS = {**ORDINAL_NUMBERS, "last": -1}
_ORDINAL_WORD = "|".join(_ORDINALS)
# A question that opens like this continues the one before, whatever follows: "what about health?".
_FOLLOW_UP_START = re.compile(
    r"^(what about|how about|what of|what else|anything else|same for|tell me more|"
    r"more on|more about|expand on|go on|beyond|apart from|other than|besides|except|explain (that|this|it|them))\b",
    re.I,
)
ELLIPTIC_ZIPF = 4.3  # "partners", "examples", "principles" are everyday words; "advocacy", "fostering" are not
# "What does the Welsh toolkit say?", "and what does the LGA recommend?", "what would you
# suggest?": the question before, asked of one source (or of the reader).
_SOURCE_ONLY = re.compile(r"^(?:and\s+|so\s+)?what\s+(?:does|do|did|would)\s+(?:the\s+)?((?:[\w’'&-]+\s+){1,5})"
                          r"(?:say|suggest|recommend|advise|think|propose)(?:\s+(?:about|on)\s+(?:it|this|that))?\s*[?.!]*$", re.I)
# What the words before "say" must hold to name a source: a name ("the LGA", "the Welsh
# toolkit"), a document ("the guidance", "the law") or a person ("what would you suggest?").
# "What do the seven corporate parenting principles say?" names none: it is a question of its own.
_SOURCE_WORD = re.compile(rf"(?-i:[A-Z])|\b(?:{DOC_NOUNS}|charter|law|laws|act|legislation|regulations?|rules|"
                          r"government|research|evidence|you|they|it|he|she|we|i)\b", re.I)
# Openers that say the subject changes: "Different question:", "And separately, ...".
_NEW_TOPIC = re.compile(r"\b(?:different|another|new|separate|separately|changing|something else|unrelated)\b", re.I)
# Where a lead-in ("What about schools -") ends and a question of its own may begin.
_BREAK = re.compile(r"\s+[-–—]\s+|[:?]\s+(?=\S)|\s*[–—]\s*")
# "So ...", "Also ...", "Any advice on ...?", "Anything on ...?" continue the conversation only
# when what follows names nothing of its own ("so who pays?", "any others?").
_SOFT_START = re.compile(r"^(?:but|also|so|plus|any|anything|anyone)\b[\s,]*", re.I)
# Openers people type before a new question as readily as before a follow-up: "OK, different
# question: ...", "Right, ...". They say nothing either way, so the rest is judged as if they
# were not there.
_CHAT_OPENER = re.compile(
    # A one-word interjection only with punctuation after it: "Right, ..." but "Right to advocacy:".
    r"^(?:(?:ok(?:ay)?|right|now|well|thanks|great|cheers|next|separately)(?=\s*[,.!:;]|\s+[-–—]\s)|"
    r"ok(?:ay)?\b|thank you|"
    # "Thanks for that.", "That's helpful.", "One more:" close the last answer, not lean on it.
    r"(?:thanks|thank you|cheers) (?:(?:very much|so much) )?for (?:that|this|the (?:answer|info|information|help))"
    r"(?=\s*[,.!:;]|\s+[-–—]\s)|(?:that(?:['’]s| is| was) (?:really |very )?(?:helpful|useful|great|clear)|that helps)"
    r"(?=\s*[,.!:;]|\s+[-–—]\s)|(?:one more|one last|another one)(?=\s*[,.!:;]|\s+[-–—]\s)|"
    r"(?:another|one more|a quick|quick|a different|different|new|last) (?:thing|one|question|point)|"
    r"(?:an?(?:nother)?\s+)?(?:quick\s+|short\s+)(?:different|new|separate|other)\s+(?:thing|one|question|point)|"
    r"(?:a |an |one )?(?:(?:completely|totally|entirely|quite) )?(?:separate|unrelated|different|other) "
    r"(?:thing|question|point|topic|issue|matter|subject)|"
    r"can i ask (?:you )?(?:about )?(?:something|another thing|a different (?:thing|question))(?: else)?(?=\s*\?)|"
    r"(?:on|onto|to) (?:another|a different|a new) (?:note|subject|topic|thing)|changing (?:the )?(?:subject|topic)|"
    r"(?:(?:one more|one last|another one|another|a quick one|quick one)(?: (?:thing|question))?\s+)?"
    r"on something (?:else|different)(?: entirely| altogether)?|"
    r"changing tack|(?:totally|completely|something) (?:different|else)(?: (?:thing|question|topic))?|"
    r"(?:(?:and|so|ok(?:ay)?|right)[\s,]+)?now (?:for|to|on to|onto) (?:something|a (?:different|new) "
    r"(?:thing|question|topic|subject))(?: (?:else|different))?|"
    r"while i(?:['’]ve| have) got you|by the way|btw|also while i(?:['’]m| am) here|"
    r"(?:quick|one|another|a different|different) (?:one|question|thing) on (?:another|a different) (?:topic|subject|note))"
    r"\b[\s,:;.!?-]*",
    re.I,
)
# "And ...", "In England, ...": these continue the question before unless what follows is a
# whole question of its own. "and in Wales?" leans on the question before; "And in England, who
# inspects children's homes?" does not.
_AND_OPENER = re.compile(r"^(?:and|then|(?:and )?(?:in|for) (?:wales|england))\b[\s,:;.!-]*", re.I)
# A whole question, not a fragment that needs the one before: "going on to university?".
WHOLE_QUESTION = re.compile(
    r"^(?:what|which|who|whom|whose|when|where|why|how|is|are|was|were|do|does|did|can|could|should|"
    r"must|will|would|may|might|has|have|had|shall|tell|list|give|name|explain|describe)\b",
    re.I,
)
# "It" that points ahead, not back: "is it true that ...", "what does it mean to ...".
_DUMMY_IT = re.compile(
    r"\b(?:is|was|isn't|would|will|could)\s+it\s+(?:ever\s+|really\s+|actually\s+|still\s+|always\s+)?(?:be\s+)?"
    r"(?:true|possible|ok|okay|right|wrong|legal|lawful|worth|"
    r"necessary|important|likely|fair|normal|usual|common|enough|essential|compulsory|mandatory|required|allowed|"
    r"acceptable|appropriate|better|best|wise|the case|the (?:\w+ ){0,2}\w+ (?:that|who|which))\b|"
    r"\bit(?:'s|’s| is| was| would be| will be)\s+(?:true|possible|important|necessary|essential|vital|worth|"
    r"likely|right|wrong|legal|ok|okay|fair|normal|usual|common|required|compulsory)\b|"
    r"\bwhat (?:is|was) it like\b|\bhow (?:is|was) it decided\b|\bwhat does it (?:mean|take) to\b|"
    r"\bwhat does it mean (?:when|that|if|for)\b|"
    r"\bwhy does it matter\b|\bhow long does it take (?:to|for)\b|\bdoes it matter (?:if|whether|that)\b|"
    # "Is it the council's job to ...?", "whose job is it to ...?"
    r"\b(?:is|was|isn['’]t|it['’]s|it is) (?:it )?(?:the |our |my |their |a |an )?(?:[\w’']+ ){0,2}"
    r"(?:job|role|duty|responsibility|task|place) to\b|\bwhose (?:job|role|duty|responsibility) is it\b",
    re.I,
)
# Words comparing with what was said before ("Is there anything like it for young people leaving
# children's homes?", "does the same apply to academies?"), not within the question ("of the same
# age", "at the same school").
_COMPARING = r"(?<!\bof )(?<!\bat )the same|similar|likewise|equivalent"
COMPARES = re.compile(rf"\b(?:like (?:that|this|it|those|these)|{_COMPARING})\b", re.I)
# Words that lean on something said before. "that" and "this" count only where they stand
# for a thing ("who checks that happens?", "help with that"), not as a conjunction
# ("make sure that care leavers...") or a local "this council".
_PRONOUN = re.compile(
    # "those who run leisure centres", "those leaving care": "those" that a clause or a place
    # follows names the people there and then.
    r"\b(it|its|they|them|their|theirs|she|he|him|his|her|hers|"
    r"those(?!\s+(?:who|whom|whose|which|in|with|at|aged|under|over|from|\w+ing)\b)|these|"
    # "Who else besides the council ...?" names whom "else" is besides.
    rf"{_COMPARING}|either|instead|"
    r"else(?!\s+(?:besides|apart from|other than|except)\b)|"
    r"beforehand|afterwards|as well|too|otherwise|the former|the latter|as a result|in that case|if so|if not|"
    r"after that|because of that|"
    r"the (?:first|second|third|fourth|fifth|last|previous|above|other) (?:one|ones|arrangement|point|level|"
    r"option|idea|principle|example|item|group|duty|source)|the \w+ one)\b",
    re.I,
)
_THAT_THIS = re.compile(
    r"\b(?:about|of|for|with|on|to|do|does|doing|did|is|in|from|after|before|like|beyond|behind|at|by|into|"
    r"without|cover|covers|fund|funds|pay for)\s+(?:that|this|those)\b"
    # "Does this year's guidance ...?": "this" before a time is now, not something said before.
    r"(?!\s+(?:year|years|week|month|term|quarter|spring|summer|autumn|winter)(?:['’]s)?\b)"
    # "check that their foster carers are ...": "that" opens a clause with its own subject.
    r"|\b(?:mean|means|check|checks|monitor|monitors)\s+(?:that|this|those)\b"
    r"(?!\s+(?:the|a|an|their|its|his|her|our|your|my|all|every|each|any|they|he|she|we|you|i|there|no)\b)"
    # nor one whose own subject comes before its verb: "checks that semi-independent flats ... are good enough"
    r"(?!(?:\s+[\w’'-]+){1,6}\s+(?:are|is|were|was|have|has|get|gets|meet|meets)\b)"
    r"|\b(?:that|this)\s*(?:[?.!,]|$|happens?|happened|is\b|was\b|does\b|do\b|means?\b|works?\b|appl\w*|covers?\b|"
    r"includ\w*|involv\w*|will\b|would\b|should\b|can\b|could\b|must\b|'s\b|’s\b)"
    r"|\b(?:that|this|those|these)\s+(?:responsibility|role|duty|arrangement|group|level|scheme|approach|"
    r"process|protocol|kind|sort|type|support|work|help|money|age|place|principle|one|ones)\b"
    # "What was happening nationally that week?": a time told before ("this week" is now).
    r"|\b(?:that|those)\s+(?:week|weeks|day|days|year|years|month|time|meeting|event|session)\b",
    re.I,
)
# Words that leave out what was told before: "Can partners go along?", "How do we sign up?" (to
# it), "Which one would a social worker be?" (one of those; not "which one of the seven ..."),
# "Would a bank count?" (as one of them).
_LEFT_OUT = re.compile(
    r"^(?:\w+\s+){1,4}(?:go|come|sign|join)\s+(?:along|up|in)\s*[?.!]*$"
    r"|\bwhich (?:one|ones)\b(?!\s+of\s+(?:the|our|their|its|these|those)\s+\w)"
    r"|^(?:would|does|do|will|could|can)\s+(?:\w+\s+){1,4}count\s*[?.!]*$",
    re.I,
)
# "... (in Wales)": the place a follow-up ("and in Wales?") asks the question before for.
PLACE_NOTE = re.compile(r"\s*\(in (?:Wales|England)\)$")
_EXCEPT = re.compile(r"^(?:and\s+)?(?:what\s+)?(?:beyond|apart from|other than|besides|except(?: for)?)\s+(.+)$", re.I)
_PLACE = re.compile(r"\b(wales|welsh|england|english)\b", re.I)
_IN_PLACE = re.compile(r"\b(in|for|across)\s+(?:wales|england)\b", re.I)
# People a "they", "their" or "she" later in the same question can point at ("can a young person stay
# with their foster carer?").
_PEOPLE = re.compile(r"\b(?:child|children|young (?:person|people)|kids?|teenagers?|pupils?|students?|"
                     r"care leavers?|carers?|staff|members?|councillors?|officers?|parents?|famil(?:y|ies)|"
                     r"adults?|babies|baby|mums?|mothers?|dads?|fathers?|daughters?|sons?|girls?|boys?|"
                     r"grandparents?|grans?|grandmothers?|grandfathers?|aunts?|uncles?|sisters?|brothers?|siblings?|"
                     r"neighbours?|friends?|women|woman|men|man|lads?|mentors?|volunteers?|tenants?)\b", re.I)
# A body "it" can stand for: "a children in care council ... the way it engages".
_BODY = re.compile(r"\b(?:council|panel|board|group|team|forum|service|scheme|committee|partnership|organisation|"
                   r"charity|business|firm|company|club|centre|school|college|authority|trust|force)\b", re.I)
_CLAUSE_END = re.compile(r"\b(?:when|if|where|whether|because|as|before|after|while|until|once|unless|what|how|"
                         r"the way)\s+$", re.I)
_EVENT_VERB = re.compile(r"\s+(?:happen\w*|occur\w*|is|was|does|did|applies|starts|begins|ends|comes|goes|gets|"
                         r"becomes|works|changes)\b", re.I)
_PERSON_PRONOUN = re.compile(r"\b(they|them|their|theirs|she|he|him|his|her|hers)\b", re.I)
_CONTENT = re.compile(r"[A-Za-z][A-Za-z’'-]{2,}")
# A name inside the question ("LG Inform", "Ofsted", "Stockton"): capitalised, not its first word (nor "I" or "OK").
_PROPER_NAME = re.compile(r"(?<!^)(?<![.?!:]\s)\b(?!I\b|OK\b)[A-Z][\w’'&-]+")
_STOP = frozenset(
    "what when where which while whom whose with would could should shall will that this those these there "
    "they them their have does doing done about from into onto than then also just only very much many more "
    "most some such each every been being were your yours ours mean means need needs tell know happen happens "
    "does much why who how not yes the and for are can did was has had may its our you any all but off out own "
    "too old get got say see use one ones give example examples detail details please ever until till since "
    "upto".split()
)
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
    """The nation a question is set in: named ("in Wales", "English councils") or implied by a
    town or council it names ("a café in Cardiff"), from ``places.toml``. None for a question
    about both ("in England and in Wales?")."""
    if asks_both_nations(question):
        return None
    m = _PLACE.search(question)
    if not m:
        return places().nation_of(question)
    return "wales" if m.group(1).lower() in ("wales", "welsh") else "england"


def _subject(text: str) -> tuple[int, int, str] | None:
    """The first actor or topic a question names (``actors.toml``), as (start, end, slug)."""
    found = subjects_in(text)
    return found[0] if found else None


def _same_kind(text: str, slug: str) -> tuple[int, int, str] | None:
    """The first subject of ``text`` of the same kind as ``slug``: a service for a service, a topic for a topic."""
    is_actor = slug in actor_vocabulary().slugs
    return next((m for m in subjects_in(text) if (m[2] in actor_vocabulary().slugs) == is_actor), None)


def strip_lead(question: str) -> str:
    q = question.strip()
    rest = _past_openers(q)
    if not re.search(r"\b(?:wales|england)\b", q[:len(q) - len(rest)], re.I):
        q = rest  # "in Wales" stays: it is what "and in Wales?" asks
    q = re.sub(r"^(and|but|also|so|plus)\s+", "", q, flags=re.I)
    q = re.sub(r"^(what about|how about|what of|same for|and for)\s+", "", q, flags=re.I)
    return q.strip(" ?.!")


def leans_on_context(question: str) -> bool:
    """Does the question need the conversation to be understood?

    It does when it opens as a continuation ("what about...", "and" with less than a whole
    question after it: "and in Wales?", "and going on to university?"), points at an earlier
    answer ("the second point", "[2]"), uses a pronoun or a "that"/"this" that stands for
    something said before, or is too short to have a subject ("why?", "who pays?"). A
    question that names what it is about and leans on nothing ("how should we involve young
    people in the panel?") stands alone, however it starts.
    """
    q = question.strip()
    if re.search(r"\[\d+\]|\b(?:source|citation|point)\s*\d+\b", q, re.I) or asks_of_source(q):
        return True
    after = _past_openers(q)
    if after != q and _NEW_TOPIC.search(q[:len(q) - len(after)]):
        # "Can I ask about something else?" on its own announces a new question; it leans on nothing.
        return bool(after.strip(" ?.!")) and leans_on_context(after)
    if _FOLLOW_UP_START.match(q):
        # "What about schools - what should a designated teacher do for looked-after pupils?" asks
        # a whole question of its own after the dash; "what about health?" needs the one before.
        head, rest = _BREAK.split(q, maxsplit=1) if _BREAK.search(q) else (q, "")
        # "What about Hampshire's Pillars of Parenting model: what was it meant to change?" names
        # what its "it" is before the colon; so does "What about the virtual school head - what is
        # that role for?", in three words of its own ("What about housing - what should they do?"
        # names a partner for the question before).
        topic = _FOLLOW_UP_START.sub("", head).strip()
        named = _named_thing(topic)
        if rest and (_PROPER_NAME.search(head) and len(named) >= 2 or len(named) >= 3) and not _PRONOUN.search(topic):
            rest = re.sub(r"\b(?:it|they|them|(?:that|this) (?:role|post|job|scheme|group|body|model|plan))\b", topic,
                          rest, flags=re.I)
            rest = re.sub(r"\b(?:its|their)\b", f"{topic}'s", rest, flags=re.I)
        return not (WHOLE_QUESTION.match(rest) and says_enough(rest) and not leans_on_context(rest))
    chat = _CHAT_OPENER.match(q)
    if chat and chat.end() > 0:
        rest = q[chat.end():]
        return not rest.strip(" ?.!") or leans_on_context(rest)
    conjoined = _AND_OPENER.match(q)
    if conjoined and conjoined.end() > 0:
        rest = _past_openers(q)
        # "OK, and for kids who run away from care, does the council need to agree anything with
        # neighbouring councils?": whom it is about, then a whole question of its own.
        # So is "And in Stockton-on-Tees, who checks ...?": where it is set, then a whole question.
        framed = re.match(r"^(?:for|with|about|as for|regarding|in|at)\s+([^,?]{3,80}),\s*(.+)$", rest, re.I)
        whom = framed.group(1) if framed else ""
        if framed and WHOLE_QUESTION.match(framed.group(2)) and (subjects_in(whom) or _PEOPLE.search(whom)
                                                                  or places().find(whom)):
            rest = framed.group(2)
        # "And what is a personal adviser?" asks what a thing it names is: a question of its own.
        defines = re.match(r"^(?:what|who)(?:['’]s|\s+is|\s+are)\s+(?:a|an)\s+\w", rest, re.I) \
            and (subjects_in(rest) or _names_subject(rest))
        if defines and not leans_on_context(rest):
            return False
        return not says_enough(rest) or not WHOLE_QUESTION.match(rest) or leans_on_context(rest)
    soft = _SOFT_START.match(q)
    if soft:
        rest = q[soft.end():]
        # "so what is a pathway plan?" names its subject; "so who is the chair?" asks about the last answer's.
        # "Also, who can get into LG Inform?" names it by its proper name.
        # "So what happens to a child's football club when they move placement?" is a whole
        # question in words enough to search on.
        names = subjects_in(rest) or (_names_subject(rest) and len(_content_words(rest)) >= 2) \
            or (bool(_PROPER_NAME.search(rest) or says_enough(rest)) and WHOLE_QUESTION.match(rest) is not None)
        return not names or leans_on_context(rest)
    # Words quoted ("why does the LGA say 'it takes a village to raise a child'?") are not the asker's.
    q = re.sub(r"(?<!\w)['‘\"“][^'’\"”]{3,120}['’\"”](?!\w)", " the quotation ", q)
    if _THAT_THIS.search(q) or _LEFT_OUT.search(q):
        return True
    # "What should our allocation policy look like then?": "then" closing a question means "given
    # what was just said", unless the question sets its own condition ("if ..., what then?").
    last_then = re.search(r",?\s+then\s*[?.!]*$", q, re.I)
    if last_then and not re.search(r"\b(?:if|when|once|after|before|until|unless)\b", q[:last_then.start()], re.I):
        return True
    plain = _DUMMY_IT.sub(" ", q)
    if says_enough(plain):
        # "Does corporate parenting apply to district councils too?" names all it asks about;
        # "too" alone does not make it lean on the answer before.
        # Nor before a clause of examples: "Is there a role for businesses in England too, like ...?"
        plain = re.sub(r"\b(?:too|as well|also)\s*(?=[?.!]*$|,)", " ", plain, flags=re.I)
    pronoun = _PRONOUN.search(plain)
    if pronoun:
        # "How can schools make sure they ...", "if a care leaver is pregnant, can she ...": people
        # named before the pronoun are what it points at, in a question long enough to stand alone.
        before = q[:pronoun.start()]
        named = subjects_in(before) or _PEOPLE.findall(before) or _PROPER_NAME.findall(before)  # "... Amy settle in her ..."
        # "How does the council make sure its care leavers ...": "its" after a service named
        # before it is that service's (but "does the council have to fund it?" leans on before).
        # So is "its" after a name: "what does Walsall expect of every member of its staff?".
        own = pronoun.group().lower() == "its" and (subjects_in(before) or _PROPER_NAME.search(before)
                                                    or _BODY.search(before)) \
            and len(q.split()) >= 6
        # "How much should a council involve young people when it recruits staff?": "it" opening a
        # clause after the body named before it is that body; "... when it happens?" is an event
        # told before.
        own = own or (pronoun.group().lower() == "it" and len(q.split()) >= 8 and bool(_CLAUSE_END.search(before))
                      and not _EVENT_VERB.match(q[pronoun.end():])
                      and bool(subjects_in(before) or _PROPER_NAME.search(before) or _BODY.search(before)))
        if not (_PERSON_PRONOUN.fullmatch(pronoun.group()) and named and len(q.split()) >= 8) and not own \
                and not _named_in_first_part(q, pronoun.start()):
            return True
    content = _content_words(q)
    named = _names_subject(q)
    # "Which partners?", "Any examples?": a question word and one everyday word ask about what
    # was said before; "What's advocacy?", "Who's Ofsted?", "Staying put?" name their subject.
    second = q.split()[1].strip("?.!,") if len(q.split()) == 2 else ""
    short = bool(re.match(r"^(?:which|what|who|how|why|when|where|any)\b", q, re.I) and second[:1].islower()
                 and word_zipf(second) >= ELLIPTIC_ZIPF)
    return (len(content) < 2 and not subjects_in(q) and not named and not _PROPER_NAME.search(q)) or short


def asks_of_source(question: str) -> bool:
    """"What does the Welsh toolkit say?", "what would the police suggest?", "what do care leavers
    think?": the question before, asked of one source or one party. A short name is taken as
    one whatever its case ("what does the lga say?"); "what do the seven corporate parenting
    principles say?" names none, so it is a question of its own."""
    m = _SOURCE_ONLY.match(question)
    if not m:
        return False
    said = m.group(1)
    if re.match(rf"(?:{_ORDINAL_WORD})\b", said, re.I):
        return False  # "what does the ninth one say?" asks about a point of the last answer, not a source
    return len(said.split()) <= 2 or bool(_SOURCE_WORD.search(said) or subjects_in(said) or _PEOPLE.search(said))


def _names_subject(question: str) -> bool:
    """"What is a PEP?", "so what is a pathway plan?" name their subject in a word rarer than
    everyday English; "who pays?" and "what is the point?" name none."""
    question = re.sub(r"^(what|who)\s+(?:exactly|actually|really|precisely)\s+", r"\1 ", question, flags=re.I)
    content = _content_words(question)
    defines = re.match(r"^(?:what|who)(?:['’]s|\s+is|\s+are)\s+(?:a|an|the)\s+['‘\"“]?\w", question, re.I)
    return bool(defines and content and word_zipf(content[0].lower()) < COMMON_ZIPF)


def _content_words(text: str) -> list[str]:
    """The words that say what a question is about (not "what", "does", "they", ...)."""
    return [w for w in _CONTENT.findall(text) if w.lower() not in _STOP]


def _named_in_first_part(question: str, at: int) -> bool:
    """In a question of several parts, does a pronoun in a later part point at the first part's
    subject? "What is a local offer and who has to publish it?": "it" is the local offer."""
    parts = question_parts(question)
    if len(parts) < 2:
        return False
    first = parts[0]
    end = question.find(first) + len(first)
    content = _content_words(first)
    return at >= end and len(content) >= 2 and not leans_on_context(first)


def _past_openers(question: str) -> str:
    """The question after "And", "OK, different question:", "In England," and the like."""
    q = question
    while (m := _CHAT_OPENER.match(q) or _AND_OPENER.match(q)) and m.end() > 0:
        q = q[m.end():]
    return q


def _named_thing(topic: str) -> list[str]:
    """The words of ``topic`` that name a thing, not a place or a council: "Hampshire's Pillars of
    Parenting model" -> Pillars, Parenting, model; "Newport City Council" -> none."""
    where = {w.lower() for p in places().find(topic) for w in p.name.split()}
    return [w for w in _content_words(re.sub(r"[’']s\b", "", topic))
            if w.lower() not in where and w.lower() not in ("council", "county", "city", "borough", "district")]


def says_enough(text: str) -> bool:
    """Does a question, or the rest of one after an opener, name what it is about in words enough
    to search on? "How can our business sign up?" does not: sign up to what was named before."""
    content = _content_words(text)
    return len(content) >= 4 or (len(content) >= 3 and bool(subjects_in(text) or _PEOPLE.search(text)))


def is_follow_up(question: str, conversation: Conversation | None) -> bool:
    if not conversation or not conversation.turns:
        return False
    return leans_on_context(question)


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
        m = re.search(r"\b(" + _ORDINAL_WORD + r")\b\s*(?:point|one|source|citation|bit|item)?", question, re.I)
        if m and re.search(r"\b(point|one|source|citation|bit|item|more|of those|of these|of them)\b", question, re.I):
            n = _ORDINALS[m.group(1).lower()]
    if n is None:
        return None
    cites = last.answer.citations
    if not m.group(0)[-1:].isdigit() and not m.group(0).startswith("["):
        # "the third one" of an answer that is a list counts its items, not its lead-in.
        items = [int(i) for i in re.findall(r"^\s+- .*\[(\d+)\]$", last.answer.answer, re.M)]
        # "the ninth one" of a list whose items carry the charter's numbers ("equality (1)", ...,
        # "learning (9)") is the item numbered 9, wherever it stands in the list.
        numbered = {int(label.group(1) or label.group(2)): k for k in items if 1 <= k <= len(last.answer.citations)
                    and (label := ITEM_NUMBER.search(last.answer.citations[k - 1].quote))}
        if n in numbered:
            c = last.answer.citations[numbered[n] - 1]
            # Its number is its place among the set the last question asked for: "principle 9".
            noun = SET_NOUNS.search(last.resolved or last.question)
            said = f"{singular(noun.group(1))} {n}: {c.quote}" if noun else c.quote
            return f"{said} ({c.section})" if c.section else said
        if items:
            k = items[-1] if n == -1 else items[n - 1] if n <= len(items) else None
            if k is not None and 1 <= k <= len(cites):
                c = cites[k - 1]
                return f"{c.quote} ({c.section})" if c.section else c.quote
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
    previous = _past_openers(conversation.last.resolved)  # "OK, different question: ..." is not repeated
    place = place or conversation.jurisdiction

    # "What's the first principle ...?" then "And the second one?": the same question of the second.
    other = re.match(rf"^(?:and|what about|how about)?\s*(?:the\s+)?({_ORDINAL_WORD})(?:\s+one)?\s*[?.!]*$",
                     question.strip(), re.I)
    named = re.search(rf"\b({_ORDINAL_WORD})(?=\s+(?:{PART_NOUNS}|duty|point)\b)", previous, re.I)
    if other and named:
        return previous[:named.start()] + other.group(1).lower() + previous[named.end():], place

    # "What are the corporate parenting principles?" then "Which one is about stability?": which
    # of the set the last question asked for.
    which = re.match(r"^(?:and\s+|so\s+)?which\s+(?:one|ones|of\s+(?:them|those|these))\b\s*(.*?)[?.!]*$", question.strip(), re.I)
    noun = SET_NOUNS.search(previous)
    if which and noun:
        phrase = re.search(rf"\b(?:the\s+)?(?:(?!(?:what|which|are|is|were|of|in|for)\b)[\w’'-]+\s+){{0,3}}{re.escape(noun.group(1))}\b",
                           previous, re.I)
        return f"Which of {phrase.group(0) if phrase else 'the ' + noun.group(1)} {which.group(1)}?".replace("  ", " "), place

    # "What does principle 3, togetherness, ask?" then "And the next one, support?": principle 4.
    step = re.match(r"^(?:and|what about|how about)?\s*(?:the\s+)?(next|previous)(?:\s+one)?\b", question.strip(), re.I)
    numbered = re.search(rf"\b({PART_NOUNS})\s+(\d{{1,2}})\b", previous, re.I)
    if step and numbered:
        n = int(numbered.group(2)) + (1 if step.group(1).lower() == "next" else -1)
        if n >= 1:
            asked = previous[:numbered.start(2)] + str(n) + previous[numbered.end(2):]
            # A title said with the last one ("principle 3 of the Welsh charter, togetherness,") is not the next one's.
            return re.sub(r",\s*[\w’' -]{3,40},(?=\s)", "", asked, count=1), place

    cited = _cited_passage(conversation, question)
    if cited:
        # "What does the third one mean?" -> "What does this mean: togetherness (3)": the ordinal
        # has done its work, and "third" would pull towards "the third sector".
        asked = re.sub(rf"\bthe ({_ORDINAL_WORD})\b(?:\s+(?:point|one|source|citation|bit|item))?"
                       r"(?:\s+of\s+(?:those|these|them|the\s+\w+))?", "this", strip_lead(question), flags=re.I)
        return f"{asked}: {cited}", place

    rest = strip_lead(question)
    other = _EXCEPT.match(question.strip(" ?.!"))
    if other:  # "and beyond money and kit?" - the same subject, something else about it
        return f"{previous.rstrip('?')}, other than {other.group(1)}?", place
    if not re.sub(r"\b(?:in|for|across|on|about|what|how)\b", "", BOTH_NATIONS.sub("", rest), flags=re.I).strip(" ,?.!"):
        # "And in England and Wales?", "what about both nations?": the question before, of each nation.
        base = PLACE_NOTE.sub("", previous)
        both = "in England and in Wales"
        return (_IN_PLACE.sub(both, base, count=1) if _IN_PLACE.search(base) else f"{base} ({both})"), None
    rest_wo_place = _PLACE.sub("", re.sub(r"\b(in|for)\s+(wales|england)\b", "", rest, flags=re.I)).strip(" ,?")
    if not rest_wo_place:  # "and in Wales?" - the same question, for another place
        base = PLACE_NOTE.sub("", previous)
        if place and _IN_PLACE.search(base):  # "... in Wales?" asked again for England says England only
            return _IN_PLACE.sub(lambda m: f"{m.group(1)} {place.title()}", base, count=1), place
        return (f"{base} (in {place.title()})" if place else base), place

    new = _subject(rest_wo_place)
    old = _same_kind(previous, new[2]) if new else None
    if new and old and new[2] != old[2] and len(rest_wo_place.split()) <= 5:
        # "what about health?" -> the previous question, asked of the new service or subject
        new_words = rest_wo_place[new[0]:new[1]]
        if previous[old[0]:old[1]].lower().endswith(" services") and not new_words.lower().endswith("services") \
                and new[2] in actor_vocabulary().slugs:
            new_words += " services"
        # "the police and criminal justice system" is one partner named twice: "what about
        # schools?" asks of schools, not of "the schools and criminal justice system".
        end = old[1]
        for start, stop, slug in subjects_in(previous):
            if start >= end and slug in actor_vocabulary().slugs and re.fullmatch(r"\s+(?:and|&)\s+(?:the\s+)?",
                                                                                 previous[end:start]):
                end = stop
        return previous[:old[0]] + new_words + previous[end:], place

    # "who checks that happens?" - keep the new question, carry the subject of the last two turns
    m = re.match(r"^(.*?)\s*\(about: (.*?)\)$", previous)
    about = f"{m.group(1).rstrip('?')}; {m.group(2).split('; ')[0]}" if m else strip_lead(previous)
    asked_of = re.match(r"^(.*?)\? \((.*?)\?\)$", previous)
    if asked_of and asks_of_source(asked_of.group(2)):  # the last turn asked an earlier question of a source
        about = asked_of.group(1)
    if asks_of_source(question.strip()):  # "what does the LGA say?": the question before, of that source
        return f"{about.rstrip('?')}? ({rest}?)", place
    return f"{rest}? (about: {about})", place
